"""Queries behind the weekly reflection and the Sunday digest.

Every read is scoped to one couple through an index: events by ``(couple_id, created_at)``,
nudges by ``(user_id, local_date)`` and checked against the couple, the all-time count as
an index-only count. That keeps one summary at a handful of milliseconds however many
couples the database holds, and it is also the privacy rule: a couple's figures are only
ever computed from rows carrying its own id.

Rows come back as plain named tuples of stored values; ``domain.weekly`` turns them into the
summary's records, so this module knows nothing of moment kinds or rituals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import users
from storage.models import ConnectionEvent, Couple, Nudge, User
from storage.sql import due_in_order, insert_ignoring_duplicates
from storage.weekly_models import DigestStatus, WeeklyDigest

#: A nudge's local date is within a day of its UTC send time (zones span 26 hours), and a
#: late one goes out before its window ends: three days either side is always enough.
_DATE_SLACK = timedelta(days=3)


class CoupleView(NamedTuple):
    """The asker, their zone, and the partner in their active couple (None when unpaired)."""

    user_id: int
    first_name: str
    timezone: str | None
    couple_id: int | None
    partner_id: int | None
    partner_name: str | None
    paired_at: datetime | None


class EventRow(NamedTuple):
    """A connection event, exactly the fields an ``EventRecord`` needs."""

    actor_id: int
    kind: str
    created_at: datetime
    source: str
    id: int
    dedupe_key: str | None


class NudgeRow(NamedTuple):
    """A sent nudge and how it was answered (``status`` says acted or declined)."""

    user_id: int
    ritual: str
    sent_at: datetime
    responded_at: datetime | None
    status: str


async def couple_view(session: AsyncSession, user_id: int) -> CoupleView | None:
    """The person, their partner and when they paired, in one round trip (a self-join)."""
    partner = User.__table__.alias("partner")
    row = (
        await session.execute(
            select(
                User.id,
                User.first_name,
                User.timezone,
                User.couple_id,
                partner.c.id,
                partner.c.first_name,
                Couple.created_at,
            )
            .outerjoin(
                partner, and_(partner.c.couple_id == User.couple_id, partner.c.id != User.id)
            )
            .outerjoin(Couple, Couple.id == User.couple_id)
            .where(User.id == user_id)
        )
    ).first()
    return None if row is None else CoupleView(*row)


async def couple_events(
    session: AsyncSession, couple_id: int, start: datetime, end: datetime
) -> list[EventRow]:
    """The couple's events in ``[start, end)``; a range scan of the couple's index."""
    rows = await session.execute(
        select(
            ConnectionEvent.actor_id,
            ConnectionEvent.kind,
            ConnectionEvent.created_at,
            ConnectionEvent.source,
            ConnectionEvent.id,
            ConnectionEvent.dedupe_key,
        ).where(
            ConnectionEvent.couple_id == couple_id,
            ConnectionEvent.created_at >= start,
            ConnectionEvent.created_at < end,
        )
    )
    return [EventRow(*row) for row in rows]


async def couple_nudges_sent(
    session: AsyncSession,
    couple_id: int,
    user_ids: Sequence[int],
    start: datetime,
    end: datetime,
) -> list[NudgeRow]:
    """Nudges the couple's two members received in ``[start, end)``, for the couple only.

    Filtering on the couple as well as the people keeps a previous relationship's nudges
    out of this one's figures. The bounds on the local date, wide enough for any zone and
    for late delivery, make it a short range of the (person, day, ritual) index.
    """
    rows = await session.execute(
        select(Nudge.user_id, Nudge.ritual, Nudge.sent_at, Nudge.responded_at, Nudge.status).where(
            Nudge.user_id.in_(list(user_ids)),
            Nudge.local_date.between(start.date() - _DATE_SLACK, end.date() + _DATE_SLACK),
            Nudge.couple_id == couple_id,
            Nudge.sent_at >= start,
            Nudge.sent_at < end,
        )
    )
    return [
        NudgeRow(user_id, ritual, sent_at, responded_at, status)
        for user_id, ritual, sent_at, responded_at, status in rows
        if sent_at is not None  # the range already excludes NULL; this tells the type checker
    ]


async def couple_event_count(session: AsyncSession, couple_id: int, since: datetime) -> int:
    """Every moment the couple shared from ``since`` on: the number that never resets."""
    statement = select(func.count()).where(
        ConnectionEvent.couple_id == couple_id, ConnectionEvent.created_at >= since
    )
    return int((await session.execute(statement)).scalar_one())


# --- Digest preferences -------------------------------------------------------------------


async def digest_opt_out(session: AsyncSession, user_id: int) -> bool | None:
    """Whether the person turned the Sunday digest off; None for someone we don't know."""
    row = (await session.execute(select(User.digest_opt_out).where(User.id == user_id))).first()
    return None if row is None else bool(row[0])


# --- The Sunday digest schedule -----------------------------------------------------------


class DigestRecipient(NamedTuple):
    """What is re-checked right before a digest goes out."""

    user_id: int
    couple_id: int | None
    is_active: bool
    timezone: str | None
    paused_until: datetime | None
    opt_out: bool
    language: str | None = None


class DueDigest(NamedTuple):
    id: int
    user_id: int
    week_start: date
    due_at: datetime
    attempt: int


async def known_zones(session: AsyncSession) -> list[str]:
    """The distinct time zones of people who could get a digest (a short list)."""
    rows = await session.scalars(
        select(User.timezone)
        .where(User.timezone.is_not(None), User.couple_id.is_not(None))
        .distinct()
    )
    return [zone for zone in rows if zone is not None]


async def digest_candidates(
    session: AsyncSession, zone: str, week_start: date, *, after_user_id: int, limit: int
) -> list[int]:
    """One page (by id) of paired, reachable, opted-in people in ``zone`` without a row yet."""
    already = exists().where(WeeklyDigest.user_id == User.id, WeeklyDigest.week_start == week_start)
    rows = await session.scalars(
        select(User.id)
        .where(
            User.timezone == zone,
            User.id > after_user_id,
            User.couple_id.is_not(None),
            User.is_active.is_(True),
            User.digest_opt_out.is_(False),
            ~already,
        )
        .order_by(User.id)
        .limit(limit)
    )
    return list(rows)


async def add_planned_digests(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Store drawn slots (``user_id``, ``week_start``, ``due_at``) as planned digests."""
    if rows:
        values = [{**row, "status": DigestStatus.PLANNED} for row in rows]
        await session.execute(
            insert_ignoring_duplicates(
                session, WeeklyDigest, constraint="uq_weekly_digests_user_week"
            ),
            values,
        )


async def due_digests(
    session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[DueDigest]:
    """One page of digests due by ``now``, in (due time, id) order after ``after``.

    Read without locking; each is claimed on its own right before it is sent
    (``storage.delivery.GroupStatements.claim``).
    """
    statement = select(
        WeeklyDigest.id,
        WeeklyDigest.user_id,
        WeeklyDigest.week_start,
        WeeklyDigest.due_at,
        WeeklyDigest.attempt,
    ).where(WeeklyDigest.status == DigestStatus.PLANNED, WeeklyDigest.due_at <= now)
    page = due_in_order(statement, WeeklyDigest.due_at, WeeklyDigest.id, after, limit)
    rows = await session.execute(page)
    return [DueDigest(*row) for row in rows]


async def digest_recipients(
    session: AsyncSession, user_ids: Sequence[int]
) -> dict[int, DigestRecipient]:
    """The current state of each recipient, read once per claimed batch."""
    rows = await session.execute(
        select(
            User.id,
            User.couple_id,
            User.is_active,
            User.timezone,
            User.paused_until,
            User.digest_opt_out,
            users.language_column(),
        ).where(User.id.in_(list(user_ids)))
    )
    return {row[0]: DigestRecipient(*row) for row in rows}


async def nudges_sent_between(
    session: AsyncSession, user_id: int, start: datetime, end: datetime
) -> int:
    """How many nudges reached the person in ``[start, end)`` (their local day, for the cap)."""
    statement = select(func.count()).where(
        Nudge.user_id == user_id,
        Nudge.local_date.between(start.date() - _DATE_SLACK, end.date() + _DATE_SLACK),
        Nudge.sent_at >= start,
        Nudge.sent_at < end,
    )
    return int((await session.execute(statement)).scalar_one())
