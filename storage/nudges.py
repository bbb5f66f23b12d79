"""Queries for the nudge schedule: planning rows, claiming due ones, recording outcomes.

Claims use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several dispatchers share the work
and each row goes to exactly one of them; a lease lets another take over after a crash.
SQLite has a single writer, which gives the same guarantee within one process.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox, users
from storage.models import (
    OPEN_NUDGE,
    SENT_NUDGE,
    ConnectionEvent,
    Nudge,
    NudgeStatus,
    RitualSetting,
    User,
)
from storage.sql import due_in_order
from storage.types import sqlite_text


class PlanningRow(NamedTuple):
    """What the planner needs to know about one person, loaded in bulk (a million a run)."""

    user_id: int
    couple_id: int
    timezone: str
    quiet_hours: str | None
    paused_until: datetime | None
    planned_through: date | None
    digest_opt_out: bool
    #: ``(ritual, enabled, window)`` of each ritual setting the person changed.
    settings: tuple[tuple[str, bool | None, str | None], ...] = ()
    #: ``(ritual, ignored nudges in a row)`` where that count is not zero.
    ignored: tuple[tuple[str, int], ...] = ()
    #: ``(ritual, chance its nudge is sent)`` where the person's is not the default.
    probabilities: tuple[tuple[str, float], ...] = ()


async def planning_rows(
    session: AsyncSession, *, after_user_id: int, limit: int
) -> list[PlanningRow]:
    """One page (by user id) of people who can get nudges: paired, reachable, zone known.

    Core statements on the session's connection: the ORM's row handling would cost more
    than planning the page.
    """
    connection = await session.connection()
    # Plain tuples in PlanningRow's order (the WHERE clause rules out the NULLs the column
    # types allow).
    people: Sequence[tuple[Any, ...]] = (
        await connection.execute(
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
    settings: dict[int, list[tuple[str, bool | None, str | None]]] = {}
    ignored: dict[int, list[tuple[str, int]]] = {}
    rows = await connection.execute(
        select(
            RitualSetting.user_id,
            RitualSetting.ritual,
            RitualSetting.enabled,
            RitualSetting.window,
            RitualSetting.ignored_in_a_row,
            RitualSetting.probability,
        ).where(RitualSetting.user_id.between(people[0][0], people[-1][0]))
    )
    chances: dict[int, list[tuple[str, float]]] = {}
    for user_id, ritual, enabled, window, ignored_in_a_row, probability in rows:
        if enabled is not None or window is not None:
            settings.setdefault(user_id, []).append((ritual, enabled, window))
        if ignored_in_a_row:
            ignored.setdefault(user_id, []).append((ritual, ignored_in_a_row))
        if probability is not None:
            chances.setdefault(user_id, []).append((ritual, probability))
    # Rows as plain tuples, in PlanningRow's order: attribute access on a Row costs more
    # than the planning.
    return [
        PlanningRow._make(
            (
                *person,
                tuple(settings.get(person[0], ())),
                tuple(ignored.get(person[0], ())),
                tuple(chances.get(person[0], ())),
            )
        )
        for person in people
    ]


class NewNudge(NamedTuple):
    user_id: int
    couple_id: int
    ritual: str
    local_date: date
    due_at: datetime
    window_end_at: datetime
    phrasing: int
    #: The decision point's chance and draw; None: not randomized (always sent).
    probability: float | None = None
    treated: bool | None = None


# The rest take their defaults: planned, first attempt, not snoozed.
_COLUMNS = (
    "user_id", "couple_id", "ritual", "local_date", "due_at", "window_end_at", "phrasing",
    "probability", "treated",
)  # fmt: skip

# SQLite takes a page as one JSON document: a single statement that runs in SQLite's own
# code without holding the GIL, so the next page is planned meanwhile. Rows come back from
# neither statement for the same reason. The join keeps out anyone who left or unpaired
# since the page was read; the write lock, taken by the first statement, keeps it so.
_SQLITE_MARK = (
    "UPDATE users SET planned_through = ? WHERE id IN (SELECT value FROM json_each(?)) "
    "AND couple_id IS NOT NULL AND is_active"
)
_SQLITE_INSERT = (
    f"INSERT INTO nudges ({', '.join(_COLUMNS)}) SELECT users.id, "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(1, len(_COLUMNS)))
    + " FROM json_each(?) JOIN users ON users.id = json_extract(value, '$[0]') "
    "WHERE users.couple_id IS NOT NULL AND users.is_active ON CONFLICT DO NOTHING"
)
# One statement per day; = ANY() keeps it to primary key lookups (a join with unnest()
# would be planned as a hash join over every person, once per page).
_POSTGRES_MARK = (
    "UPDATE users SET planned_through = $1 WHERE id = ANY($2::bigint[]) "
    "AND couple_id IS NOT NULL AND is_active RETURNING id"
)
# Arrays of each column, zipped back into rows by unnest(): one statement a page.
_POSTGRES_INSERT = (
    f"INSERT INTO nudges ({', '.join(_COLUMNS)}) "
    "SELECT * FROM unnest("
    "$1::bigint[], $2::int[], $3::varchar[], $4::date[], $5::timestamptz[], "
    "$6::timestamptz[], $7::int[], $8::float8[], $9::boolean[]) "
    "ON CONFLICT ON CONSTRAINT uq_nudges_user_day_ritual DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class PlannedPage:
    """A page of planned nudges and plan marks, encoded for the database before its turn.

    SQLite gets JSON documents, so that its single writer never waits for Python to encode
    them. PostgreSQL gets a line of COPY text per row: half the work of binary records.
    """

    rows: Sequence[NewNudge]
    marks: tuple[tuple[date, list[int]], ...]  # each day planned through, and for whom
    sqlite_marks: tuple[tuple[str, str], ...] = ()  # the same, as (ISO day, JSON list)
    sqlite_rows: str = "[]"
    copy_lines: Sequence[str] = ()  # one per row, in the order of ``rows``


def prepare_page(
    dialect: str, rows: Sequence[NewNudge], planned_through: dict[int, date]
) -> PlannedPage:
    by_date: dict[date, list[int]] = {}
    for user_id, day in planned_through.items():
        by_date.setdefault(day, []).append(user_id)
    marks = tuple(by_date.items())
    if dialect != "sqlite":
        # Tab-separated text; no value can hold a tab, newline or backslash to escape.
        lines = [
            f"{row[0]}\t{row[1]}\t{row[2]}\t{row[3]}\t{_iso(row[4])}\t"
            f"{_iso(row[5])}\t{row[6]}\t{_COPY_NULL if row[7] is None else row[7]}\t"
            f"{_COPY_BOOL[row[8]]}\n"
            for row in rows
        ]
        return PlannedPage(rows, marks, copy_lines=lines)
    document = json.dumps(
        [
            (
                user_id,
                couple_id,
                ritual,
                local_date.isoformat(),
                sqlite_text(due_at),
                sqlite_text(window_end_at),
                phrasing,
                probability,
                treated,
            )
            for (user_id, couple_id, ritual, local_date, due_at, window_end_at, phrasing,
                 probability, treated) in rows
        ]
    )  # fmt: skip
    sqlite_marks = tuple((day.isoformat(), json.dumps(ids)) for day, ids in marks)
    return PlannedPage(rows, marks, sqlite_marks, document)


async def add_planned(session: AsyncSession, page: PlannedPage) -> int:
    """Move each person's ``planned_through`` mark forward and store their planned nudges.

    Returns how many rows were stored.

    The mark locks the person, and only people still paired and reachable get it and their
    rows: someone who left or unpaired since the page was read is left alone (there are no
    foreign keys to do it, see migration 0004). A row another process planned first is
    skipped thanks to the unique (person, day, ritual) key.

    Planning writes millions of rows, so this works at the driver level: SQLAlchemy's
    per-value processing would cost more than the planning itself.
    """
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        for mark in page.sqlite_marks:
            await connection.exec_driver_sql(_SQLITE_MARK, mark)
        inserted = await connection.exec_driver_sql(_SQLITE_INSERT, (page.sqlite_rows,))
        return int(inserted.rowcount)
    marked: set[int] = set()
    for day_and_people in page.marks:
        result = await connection.exec_driver_sql(_POSTGRES_MARK, day_and_people)
        marked.update(user_id for (user_id,) in result)
    kept = [row[0] in marked for row in page.rows]
    if not any(kept):
        return 0
    text = "".join(line for line, keep in zip(page.copy_lines, kept, strict=True) if keep)
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # an open connection always has one
    try:
        # COPY is the fastest way in, but it cannot skip duplicates: when another process
        # planned some of these people first, the savepoint undoes it and INSERT skips them.
        # The driver's own savepoint: SQLAlchemy's cannot roll back an aborted COPY.
        async with driver.transaction():
            await driver.copy_to_table("nudges", source=io.BytesIO(text.encode()), columns=_COLUMNS)
        return sum(kept)
    except UniqueViolationError:
        records = [row for row, keep in zip(page.rows, kept, strict=True) if keep]
        columns = tuple(list(column) for column in zip(*records, strict=True))
        inserted = await connection.exec_driver_sql(_POSTGRES_INSERT, columns)
        return int(inserted.rowcount)


_COPY_NULL = "\\N"
_COPY_BOOL = {None: _COPY_NULL, True: "t", False: "f"}


@lru_cache(maxsize=1 << 16)
def _iso(moment: datetime) -> str:
    return moment.isoformat()


class DueNudge(NamedTuple):
    """What sending a due nudge needs of its row (plain tuples: no ORM objects to build)."""

    id: int
    user_id: int
    couple_id: int
    ritual: str
    local_date: date
    due_at: datetime
    window_end_at: datetime
    attempt: int
    phrasing: int
    treated: bool | None  # the decision point's draw; None: not randomized


async def due_page(
    session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[DueNudge]:
    """One page of nudges due by ``now``, in (due time, id) order after ``after``.

    Read without locking: each row is claimed on its own right before it is sent
    (``storage.delivery``), so a page can be read by several processes at once.
    """
    statement = select(*(getattr(Nudge, name) for name in DueNudge._fields)).where(
        OPEN_NUDGE,  # lets the database use the index of open rows
        Nudge.status == NudgeStatus.PLANNED,
        Nudge.due_at <= now,
    )
    page = due_in_order(statement, Nudge.due_at, Nudge.id, after, limit)
    rows = await session.execute(page)
    return [DueNudge._make(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    couple_id: int | None
    is_active: bool
    timezone: str | None
    paused_until: datetime | None
    partner_name: str | None
    language: str | None = None


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
            users.language_column(),
        )
        .outerjoin(partner, and_(partner.c.couple_id == User.couple_id, partner.c.id != User.id))
        .where(User.id.in_(user_ids))
    )
    return {row[0]: Recipient(*row) for row in rows}


async def last_acts_since(
    session: AsyncSession, user_ids: Sequence[int], kinds: Sequence[str], since: datetime
) -> dict[tuple[int, str], datetime]:
    """``(person, kind) -> when they last did it``, for acts since ``since``."""
    rows = await session.execute(
        select(ConnectionEvent.actor_id, ConnectionEvent.kind, func.max(ConnectionEvent.created_at))
        .where(
            ConnectionEvent.actor_id.in_(user_ids),
            ConnectionEvent.kind.in_(kinds),
            ConnectionEvent.created_at >= since,
        )
        .group_by(ConnectionEvent.actor_id, ConnectionEvent.kind)
    )
    return {(user_id, kind): at for user_id, kind, at in rows}


async def ignored_now(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Each person's ignored nudges in a row per ritual, as of now.

    The stored count is updated a while after a nudge goes unanswered; nudges sent and
    still unanswered are counted here too, so the back-off reacts the same day.
    """
    counts: dict[int, dict[str, int]] = {}
    stored = await session.execute(
        select(RitualSetting.user_id, RitualSetting.ritual, RitualSetting.ignored_in_a_row).where(
            RitualSetting.user_id.in_(user_ids), RitualSetting.ignored_in_a_row > 0
        )
    )
    pending = await session.execute(
        select(Nudge.user_id, Nudge.ritual, func.count())
        .where(Nudge.user_id.in_(user_ids), SENT_NUDGE)
        .group_by(Nudge.user_id, Nudge.ritual)
    )
    for user_id, ritual, n in [*stored, *pending]:
        per_person = counts.setdefault(user_id, {})
        per_person[ritual] = per_person.get(ritual, 0) + n
    return counts


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


async def forget_person(session: AsyncSession, user_id: int) -> None:
    """Delete a person's nudges; call it after deleting the person (see ``add_planned``).

    In that order a planning run that locked the person first has committed its rows by
    the time this statement looks for them.
    """
    await session.execute(delete(Nudge).where(Nudge.user_id == user_id))


class Unreachable(NamedTuple):
    """Someone who turned out to have blocked the bot, and who should hear of it."""

    first_time: bool  # False when we already knew (the partner was told then)
    first_name: str
    couple_id: int | None
    partner_id: int | None


async def mark_unreachable(session: AsyncSession, user_id: int) -> Unreachable | None:
    """The person blocked the bot: no more nudges, relays or notices to them.

    ``None`` for someone we don't know. The row lock makes "first time" true for one caller.
    """
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        return None
    first_time = user.is_active
    user.is_active = False
    await cancel_open(session, user_id)
    await outbox.cancel_open_to(session, user_id)
    partner_id = None
    if user.couple_id is not None:
        partner_id = await session.scalar(
            select(User.id).where(User.couple_id == user.couple_id, User.id != user_id)
        )
    return Unreachable(first_time, user.first_name, user.couple_id, partner_id)


async def expire_unanswered(session: AsyncSession, sent_before: datetime) -> list[tuple[int, str]]:
    """Sent nudges nobody answered in time become "ignored"; returns (user, ritual) pairs."""
    rows = (
        await session.execute(
            update(Nudge)
            .where(SENT_NUDGE, Nudge.sent_at < sent_before)
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
