"""DST days: every ritual planned exactly once, at a real instant, in its own local window."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.values.kinds import Ritual
from domain.values.planner import PlannedNudge, plan_day
from domain.values.policy import NudgePolicy, default_policy
from domain.values.windows import LocalWindow
from tests.scheduling.oracle import at, existing_minutes, local, wall_seconds

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
DST_DAYS = [
    (BERLIN, date(2025, 3, 30)),  # 02:00 CET -> 03:00 CEST
    (BERLIN, date(2025, 10, 26)),  # 03:00 CEST -> 02:00 CET
    (NEW_YORK, date(2025, 3, 9)),  # 02:00 EST -> 03:00 EDT
    (NEW_YORK, date(2025, 11, 2)),  # 02:00 EDT -> 01:00 EST
]
SEEDS = range(300)


def w(start: str, end: str) -> LocalWindow:
    return LocalWindow(time.fromisoformat(start), time.fromisoformat(end))


def everything_on(zone: str, **changes: object) -> NudgePolicy:
    policy = default_policy(zone).with_enabled(Ritual.SIX_SECOND_KISS, True)
    return dataclasses.replace(policy, daily_cap=5, **changes)  # type: ignore[arg-type]


def only(policy: NudgePolicy, ritual: Ritual, window: LocalWindow) -> NudgePolicy:
    for other in Ritual:
        policy = policy.with_enabled(other, other is ritual)
    return policy.with_window(ritual, window)


def one(nudges: list[PlannedNudge]) -> PlannedNudge:
    assert len(nudges) == 1
    return nudges[0]


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_every_ritual_once_inside_its_local_window(zone: str, day: date) -> None:
    policy = everything_on(zone)
    for seed in SEEDS:
        plan = plan_day(policy, day, random.Random(seed))
        assert sorted(n.ritual for n in plan) == sorted(Ritual)
        assert [n.due_at for n in plan] == sorted(n.due_at for n in plan)
        for nudge in plan:
            window = policy.preference(nudge.ritual).window
            lo, hi = window.span_seconds
            assert nudge.due_at.tzinfo is UTC
            assert local(nudge.due_at, zone).date() == day
            assert lo <= wall_seconds(nudge.due_at, zone, day) < hi
            assert nudge.due_at < nudge.window_end_at == at(zone, day, window.end)


def test_berlin_spring_forward_hour_that_never_happens_moves_past_the_jump() -> None:
    day = date(2025, 3, 30)
    policy = only(everything_on(BERLIN, quiet=None), Ritual.MORNING_HUG, w("02:00", "03:00"))
    assert existing_minutes(BERLIN, day, w("02:00", "03:00")) == []
    jump = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 03:00 CEST
    seen = set()
    for seed in SEEDS:
        nudge = one(plan_day(policy, day, random.Random(seed)))
        assert jump <= nudge.due_at < jump + timedelta(hours=1)  # 03:00-04:00 CEST
        assert nudge.window_end_at == jump + timedelta(hours=1)
        assert local(nudge.due_at, BERLIN).utcoffset() == timedelta(hours=2)
        seen.add(nudge.due_at)
    assert len(seen) > 50  # still drawn fresh, not pinned to the jump


def test_window_straddling_the_gap_draws_only_real_minutes() -> None:
    day = date(2025, 3, 30)
    window = w("01:30", "03:30")
    policy = only(everything_on(BERLIN, quiet=None), Ritual.MORNING_HUG, window)
    real = {at(BERLIN, day, m.time()) for m in existing_minutes(BERLIN, day, window)}
    assert len(real) == 60  # 01:30-01:59 CET and 03:00-03:29 CEST
    drawn = {one(plan_day(policy, day, random.Random(s))).due_at for s in range(2000)}
    assert drawn == real
    nudge = one(plan_day(policy, day, random.Random(0)))
    assert nudge.window_end_at == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)  # 03:30 CEST


def test_window_ending_inside_the_gap_ends_at_the_jump() -> None:
    day = date(2025, 3, 30)
    policy = only(everything_on(BERLIN, quiet=None), Ritual.MORNING_HUG, w("01:30", "02:30"))
    for seed in SEEDS:
        nudge = one(plan_day(policy, day, random.Random(seed)))
        assert time(1, 30) <= local(nudge.due_at, BERLIN).time() < time(2, 0)
        assert nudge.window_end_at == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "window", "first_utc", "end_utc"),
    [
        (BERLIN, date(2025, 10, 26), w("02:00", "03:00"), datetime(2025, 10, 26, 0, 0), 2),
        (NEW_YORK, date(2025, 11, 2), w("01:00", "02:00"), datetime(2025, 11, 2, 5, 0), 7),
    ],
)
def test_fall_back_ambiguous_hour_maps_to_its_first_occurrence(
    zone: str, day: date, window: LocalWindow, first_utc: datetime, end_utc: int
) -> None:
    policy = only(everything_on(zone, quiet=None), Ritual.MORNING_HUG, window)
    first = first_utc.replace(tzinfo=UTC)
    drawn = set()
    for seed in range(2000):
        nudge = one(plan_day(policy, day, random.Random(seed)))
        assert first <= nudge.due_at < first + timedelta(hours=1)
        assert local(nudge.due_at, zone).fold == 0
        # Late delivery may use the repeated hour: the wall clock is still inside the window.
        assert nudge.window_end_at == datetime.combine(day, time(end_utc), tzinfo=UTC)
        drawn.add(nudge.due_at)
    assert drawn == {first + timedelta(minutes=m) for m in range(60)}


def test_new_york_spring_forward_window_moves_past_the_jump() -> None:
    day = date(2025, 3, 9)
    policy = only(everything_on(NEW_YORK, quiet=None), Ritual.BEDTIME, w("02:00", "03:00"))
    jump = datetime(2025, 3, 9, 7, 0, tzinfo=UTC)  # 03:00 EDT
    for seed in SEEDS:
        nudge = one(plan_day(policy, day, random.Random(seed)))
        assert jump <= nudge.due_at < jump + timedelta(hours=1)


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_consecutive_days_around_a_change_neither_skip_nor_double(zone: str, day: date) -> None:
    policy = everything_on(zone, quiet=None)
    rng = random.Random(11)
    days = [day + timedelta(days=k) for k in range(-2, 3)]
    plans = {d: plan_day(policy, d, rng) for d in days}
    for ritual in Ritual:
        dues = [n.due_at for d in days for n in plans[d] if n.ritual is ritual]
        assert len(dues) == len(days)
        assert all(
            timedelta(hours=20) < b - a < timedelta(hours=28) for a, b in itertools.pairwise(dues)
        )


def test_a_date_that_never_happened_gets_no_nudges() -> None:
    samoa = everything_on("Pacific/Apia", quiet=None)
    assert plan_day(samoa, date(2011, 12, 30), random.Random(0)) == []  # skipped by law
    before = plan_day(samoa, date(2011, 12, 29), random.Random(0))
    after = plan_day(samoa, date(2011, 12, 31), random.Random(0))
    assert len(before) == len(after) == 5
    assert after[0].due_at - before[-1].due_at < timedelta(hours=24)
