"""The weekly reflection and the Sunday digest, fed from a real database (SQLite and PostgreSQL).

Histories are built row by row with explicit timestamps, so every figure below is counted
by hand: a couple's own events and nudges only, half-open local-midnight week bounds (also
across a DST change), the asker's zone deciding the days, and the digest's once-a-week,
opt-out, cap and no-nagging rules.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain import weekly as weekly_domain
from domain.values.clock import ManualClock
from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.results import NotPaired
from domain.values.weekly_summary import Reflection, week_bounds
from domain.weekly import weekly_reflection
from messages.weekly_chart import with_chart
from scheduling.delivery import Deliveries
from scheduling.digest import plan_digests, render_pool, run_digests
from scheduling.sender import SENT, Outgoing, OutgoingDigest, SendResult
from storage import couples, events, users, weekly
from storage.database import Database
from storage.models import Nudge, NudgeStatus, User
from storage.weekly_models import DigestStatus, WeeklyDigest
from tests.weekly.factories import local
from tests.work import act

K = MomentKind
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
#: Monday 23 November 2026 and the Monday before (Berlin is UTC+1 all fortnight).
WEEK = date(2026, 11, 23)
PREVIOUS = WEEK - timedelta(days=7)
NEXT = WEEK + timedelta(days=7)
ANNA, BEN, CARL, DANA, EVE = 11, 12, 21, 22, 31
#: Sunday 29 November 2026, 21:00 in Berlin: the week is complete.
SUNDAY_EVENING = local(BERLIN, WEEK + timedelta(days=6), 21)


def day(n: int, start: date = WEEK) -> date:
    return start + timedelta(days=n)


async def add_person(db: Database, user_id: int, name: str, zone: str | None) -> None:
    async with db.transaction() as session:
        user = await users.upsert(session, user_id, name, datetime(2026, 1, 1, tzinfo=UTC))
        user.timezone = zone


async def seed_couple(
    db: Database,
    first: tuple[int, str, str | None],
    second: tuple[int, str, str | None],
    paired_at: datetime = datetime(2026, 1, 1, tzinfo=UTC),
) -> int:
    """Two people (id, name, zone), paired (on 1 Jan unless told); returns the couple id."""
    for user_id, name, zone in (first, second):
        await add_person(db, user_id, name, zone)
    async with db.transaction() as session:
        couple = await couples.create(session, first[0], second[0], paired_at)
        assert await users.join_couple(session, (first[0], second[0]), couple.id)
        return couple.id


async def add_event(
    db: Database,
    couple_id: int,
    actor_id: int,
    kind: MomentKind,
    when: datetime,
    source: EventSource = EventSource.MOMENT,
    dedupe_key: str | None = None,
) -> int:
    """One stored event; returns its id."""
    async with db.transaction() as session:
        row = await events.add(
            session,
            couple_id=couple_id,
            actor_id=actor_id,
            kind=kind,
            source=source,
            now=when,
            dedupe_key=dedupe_key,
        )
        assert row is not None
        return row.id


async def add_nudge(
    db: Database,
    couple_id: int,
    user_id: int,
    sent_at: datetime,
    status: str = NudgeStatus.SENT,
    *,
    after_minutes: float | None = None,
    ritual: Ritual = Ritual.MORNING_HUG,
) -> None:
    """A delivered nudge; ``after_minutes`` sets when it was answered (acted or declined)."""
    responded = None if after_minutes is None else sent_at + timedelta(minutes=after_minutes)
    async with db.transaction() as session:
        session.add(
            Nudge(
                user_id=user_id,
                couple_id=couple_id,
                ritual=ritual,
                local_date=sent_at.date(),
                due_at=sent_at,
                window_end_at=sent_at + timedelta(hours=1),
                status=status,
                sent_at=sent_at,
                responded_at=responded,
            )
        )


async def seed_week(db: Database) -> tuple[int, int]:
    """Anna & Ben (Berlin) with a hand-counted fortnight; Carl & Dana as noisy neighbours.

    This week (23–29 Nov), by Berlin day:
      Mon  Ben 00:00 (the very first instant) hug; Anna 08:00 hug; Ben 08:05 hug  -> both
      Tue  Anna appreciation                                                       -> Anna
      Wed  Anna goodnight                                                          -> Anna
      Fri  Ben kiss                                                                -> Ben
      Sun  Anna thinking-of-you 12:00; Ben love-back 12:10; Ben check-in 23:59     -> both
    = 9 moments: Anna 4, Ben 5; connected days 2 (Mon, Sun).
    Outside it: Sun 22 Nov 23:59 (last week) and Mon 30 Nov 00:00 (next week), both Ben.
    Last week: Anna hug Tue, Ben hug Tue, Anna goodnight Thu, plus that Sunday one = 4,
    connected days 1 (Tue).
    """
    ours = await seed_couple(db, (ANNA, "Anna", "Europe/Berlin"), (BEN, "Ben", "Europe/Berlin"))
    theirs = await seed_couple(db, (CARL, "Carl", "Europe/Berlin"), (DANA, "Dana", "Asia/Tokyo"))
    this_week = [
        (BEN, K.HUG, local(BERLIN, day(0), 0)),
        (ANNA, K.HUG, local(BERLIN, day(0), 8)),
        (BEN, K.HUG, local(BERLIN, day(0), 8, 5)),
        (ANNA, K.APPRECIATION, local(BERLIN, day(1), 19)),
        (ANNA, K.GOODNIGHT, local(BERLIN, day(2), 22, 30)),
        (BEN, K.KISS, local(BERLIN, day(4), 18)),
        (ANNA, K.THINKING_OF_YOU, local(BERLIN, day(6), 12)),
        (BEN, K.LOVE_BACK, local(BERLIN, day(6), 12, 10)),
        (BEN, K.CHECK_IN, local(BERLIN, day(6), 23, 59)),
    ]
    last_week = [
        (ANNA, K.HUG, local(BERLIN, day(1, PREVIOUS), 7)),
        (BEN, K.HUG, local(BERLIN, day(1, PREVIOUS), 7, 1)),
        (ANNA, K.GOODNIGHT, local(BERLIN, day(3, PREVIOUS), 22)),
        (BEN, K.SMILE, local(BERLIN, day(6, PREVIOUS), 23, 59)),
    ]
    for actor, kind, when in [*this_week, *last_week, (BEN, K.HUG, local(BERLIN, NEXT, 0))]:
        await add_event(db, ours, actor, kind, when)
    # The neighbours are busy all week; none of it may ever show up in Anna & Ben's figures.
    for n in range(7):
        for actor in (CARL, DANA):
            await add_event(db, theirs, actor, K.KISS, local(BERLIN, day(n), 9))
    # Nudges: Anna acted after 10 min, Ben declined one and left one; one from last week;
    # one of the neighbours'.
    await add_nudge(
        db, ours, ANNA, local(BERLIN, day(0), 7, 30), NudgeStatus.ACTED, after_minutes=10
    )
    await add_nudge(db, ours, BEN, local(BERLIN, day(1), 12), NudgeStatus.DECLINED, after_minutes=3)
    await add_nudge(db, ours, BEN, local(BERLIN, day(2), 12), NudgeStatus.IGNORED)
    await add_nudge(
        db, ours, ANNA, local(BERLIN, day(6, PREVIOUS), 12), NudgeStatus.ACTED, after_minutes=1
    )
    await add_nudge(db, theirs, CARL, local(BERLIN, day(3), 12), NudgeStatus.ACTED, after_minutes=2)
    return ours, theirs


async def reflect(db: Database, user_id: int, now: datetime, weeks_ago: int = 0) -> Reflection:
    """The reflection as the bot builds it for a reply: figures, then the chart drawn."""
    async with db.transaction() as session:
        result = await weekly_reflection(session, user_id, now, weeks_ago)
    assert isinstance(result, Reflection), result
    return await with_chart(result)


async def reflection_or_not(db: Database, user_id: int, now: datetime) -> object:
    async with db.transaction() as session:
        return await weekly_reflection(session, user_id, now)


# --- Queries and exact figures ------------------------------------------------------------


async def test_the_queries_read_only_the_couples_rows_in_half_open_ranges(db: Database) -> None:
    ours, theirs = await seed_week(db)
    start, end = week_bounds(WEEK, BERLIN)
    assert start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    async with db.transaction() as session:
        rows = await weekly.couple_events(session, ours, start, end)
        nudges = await weekly.couple_nudges_sent(session, ours, (ANNA, BEN), start, end)
        since = datetime(2026, 1, 1, tzinfo=UTC)
        total = await weekly.couple_event_count(session, ours, since)
        neighbours = await weekly.couple_event_count(session, theirs, since)
        from_this_week = await weekly.couple_event_count(session, ours, start)
    assert len(rows) == 9
    assert {row.actor_id for row in rows} == {ANNA, BEN}
    assert min(row.created_at for row in rows) == start  # the first instant is inside
    assert all(row.created_at.tzinfo is not None for row in rows)
    assert sorted(n.status for n in nudges) == ["acted", "declined", "ignored"]
    assert (total, neighbours, from_this_week) == (14, 14, 10)


async def test_exact_figures_for_a_constructed_week(db: Database) -> None:
    await seed_week(db)
    summary = (await reflect(db, ANNA, SUNDAY_EVENING)).summary
    assert summary.week_start == WEEK
    assert (summary.total, summary.total_last_week) == (9, 4)
    assert (summary.asker_count, summary.partner_count) == (4, 5)
    assert (summary.days_connected, summary.days_connected_last_week) == (2, 1)
    assert summary.days_elapsed == 7 and not summary.in_progress
    assert summary.count(K.HUG).this_week == 3 and summary.count(K.HUG).last_week == 2
    assert summary.count(K.THINKING_OF_YOU).this_week == 1
    assert summary.count(K.LOVE_BACK).this_week == 1  # its own kind
    assert summary.count(K.KISS).this_week == 1  # the neighbours' 14 kisses are not ours
    assert [d.total for d in summary.daily] == [3, 1, 1, 0, 1, 0, 3]
    assert summary.nudges.sent == 3
    assert (summary.nudges.acted, summary.nudges.declined) == (1, 1)
    assert summary.nudges.median_minutes_to_act is None  # one answer is not a habit
    assert (summary.bids.sent, summary.bids.answered) == (1, 1)  # Ben's love-back, 10 min on
    assert summary.paired_on == date(2026, 1, 1) and summary.days_counted == 7
    assert summary.all_time_total == 14
    assert not summary.is_first_week


async def test_both_partners_get_the_same_figures_mirrored(db: Database) -> None:
    await seed_week(db)
    anna = (await reflect(db, ANNA, SUNDAY_EVENING)).summary
    ben = (await reflect(db, BEN, SUNDAY_EVENING)).summary
    assert (anna.total, anna.days_connected, anna.nudges, anna.all_time_total) == (
        ben.total,
        ben.days_connected,
        ben.nudges,
        ben.all_time_total,
    )
    assert (anna.asker_count, anna.partner_count) == (ben.partner_count, ben.asker_count)


async def test_last_week_is_the_week_before(db: Database) -> None:
    await seed_week(db)
    monday_after = local(BERLIN, NEXT, 9)
    last = (await reflect(db, ANNA, monday_after, weeks_ago=1)).summary
    now = (await reflect(db, ANNA, monday_after)).summary
    assert (last.week_start, last.total, last.total_last_week) == (WEEK, 9, 4)
    assert (now.week_start, now.total, now.total_last_week, now.days_elapsed) == (NEXT, 1, 9, 1)


async def test_the_askers_zone_decides_the_week(db: Database) -> None:
    """Sunday 23:30 in Berlin is already Monday 07:30 in Tokyo: next week, for Ben there."""
    couple = await seed_couple(db, (ANNA, "Anna", "Europe/Berlin"), (BEN, "Ben", "Asia/Tokyo"))
    await add_event(db, couple, ANNA, K.HUG, local(BERLIN, day(2), 12))
    await add_event(db, couple, BEN, K.HUG, local(BERLIN, day(6), 23, 30))
    at = local(BERLIN, day(6), 23, 45)  # Monday 07:45 in Tokyo
    anna = (await reflect(db, ANNA, at)).summary
    ben = (await reflect(db, BEN, at)).summary
    assert (anna.week_start, anna.total) == (WEEK, 2)
    assert (ben.week_start, ben.total, ben.total_last_week) == (NEXT, 1, 1)
    assert ben.daily[0].asker == 1  # Monday, Tokyo time


async def test_a_dst_week_has_169_hours_and_keeps_its_edges(db: Database) -> None:
    """New York falls back on Sunday 1 Nov 2026: that week lasts 169 hours."""
    couple = await seed_couple(
        db, (ANNA, "Anna", "America/New_York"), (BEN, "Ben", "America/New_York")
    )
    monday = date(2026, 10, 26)
    start, end = week_bounds(monday, NEW_YORK)
    assert end - start == timedelta(hours=169)
    for when in (start, end - timedelta(seconds=1), start - timedelta(seconds=1), end):
        await add_event(db, couple, ANNA, K.HUG, when)
    await add_event(db, couple, BEN, K.HUG, local(NEW_YORK, date(2026, 11, 1), 23, 30))
    summary = (await reflect(db, ANNA, end + timedelta(hours=1), weeks_ago=1)).summary
    assert (summary.week_start, summary.total, summary.total_last_week) == (monday, 3, 1)
    assert summary.daily[0].asker == 1 and summary.daily[6].asker == 1
    assert summary.daily[6].partner == 1 and summary.days_connected == 1


async def test_a_brand_new_couple_gets_no_chart_and_a_first_week(db: Database) -> None:
    await seed_couple(db, (ANNA, "Anna", "Europe/Berlin"), (BEN, "Ben", "Europe/Berlin"))
    reflection = await reflect(db, ANNA, SUNDAY_EVENING)
    assert reflection.chart_png is None
    assert reflection.summary.is_first_week and reflection.summary.all_time_total == 0


async def test_a_lively_week_comes_with_a_png(db: Database) -> None:
    await seed_week(db)
    reflection = await reflect(db, BEN, SUNDAY_EVENING)
    assert reflection.chart_png is not None
    assert reflection.chart_png.startswith(b"\x89PNG\r\n\x1a\n")
    assert reflection.names == ("Ben", "Anna")


async def test_unpaired_and_unknown_people_get_not_paired(db: Database) -> None:
    await add_person(db, EVE, "Eve", "Europe/Berlin")
    assert await reflection_or_not(db, EVE, SUNDAY_EVENING) is NotPaired.NOT_PAIRED
    assert await reflection_or_not(db, 999, SUNDAY_EVENING) is NotPaired.NOT_PAIRED


async def test_a_person_without_a_zone_is_read_in_utc(db: Database) -> None:
    couple = await seed_couple(db, (ANNA, "Anna", None), (BEN, "Ben", None))
    await add_event(db, couple, ANNA, K.HUG, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    summary = (await reflect(db, ANNA, SUNDAY_EVENING)).summary
    assert (summary.total, summary.total_last_week) == (0, 1)  # Sunday in UTC


async def test_only_what_came_after_the_pairing_is_counted(db: Database) -> None:
    """Paired on Wednesday 10:00 (Berlin): Monday's hugs and nudge are not the couple's."""
    paired = local(BERLIN, day(2), 10)
    couple = await seed_couple(
        db, (ANNA, "Anna", "Europe/Berlin"), (BEN, "Ben", "Europe/Berlin"), paired
    )
    await add_event(db, couple, ANNA, K.HUG, local(BERLIN, day(0), 9))
    await add_event(db, couple, BEN, K.HUG, local(BERLIN, day(0), 9, 5))
    await add_nudge(db, couple, ANNA, local(BERLIN, day(0), 8), NudgeStatus.ACTED, after_minutes=1)
    bid = await add_event(db, couple, ANNA, K.THINKING_OF_YOU, local(BERLIN, day(3), 12))
    key = f"love:{bid}"
    await add_event(db, couple, BEN, K.LOVE_BACK, local(BERLIN, day(3), 18), dedupe_key=key)
    await add_event(db, couple, BEN, K.THINKING_OF_YOU, local(BERLIN, day(4), 12))  # unanswered
    friday = local(BERLIN, day(4), 20)
    summary = (await reflect(db, ANNA, friday)).summary
    assert (summary.total, summary.total_last_week, summary.all_time_total) == (3, 0, 3)
    assert (summary.days_elapsed, summary.days_counted, summary.days_connected) == (5, 3, 1)
    assert summary.nudges.sent == 0
    assert (summary.bids.sent, summary.bids.answered) == (2, 1)
    assert summary.is_first_week
    # The week before was before them: said as such, with what has come since.
    last = (await reflect(db, ANNA, friday, weeks_ago=1)).summary
    assert last.before_pairing and (last.all_time_total, last.later_total) == (3, 3)
    # Seen the Monday after: the finished week, and what came after it.
    after = (await reflect(db, ANNA, local(BERLIN, NEXT, 9, 30), weeks_ago=1)).summary
    assert (after.total, after.later_total) == (3, 0)


# --- The Sunday digest --------------------------------------------------------------------


class CollectingSender:
    """A digest sender that only remembers who got what."""

    def __init__(self) -> None:
        self.sent: list[Reflection] = []

    async def send(self, message: Outgoing) -> SendResult:
        assert isinstance(message, OutgoingDigest)
        self.sent.append(message.reflection)
        return SENT


async def digest_rows(db: Database) -> dict[int, WeeklyDigest]:
    async with db.transaction() as session:
        rows = await session.scalars(select(WeeklyDigest))
        return {row.user_id: row for row in rows}


async def run_evening(
    db: Database, sender: CollectingSender, start: datetime, hours: float, rng: random.Random
) -> list[tuple[datetime, int]]:
    """Tick the digest every 5 minutes from ``start``; (time, user) of each delivery."""
    clock = ManualClock(start)
    deliveries: list[tuple[datetime, int]] = []
    for _ in range(int(hours * 12) + 1):
        before = len(sender.sent)
        await run_digests(Deliveries(db, sender, clock), rng)
        deliveries += [(clock(), r.asker.user_id) for r in sender.sent[before:]]
        clock.advance(timedelta(minutes=5))
    return deliveries


async def test_the_digest_arrives_once_in_each_partners_slot(db: Database) -> None:
    await seed_week(db)
    sender = CollectingSender()
    rng = random.Random(3)
    deliveries = await run_evening(db, sender, local(BERLIN, day(6), 17), 6, rng)
    by_user = {user: when for when, user in deliveries}
    assert sorted(user for _, user in deliveries) == sorted([ANNA, BEN, CARL])
    for user in (ANNA, BEN, CARL):
        local_time = by_user[user].astimezone(BERLIN)
        assert local_time.date() == day(6)
        assert (18, 30) <= (local_time.hour, local_time.minute) <= (19, 35), local_time
    rows = await digest_rows(db)
    assert rows[ANNA].status == DigestStatus.SENT and rows[ANNA].week_start == WEEK
    # Dana is in Tokyo, where Sunday evening was hours ago: nothing is sent after it.
    assert DANA not in rows
    # Later the same week nothing is planned or sent again.
    assert await run_evening(db, sender, local(BERLIN, day(6), 21, 30), 0.5, rng) == []
    assert [r.summary.total for r in sender.sent if r.asker.user_id == ANNA] == [9]


async def test_opting_out_stops_the_digest_and_on_brings_it_back(db: Database) -> None:
    await seed_week(db)
    await act(db, ANNA, weekly_domain.set_digest_enabled, False)
    assert await act(db, ANNA, weekly_domain.digest_enabled) is False
    sender = CollectingSender()
    deliveries = await run_evening(db, sender, local(BERLIN, day(6), 18), 2, random.Random(1))
    assert ANNA not in {user for _, user in deliveries}
    await act(db, ANNA, weekly_domain.set_digest_enabled, True)
    later = await run_evening(db, sender, local(BERLIN, day(6, NEXT), 18), 2, random.Random(1))
    assert ANNA in {user for _, user in later}


async def test_the_digest_respects_the_daily_nudge_cap(db: Database) -> None:
    ours, _ = await seed_week(db)
    sunday_nudges = (
        (8, Ritual.MORNING_HUG),
        (12, Ritual.MIDDAY_THINKING),
        (18, Ritual.DINNER_APPRECIATION),
    )
    for hour, ritual in sunday_nudges:
        await add_nudge(db, ours, BEN, local(BERLIN, day(6), hour), ritual=ritual)
    await add_nudge(db, ours, ANNA, local(BERLIN, day(5), 23, 30))  # yesterday, local time
    sender = CollectingSender()
    deliveries = await run_evening(db, sender, local(BERLIN, day(6), 18), 2, random.Random(2))
    assert BEN not in {user for _, user in deliveries}
    assert ANNA in {user for _, user in deliveries}
    assert (await digest_rows(db))[BEN].status == DigestStatus.CAPPED


async def test_a_quiet_fortnight_and_a_pause_get_no_digest(db: Database) -> None:
    quiet = await seed_couple(db, (ANNA, "Anna", "Europe/Berlin"), (BEN, "Ben", "Europe/Berlin"))
    await add_event(db, quiet, ANNA, K.HUG, local(BERLIN, day(0, PREVIOUS - timedelta(7)), 9))
    await seed_couple(db, (CARL, "Carl", "Europe/Berlin"), (DANA, "Dana", "Europe/Berlin"))
    async with db.transaction() as session:
        carl = await session.get(User, CARL)
        assert carl is not None
        carl.paused_until = local(BERLIN, NEXT, 9)
    sender = CollectingSender()
    assert await run_evening(db, sender, local(BERLIN, day(6), 18), 2, random.Random(4)) == []
    rows = await digest_rows(db)
    assert {rows[u].status for u in (ANNA, BEN, CARL, DANA)} == {DigestStatus.SKIPPED}


async def test_no_digest_for_a_couple_paired_less_than_three_days_ago(db: Database) -> None:
    """Paired on Friday evening: a Sunday digest would be about a day and a half."""
    fresh = await seed_couple(
        db,
        (ANNA, "Anna", "Europe/Berlin"),
        (BEN, "Ben", "Europe/Berlin"),
        local(BERLIN, day(4), 19),
    )
    settled = await seed_couple(
        db,
        (CARL, "Carl", "Europe/Berlin"),
        (DANA, "Dana", "Europe/Berlin"),
        local(BERLIN, day(3), 12),  # Thursday noon: more than three days by Sunday 18:30
    )
    for couple, (a, b) in ((fresh, (ANNA, BEN)), (settled, (CARL, DANA))):
        await add_event(db, couple, a, K.HUG, local(BERLIN, day(5), 9))
        await add_event(db, couple, b, K.HUG, local(BERLIN, day(5), 9, 5))
    sender = CollectingSender()
    deliveries = await run_evening(db, sender, local(BERLIN, day(6), 18), 2, random.Random(4))
    assert sorted(user for _, user in deliveries) == [CARL, DANA]
    rows = await digest_rows(db)
    assert rows[ANNA].status == rows[BEN].status == DigestStatus.SKIPPED


async def test_a_digest_nobody_could_send_by_22_is_missed_not_sent_late(db: Database) -> None:
    await seed_week(db)
    sender = CollectingSender()
    rng = random.Random(5)
    clock = ManualClock(local(BERLIN, day(6), 18, 30))
    assert await plan_digests(db, clock(), rng) == 3  # Anna, Ben, Carl
    clock.set(local(BERLIN, day(6), 22, 5))  # the bot was down all evening
    report = await run_digests(Deliveries(db, sender, clock), rng)
    assert (report.sent, report.missed, sender.sent) == (0, 3, [])


async def test_digest_charts_can_be_drawn_in_a_separate_process(db: Database) -> None:
    """The bot draws digest charts in one worker process; the PNG survives the trip."""
    await seed_week(db)
    sender = CollectingSender()
    pool = render_pool()
    try:
        clock = ManualClock(local(BERLIN, day(6), 19, 31))
        report = await run_digests(
            Deliveries(db, sender, clock), random.Random(6), render_executor=pool
        )
    finally:
        pool.shutdown()
    assert report.sent == 3
    assert all(r.chart_png and r.chart_png.startswith(b"\x89PNG") for r in sender.sent)
