"""A person's nudge settings: reading them as a policy, and changing them one value at a time.

Values are stored as the person chose them; NULL means "the default", so a better default
reaches everyone who never changed it. Every change makes the planner start afresh for that
person (:func:`storage.nudge_settings.forget_future_plans`), so it applies from the next
occurrence on, and nudges already sent today stay as they are.

Every function works inside one update's unit of work (:mod:`domain.work`), which has
registered the person already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.kinds import Ritual
from domain.values.policy import NudgePolicy, bedtime_window, quiet_blocked_rituals
from domain.values.preferences import (
    PLACEHOLDER_ZONE,
    QUIET_OFF,
    NudgeSettings,
    pause_end,
    policy_from_rows,
)
from domain.values.timeparse import MAX_PAUSE_DAYS
from domain.values.windows import LocalWindow
from domain.work import Work
from storage import nudge_settings as store
from storage.models import User


async def _policy_of(session: AsyncSession, user: User) -> NudgePolicy:
    rows = await store.ritual_rows(session, user.id)
    return policy_from_rows(
        user.timezone or PLACEHOLDER_ZONE, user.quiet_hours, user.paused_until, rows
    )


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
