"""The update inbox: which Telegram updates were handled, so a repeat has no effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery_models import ProcessedUpdate
from storage.sql import insert_ignoring_duplicates


class AlreadyHandled(Exception):
    """This update was handled before (a redelivery, or a copy racing the first)."""


async def record(session: AsyncSession, update_id: int, now: datetime) -> None:
    """Claim ``update_id`` inside the caller's transaction; raises :class:`AlreadyHandled`.

    One statement: the primary key decides a race between two copies of one update (the
    second insert waits for the first transaction, then inserts nothing), so only one
    copy's effects commit.
    """
    claimed = await session.scalar(
        insert_ignoring_duplicates(session, ProcessedUpdate)
        .values(update_id=update_id, handled_at=now)
        .returning(ProcessedUpdate.update_id)
    )
    if claimed is None:
        raise AlreadyHandled(update_id)


async def forget_before(session: AsyncSession, cutoff: datetime) -> int:
    """Drop ids handled before ``cutoff`` (Telegram redelivers for a day at most)."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < cutoff)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
