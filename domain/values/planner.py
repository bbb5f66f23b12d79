"""Plan one person's nudges for one local date: pure, seeded and cheap.

Windows are wall-clock spans in the person's own zone.  Each is clipped by quiet hours, the
remaining wall-clock minutes that really exist that day are mapped to UTC, and one minute is
drawn from them with the injected RNG.  That gives the DST rules for free:

* spring forward: minutes inside the gap are never drawn; a window the gap swallows whole
  is shifted forward by the gap (02:00-03:00 becomes 03:00-04:00), as zoneinfo would do;
* fall back: an ambiguous wall time means its first occurrence (``fold=0``), so a nudge is
  planned once, never twice.

The per-(zone, date, window, quiet) mapping is cached, so a call is a cache hit, one
random draw and a few integer operations per ritual: microseconds for a million people.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from domain.values.kinds import Ritual
from domain.values.policy import PRIORITY, NudgePolicy, allowed_spans, rituals_on, zone_for
from domain.values.windows import DAY_SECONDS, LocalWindow

#: Ignored nudges in a row after which a ritual is only planned every other day.
BACKOFF_AFTER: Final = 3
#: Phrasings rotate by ``(date ordinal + person) % PHRASING_CYCLE``; every ritual's number
#: of phrasings divides it, so the bulk planner's ``% count`` picks the same one.
PHRASING_CYCLE: Final = 2520
_NO_IGNORES: Final[Mapping[Ritual, int]] = MappingProxyType({})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = _EPOCH.date().toordinal()
_SECOND: Final = timedelta(seconds=1)
_HOUR: Final = 3600

# (wall start, wall end, UTC offset) in seconds, wall relative to the date's local midnight.
_Segment = tuple[int, int, int]
# (first drawable UTC second, number of drawable minutes, UTC end of its allowed stretch).
_Piece = tuple[int, int, datetime]


@dataclass(frozen=True, slots=True)
class PlannedNudge:
    """One nudge to send: ``due_at`` and ``window_end_at`` are aware UTC.

    ``local_date`` is the date it was planned for, even when a window crossing midnight
    puts ``due_at`` on the next local day.  ``window_end_at`` is when the allowed stretch
    around ``due_at`` ends (window end or quiet hours start): the late-delivery deadline.
    """

    ritual: Ritual
    local_date: date
    due_at: datetime
    window_end_at: datetime


def _require_aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _epoch_ceil(value: datetime) -> int:
    return -((_EPOCH - value) // _SECOND)


@lru_cache(maxsize=1 << 16)
def _from_epoch(seconds: int) -> datetime:
    """Due times are whole minutes of a few days, so a million people share a few thousand."""
    return datetime.fromtimestamp(seconds, UTC)


def _zone(tz: str | tzinfo) -> tzinfo:
    return zone_for(tz) if isinstance(tz, str) else tz


def local_today(now_utc: datetime, tz: str | tzinfo) -> date:
    """The person's calendar date at ``now_utc``."""
    _require_aware(now_utc, "now_utc")
    return now_utc.astimezone(_zone(tz)).date()


def dates_to_plan(now_utc: datetime, tz: str | tzinfo) -> list[date]:
    """Local today and tomorrow: an hourly planner then always plans a day ahead.

    Today is included so a newcomer gets the rest of it; pass ``not_before=now`` to
    :func:`plan_day` so windows already over are left out.
    """
    today = local_today(now_utc, tz)
    return [today, today + timedelta(days=1)]


def _offset_at(zone: ZoneInfo, utc_second: int) -> int:
    offset = datetime.fromtimestamp(utc_second, zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset // _SECOND


def _transitions(zone: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """``(utc_second, offset_before, offset_after)`` for offset changes in ``[lo, hi)``."""
    found: list[tuple[int, int, int]] = []
    prev_at, prev_off = lo, _offset_at(zone, lo)
    for at in range(lo + _HOUR, hi, _HOUR):
        off = _offset_at(zone, at)
        if off != prev_off:
            before, after = prev_at, at  # offset(before) == prev_off, offset(after) == off
            while after - before > 1:
                mid = (before + after) // 2
                if _offset_at(zone, mid) == prev_off:
                    before = mid
                else:
                    after = mid
            found.append((after, prev_off, off))
        prev_at, prev_off = at, off
    return found


@lru_cache(maxsize=4096)
def _segments(zone_key: str, day: date) -> tuple[_Segment, ...]:
    """The wall-clock stretches around ``day`` that exist, each with its UTC offset.

    Gaps (spring forward) fall between segments; an overlap (fall back) ends the first
    segment where the repeated hour ends, which is exactly ``fold=0``.
    """
    base = (day.toordinal() - _EPOCH_ORDINAL) * DAY_SECONDS
    zone = zone_for(zone_key)
    transitions = _transitions(zone, base - 2 * DAY_SECONDS, base + 4 * DAY_SECONDS)
    start = -3 * DAY_SECONDS
    offset = _offset_at(zone, base - 2 * DAY_SECONDS)
    segments: list[_Segment] = []
    for at, before, after in transitions:
        end = at + before - base
        if end > start:
            segments.append((start, end, before))
        start = max(start, at + max(before, after) - base)
        offset = after
    segments.append((start, 5 * DAY_SECONDS, offset))
    return tuple(segments)


def _to_utc(segments: tuple[_Segment, ...], base: int, wall: int) -> int:
    """Wall second to UTC: ``fold=0`` when ambiguous, the jump instant when in a gap."""
    for start, end, offset in segments:
        if wall < start:
            return base + start - offset
        if wall < end:
            return base + wall - offset
    return base + wall - segments[-1][2]


def _gap_length_at(segments: tuple[_Segment, ...], wall: int) -> int:
    for (_, end, _), (start, _, _) in itertools.pairwise(segments):
        if end <= wall < start:
            return start - end
    return 0


def _pieces_for(
    segments: tuple[_Segment, ...], base: int, lo: int, hi: int, quiet: LocalWindow | None
) -> tuple[list[_Piece], list[tuple[int, int]]]:
    pieces: list[_Piece] = []
    spans = allowed_spans(lo, hi, quiet)
    for span_lo, span_hi in spans:
        stretch_end = _from_epoch(_to_utc(segments, base, span_hi))
        for seg_lo, seg_hi, offset in segments:
            first = -(-max(span_lo, seg_lo) // 60) * 60  # round up to a whole wall minute
            last = min(span_hi, seg_hi)
            if first < last:
                count = -(-(last - first) // 60)
                pieces.append((base + first - offset, count, stretch_end))
    return pieces, spans


@lru_cache(maxsize=65_536)
def _window_pieces(
    zone_key: str,
    day: date,
    window_start: time,
    window_end: time,
    quiet: LocalWindow | None,
) -> tuple[_Piece, ...]:
    """Drawable UTC minutes of one window on one local date, after quiet hours and DST.

    Keyed on the window's bare times: hashing them is C code, a dataclass hash is not.
    """
    segments = _segments(zone_key, day)
    base = (day.toordinal() - _EPOCH_ORDINAL) * DAY_SECONDS
    lo, hi = LocalWindow(window_start, window_end).span_seconds
    pieces, spans = _pieces_for(segments, base, lo, hi, quiet)
    if not pieces and spans:
        # Every allowed minute fell into a spring-forward gap: shift the window past it,
        # unless the gap is the whole date (Samoa skipped 2011-12-30): no date, no nudges.
        shift = _gap_length_at(segments, spans[0][0])
        if 0 < shift < DAY_SECONDS:
            pieces, _ = _pieces_for(segments, base, lo + shift, hi + shift, quiet)
    return tuple(pieces)


def _clip(pieces: tuple[_Piece, ...], not_before: int) -> tuple[_Piece, ...]:
    clipped: list[_Piece] = []
    for first, count, stretch_end in pieces:
        skip = max(0, -(-(not_before - first) // 60))
        if skip < count:
            clipped.append((first + skip * 60, count - skip, stretch_end))
    return tuple(clipped)


def _draw(pieces: tuple[_Piece, ...], rng: random.Random) -> tuple[int, datetime] | None:
    """One uniformly drawn minute among the pieces, with its stretch's end."""
    if len(pieces) == 1:  # the common case: no quiet-hours split, no DST change
        first, count, stretch_end = pieces[0]
        return first + int(rng.random() * count) * 60, stretch_end
    if not pieces:
        return None
    pick = int(rng.random() * sum(count for _, count, _ in pieces))
    for first, count, stretch_end in pieces:
        if pick < count:
            return first + pick * 60, stretch_end
        pick -= count
    raise AssertionError("unreachable: pick < total")


def is_backing_off(
    ritual: Ritual, local_date: date, ignored_in_a_row: Mapping[Ritual, int]
) -> bool:
    """After ``BACKOFF_AFTER`` ignored nudges in a row, skip odd-ordinal dates.

    Stateless and exact: any run of 14 days has 7 nudge days, and a single answer (the
    caller resets the count to 0) brings the ritual back every day.
    """
    return ignored_in_a_row.get(ritual, 0) >= BACKOFF_AFTER and local_date.toordinal() % 2 == 1


@dataclass(frozen=True, slots=True)
class DayTemplate:
    """What one policy allows on one local date, before any drawing.

    Everyone with equal settings shares it, so planning a million people costs a few
    hundred templates plus one random draw per kept nudge.
    """

    local_date: date
    #: ``(rank, ritual, drawable minutes, first drawable second)`` of each enabled ritual
    #: that has any, most important first (see :data:`PRIORITY`).
    candidates: tuple[tuple[int, Ritual, tuple[_Piece, ...], int], ...]
    daily_cap: int
    paused_until: int | None  # epoch second, or None


def day_template(
    policy: NudgePolicy, local_date: date, *, sunday_digest: bool = False
) -> DayTemplate:
    """Map the rituals planned on ``local_date`` (:func:`rituals_on`) to drawable UTC minutes.

    ``sunday_digest``: the person gets the Sunday digest, which takes a place of the cap.
    """
    candidates = []
    chosen = rituals_on(policy, local_date, sunday_digest=sunday_digest)
    for rank, ritual in enumerate(PRIORITY):
        if ritual not in chosen:
            continue
        window = policy.preference(ritual).window
        pieces = _window_pieces(policy.timezone, local_date, window.start, window.end, policy.quiet)
        if pieces:
            candidates.append((rank, ritual, pieces, min(first for first, _, _ in pieces)))
    paused = None if policy.paused_until is None else _epoch_ceil(policy.paused_until)
    return DayTemplate(local_date, tuple(candidates), len(chosen), paused)


def draw_day(
    template: DayTemplate,
    rng: random.Random,
    *,
    done_today: frozenset[Ritual] = frozenset(),
    ignored_in_a_row: Mapping[Ritual, int] = _NO_IGNORES,
    not_before: datetime | None = None,
) -> list[tuple[Ritual, datetime, datetime]]:
    """Draw one person's ``(ritual, due_at, window_end_at)`` from a shared template.

    The rules are :func:`plan_day`'s. The template holds only the rituals of the day
    (:func:`~domain.values.policy.rituals_on`), so the cap is already applied; a ritual
    skipped here (back-off, done today, paused) leaves its place empty.
    """
    cap = template.daily_cap
    if cap <= 0:
        return []
    floor = None if not_before is None else _epoch_ceil(not_before)
    paused, local_date = template.paused_until, template.local_date
    kept: list[tuple[int, int, Ritual, datetime]] = []
    for rank, ritual, pieces, earliest in template.candidates:
        if ritual in done_today:
            continue
        if ignored_in_a_row and is_backing_off(ritual, local_date, ignored_in_a_row):
            continue
        if floor is not None and floor > earliest:
            pieces = _clip(pieces, floor)
        drawn = _draw(pieces, rng)
        if drawn is None or (paused is not None and drawn[0] < paused):
            continue
        kept.append((drawn[0], rank, ritual, drawn[1]))
        if len(kept) == cap:
            break
    kept.sort()
    return [(ritual, _from_epoch(due), end) for due, _, ritual, end in kept]


def plan_day(
    policy: NudgePolicy,
    local_date: date,
    rng: random.Random,
    *,
    done_today: frozenset[Ritual] = frozenset(),
    ignored_in_a_row: Mapping[Ritual, int] = _NO_IGNORES,
    not_before: datetime | None = None,
    active: bool = True,
    sunday_digest: bool = False,
) -> list[PlannedNudge]:
    """Plan ``local_date``'s nudges for one person, sorted by ``due_at``.

    Skipped: disabled rituals, rituals in ``done_today`` (a "thinking of you" already sent
    means no midday prompt), rituals backing off, windows that are wholly quiet, nudges
    due before ``policy.paused_until`` or before ``not_before``, and the rituals whose turn
    it is not (:func:`~domain.values.policy.rituals_on`: when more are on than the daily
    cap, they take turns).  ``active=False`` (unpaired) plans nothing.
    """
    if not active:
        return []
    drawn = draw_day(
        day_template(policy, local_date, sunday_digest=sunday_digest),
        rng,
        done_today=done_today,
        ignored_in_a_row=ignored_in_a_row,
        not_before=not_before,
    )
    return [PlannedNudge(ritual, local_date, due, end) for ritual, due, end in drawn]


def is_still_deliverable(window_end_at: datetime, now: datetime) -> bool:
    """Whether a nudge missed while the bot was down may still go out late.

    ``window_end_at`` already stops at quiet hours, so a late nudge never breaks them.
    """
    _require_aware(window_end_at, "window_end_at")
    _require_aware(now, "now")
    return now < window_end_at


@dataclass(frozen=True, slots=True)
class Opening:
    """When the next nudge of one ritual can come: a day, and the stretch it is drawn from.

    ``start`` and ``end`` are aware UTC: the first drawable minute and the end of the last.
    """

    local_date: date
    start: datetime
    end: datetime


def next_opening(
    policy: NudgePolicy,
    ritual: Ritual,
    now: datetime,
    *,
    sunday_digest: bool = False,
    ignored_in_a_row: Mapping[Ritual, int] = _NO_IGNORES,
    taken: frozenset[date] = frozenset(),
    horizon: int = 15,
) -> Opening | None:
    """The next day (from today, within ``horizon`` days) the planner plans ``ritual``.

    The same templates and clipping as planning (after ``now``, after a pause, back-off),
    so a nudge planned for that day is drawn inside ``[start, end)``. ``taken``: local
    dates whose nudge of this ritual is already out (sent or answered). None: none coming.
    """
    _require_aware(now, "now")
    floor = _epoch_ceil(now)
    if policy.paused_until is not None:
        floor = max(floor, _epoch_ceil(policy.paused_until))
    today = local_today(now, policy.timezone)
    for offset in range(horizon):
        day = today + timedelta(days=offset)
        if day in taken or is_backing_off(ritual, day, ignored_in_a_row):
            continue
        template = day_template(policy, day, sunday_digest=sunday_digest)
        for _, candidate, pieces, _ in template.candidates:
            if candidate is not ritual:
                continue
            clipped = _clip(pieces, floor)
            if clipped:
                start = min(first for first, _, _ in clipped)
                end = max(first + count * 60 for first, count, _ in clipped)
                return Opening(day, _from_epoch(start), _from_epoch(end))
    return None
