"""The figures behind "how are we doing this week?", as pure functions over plain records.

The caller (a database query) turns rows into the frozen records below; nothing here touches
Telegram or the database, so the arithmetic is easy to test to the exact number.

The week runs Monday to Sunday in the *asker's* time zone: the bounds are local midnights
computed with :mod:`zoneinfo`, so a week that crosses a DST change lasts 167 or 169 hours.
All figures are about the couple, not a person (nudges included), so both partners asking
in the same zone see the same numbers; only the per-partner split swaps sides.

Everything is counted from the pairing on: a moment, a nudge or a day from before the two
of them paired here is not part of their story in this bot.

**Replies to a "thinking of you"** (Gottman's "turning toward" a bid for connection:
couples who last answer most of them, about 86% in his studies). A "thinking of you" counts
as answered when the *other* partner sent love back to that very message (a LOVE_BACK whose
``answers`` is its id, whenever it came within view), or reached out themselves — any
moment of their own — within :data:`REPLY_WINDOW` after it. Only the couple's share is
ever told ("5 of your 6"), never who answered whom.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.values.adaptation import StoredEffect
from domain.values.kinds import RITUAL_MOMENT, EventSource, MomentKind, Ritual

DAYS_IN_WEEK = 7

#: A partner's own moment this soon after a "thinking of you" counts as its reply.
REPLY_WINDOW = timedelta(hours=3)
#: "Usually within N minutes" is only said from at least this many answered nudges: one or
#: two answers are an anecdote, not a habit.
MIN_ANSWERS_FOR_TIMING = 3

#: Kinds shown in the summary, in display order. A "send love back" is its own kind: it is
#: the reply to a "thinking of you", not another one.
DISPLAY_KINDS: tuple[MomentKind, ...] = (
    MomentKind.HUG,
    MomentKind.KISS,
    MomentKind.THINKING_OF_YOU,
    MomentKind.LOVE_BACK,
    MomentKind.APPRECIATION,
    MomentKind.GOODNIGHT,
    MomentKind.CHECK_IN,
    MomentKind.SMILE,
    MomentKind.TOUCH,
    MomentKind.LISTENING,
    MomentKind.OTHER,
)

#: The seed's core daily rituals in their tie-break order (the order of the Ritual enum).
CORE_RITUALS: tuple[Ritual, ...] = tuple(Ritual)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One connection event as the summary needs it (a row of ``connection_events``)."""

    actor_id: int
    kind: MomentKind
    created_at: datetime  # aware, UTC
    source: EventSource
    event_id: int | None = None
    answers: int | None = None  # a love-back: the id of the "thinking of you" it answers


@dataclass(frozen=True, slots=True)
class NudgeRecord:
    """One scheduled nudge; "Not today" is ``declined``: a response, but not acting on it."""

    user_id: int
    ritual: Ritual
    sent_at: datetime  # aware, UTC
    acted_at: datetime | None
    declined: bool


@dataclass(frozen=True, slots=True)
class Partner:
    """One of the two people in the couple."""

    user_id: int
    first_name: str


@dataclass(frozen=True, slots=True)
class KindCount:
    """How often one kind of moment happened this week and the week before."""

    kind: MomentKind
    this_week: int
    last_week: int


@dataclass(frozen=True, slots=True)
class DayCount:
    """One local day of the week, split by partner so the chart can show both."""

    day: date
    asker: int
    partner: int

    @property
    def total(self) -> int:
        """Moments of both partners that day."""
        return self.asker + self.partner

    @property
    def connected(self) -> bool:
        """A day counts as connected only when *both* reached out: it takes two."""
        return self.asker > 0 and self.partner > 0


@dataclass(frozen=True, slots=True)
class NudgeStats:
    """The couple's answers to this week's nudges (couple-wide, so no one is singled out)."""

    sent: int
    acted: int
    declined: int
    median_minutes_to_act: float | None  # None below MIN_ANSWERS_FOR_TIMING answers


@dataclass(frozen=True, slots=True)
class BidStats:
    """The week's "thinking of you"s and how many got a reply (see the module docstring)."""

    sent: int
    answered: int


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    """Everything the reflection message and the chart show, already counted."""

    week_start: date
    kinds: tuple[KindCount, ...]  # every DISPLAY_KINDS entry, in that order, zeros included
    total: int
    total_last_week: int
    days_connected: int
    days_connected_last_week: int
    days_elapsed: int  # 1..7: how much of the week has happened (7 for a finished week)
    days_counted: int  # 0..7: days of the week so far that were spent paired
    asker_count: int
    partner_count: int
    daily: tuple[DayCount, ...]  # Monday..Sunday
    nudges: NudgeStats
    bids: BidStats
    all_time_total: int  # since the pairing, up to now
    later_total: int  # of those, how many came after this week ended (for a past week)
    paired_at: datetime  # aware, UTC
    paired_on: date  # the pairing's local date, in the asker's zone
    weakest_ritual: Ritual
    is_empty: bool  # nothing at all this week nor the week before
    is_first_week: bool  # every moment the couple ever shared is from this week (maybe none)
    #: The week before, day by day (the Mini App draws it as "last week's line").
    daily_last_week: tuple[DayCount, ...] = ()

    @property
    def in_progress(self) -> bool:
        """True while the week is still running, so the wording can say "so far"."""
        return self.days_elapsed < DAYS_IN_WEEK

    @property
    def before_pairing(self) -> bool:
        """The whole week came before the couple paired: nothing of theirs to tell."""
        return self.days_counted == 0

    @property
    def paired_mid_week(self) -> bool:
        """They paired during this week, so its first days are not theirs to count."""
        return 0 < self.days_counted < self.days_elapsed

    def count(self, kind: MomentKind) -> KindCount:
        """The row for ``kind``."""
        return next(row for row in self.kinds if row.kind is kind)


def week_bounds(week_start: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of local Monday 00:00 and the next Monday 00:00, DST included."""
    _require_monday(week_start)
    return _local_midnight_utc(week_start, tz), _local_midnight_utc(
        week_start + timedelta(days=DAYS_IN_WEEK), tz
    )


def week_start_for(now_utc: datetime, tz: ZoneInfo, *, weeks_ago: int = 0) -> date:
    """The Monday of the asker's current (or an earlier) week, as seen on their own clock."""
    _require_aware(now_utc, "now_utc")
    if weeks_ago < 0:
        raise ValueError("weeks_ago cannot be negative: the future has no summary yet")
    today = now_utc.astimezone(tz).date()
    return today - timedelta(days=today.weekday() + DAYS_IN_WEEK * weeks_ago)


def summarize_week(
    events: Sequence[EventRecord],
    nudges: Sequence[NudgeRecord],
    *,
    asker: Partner,
    partner: Partner,
    tz: ZoneInfo,
    week_start: date,
    all_time_total: int,
    paired_at: datetime,
    later_total: int = 0,
    now_utc: datetime | None = None,
) -> WeeklySummary:
    """Count the week starting ``week_start`` (asker's zone) and compare it with the one before.

    ``events`` may cover both weeks and more (a day past the end lets a Sunday-night
    "thinking of you" find its reply); anything outside them, before ``paired_at``, or by
    someone other than the two partners, is ignored. ``all_time_total`` counts since the
    pairing, ``later_total`` those after the week's end. ``now_utc`` (optional) marks a
    week still in progress.
    """
    if asker.user_id == partner.user_id:
        raise ValueError("a couple needs two different people")
    _require_aware(paired_at, "paired_at")
    start, end = week_bounds(week_start, tz)
    prev_start = week_bounds(week_start - timedelta(days=DAYS_IN_WEEK), tz)[0]
    couple = {asker.user_id, partner.user_id}
    ours = [e for e in events if e.actor_id in couple]
    for event in ours:
        _require_aware(event.created_at, "EventRecord.created_at")
    ours = [e for e in ours if e.created_at >= paired_at]
    days_elapsed = _days_elapsed(now_utc, week_start, tz)
    paired_on = paired_at.astimezone(tz).date()
    this_week = [e for e in ours if start <= e.created_at < end]
    last_week = [e for e in ours if prev_start <= e.created_at < start]

    daily = _daily(this_week, week_start, tz, asker.user_id)
    daily_last = _daily(last_week, week_start - timedelta(days=DAYS_IN_WEEK), tz, asker.user_id)
    total, total_last = len(this_week), len(last_week)
    all_time = max(all_time_total, total + total_last)  # it only ever grows
    return WeeklySummary(
        week_start=week_start,
        kinds=_kind_counts(this_week, last_week),
        total=total,
        total_last_week=total_last,
        days_connected=sum(day.connected for day in daily),
        days_connected_last_week=sum(day.connected for day in daily_last),
        days_elapsed=days_elapsed,
        days_counted=_days_counted(week_start, days_elapsed, paired_on),
        asker_count=sum(day.asker for day in daily),
        partner_count=sum(day.partner for day in daily),
        daily=daily,
        nudges=_nudge_stats(nudges, couple, max(start, paired_at), end),
        bids=_bid_stats(ours, start, end),
        all_time_total=all_time,
        later_total=min(max(later_total, 0), all_time),
        paired_at=paired_at,
        paired_on=paired_on,
        weakest_ritual=_weakest_ritual(this_week),
        is_empty=total == 0 and total_last == 0,
        is_first_week=total_last == 0 and all_time == total,
        daily_last_week=daily_last,
    )


def _require_monday(week_start: date) -> None:
    """A week that does not start on Monday would silently shift every day label."""
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start:%A} {week_start}")


def _require_aware(moment: datetime, what: str) -> None:
    """A naive datetime would be read in the server's zone and land on the wrong day."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC)")


def _local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """Local 00:00 of ``day`` as a UTC instant (zoneinfo resolves DST for that date)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _tally(events: Iterable[EventRecord]) -> dict[MomentKind, int]:
    """Count events per display kind."""
    counts = dict.fromkeys(DISPLAY_KINDS, 0)
    for event in events:
        counts[event.kind] += 1
    return counts


def _kind_counts(
    this_week: Sequence[EventRecord], last_week: Sequence[EventRecord]
) -> tuple[KindCount, ...]:
    """Per-kind rows in display order, zeros kept so callers never miss a key."""
    now, before = _tally(this_week), _tally(last_week)
    return tuple(KindCount(kind, now[kind], before[kind]) for kind in DISPLAY_KINDS)


def _daily(
    events: Sequence[EventRecord], week_start: date, tz: ZoneInfo, asker_id: int
) -> tuple[DayCount, ...]:
    """Split events over the seven local days; the local date decides, not the UTC one."""
    asker = [0] * DAYS_IN_WEEK
    partner = [0] * DAYS_IN_WEEK
    for event in events:
        index = (event.created_at.astimezone(tz).date() - week_start).days
        (asker if event.actor_id == asker_id else partner)[index] += 1
    return tuple(
        DayCount(week_start + timedelta(days=i), asker[i], partner[i]) for i in range(DAYS_IN_WEEK)
    )


def _days_elapsed(now_utc: datetime | None, week_start: date, tz: ZoneInfo) -> int:
    """Days of the week begun by ``now_utc`` (1..7), so a Tuesday isn't judged as a week."""
    if now_utc is None:
        return DAYS_IN_WEEK
    _require_aware(now_utc, "now_utc")
    elapsed = (now_utc.astimezone(tz).date() - week_start).days + 1
    return min(max(elapsed, 1), DAYS_IN_WEEK)


def _days_counted(week_start: date, days_elapsed: int, paired_on: date) -> int:
    """Days of the week begun so far on which they were already paired (the pairing day too)."""
    first = max(week_start, paired_on)
    last = week_start + timedelta(days=days_elapsed - 1)
    return max((last - first).days + 1, 0)


def _bid_stats(ours: Sequence[EventRecord], start: datetime, end: datetime) -> BidStats:
    """This week's "thinking of you"s, and those the other partner replied to (see above)."""
    bids = [e for e in ours if e.kind is MomentKind.THINKING_OF_YOU and start <= e.created_at < end]
    loved = {
        (e.actor_id, e.answers)
        for e in ours
        if e.kind is MomentKind.LOVE_BACK and e.answers is not None
    }

    def answered(bid: EventRecord) -> bool:
        if bid.event_id is not None and any(
            answers == bid.event_id and actor != bid.actor_id for actor, answers in loved
        ):
            return True
        return any(
            e.actor_id != bid.actor_id
            and bid.created_at < e.created_at <= bid.created_at + REPLY_WINDOW
            for e in ours
        )

    return BidStats(sent=len(bids), answered=sum(answered(bid) for bid in bids))


def _nudge_stats(
    nudges: Iterable[NudgeRecord], couple: set[int], start: datetime, end: datetime
) -> NudgeStats:
    """Nudges sent this week to either partner and how they were answered."""
    week = [n for n in nudges if n.user_id in couple and start <= n.sent_at < end]
    acted = [n for n in week if n.acted_at is not None and not n.declined]
    minutes = [
        max((n.acted_at - n.sent_at).total_seconds(), 0.0) / 60
        for n in acted
        if n.acted_at is not None
    ]
    return NudgeStats(
        sent=len(week),
        acted=len(acted),
        declined=sum(n.declined for n in week),
        median_minutes_to_act=(
            statistics.median(minutes) if len(minutes) >= MIN_ANSWERS_FOR_TIMING else None
        ),
    )


def _weakest_ritual(this_week: Sequence[EventRecord]) -> Ritual:
    """The core ritual with the fewest moments this week; ties go to the earliest ritual."""
    counts = _tally(this_week)
    return min(CORE_RITUALS, key=lambda ritual: counts[RITUAL_MOMENT[ritual]])


@dataclass(frozen=True, slots=True)
class NudgeEffect:
    """One ritual's estimated effect for the asker; ``can_lower``: still above the floor."""

    ritual: Ritual
    effect: StoredEffect
    can_lower: bool


@dataclass(frozen=True, slots=True)
class Reflection:
    """Everything a reply needs: the figures, who is asking, and the picture (if any)."""

    summary: WeeklySummary
    asker: Partner
    partner: Partner
    weeks_ago: int
    chart_png: bytes | None  # None: nothing worth drawing, or the drawing failed
    #: What the asker's nudges did, per ritual with ≥ 3 weeks of decision points (issue #12).
    nudge_effects: tuple[NudgeEffect, ...] = ()

    @property
    def last_week(self) -> bool:
        """Past-tense wording for any finished, earlier week."""
        return self.weeks_ago > 0

    @property
    def names(self) -> tuple[str, str]:
        """(asker, partner), in the order the summary's per-day split uses."""
        return self.asker.first_name, self.partner.first_name

    @property
    def people(self) -> tuple[Partner, Partner]:
        """(asker, partner), in the order the summary's per-day split uses."""
        return self.asker, self.partner


def colour_order(people: tuple[Partner, Partner]) -> tuple[Partner, Partner]:
    """The two partners in the order their colours are given: by user id, not by who asks,
    so each person has the same colour on both phones."""
    first, second = people
    return (first, second) if first.user_id < second.user_id else (second, first)
