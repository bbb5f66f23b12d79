"""A person's nudge settings: reading them as a policy, and changing them one value at a time.

Values are stored as the person chose them; NULL means "the default", so a better default
reaches everyone who never changed it. Every change makes the planner start afresh for that
person (:func:`storage.nudge_settings.forget_future_plans`), so it applies from the next
occurrence on, and nudges already sent today stay as they are.

Every function works inside one update's unit of work (:mod:`domain.work`), which has
registered the person already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from domain.kinds import Ritual
from domain.work import Work
from scheduling.policy import (
    BEDTIME_SPREAD_MINUTES,
    DEFAULT_BEDTIME,
    DEFAULT_ENABLED,
    DEFAULT_WINDOWS,
    NudgePolicy,
    RitualPreference,
    _default_quiet_for,
    bedtime_window,
    quiet_blocked_rituals,
    zone_for,
)
from scheduling.timeparse import MAX_PAUSE_DAYS, LocalWindow, TimeParseError, parse_window
from storage import nudge_settings as store
from storage.models import User

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
_NO_ZONE: Final = "UTC"

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

    def preference(self, ritual: Ritual) -> RitualPreference:
        return self.rituals[_ORDER.index(ritual)]

    @property
    def bedtime(self) -> time:
        return bedtime_of(self.preference(Ritual.BEDTIME).window)

    @property
    def paused_through(self) -> date | None:
        """The last local date of a running pause."""
        if self.paused_until is None:
            return None
        return last_paused_day(self.paused_until, self.timezone)


async def _policy_of(session: AsyncSession, user: User) -> NudgePolicy:
    rows = await store.ritual_rows(session, user.id)
    return policy_from_rows(user.timezone or _NO_ZONE, user.quiet_hours, user.paused_until, rows)


async def _settings_of(session: AsyncSession, user: User, now: datetime) -> NudgeSettings:
    policy = await _policy_of(session, user)
    return NudgeSettings(
        timezone=user.timezone,
        rituals=policy.rituals,
        quiet=policy.quiet,
        paused_until=user.paused_until if policy.is_paused_at(now) else None,
        blocked=quiet_blocked_rituals(policy),
        paired=user.couple_id is not None,
        sunday_digest=not user.digest_opt_out,
    )


async def load_policy(work: Work) -> NudgePolicy | None:
    """The person's policy; None while they have no time zone yet."""
    if work.me.timezone is None:
        return None
    return await _policy_of(work.session, work.me)


async def load_settings(work: Work) -> NudgeSettings:
    """The person's settings, to show."""
    return await _settings_of(work.session, work.me, work.now)


# --- Changes ------------------------------------------------------------------------------


async def _change(
    work: Work, apply: Callable[[AsyncSession, User], Awaitable[None]]
) -> NudgeSettings:
    """Apply one change under the person's row lock, then have their nudges replanned."""
    user = await store.lock_user(work.session, work.me.id)
    assert user is not None  # the unit of work registered them
    await apply(work.session, user)
    await store.forget_future_plans(work.session, user.id, work.now)
    return await _settings_of(work.session, user, work.now)


async def set_window(work: Work, ritual: Ritual, window: LocalWindow) -> NudgeSettings:
    """Move one ritual's window. Only bedtime's may cross midnight (a bedtime near 00:00)."""
    if window.crosses_midnight and ritual is not Ritual.BEDTIME:
        raise ValueError(f"the {ritual} window must not cross midnight: {window}")

    async def apply(session: AsyncSession, user: User) -> None:
        await store.set_ritual_window(session, user.id, ritual.value, str(window))

    return await _change(work, apply)


async def set_bedtime(work: Work, bedtime: time) -> NudgeSettings:
    """Bedtime nudges come within 15 minutes either side of ``bedtime``."""
    return await set_window(work, Ritual.BEDTIME, bedtime_window(bedtime))


async def set_quiet(work: Work, window: LocalWindow | None) -> NudgeSettings:
    """Set quiet hours (they may cross midnight); None turns them off."""

    async def apply(session: AsyncSession, user: User) -> None:
        user.quiet_hours = QUIET_OFF if window is None else str(window)

    return await _change(work, apply)


async def set_enabled(work: Work, ritual: Ritual, enabled: bool) -> NudgeSettings:
    """Turn one ritual's nudges on or off (idempotent, so a double tap is harmless)."""

    async def apply(session: AsyncSession, user: User) -> None:
        await store.set_ritual_enabled(session, user.id, ritual.value, enabled)

    return await _change(work, apply)


async def toggle(work: Work, ritual: Ritual) -> NudgeSettings:
    """Turn one ritual on if it is off, off if it is on."""

    async def apply(session: AsyncSession, user: User) -> None:
        current = (await _policy_of(session, user)).preference(ritual).enabled
        await store.set_ritual_enabled(session, user.id, ritual.value, not current)

    return await _change(work, apply)


async def pause(work: Work, days: int) -> NudgeSettings:
    """Pause every nudge for ``days`` (1 to 30) whole local days; returns when they resume.

    A new pause replaces a running one; the settings' ``paused_through`` is the last local
    date without nudges.
    """
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise ValueError(f"a pause lasts 1 to {MAX_PAUSE_DAYS} days, not {days}")

    async def apply(session: AsyncSession, user: User) -> None:
        user.paused_until = pause_end(work.now, days, user.timezone)

    return await _change(work, apply)


async def resume(work: Work) -> bool:
    """End a pause; False when none was running (a pause already over is just cleared)."""
    was_paused = False

    async def apply(session: AsyncSession, user: User) -> None:
        nonlocal was_paused
        was_paused = user.paused_until is not None and work.now < user.paused_until
        user.paused_until = None

    await _change(work, apply)
    return was_paused
