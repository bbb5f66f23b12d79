"""Queries behind micro-randomized nudges: closing outcomes, reading decision points, chances.

A decision point is a ``nudges`` row with a ``probability``; the person was available for it
when its status is one of :data:`~storage.models.AVAILABLE_STATUSES` (sent, answered,
ignored, or withheld by its draw); ``skipped`` and ``missed`` ones were not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AVAILABLE_STATUSES,
    OPEN_OUTCOME,
    ConnectionEvent,
    Nudge,
    ProbabilityChange,
    RitualSetting,
    User,
)


class OpenOutcome(NamedTuple):
    id: int
    user_id: int
    ritual: str
    due_at: datetime


async def open_outcomes(
    session: AsyncSession, closed_by: datetime, limit: int
) -> list[OpenOutcome]:
    """Available decision points due by ``closed_by`` whose outcome is not written yet."""
    rows = await session.execute(
        select(Nudge.id, Nudge.user_id, Nudge.ritual, Nudge.due_at)
        .where(OPEN_OUTCOME, Nudge.due_at <= closed_by)
        .order_by(Nudge.due_at)
        .limit(limit)
    )
    return [OpenOutcome._make(row) for row in rows]


async def acts_between(
    session: AsyncSession,
    user_ids: Sequence[int],
    kinds: Sequence[str],
    since: datetime,
    until: datetime,
) -> list[tuple[int, str, datetime]]:
    """``(person, kind, when)`` of the acts they did in ``[since, until)``."""
    rows = await session.execute(
        select(ConnectionEvent.actor_id, ConnectionEvent.kind, ConnectionEvent.created_at).where(
            ConnectionEvent.actor_id.in_(user_ids),
            ConnectionEvent.kind.in_(kinds),
            ConnectionEvent.created_at >= since,
            ConnectionEvent.created_at < until,
        )
    )
    return [(actor, kind, at) for actor, kind, at in rows]


async def write_outcomes(session: AsyncSession, outcomes: Sequence[tuple[int, bool]]) -> None:
    if not outcomes:
        return
    statement = (
        update(Nudge.__table__)  # type: ignore[arg-type]
        .where(Nudge.__table__.c.id == bindparam("b_id"))
        .values(outcome=bindparam("b_outcome"))
    )
    connection = await session.connection()
    await connection.execute(statement, [{"b_id": i, "b_outcome": o} for i, o in outcomes])


class Point(NamedTuple):
    """One decided point: its person, ritual, day, chance, draw and outcome."""

    user_id: int
    ritual: str
    local_date: date
    probability: float
    treated: bool
    outcome: bool


async def people_page(session: AsyncSession, after_user_id: int, limit: int) -> list[int]:
    """Paired, reachable people after ``after_user_id``, in id order."""
    rows = await session.execute(
        select(User.id)
        .where(User.id > after_user_id, User.couple_id.is_not(None), User.is_active.is_(True))
        .order_by(User.id)
        .limit(limit)
    )
    return [user_id for (user_id,) in rows]


async def points_of(
    session: AsyncSession, first_user: int, last_user: int, since: date
) -> list[Point]:
    """The decided points of people ``first_user..last_user`` on local dates from ``since``."""
    rows = await session.execute(
        select(
            Nudge.user_id,
            Nudge.ritual,
            Nudge.local_date,
            Nudge.probability,
            Nudge.treated,
            Nudge.outcome,
        ).where(
            Nudge.user_id.between(first_user, last_user),
            Nudge.local_date >= since,
            Nudge.outcome.is_not(None),
            Nudge.probability.is_not(None),
            Nudge.status.in_(AVAILABLE_STATUSES),
        )
    )
    return [Point._make(row) for row in rows]


async def chances_of(
    session: AsyncSession, first_user: int, last_user: int
) -> dict[tuple[int, str], float | None]:
    rows = await session.execute(
        select(RitualSetting.user_id, RitualSetting.ritual, RitualSetting.probability).where(
            RitualSetting.user_id.between(first_user, last_user)
        )
    )
    return {(user_id, ritual): p for user_id, ritual, p in rows}


async def last_changes(
    session: AsyncSession, first_user: int, last_user: int
) -> dict[tuple[int, str], datetime]:
    rows = await session.execute(
        select(
            ProbabilityChange.user_id,
            ProbabilityChange.ritual,
            func.max(ProbabilityChange.changed_at),
        )
        .where(ProbabilityChange.user_id.between(first_user, last_user))
        .group_by(ProbabilityChange.user_id, ProbabilityChange.ritual)
    )
    return {(user_id, ritual): at for user_id, ritual, at in rows}


async def _setting(session: AsyncSession, user_id: int, ritual: str) -> RitualSetting:
    setting = await session.get(RitualSetting, (user_id, ritual))
    if setting is None:
        setting = RitualSetting(user_id=user_id, ritual=ritual, ignored_in_a_row=0)
        session.add(setting)
    return setting


async def change_chance(
    session: AsyncSession,
    user_id: int,
    ritual: str,
    *,
    old: float,
    new: float,
    reason: str,
    now: datetime,
) -> None:
    """Store a ritual's new chance and log the change with its reason."""
    setting = await _setting(session, user_id, ritual)
    setting.probability = new
    session.add(
        ProbabilityChange(
            user_id=user_id, ritual=ritual, changed_at=now, old=old, new=new, reason=reason
        )
    )


async def store_effect(session: AsyncSession, user_id: int, ritual: str, effect: str) -> None:
    setting = await _setting(session, user_id, ritual)
    setting.effect = effect


async def effects_of(
    session: AsyncSession, user_id: int
) -> dict[str, tuple[float | None, str | None]]:
    """``ritual -> (chance, latest effect JSON)`` of one person."""
    rows = await session.execute(
        select(RitualSetting.ritual, RitualSetting.probability, RitualSetting.effect).where(
            RitualSetting.user_id == user_id
        )
    )
    return {ritual: (p, effect) for ritual, p, effect in rows}


async def latest_reasons(session: AsyncSession, user_id: int) -> dict[str, str]:
    """``ritual -> why its chance last changed``, for the rituals whose chance ever did."""
    rows = await session.execute(
        select(ProbabilityChange.ritual, ProbabilityChange.reason)
        .where(ProbabilityChange.user_id == user_id)
        .order_by(ProbabilityChange.changed_at, ProbabilityChange.id)
    )
    return {ritual: reason for ritual, reason in rows}
