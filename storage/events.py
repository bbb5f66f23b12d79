"""Queries about connection events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery_models import OutboxMessage
from storage.models import ConnectionEvent, Nudge
from storage.sql import insert_ignoring_duplicates


async def add(
    session: AsyncSession,
    *,
    couple_id: int,
    actor_id: int,
    kind: str,
    source: str,
    now: datetime,
    note: str | None = None,
    dedupe_key: str | None = None,
    nudge_id: int | None = None,
) -> ConnectionEvent | None:
    """Store one event; ``None`` when the same actor already stored this ``dedupe_key``.

    With a ``dedupe_key`` the unique (actor, key) constraint decides in the insert itself,
    so even two simultaneous taps leave one row, and the caller's transaction goes on.
    """
    values = {
        "couple_id": couple_id,
        "actor_id": actor_id,
        "kind": kind,
        "source": source,
        "note": note,
        "dedupe_key": dedupe_key,
        "created_at": now,
        "nudge_id": nudge_id,
    }
    if dedupe_key is None:
        event = ConnectionEvent(**values)
        session.add(event)
        await session.flush()
        return event
    statement = insert_ignoring_duplicates(
        session, ConnectionEvent, constraint="uq_connection_events_actor_dedupe"
    )
    stored = await session.scalars(statement.values(**values).returning(ConnectionEvent))
    return stored.one_or_none()


async def get(
    session: AsyncSession, event_id: int, *, for_update: bool = False
) -> ConnectionEvent | None:
    if not for_update:
        return await session.get(ConnectionEvent, event_id)
    # A locking read sees the latest row: two taps on one event's button take turns.
    statement = (
        select(ConnectionEvent)
        .where(ConnectionEvent.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def recent_for_couple(
    session: AsyncSession, couple_id: int, limit: int
) -> list[ConnectionEvent]:
    """The couple's latest events, newest first (the couple-and-time index serves it)."""
    statement = (
        select(ConnectionEvent)
        .where(ConnectionEvent.couple_id == couple_id)
        .order_by(ConnectionEvent.created_at.desc(), ConnectionEvent.id.desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def forget_couple(session: AsyncSession, user_id: int, couple_id: int) -> None:
    """Delete one person's own history of one couple ("delete it" when leaving): their
    events, their nudges, and whatever of theirs the outbox still held for it."""
    await session.execute(
        delete(ConnectionEvent).where(
            ConnectionEvent.actor_id == user_id, ConnectionEvent.couple_id == couple_id
        )
    )
    await session.execute(
        delete(Nudge).where(Nudge.user_id == user_id, Nudge.couple_id == couple_id)
    )
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.sender_id == user_id, OutboxMessage.couple_id == couple_id
        )
    )


async def latest_ended_couple_with_own_events(
    session: AsyncSession, user_id: int, current_couple_id: int | None
) -> int | None:
    """The newest couple, not the current one, in which the person logged anything."""
    statement = (
        select(ConnectionEvent.couple_id)
        .where(ConnectionEvent.actor_id == user_id)
        .order_by(ConnectionEvent.created_at.desc(), ConnectionEvent.id.desc())
        .limit(1)
    )
    if current_couple_id is not None:
        statement = statement.where(ConnectionEvent.couple_id != current_couple_id)
    return await session.scalar(statement)
