"""Words are kept only as long as they are needed (README, Privacy).

A relay's copy in the outbox is needed until it is delivered (or given up on); a note on a
moment is kept for ``/history`` and the weekly reflection for a while, then only the
moment itself remains; words offered to the partner and never answered go too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.models import ConnectionEvent, RelayOffer

_EMPTY = "{}"


async def drop_delivered_words(session: AsyncSession) -> int:
    """Empty the payload of every outbox row that will never be sent again."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.not_in(OutboxStatus.OPEN), OutboxMessage.payload != _EMPTY)
        .values(payload=_EMPTY)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def drop_notes_before(session: AsyncSession, cutoff: datetime) -> int:
    """Notes of moments from before ``cutoff`` go; the moments stay (they are the history)."""
    result = await session.execute(
        update(ConnectionEvent)
        .where(ConnectionEvent.note.is_not(None), ConnectionEvent.created_at < cutoff)
        .values(note=None)
    )
    await session.execute(delete(RelayOffer).where(RelayOffer.created_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
