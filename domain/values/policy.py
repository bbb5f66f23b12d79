"""One person's nudge settings as an immutable value, and the defaults from the issue.

A :class:`NudgePolicy` is what storage loads for a person and what the planner reads; it is
frozen so a plan can never be affected by someone editing settings halfway through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.values.kinds import Ritual
from domain.values.windows import DAY_SECONDS, LocalWindow

DEFAULT_BEDTIME: Final = time(22, 0)
BEDTIME_SPREAD_MINUTES: Final = 15
DEFAULT_DAILY_CAP: Final = 3
#: Late enough for a 22:00±15 bedtime nudge, early enough to leave a real night alone.
DEFAULT_QUIET: Final = LocalWindow(time(23, 0), time(6, 30))

DEFAULT_WINDOWS: Final[Mapping[Ritual, LocalWindow]] = MappingProxyType(
    {
        Ritual.MORNING_HUG: LocalWindow(time(7, 0), time(8, 30)),
        Ritual.MIDDAY_THINKING: LocalWindow(time(11, 30), time(14, 30)),
        Ritual.DINNER_APPRECIATION: LocalWindow(time(18, 30), time(20, 0)),
        Ritual.BEDTIME: LocalWindow(time(21, 45), time(22, 15)),
        # When people tend to come home; the kiss is opt-in.
        Ritual.SIX_SECOND_KISS: LocalWindow(time(17, 30), time(19, 0)),
    }
)
DEFAULT_ENABLED: Final[frozenset[Ritual]] = frozenset(Ritual) - {Ritual.SIX_SECOND_KISS}
#: The order rituals take turns in when more are on than the daily cap allows.
PRIORITY: Final[tuple[Ritual, ...]] = (
    Ritual.MIDDAY_THINKING,
    Ritual.BEDTIME,
    Ritual.DINNER_APPRECIATION,
    Ritual.MORNING_HUG,
    Ritual.SIX_SECOND_KISS,
)
SUNDAY: Final = 6
#: How far ahead the settings promise what will come ("about 4 days a week").
PROMISE_DAYS: Final = 14


@lru_cache(maxsize=1024)
def zone_for(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, cached because planning looks it up per person."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def bedtime_window(bedtime: time) -> LocalWindow:
    """``bedtime ± 15 min`` as a window; it wraps midnight for bedtimes near 00:00."""
    if bedtime.tzinfo is not None or bedtime.second or bedtime.microsecond:
        raise ValueError(f"bedtime must be a naive whole minute, got {bedtime}")
    minutes = bedtime.hour * 60 + bedtime.minute
    start = (minutes - BEDTIME_SPREAD_MINUTES) % 1440
    end = (minutes + BEDTIME_SPREAD_MINUTES) % 1440
    return LocalWindow(time(start // 60, start % 60), time(end // 60, end % 60))


def in_quiet_hours(local_time: time, quiet: LocalWindow | None) -> bool:
    """Whether a wall-clock time is inside quiet hours (``[start, end)``; None = never)."""
    return quiet is not None and quiet.contains(local_time)


def quiet_ends_at(now: datetime, timezone: str, quiet: LocalWindow | None) -> datetime | None:
    """When the quiet hours ``now`` falls in end (aware UTC), in the person's own zone.

    None when ``now`` is not in quiet hours (or there are none).
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if quiet is None:
        return None
    zone = zone_for(timezone)
    local = now.astimezone(zone)
    if not quiet.contains(local.time()):
        return None
    end_day = local.date()
    if quiet.crosses_midnight and local.time() >= quiet.start:
        end_day += timedelta(days=1)
    end = datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(UTC)
    return max(end, now.astimezone(UTC))


@lru_cache(maxsize=256)
def _quiet_spans(quiet: LocalWindow) -> tuple[tuple[int, int], ...]:
    """Quiet hours of the previous, same and next day, in seconds after local midnight."""
    start, end = quiet.span_seconds
    return tuple((start + k * DAY_SECONDS, end + k * DAY_SECONDS) for k in (-1, 0, 1))


def allowed_spans(start: int, end: int, quiet: LocalWindow | None) -> list[tuple[int, int]]:
    """``[start, end)`` (seconds after local midnight) minus quiet hours, as sorted spans.

    Clipping first and drawing afterwards keeps the draw uniform over the allowed minutes,
    instead of piling nudges up on the quiet-hours boundary.
    """
    spans = [(start, end)]
    if quiet is None:
        return spans
    for q_start, q_end in _quiet_spans(quiet):
        kept: list[tuple[int, int]] = []
        for lo, hi in spans:
            if q_end <= lo or hi <= q_start:
                kept.append((lo, hi))
                continue
            if lo < q_start:
                kept.append((lo, q_start))
            if q_end < hi:
                kept.append((q_end, hi))
        spans = kept
    return spans


@dataclass(frozen=True, slots=True)
class RitualPreference:
    """Whether a person wants one ritual's nudge, and in which local window."""

    ritual: Ritual
    enabled: bool
    window: LocalWindow


@dataclass(frozen=True, slots=True)
class NudgePolicy:
    """Everything the planner needs to know about one person, in their own zone.

    ``rituals`` holds exactly one preference per :class:`Ritual`; it is normalised to the
    enum's order so equal settings compare (and hash) equal.
    """

    timezone: str
    rituals: tuple[RitualPreference, ...]
    quiet: LocalWindow | None = DEFAULT_QUIET
    daily_cap: int = DEFAULT_DAILY_CAP
    paused_until: datetime | None = None

    def __post_init__(self) -> None:
        zone_for(self.timezone)
        by_ritual = {pref.ritual: pref for pref in self.rituals}
        if len(by_ritual) != len(self.rituals) or set(by_ritual) != set(Ritual):
            raise ValueError("a policy needs exactly one preference per ritual")
        object.__setattr__(self, "rituals", tuple(by_ritual[r] for r in Ritual))
        if self.daily_cap < 0:
            raise ValueError("daily_cap must not be negative")
        if self.paused_until is not None and self.paused_until.utcoffset() is None:
            raise ValueError("paused_until must be timezone-aware")

    def preference(self, ritual: Ritual) -> RitualPreference:
        return self.rituals[_RITUAL_INDEX[ritual]]

    def _with_preference(self, preference: RitualPreference) -> NudgePolicy:
        rituals = list(self.rituals)
        rituals[_RITUAL_INDEX[preference.ritual]] = preference
        return dataclasses.replace(self, rituals=tuple(rituals))

    def with_window(self, ritual: Ritual, window: LocalWindow) -> NudgePolicy:
        pref = self.preference(ritual)
        return self._with_preference(dataclasses.replace(pref, window=window))

    def with_enabled(self, ritual: Ritual, enabled: bool) -> NudgePolicy:
        pref = self.preference(ritual)
        return self._with_preference(dataclasses.replace(pref, enabled=enabled))

    def with_bedtime(self, bedtime: time) -> NudgePolicy:
        """Move the bedtime window; quiet hours are the person's own and stay put.

        Check :func:`quiet_blocked_rituals` afterwards to warn when quiet hours now
        swallow the whole bedtime window.
        """
        return self.with_window(Ritual.BEDTIME, bedtime_window(bedtime))

    def is_paused_at(self, instant: datetime) -> bool:
        return self.paused_until is not None and instant < self.paused_until


_RITUAL_INDEX: Final[Mapping[Ritual, int]] = MappingProxyType(
    {ritual: index for index, ritual in enumerate(Ritual)}
)


def _default_quiet_for(bedtime: LocalWindow) -> LocalWindow:
    """Default quiet hours, starting later when the bedtime window would end inside them.

    Without this a night owl's default policy would silently never send a bedtime nudge.
    """
    if in_quiet_hours(bedtime.end, DEFAULT_QUIET):
        return LocalWindow(bedtime.end, DEFAULT_QUIET.end)
    return DEFAULT_QUIET


def default_policy(timezone: str, bedtime: time = DEFAULT_BEDTIME) -> NudgePolicy:
    """The issue's defaults: four rituals on, the kiss off, cap 3, quiet 23:00-06:30."""
    bed = bedtime_window(bedtime)
    windows = {**DEFAULT_WINDOWS, Ritual.BEDTIME: bed}
    rituals = tuple(RitualPreference(r, r in DEFAULT_ENABLED, windows[r]) for r in Ritual)
    return NudgePolicy(timezone, rituals, quiet=_default_quiet_for(bed))


def quiet_blocked_rituals(policy: NudgePolicy) -> frozenset[Ritual]:
    """Enabled rituals whose whole window is quiet, so the bot can warn instead of going mute."""
    return frozenset(
        pref.ritual
        for pref in policy.rituals
        if pref.enabled and not allowed_spans(*pref.window.span_seconds, policy.quiet)
    )


#: How long "Later" puts a nudge off.
SNOOZE_DELAY: Final = timedelta(hours=1)


def snoozed_due_at(
    now: datetime,
    policy: NudgePolicy,
    *,
    already_snoozed: bool = False,
    delay: timedelta = SNOOZE_DELAY,
) -> datetime | None:
    """When a "Later" nudge comes back: ``now + 1 h``, once, and never into quiet hours.

    None means "not possible" (snoozed before, lands in quiet hours, or during a pause),
    so the bot can say so instead of silently dropping it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if already_snoozed:
        return None
    due = now.astimezone(UTC) + delay
    local = due.astimezone(zone_for(policy.timezone)).time()
    if in_quiet_hours(local, policy.quiet):
        return None
    return None if policy.is_paused_at(due) else due


# --- What is planned on which day: the one rule -------------------------------------------


def cap_on(policy: NudgePolicy, local_date: date, *, sunday_digest: bool = False) -> int:
    """The day's cap: on Sundays the weekly digest takes one of its places."""
    if sunday_digest and local_date.weekday() == SUNDAY:
        return max(policy.daily_cap - 1, 0)
    return policy.daily_cap


@lru_cache(maxsize=4096)
def schedulable(policy: NudgePolicy) -> tuple[Ritual, ...]:
    """Enabled rituals with some window minutes outside quiet hours, in :data:`PRIORITY`."""
    blocked = quiet_blocked_rituals(policy)
    return tuple(r for r in PRIORITY if policy.preference(r).enabled and r not in blocked)


def rituals_on(
    policy: NudgePolicy, local_date: date, *, sunday_digest: bool = False
) -> tuple[Ritual, ...]:
    """The rituals planned on ``local_date``, before anything the person does changes it.

    The one rule the planner plans by and the settings promise by. When more rituals are
    on than the cap allows they take turns, day by day (by the date's ordinal), in
    :data:`PRIORITY` order: over ``n`` days each of ``n`` rituals comes ``cap`` times. On a
    Sunday with the digest, the cap is one lower and the one left out rotates by week.
    Run-time skips (back-off, already done today, a pause) come on top of this.
    """
    candidates = schedulable(policy)
    cap = cap_on(policy, local_date, sunday_digest=sunday_digest)
    n = len(candidates)
    if n <= cap:
        return candidates
    if cap <= 0:
        return ()
    ordinal = local_date.toordinal()
    first = (ordinal * policy.daily_cap) % n if n > policy.daily_cap else (ordinal // 7) % n
    picked = {candidates[(first + j) % n] for j in range(cap)}
    return tuple(r for r in candidates if r in picked)


def days_promised(
    policy: NudgePolicy, start: date, *, sunday_digest: bool = False, days: int = PROMISE_DAYS
) -> dict[Ritual, int]:
    """On how many of the ``days`` from ``start`` each ritual is planned (by :func:`rituals_on`)."""
    counts = dict.fromkeys(Ritual, 0)
    for offset in range(days):
        for ritual in rituals_on(
            policy, start + timedelta(days=offset), sunday_digest=sunday_digest
        ):
            counts[ritual] += 1
    return counts
