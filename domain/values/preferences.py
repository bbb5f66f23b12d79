"""A person's nudge settings as values: what is stored, read as a policy, and what to show.

Values are stored as the person chose them; NULL means "the default", so a better default
reaches everyone who never changed it. Pure and cached, so the planner can read a million
people's rows with it (``scheduling/planning.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from domain.values.kinds import Ritual
from domain.values.policy import (
    BEDTIME_SPREAD_MINUTES,
    DEFAULT_BEDTIME,
    DEFAULT_DAILY_CAP,
    DEFAULT_ENABLED,
    DEFAULT_WINDOWS,
    NudgePolicy,
    RitualPreference,
    _default_quiet_for,
    bedtime_window,
    zone_for,
)
from domain.values.timeparse import MAX_PAUSE_DAYS, TimeParseError, parse_window
from domain.values.windows import LocalWindow

#: What ``users.quiet_hours`` holds when the person wants no quiet hours at all.
QUIET_OFF: Final = "off"
#: The pause the settings menu offers with one tap.
MENU_PAUSE_DAYS: Final = 3

#: ``(ritual, enabled, window[, ignored_in_a_row])`` as storage and the planner load them.
RitualRowLike = tuple[str, bool | None, str | None] | tuple[str, bool | None, str | None, int]

_ORDER: Final = tuple(Ritual)
_INDEX: Final = MappingProxyType({ritual.value: index for index, ritual in enumerate(_ORDER)})
_BEDTIME_INDEX: Final = _ORDER.index(Ritual.BEDTIME)
_DEFAULT_PREFERENCES: Final = tuple(
    RitualPreference(
        ritual,
        ritual in DEFAULT_ENABLED,
        bedtime_window(DEFAULT_BEDTIME) if ritual is Ritual.BEDTIME else DEFAULT_WINDOWS[ritual],
    )
    for ritual in _ORDER
)
# A placeholder zone, only to show and check settings of someone who has not set one yet.
PLACEHOLDER_ZONE: Final = "UTC"

_Override = tuple[bool | None, str | None]


# --- Pure: rows to policy -----------------------------------------------------------------


@lru_cache(maxsize=4096)
def _stored_window(text: str) -> LocalWindow | None:
    """A stored window, or None when the stored text is unusable (the default applies)."""
    try:
        return parse_window(text, allow_midnight=True)
    except TimeParseError:
        return None


@lru_cache(maxsize=4096)
def _preferences(overrides: tuple[_Override | None, ...]) -> tuple[RitualPreference, ...]:
    preferences = []
    for default, override in zip(_DEFAULT_PREFERENCES, overrides, strict=True):
        if override is None:
            preferences.append(default)
            continue
        enabled, window = override
        preferences.append(
            RitualPreference(
                default.ritual,
                default.enabled if enabled is None else enabled,
                default.window if window is None else _stored_window(window) or default.window,
            )
        )
    return tuple(preferences)


@lru_cache(maxsize=1024)
def _quiet(quiet_hours: str | None, bedtime: LocalWindow) -> LocalWindow | None:
    if quiet_hours is not None and quiet_hours.strip().lower() == QUIET_OFF:
        return None
    stored = None if quiet_hours is None else _stored_window(quiet_hours)
    # The default quiet hours make room for a late bedtime, exactly as default_policy does.
    return stored or _default_quiet_for(bedtime)


def policy_from_rows(
    timezone: str,
    quiet_hours: str | None,
    paused_until: datetime | None,
    ritual_rows: Iterable[RitualRowLike],
) -> NudgePolicy:
    """The policy for stored values: defaults for the zone, overlaid with what was chosen.

    Pure and cached per distinct combination of settings, so the planner can call it for
    every person in a bulk load. Rows for unknown rituals and unreadable stored windows are
    ignored (the default applies) rather than stopping a whole planning run.
    """
    overrides: list[_Override | None] = [None] * len(_ORDER)
    for row in ritual_rows:
        index = _INDEX.get(row[0])
        if index is not None and (row[1] is not None or row[2] is not None):
            overrides[index] = (row[1], row[2])
    rituals = _preferences(tuple(overrides))
    quiet = _quiet(quiet_hours, rituals[_BEDTIME_INDEX].window)
    return NudgePolicy(timezone, rituals, quiet=quiet, paused_until=paused_until)


def bedtime_of(window: LocalWindow) -> time:
    """The bedtime a bedtime window was made from (its middle for a ±15 min window)."""
    if window.minutes != 2 * BEDTIME_SPREAD_MINUTES:
        return window.start
    minutes = (window.start.hour * 60 + window.start.minute + BEDTIME_SPREAD_MINUTES) % 1440
    return time(minutes // 60, minutes % 60)


def _zone(timezone: str | None) -> tzinfo:
    return UTC if timezone is None else zone_for(timezone)


def pause_end(now: datetime, days: int, timezone: str | None) -> datetime:
    """When a pause of ``days`` started at ``now`` ends: the local midnight after its last day.

    The last paused day is ``days`` after today, so even a pause started late in the evening
    spares at least ``days`` whole days. Without a known zone, days are counted in UTC.
    """
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise ValueError(f"a pause lasts 1 to {MAX_PAUSE_DAYS} days, not {days}")
    zone = _zone(timezone)
    resume_day = now.astimezone(zone).date() + timedelta(days=days + 1)
    return datetime.combine(resume_day, time(0), tzinfo=zone).astimezone(UTC)


def last_paused_day(paused_until: datetime, timezone: str | None) -> date:
    """The last local date without nudges, for a pause ending at ``paused_until``."""
    return (paused_until.astimezone(_zone(timezone)) - timedelta(microseconds=1)).date()


# --- What the bot shows -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NextNudge:
    """When a ritual's next nudge comes, in the person's own wall-clock time."""

    day: date
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class NudgeSettings:
    """One person's settings as they stand, ready to be shown; the result of every change.

    ``paused_until`` is None unless a pause is still running. ``blocked`` lists the enabled
    rituals whose whole window falls in quiet hours (the bot says so gently).
    """

    timezone: str | None
    rituals: tuple[RitualPreference, ...]
    quiet: LocalWindow | None
    paused_until: datetime | None
    blocked: frozenset[Ritual]
    paired: bool
    sunday_digest: bool = True  # the weekly reflection on Sunday evening (issue #4)
    daily_cap: int = DEFAULT_DAILY_CAP
    #: Per ritual (in ``Ritual`` order): on how many of the next 14 days it is planned.
    fortnight: tuple[int, ...] = ()
    #: Per ritual (in ``Ritual`` order): when its next nudge comes (None: none coming).
    next_up: tuple[NextNudge | None, ...] = ()
    today: date | None = None  # the person's local date, to say "today" or "tomorrow"
    #: A partner's message in quiet hours waits until they end (else: arrives silently).
    relays_wait: bool = False
    #: Per ritual (in ``Ritual`` order): the chance its nudge is sent on a planned day
    #: (issue #12); empty: every planned nudge is sent.
    chances: tuple[float, ...] = ()
    #: Per ritual: why its chance last came down ("habit", "ignored", "asked"), if it did.
    less_because: tuple[str | None, ...] = ()

    def preference(self, ritual: Ritual) -> RitualPreference:
        return self.rituals[_ORDER.index(ritual)]

    def days_in_fortnight(self, ritual: Ritual) -> int | None:
        """On how many of the next 14 days ``ritual`` is planned (None: not known)."""
        return self.fortnight[_ORDER.index(ritual)] if self.fortnight else None

    def expected_in_fortnight(self, ritual: Ritual) -> int | None:
        """On how many of the next 14 days ``ritual``'s nudge is expected to come: the
        planned days times its chance, rounded (None: not known)."""
        days = self.days_in_fortnight(ritual)
        if days is None or not self.chances:
            return days
        return round(days * self.chances[_ORDER.index(ritual)])

    def reason_for_less(self, ritual: Ritual) -> str | None:
        return self.less_because[_ORDER.index(ritual)] if self.less_because else None

    def next_of(self, ritual: Ritual) -> NextNudge | None:
        return self.next_up[_ORDER.index(ritual)] if self.next_up else None

    @property
    def taking_turns(self) -> int:
        """How many rituals take turns for the cap's places (0: everyone comes daily)."""
        on = sum(1 for count in self.fortnight if count)
        return on if on > self.daily_cap else 0

    @property
    def bedtime(self) -> time:
        return bedtime_of(self.preference(Ritual.BEDTIME).window)

    @property
    def paused_through(self) -> date | None:
        """The last local date of a running pause."""
        if self.paused_until is None:
            return None
        return last_paused_day(self.paused_until, self.timezone)
