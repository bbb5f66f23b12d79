"""A person's nudge settings: reading them as a policy, and changing them one value at a time.

Values are stored as the person chose them; NULL means "the default", so a better default
reaches everyone who never changed it. Every change drops the person's nudges still waiting
(:func:`storage.nudge_settings.forget_future_plans`) and plans the rest of today and
tomorrow again in the same transaction, with the planner's own pure functions: a window set
a few minutes ahead is honoured at once, and nudges already sent today stay as they are.
What the settings say will come is what is planned (:func:`domain.values.policy.rituals_on`).

Every function works inside one update's unit of work (:mod:`domain.work`), which has
registered the person already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.adaptation import draw, probability_of
from domain.values.kinds import Ritual
from domain.values.planner import (
    PHRASING_CYCLE,
    dates_to_plan,
    day_template,
    draw_day,
    local_today,
    next_opening,
)
from domain.values.policy import (
    NudgePolicy,
    bedtime_window,
    days_promised,
    quiet_blocked_rituals,
    zone_for,
)
from domain.values.preferences import (
    PLACEHOLDER_ZONE,
    QUIET_OFF,
    NextNudge,
    NudgeSettings,
    pause_end,
    policy_from_rows,
)
from domain.values.timeparse import MAX_PAUSE_DAYS
from domain.values.windows import LocalWindow
from domain.work import Work
from storage import decisions
from storage import nudge_settings as store
from storage.models import NudgeStatus, User


async def _policy_of(session: AsyncSession, user: User) -> NudgePolicy:
    rows = await store.ritual_rows(session, user.id)
    return policy_from_rows(
        user.timezone or PLACEHOLDER_ZONE, user.quiet_hours, user.paused_until, rows
    )


async def _settings_of(
    session: AsyncSession, user: User, now: datetime, *, randomize: bool = True
) -> NudgeSettings:
    policy = await _policy_of(session, user)
    chances: tuple[float, ...] = ()
    if randomize:
        stored = await store.probabilities(session, user.id)
        chances = tuple(probability_of(stored.get(r.value)) for r in Ritual)
    reasons = await decisions.latest_reasons(session, user.id)
    fortnight: tuple[int, ...] = ()
    next_up: tuple[NextNudge | None, ...] = ()
    today = None
    if user.timezone is not None:
        digest = not user.digest_opt_out
        today = local_today(now, user.timezone)
        counts = days_promised(policy, today, sunday_digest=digest)
        fortnight = tuple(counts[r] for r in Ritual)
        ignored = await _ignored(session, user.id)
        kept = await store.kept_nudges(session, user.id, today)
        zone = zone_for(user.timezone)
        nexts = []
        for ritual in Ritual:
            taken = frozenset(
                day
                for day, r, status in kept
                if r == ritual.value and status != NudgeStatus.PLANNED
            )
            opening = next_opening(
                policy,
                ritual,
                now,
                sunday_digest=digest,
                ignored_in_a_row=ignored,
                taken=taken,
            )
            nexts.append(
                None
                if opening is None
                else NextNudge(
                    opening.local_date,
                    opening.start.astimezone(zone).time().replace(tzinfo=None),
                    opening.end.astimezone(zone).time().replace(tzinfo=None),
                )
            )
        next_up = tuple(nexts)
    return NudgeSettings(
        timezone=user.timezone,
        rituals=policy.rituals,
        quiet=policy.quiet,
        paused_until=user.paused_until if policy.is_paused_at(now) else None,
        blocked=quiet_blocked_rituals(policy),
        paired=user.couple_id is not None,
        sunday_digest=not user.digest_opt_out,
        daily_cap=policy.daily_cap,
        fortnight=fortnight,
        next_up=next_up,
        today=today,
        relays_wait=user.relays_wait_for_morning,
        chances=chances,
        less_because=tuple(reasons.get(r.value) for r in Ritual),
    )


_RITUALS = frozenset(r.value for r in Ritual)


async def _ignored(session: AsyncSession, user_id: int) -> Mapping[Ritual, int]:
    counts = await store.ignored_counts(session, user_id)
    return {Ritual(r): n for r, n in counts.items() if r in _RITUALS}


async def _plan_rest(work: Work, user: User) -> None:
    """Plan the person's rest of today and tomorrow now, as the periodic planner would.

    Same templates, same draws, same phrasing; rows still there (sent, answered, due this
    very moment) are kept and not planned twice; ``planned_through`` makes the periodic
    planner skip this person until the day after tomorrow.
    """
    if user.couple_id is None or not user.is_active or user.timezone is None:
        return
    session, now = work.session, work.now
    policy = await _policy_of(session, user)
    ignored = await _ignored(session, user.id)
    days = dates_to_plan(now, user.timezone)
    kept = await store.kept_nudges(session, user.id, days[0])
    chances = await store.probabilities(session, user.id)
    rows = []
    for day in days:
        template = day_template(policy, day, sunday_digest=not user.digest_opt_out)
        phrasing = (day.toordinal() + user.id) % PHRASING_CYCLE
        for ritual, due_at, window_end_at in draw_day(
            template, work.rng, ignored_in_a_row=ignored, not_before=now
        ):
            chance = probability_of(chances.get(ritual.value)) if work.randomize else None
            treated = None if chance is None else draw(chance, work.rng)
            rows.append((ritual.value, day, due_at, window_end_at, phrasing, chance, treated))
    await store.plan_now(
        session, user, rows, skip=[(day, r) for day, r, _ in kept], through=days[-1]
    )


async def load_policy(work: Work) -> NudgePolicy | None:
    """The person's policy; None while they have no time zone yet."""
    if work.me.timezone is None:
        return None
    return await _policy_of(work.session, work.me)


async def load_settings(work: Work) -> NudgeSettings:
    """The person's settings, to show."""
    return await _settings_of(work.session, work.me, work.now, randomize=work.randomize)


# --- Changes ------------------------------------------------------------------------------


async def _change(
    work: Work, apply: Callable[[AsyncSession, User], Awaitable[None]]
) -> NudgeSettings:
    """Apply one change under the person's row lock, then have their nudges replanned."""
    user = await store.lock_user(work.session, work.me.id)
    assert user is not None  # the unit of work registered them
    await apply(work.session, user)
    await store.forget_future_plans(work.session, user.id, work.now)
    await _plan_rest(work, user)
    return await _settings_of(work.session, user, work.now, randomize=work.randomize)


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


async def set_relays_wait(work: Work, wait: bool) -> NudgeSettings:
    """What a partner's message does in quiet hours: wait for the morning, or come silently.

    Nothing to replan: the outbox looks at it when each relay goes out.
    """
    work.me.relays_wait_for_morning = wait
    return await _settings_of(work.session, work.me, work.now, randomize=work.randomize)
