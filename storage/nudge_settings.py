"""Queries behind the nudge settings: a person's choices, and forgetting plans they outdate.

Per-ritual rows are upserted with select-then-insert/update inside the caller's transaction,
which behaves the same on SQLite and PostgreSQL; callers lock the person's ``users`` row first
(:func:`lock_user`), so two taps at once cannot both insert the same row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Nudge, NudgeStatus, RitualSetting, User

#: ``(ritual, enabled, window)``: the part of a ``ritual_settings`` row a policy is made of.
RitualRow = tuple[str, bool | None, str | None]


async def lock_user(session: AsyncSession, user_id: int) -> User | None:
    """The person's row, locked for the rest of the transaction (PostgreSQL; SQLite ignores)."""
    statement = (
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def ritual_rows(session: AsyncSession, user_id: int) -> list[RitualRow]:
    """The person's stored per-ritual choices (rituals never changed have no row)."""
    statement = select(RitualSetting.ritual, RitualSetting.enabled, RitualSetting.window).where(
        RitualSetting.user_id == user_id
    )
    return [
        (ritual, enabled, window) for ritual, enabled, window in await session.execute(statement)
    ]


async def _ritual_setting(session: AsyncSession, user_id: int, ritual: str) -> RitualSetting:
    statement = select(RitualSetting).where(
        RitualSetting.user_id == user_id, RitualSetting.ritual == ritual
    )
    setting = (await session.execute(statement)).scalar_one_or_none()
    if setting is None:
        setting = RitualSetting(user_id=user_id, ritual=ritual, ignored_in_a_row=0)
        session.add(setting)
    return setting


async def set_ritual_window(
    session: AsyncSession, user_id: int, ritual: str, window: str | None
) -> None:
    """Store one ritual's window (``"12:00-14:00"``; None: back to the default)."""
    setting = await _ritual_setting(session, user_id, ritual)
    setting.window = window
    await session.flush()


async def set_ritual_enabled(
    session: AsyncSession, user_id: int, ritual: str, enabled: bool | None
) -> None:
    """Store whether one ritual is on (None: back to the default)."""
    setting = await _ritual_setting(session, user_id, ritual)
    setting.enabled = enabled
    await session.flush()


async def forget_future_plans(session: AsyncSession, user_id: int, now: datetime) -> int:
    """Drop the person's nudges still waiting to be sent and have the planner plan afresh.

    Only ``planned`` rows due after ``now`` go: nudges already claimed, sent or answered stay,
    so today's history is kept and nothing is sent twice. Returns how many were dropped.
    """
    result = await session.execute(
        delete(Nudge)
        .where(
            Nudge.user_id == user_id,
            Nudge.status == NudgeStatus.PLANNED,
            Nudge.due_at > now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(update(User).where(User.id == user_id).values(planned_through=None))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def probabilities(session: AsyncSession, user_id: int) -> dict[str, float]:
    """``ritual -> chance its nudge is sent`` where the person's is not the default."""
    statement = select(RitualSetting.ritual, RitualSetting.probability).where(
        RitualSetting.user_id == user_id, RitualSetting.probability.is_not(None)
    )
    return {ritual: p for ritual, p in await session.execute(statement) if p is not None}


async def ignored_counts(session: AsyncSession, user_id: int) -> dict[str, int]:
    """``ritual -> ignored nudges in a row`` where not zero (the back-off's memory)."""
    statement = select(RitualSetting.ritual, RitualSetting.ignored_in_a_row).where(
        RitualSetting.user_id == user_id, RitualSetting.ignored_in_a_row > 0
    )
    return {ritual: count for ritual, count in await session.execute(statement)}


async def kept_nudges(
    session: AsyncSession, user_id: int, since: date
) -> list[tuple[date, str, str]]:
    """``(local date, ritual, status)`` of the person's nudge rows from ``since`` on."""
    statement = select(Nudge.local_date, Nudge.ritual, Nudge.status).where(
        Nudge.user_id == user_id, Nudge.local_date >= since
    )
    return [(day, ritual, status) for day, ritual, status in await session.execute(statement)]


#: ``(ritual, local date, due at, window end at, phrasing, probability, treated)``.
PlannedRow = tuple[str, date, datetime, datetime, int, float | None, bool | None]


async def plan_now(
    session: AsyncSession,
    user: User,
    rows: Iterable[PlannedRow],
    *,
    skip: Sequence[tuple[date, str]],
    through: date,
) -> int:
    """Store one person's freshly planned nudges and mark them planned through ``through``.

    The caller holds the person's row lock (:func:`lock_user`), which the bulk planner's
    mark takes too; ``skip`` lists the (day, ritual) rows that exist already, so the unique
    (person, day, ritual) key is never hit. Returns how many rows were stored.
    """
    assert user.couple_id is not None
    existing = set(skip)
    stored = 0
    for ritual, day, due_at, window_end_at, phrasing, probability, treated in rows:
        if (day, ritual) in existing:
            continue
        session.add(
            Nudge(
                user_id=user.id,
                couple_id=user.couple_id,
                ritual=ritual,
                local_date=day,
                due_at=due_at,
                window_end_at=window_end_at,
                status=NudgeStatus.PLANNED,
                attempt=0,
                phrasing=phrasing,
                snoozed=False,
                probability=probability,
                treated=treated,
            )
        )
        stored += 1
    user.planned_through = through
    await session.flush()
    return stored
