"""The no-nagging rules: quiet hours, cap and priority, back-off, pause, rotation, snooze."""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.values.kinds import Ritual
from domain.values.planner import (
    BACKOFF_AFTER,
    dates_to_plan,
    is_still_deliverable,
    local_today,
    plan_day,
)
from domain.values.policy import (
    DEFAULT_ENABLED,
    PRIORITY,
    NudgePolicy,
    default_policy,
    quiet_blocked_rituals,
    rituals_on,
    snoozed_due_at,
)
from domain.values.windows import LocalWindow
from tests.scheduling.oracle import at, local

BERLIN = "Europe/Berlin"
DAY = date(2025, 6, 11)  # an ordinary Wednesday, no DST change anywhere near
SEEDS = range(300)


def w(start: str, end: str) -> LocalWindow:
    return LocalWindow(time.fromisoformat(start), time.fromisoformat(end))


def policy_with(zone: str = BERLIN, **changes: object) -> NudgePolicy:
    return dataclasses.replace(default_policy(zone), **changes)  # type: ignore[arg-type]


def rituals(policy: NudgePolicy, day: date = DAY, seed: int = 0, **kwargs: object) -> list[Ritual]:
    return [n.ritual for n in plan_day(policy, day, random.Random(seed), **kwargs)]  # type: ignore[arg-type]


# --- daily cap and priority -------------------------------------------------------------


def test_default_rituals_take_turns_so_each_one_really_comes() -> None:
    """Four rituals on and three places a day: over four days each comes on three."""
    policy = default_policy(BERLIN)
    days = [DAY + timedelta(days=k) for k in range(4)]
    seen: Counter[Ritual] = Counter()
    for day in days:
        plan = plan_day(policy, day, random.Random(1))
        assert len(plan) == 3 and all(n.local_date == day for n in plan)
        assert [n.due_at for n in plan] == sorted(n.due_at for n in plan)
        assert {n.ritual for n in plan} == set(rituals_on(policy, day))
        seen.update(n.ritual for n in plan)
    assert seen == dict.fromkeys(DEFAULT_ENABLED, 3)  # the morning hug too


@pytest.mark.parametrize("cap", [0, 1, 2, 3, 4, 5])
def test_with_all_five_on_each_ritual_gets_cap_days_out_of_five(cap: int) -> None:
    policy = policy_with(daily_cap=cap).with_enabled(Ritual.SIX_SECOND_KISS, True)
    seen: Counter[Ritual] = Counter()
    for k in range(5):
        planned = rituals(policy, DAY + timedelta(days=k))
        assert len(planned) == cap
        seen.update(planned)
    assert seen == (dict.fromkeys(Ritual, cap) if cap else {})


def test_turns_follow_the_priority_order() -> None:
    policy = policy_with(daily_cap=1).with_enabled(Ritual.SIX_SECOND_KISS, True)
    ordinal = DAY.toordinal()
    first = DAY - timedelta(days=ordinal % 5)  # the day the turn starts at the top
    assert [rituals(policy, first + timedelta(days=k)) for k in range(5)] == [
        [ritual] for ritual in PRIORITY
    ]


def test_a_skipped_ritual_leaves_its_place_empty() -> None:
    """Skips are about what the person did: they never bring in a ritual whose turn it isn't."""
    policy = policy_with(daily_cap=1)
    day = next(
        d
        for d in (DAY + timedelta(days=k) for k in range(4))
        if rituals(policy, d) == [Ritual.MIDDAY_THINKING]
    )
    assert rituals(policy, day, done_today=frozenset({Ritual.MIDDAY_THINKING})) == []


def test_midday_skipped_when_thinking_of_you_already_sent() -> None:
    policy = policy_with(daily_cap=5)
    done = frozenset({Ritual.MIDDAY_THINKING})
    assert set(rituals(policy, done_today=done)) == {
        Ritual.MORNING_HUG,
        Ritual.DINNER_APPRECIATION,
        Ritual.BEDTIME,
    }


# --- quiet hours -------------------------------------------------------------------------


def test_bedtime_clipped_by_quiet_hours_is_drawn_uniformly_in_what_is_left() -> None:
    policy = default_policy(BERLIN).with_bedtime(time(23, 0))  # 22:45-23:15, quiet from 23:00
    locals_ = set()
    for seed in SEEDS:
        (nudge,) = (
            n for n in plan_day(policy, DAY, random.Random(seed)) if n.ritual is Ritual.BEDTIME
        )
        locals_.add(local(nudge.due_at, BERLIN).time())
        assert nudge.window_end_at == at(BERLIN, DAY, time(23, 0))  # late delivery stops too
    assert locals_ == {time(22, m) for m in range(45, 60)}


def test_ritual_whose_window_is_all_quiet_is_skipped() -> None:
    policy = default_policy(BERLIN).with_bedtime(time(23, 30))
    assert quiet_blocked_rituals(policy) == {Ritual.BEDTIME}
    for seed in SEEDS:
        assert Ritual.BEDTIME not in rituals(policy, seed=seed)


def test_quiet_hours_crossing_midnight_clip_a_morning_window() -> None:
    policy = policy_with(daily_cap=5).with_window(Ritual.MORNING_HUG, w("05:00", "08:00"))
    for seed in SEEDS:
        (hug,) = (
            n for n in plan_day(policy, DAY, random.Random(seed)) if n.ritual is Ritual.MORNING_HUG
        )
        assert time(6, 30) <= local(hug.due_at, BERLIN).time() < time(8, 0)


def test_no_quiet_hours_at_all() -> None:
    policy = policy_with(quiet=None).with_bedtime(time(23, 30))
    assert Ritual.BEDTIME in rituals(policy)


# --- windows crossing midnight ----------------------------------------------------------


def test_bedtime_spilling_past_midnight_belongs_to_the_planned_date() -> None:
    policy = default_policy("Asia/Tokyo", bedtime=time(23, 50))  # 23:35-00:05
    next_day = DAY + timedelta(days=1)
    after_midnight = 0
    for seed in SEEDS:
        (bed,) = (
            n for n in plan_day(policy, DAY, random.Random(seed)) if n.ritual is Ritual.BEDTIME
        )
        due = local(bed.due_at, "Asia/Tokyo")
        assert bed.local_date == DAY
        assert at("Asia/Tokyo", DAY, time(23, 35)) <= bed.due_at
        assert bed.due_at < bed.window_end_at == at("Asia/Tokyo", next_day, time(0, 5))
        after_midnight += due.date() == next_day
    assert 0 < after_midnight < len(SEEDS)


def test_planning_two_dates_gives_each_its_own_bedtime() -> None:
    policy = dataclasses.replace(  # every ritual every day: no turns to take
        default_policy("Asia/Tokyo", bedtime=time(0, 0)), daily_cap=5
    )  # 23:45-00:15
    rng = random.Random(5)
    beds = [
        n
        for d in (DAY, DAY + timedelta(days=1))
        for n in plan_day(policy, d, rng)
        if n.ritual is Ritual.BEDTIME
    ]
    assert [b.local_date for b in beds] == [DAY, DAY + timedelta(days=1)]
    assert timedelta(hours=23) < beds[1].due_at - beds[0].due_at < timedelta(hours=25)


# --- back-off ------------------------------------------------------------------------------


def simulate(days: int, answer_on: frozenset[int] = frozenset()) -> list[bool]:
    """Run ``days`` days where the person ignores every midday nudge except on ``answer_on``."""
    policy = policy_with(daily_cap=5)
    ignored: Counter[Ritual] = Counter()
    rng = random.Random(3)
    sent = []
    for k in range(days):
        plan = plan_day(policy, DAY + timedelta(days=k), rng, ignored_in_a_row=ignored)
        nudged = any(n.ritual is Ritual.MIDDAY_THINKING for n in plan)
        sent.append(nudged)
        if nudged and k in answer_on:
            ignored[Ritual.MIDDAY_THINKING] = 0
        elif nudged:
            ignored[Ritual.MIDDAY_THINKING] += 1
    return sent


def test_backoff_halves_frequency_after_three_ignored_in_a_row() -> None:
    sent = simulate(3 + 14)
    assert sent[:BACKOFF_AFTER] == [True] * BACKOFF_AFTER
    backing_off = sent[BACKOFF_AFTER:]
    assert sum(backing_off) == 7
    assert all(a != b for a, b in itertools.pairwise(backing_off))


def test_backoff_ends_after_one_answer() -> None:
    sent = simulate(28)
    answer_day = next(k for k in range(10, 28) if sent[k])
    after = simulate(28, answer_on=frozenset({answer_day}))
    assert after[: answer_day + 1] == sent[: answer_day + 1]
    assert after[answer_day + 1 : answer_day + 4] == [True] * 3  # daily again, until ignored
    assert sum(after[answer_day + 4 :]) < len(after) - answer_day - 4


def test_backoff_is_per_ritual() -> None:
    ignored = {Ritual.MIDDAY_THINKING: 5}
    odd = date.fromordinal(DAY.toordinal() | 1)
    planned = set(rituals(policy_with(daily_cap=5), day=odd, ignored_in_a_row=ignored))
    assert planned == {Ritual.MORNING_HUG, Ritual.DINNER_APPRECIATION, Ritual.BEDTIME}


# --- pause and activity -------------------------------------------------------------------


def test_pause_covering_the_day_plans_nothing() -> None:
    until = at(BERLIN, DAY + timedelta(days=2), time(0, 0))
    assert rituals(policy_with(paused_until=until)) == []


def test_pause_ending_midday_keeps_only_later_nudges() -> None:
    until = at(BERLIN, DAY, time(15, 0))
    for seed in SEEDS:
        plan = plan_day(policy_with(paused_until=until, daily_cap=5), DAY, random.Random(seed))
        assert [n.ritual for n in plan] == [Ritual.DINNER_APPRECIATION, Ritual.BEDTIME]


def test_pause_in_the_past_changes_nothing() -> None:
    past = at(BERLIN, DAY - timedelta(days=1), time(12, 0))
    assert plan_day(policy_with(paused_until=past), DAY, random.Random(4)) == plan_day(
        default_policy(BERLIN), DAY, random.Random(4)
    )


def test_inactive_plans_nothing() -> None:
    assert rituals(default_policy(BERLIN), active=False) == []


def test_not_before_drops_finished_windows_and_draws_from_the_rest() -> None:
    now = at(BERLIN, DAY, time(12, 0))
    for seed in SEEDS:
        plan = plan_day(policy_with(daily_cap=5), DAY, random.Random(seed), not_before=now)
        assert Ritual.MORNING_HUG not in {n.ritual for n in plan}
        midday = next(n for n in plan if n.ritual is Ritual.MIDDAY_THINKING)
        assert now <= midday.due_at < at(BERLIN, DAY, time(14, 30))


# --- determinism, zones -------------------------------------------------------------------


def test_same_seed_same_plan_and_fresh_times_every_day() -> None:
    policy = policy_with(daily_cap=4)
    assert plan_day(policy, DAY, random.Random(7)) == plan_day(policy, DAY, random.Random(7))
    assert plan_day(policy, DAY, random.Random(7)) != plan_day(policy, DAY, random.Random(8))
    rng = random.Random(7)
    middays = [
        local(n.due_at, BERLIN).time()
        for k in range(30)
        for n in plan_day(policy, DAY + timedelta(days=k), rng)
        if n.ritual is Ritual.MIDDAY_THINKING
    ]
    assert len(middays) == 30
    assert len(set(middays)) >= 25


def test_partners_in_different_zones_each_get_their_own_local_times() -> None:
    tokyo, la = "Asia/Tokyo", "America/Los_Angeles"
    rng = random.Random(9)
    for zone in (tokyo, la):
        for nudge in plan_day(default_policy(zone), DAY, rng):
            window = default_policy(zone).preference(nudge.ritual).window
            assert local(nudge.due_at, zone).date() == DAY
            assert window.contains(local(nudge.due_at, zone).time())
    # Same seed, same wall-clock draw: 16 h apart in UTC, the zones' offset difference.
    tokyo_midday = plan_day(default_policy(tokyo), DAY, random.Random(1))[0]
    la_midday = plan_day(default_policy(la), DAY, random.Random(1))[0]
    assert local(tokyo_midday.due_at, tokyo).time() == local(la_midday.due_at, la).time()
    assert la_midday.due_at - tokyo_midday.due_at == timedelta(hours=16)


def test_local_today_and_dates_to_plan() -> None:
    now = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)
    assert local_today(now, "Asia/Tokyo") == date(2025, 6, 2)
    assert local_today(now, "America/Los_Angeles") == date(2025, 6, 1)
    assert dates_to_plan(now, "Asia/Tokyo") == [date(2025, 6, 2), date(2025, 6, 3)]
    assert dates_to_plan(now, "America/Los_Angeles") == [date(2025, 6, 1), date(2025, 6, 2)]
    with pytest.raises(ValueError, match="aware"):
        local_today(datetime(2025, 6, 1), "UTC")


# --- late delivery and snooze -------------------------------------------------------------


def test_late_delivery_only_while_the_window_is_open() -> None:
    end = datetime(2025, 6, 11, 6, 30, tzinfo=UTC)
    assert is_still_deliverable(end, end - timedelta(seconds=1))
    assert not is_still_deliverable(end, end)
    assert not is_still_deliverable(end, end + timedelta(hours=3))
    with pytest.raises(ValueError, match="aware"):
        is_still_deliverable(end, datetime(2025, 6, 11, 6, 0))


def test_snooze_is_one_hour_once_and_never_into_quiet_hours() -> None:
    policy = default_policy(BERLIN)
    noon = at(BERLIN, DAY, time(12, 10))
    assert snoozed_due_at(noon, policy) == noon + timedelta(hours=1)
    assert snoozed_due_at(noon, policy, already_snoozed=True) is None
    assert snoozed_due_at(at(BERLIN, DAY, time(21, 59)), policy) is not None
    assert snoozed_due_at(at(BERLIN, DAY, time(22, 0)), policy) is None  # 23:00 is quiet
    assert snoozed_due_at(at(BERLIN, DAY, time(5, 30)), policy) == at(BERLIN, DAY, time(6, 30))
    paused = dataclasses.replace(policy, paused_until=noon + timedelta(days=1))
    assert snoozed_due_at(noon, paused) is None


def test_snooze_across_spring_forward_is_one_real_hour() -> None:
    policy = policy_with("America/New_York", quiet=None)
    before = datetime(2025, 3, 9, 6, 30, tzinfo=UTC)  # 01:30 EST
    due = snoozed_due_at(before, policy)
    assert due == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    assert local(due, "America/New_York").time() == time(3, 30)
