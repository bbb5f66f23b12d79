"""Queries for the nudge schedule: planning rows, claiming due ones, recording outcomes.

Claims use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several dispatchers share the work
and each row goes to exactly one of them; a lease lets another take over after a crash.
SQLite has a single writer, which gives the same guarantee within one process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConnectionEvent, Nudge, NudgeStatus, RitualSetting, User


@dataclass(frozen=True, slots=True)
class PlanningRow:
    """What the planner needs to know about one person, loaded in bulk."""

    user_id: int
    couple_id: int
    timezone: str
    quiet_hours: str | None
    paused_until: datetime | None
    planned_through: date | None
    settings: tuple[tuple[str, bool | None, str | None, int], ...]
    digest_opt_out: bool = False


async def planning_rows(
    session: AsyncSession, *, after_user_id: int, limit: int
) -> list[PlanningRow]:
    """One page (by user id) of people who can get nudges: paired, reachable, zone known."""
    people = (
        await session.execute(
            select(
                User.id,
                User.couple_id,
                User.timezone,
                User.quiet_hours,
                User.paused_until,
                User.planned_through,
                User.digest_opt_out,
            )
            .where(
                User.id > after_user_id,
                User.couple_id.is_not(None),
                User.is_active.is_(True),
                User.timezone.is_not(None),
            )
            .order_by(User.id)
            .limit(limit)
        )
    ).all()
    if not people:
        return []
    settings: dict[int, list[tuple[str, bool | None, str | None, int]]] = {}
    rows = await session.execute(
        select(
            RitualSetting.user_id,
            RitualSetting.ritual,
            RitualSetting.enabled,
            RitualSetting.window,
            RitualSetting.ignored_in_a_row,
        ).where(RitualSetting.user_id.between(people[0].id, people[-1].id))
    )
    for user_id, *rest in rows:
        settings.setdefault(user_id, []).append(tuple(rest))  # type: ignore[arg-type]
    return [
        PlanningRow(
            p.id,
            p.couple_id,
            p.timezone,
            p.quiet_hours,
            p.paused_until,
            p.planned_through,
            tuple(settings.get(p.id, ())),
            p.digest_opt_out,
        )
        for p in people
    ]


class NewNudge(NamedTuple):
    user_id: int
    couple_id: int
    ritual: str
    local_date: date
    due_at: datetime
    window_end_at: datetime
    phrasing: int


_COLUMNS = (
    "user_id, couple_id, ritual, local_date, due_at, window_end_at, phrasing, "
    "status, attempt, snoozed"
)
_INSERT = {
    # Plain driver-level executemany: planning writes millions of rows, and SQLAlchemy's
    # per-value processing would cost more than the planning itself. The unique
    # (person, ritual, day) constraint makes a row another process planned a no-op.
    "sqlite": f"INSERT INTO nudges ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', 0, 0) "
    "ON CONFLICT DO NOTHING",
    # One statement a page: arrays of each column, zipped back into rows by unnest().
    "postgresql": f"INSERT INTO nudges ({_COLUMNS}) "
    "SELECT u, c, r, d, due, wend, p, 'planned', 0, false FROM unnest("
    "$1::bigint[], $2::int[], $3::varchar[], $4::date[], $5::timestamptz[], "
    "$6::timestamptz[], $7::int[]) AS t(u, c, r, d, due, wend, p) "
    "ON CONFLICT ON CONSTRAINT uq_nudges_user_ritual_day DO NOTHING",
}
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite


async def add_planned(
    session: AsyncSession, rows: Sequence[NewNudge], planned_through: dict[int, date]
) -> None:
    """Store planned nudges and move each person's ``planned_through`` mark forward."""
    connection = await session.connection()
    dialect = connection.dialect.name
    if rows:
        if dialect == "sqlite":
            params: list[tuple[Any, ...]] = [
                (
                    r.user_id,
                    r.couple_id,
                    r.ritual,
                    r.local_date.isoformat(),
                    r.due_at.astimezone(UTC).strftime(_SQLITE_DATETIME),
                    r.window_end_at.astimezone(UTC).strftime(_SQLITE_DATETIME),
                    r.phrasing,
                )
                for r in rows
            ]
            await connection.exec_driver_sql(_INSERT[dialect], params)
        else:
            columns = tuple(list(column) for column in zip(*rows, strict=True))
            await connection.exec_driver_sql(_INSERT[dialect], columns)
    by_date: dict[date, list[int]] = {}
    for user_id, day in planned_through.items():
        by_date.setdefault(day, []).append(user_id)
    for day, user_ids in by_date.items():
        await session.execute(
            update(User)
            .where(User.id.in_(user_ids))
            .values(planned_through=day)
            .execution_options(synchronize_session=False)
        )


async def claim_due(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[Nudge]:
    """Take up to ``limit`` due nudges (or ones whose claim lapsed) for this dispatcher."""
    due = (
        select(Nudge.id)
        .where(
            or_(
                and_(Nudge.status == NudgeStatus.PLANNED, Nudge.due_at <= now),
                and_(Nudge.status == NudgeStatus.SENDING, Nudge.lease_until < now),
            )
        )
        .order_by(Nudge.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.scalars(
        update(Nudge)
        .where(Nudge.id.in_(due.scalar_subquery()))
        .values(status=NudgeStatus.SENDING, lease_until=lease_until, attempt=Nudge.attempt + 1)
        .returning(Nudge)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed, key=lambda n: n.due_at)


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    couple_id: int | None
    is_active: bool
    timezone: str | None
    paused_until: datetime | None
    partner_name: str | None


async def recipients(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, Recipient]:
    """The current state of each recipient, checked right before sending."""
    partner = User.__table__.alias("partner")
    rows = await session.execute(
        select(
            User.id,
            User.couple_id,
            User.is_active,
            User.timezone,
            User.paused_until,
            partner.c.first_name,
        )
        .outerjoin(partner, and_(partner.c.couple_id == User.couple_id, partner.c.id != User.id))
        .where(User.id.in_(user_ids))
    )
    return {row[0]: Recipient(*row) for row in rows}


async def thinking_sent_since(
    session: AsyncSession, user_ids: Sequence[int], since: datetime
) -> set[int]:
    """Who already sent a "thinking of you" since ``since`` (no midday prompt for them)."""
    rows = await session.scalars(
        select(ConnectionEvent.actor_id)
        .where(
            ConnectionEvent.actor_id.in_(user_ids),
            ConnectionEvent.kind == "thinking_of_you",
            ConnectionEvent.created_at >= since,
        )
        .distinct()
    )
    return set(rows)


async def finish(session: AsyncSession, nudge_id: int, **values: Any) -> None:
    await session.execute(
        update(Nudge)
        .where(Nudge.id == nudge_id)
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )


async def finish_many(session: AsyncSession, outcomes: Sequence[dict[str, Any]]) -> None:
    """Record a batch of outcomes (each a dict with ``id``) in few statements."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for outcome in outcomes:
        row = {"lease_until": None, **outcome}
        groups.setdefault(frozenset(row), []).append(row)
    for rows in groups.values():
        await session.execute(update(Nudge), rows)


async def get(session: AsyncSession, nudge_id: int, *, for_update: bool = False) -> Nudge | None:
    statement = select(Nudge).where(Nudge.id == nudge_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def cancel_open(session: AsyncSession, user_id: int) -> None:
    """Nothing more goes to this person (they blocked the bot, unpaired, or left)."""
    await session.execute(
        update(Nudge)
        .where(Nudge.user_id == user_id, Nudge.status.in_(NudgeStatus.OPEN))
        .values(status=NudgeStatus.SKIPPED, lease_until=None)
        .execution_options(synchronize_session=False)
    )


async def mark_unreachable(session: AsyncSession, user_id: int) -> tuple[bool, int | None]:
    """The person blocked the bot: no more nudges. Returns (first time we learnt it, partner)."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        return False, None
    first_time = user.is_active
    user.is_active = False
    await cancel_open(session, user_id)
    partner_id = None
    if user.couple_id is not None:
        partner_id = await session.scalar(
            select(User.id).where(User.couple_id == user.couple_id, User.id != user_id)
        )
    return first_time, partner_id


async def expire_unanswered(session: AsyncSession, sent_before: datetime) -> list[tuple[int, str]]:
    """Sent nudges nobody answered in time become "ignored"; returns (user, ritual) pairs."""
    rows = (
        await session.execute(
            update(Nudge)
            .where(Nudge.status == NudgeStatus.SENT, Nudge.sent_at < sent_before)
            .values(status=NudgeStatus.IGNORED)
            .returning(Nudge.user_id, Nudge.ritual)
            .execution_options(synchronize_session=False)
        )
    ).all()
    return [(row[0], row[1]) for row in rows]


async def bump_ignored(session: AsyncSession, user_id: int, ritual: str, *, reset: bool) -> None:
    """Count an ignored nudge for the back-off, or reset the count after an answer."""
    setting = await session.get(RitualSetting, (user_id, ritual))
    if setting is None:
        setting = RitualSetting(user_id=user_id, ritual=ritual, ignored_in_a_row=0)
        session.add(setting)
    setting.ignored_in_a_row = 0 if reset else setting.ignored_in_a_row + 1


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Nudge.status, func.count()).group_by(Nudge.status))
    return {status: int(count) for status, count in rows}
