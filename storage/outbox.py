"""The outbox: messages the bot owes someone, written in the transaction that caused them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import users
from storage.delivery_models import OPEN_OUTBOX, OutboxMessage, OutboxStatus
from storage.models import RitualSetting, User
from storage.sql import due_in_order


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    sender_id: int | None = None,
    couple_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Owe ``chat_id`` one message; ``None`` when this ``dedupe_key`` is already owed."""
    if dedupe_key is not None:
        existing = await session.execute(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing.first() is not None:
            return None
    message = OutboxMessage(
        chat_id=chat_id,
        sender_id=sender_id,
        couple_id=couple_id,
        kind=kind,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        dedupe_key=dedupe_key,
        created_at=now,
        due_at=now,
        status=OutboxStatus.PENDING,
        attempt=0,
    )
    session.add(message)
    await session.flush()
    return message


async def owed_to(session: AsyncSession, chat_id: int, dedupe_keys: Sequence[str]) -> bool:
    """Whether one of these messages was ever owed to ``chat_id`` (sent or not)."""
    row = await session.execute(
        select(OutboxMessage.id)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.dedupe_key.in_(list(dedupe_keys)))
        .limit(1)
    )
    return row.first() is not None


async def due_page(
    session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[OutboxMessage]:
    """One page of rows due by ``now``, in (due time, id) order after ``after`` (no locks)."""
    statement = select(OutboxMessage).where(
        OPEN_OUTBOX,  # lets the database use the index of open rows
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.due_at <= now,
    )
    page = due_in_order(statement, OutboxMessage.due_at, OutboxMessage.id, after, limit)
    rows = await session.scalars(page)
    return list(rows)


class Receiver(NamedTuple):
    """What is re-checked right before an outbox row goes out."""

    user_id: int
    couple_id: int | None
    is_active: bool
    timezone: str | None = None
    quiet_hours: str | None = None
    #: Their stored bedtime window: default quiet hours make room for a late bedtime.
    bedtime_window: str | None = None
    wait_for_morning: bool = False
    #: Their choice, else Telegram's ``language_code`` (see ``users.language_column``).
    language: str | None = None


async def receivers(session: AsyncSession, chat_ids: Sequence[int]) -> dict[int, Receiver]:
    bedtime = and_(RitualSetting.user_id == User.id, RitualSetting.ritual == "bedtime")
    rows = await session.execute(
        select(
            User.id,
            User.couple_id,
            User.is_active,
            User.timezone,
            User.quiet_hours,
            RitualSetting.window,
            User.relays_wait_for_morning,
            users.language_column(),
        )
        .outerjoin(RitualSetting, bedtime)
        .where(User.id.in_(list(chat_ids)))
    )
    return {row[0]: Receiver(*row) for row in rows}


async def cancel_open_to(session: AsyncSession, chat_id: int) -> None:
    """Nothing waiting for this person goes out any more (they blocked the bot)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OPEN_OUTBOX,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.SKIPPED)
        .execution_options(synchronize_session=False)
    )


class Backlog(NamedTuple):
    """What the outbox still owes: how many rows, and since when the oldest."""

    depth: int
    oldest: datetime | None


async def backlog(session: AsyncSession) -> Backlog:
    """The open rows (pending or in flight), for the operator's ``/metrics``."""
    depth, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OPEN_OUTBOX)
        )
    ).one()
    return Backlog(int(depth), oldest)
