"""Properties over many zones and dates, checked against zoneinfo rather than our arithmetic."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.values.kinds import Ritual
from domain.values.planner import plan_day
from domain.values.policy import NudgePolicy, allowed_spans, default_policy, in_quiet_hours
from domain.values.windows import LocalWindow
from tests.scheduling.oracle import exists, local, wall_seconds

ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",  # DST changes at midnight
    "America/Havana",  # DST changes at midnight
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",  # +05:45
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",
]
# DST-change days are rare among random dates; mix them in on purpose.
CHANGE_DAYS = [
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2025, 3, 9),
    date(2025, 11, 2),
    date(2025, 4, 6),
    date(2025, 10, 5),
    date(2025, 9, 7),
    date(2024, 4, 6),
]
DAYS = st.one_of(st.dates(date(2000, 1, 1), date(2037, 12, 31)), st.sampled_from(CHANGE_DAYS))
CLOCKS = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def windows(draw: st.DrawFn) -> LocalWindow:
    start = draw(CLOCKS)
    end = draw(CLOCKS.filter(lambda t: t != start))
    return LocalWindow(start, end)


@st.composite
def policies(draw: st.DrawFn) -> NudgePolicy:
    zone = draw(st.sampled_from(ZONES))
    policy = default_policy(zone, bedtime=draw(CLOCKS))
    for ritual in Ritual:
        policy = policy.with_enabled(ritual, True)
        if draw(st.booleans()):
            policy = policy.with_window(ritual, draw(windows()))
    quiet = draw(st.one_of(st.none(), windows(), st.just(policy.quiet)))
    return dataclasses.replace(policy, quiet=quiet, daily_cap=5)


def inside_wall_window(policy: NudgePolicy, window: LocalWindow, day: date, due: datetime) -> bool:
    """In the window, or in the window moved past a spring-forward gap that swallowed it."""
    zone = policy.timezone
    lo, hi = window.span_seconds
    wall = wall_seconds(due, zone, day)
    if lo <= wall < hi:
        return True
    midnight = datetime.combine(day, time())
    allowed = [
        midnight + timedelta(seconds=s)
        for a, b in allowed_spans(lo, hi, policy.quiet)
        for s in range(a, b, 60)
    ]
    return not any(exists(zone, m) for m in allowed) and lo < wall < hi + 6 * 3600


@settings(max_examples=300, deadline=None)
@given(policy=policies(), day=DAYS, seed=st.integers(0, 2**32))
def test_every_nudge_is_inside_its_window_and_outside_quiet_hours(
    policy: NudgePolicy, day: date, seed: int
) -> None:
    plan = plan_day(policy, day, random.Random(seed))
    assert len({n.ritual for n in plan}) == len(plan)
    assert [n.due_at for n in plan] == sorted(n.due_at for n in plan)
    for nudge in plan:
        window = policy.preference(nudge.ritual).window
        due_local = local(nudge.due_at, policy.timezone)
        assert nudge.due_at.tzinfo is UTC
        assert nudge.due_at < nudge.window_end_at
        assert due_local.fold == 0  # never the repeated hour's second pass
        assert not in_quiet_hours(due_local.time(), policy.quiet)
        assert inside_wall_window(policy, window, day, nudge.due_at)


@settings(max_examples=300, deadline=None)
@given(policy=policies(), day=DAYS, seed=st.integers(0, 2**32))
def test_without_quiet_hours_no_ritual_is_ever_skipped(
    policy: NudgePolicy, day: date, seed: int
) -> None:
    loud = dataclasses.replace(policy, quiet=None)
    assert {n.ritual for n in plan_day(loud, day, random.Random(seed))} == set(Ritual)
