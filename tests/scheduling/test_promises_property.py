"""What the settings text promises over 14 days is what the planner plans (issue 9, point 1).

For every combination of enabled rituals, windows, quiet hours, caps, zones and the Sunday
digest: the share /settings shows for each ritual ("every day", "about 4 days a week", "not
for now") is the share of the 14 days the planner really plans it on, and never more than
the cap a day. The schedule itself is compared: run-time skips (back-off, already done
today, a pause) are about the person's own behaviour and come on top.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.values.kinds import Ritual
from domain.values.planner import plan_day
from domain.values.policy import (
    NudgePolicy,
    days_promised,
    default_policy,
    quiet_blocked_rituals,
    rituals_on,
)
from domain.values.preferences import NudgeSettings
from domain.values.windows import LocalWindow
from messages import settings as words

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC")
DAYS = 14


@st.composite
def windows(draw: st.DrawFn, *, may_cross_midnight: bool) -> LocalWindow:
    start = draw(st.integers(0, 1439))
    length = draw(st.integers(1, 600))
    end = start + length
    if not may_cross_midnight:
        end = min(end, 1440)
        if end == 1440:
            end, start = 1439, min(start, 1438)
    end %= 1440
    if end == start:
        end = (start + 1) % 1440
    return LocalWindow(time(start // 60, start % 60), time(end // 60, end % 60))


@st.composite
def policies(draw: st.DrawFn) -> NudgePolicy:
    policy = default_policy(draw(st.sampled_from(ZONES)))
    for ritual in Ritual:
        policy = policy.with_enabled(ritual, draw(st.booleans()))
        if draw(st.booleans()):
            crossing = ritual is Ritual.BEDTIME
            policy = policy.with_window(ritual, draw(windows(may_cross_midnight=crossing)))
    quiet = draw(st.none() | windows(may_cross_midnight=True))
    return dataclasses.replace(policy, quiet=quiet, daily_cap=draw(st.integers(0, 5)))


def _promised(policy: NudgePolicy, start: date, digest: bool) -> dict[Ritual, str]:
    """The share each enabled ritual's line of /settings shows."""
    counts = days_promised(policy, start, sunday_digest=digest)
    shown = NudgeSettings(
        timezone=policy.timezone,
        rituals=policy.rituals,
        quiet=policy.quiet,
        paused_until=None,
        blocked=quiet_blocked_rituals(policy),
        paired=True,
        sunday_digest=digest,
        daily_cap=policy.daily_cap,
        fortnight=tuple(counts[r] for r in Ritual),
        today=start,
    )
    text = words.summary(shown)
    promised = {}
    for pref in policy.rituals:
        if pref.enabled:
            line = next(x for x in text.splitlines() if words.RITUAL_NAMES[pref.ritual] in x)
            promised[pref.ritual] = line.rsplit(" · ", 1)[1]
    return promised


@settings(max_examples=250, deadline=None)
@given(
    policy=policies(),
    start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    digest=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_what_settings_promise_over_14_days_is_what_is_planned(
    policy: NudgePolicy, start: date, digest: bool, seed: int
) -> None:
    rng = random.Random(seed)
    planned: Counter[Ritual] = Counter()
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        plan = plan_day(policy, day, rng, sunday_digest=digest)
        rituals = [n.ritual for n in plan]
        assert len(rituals) == len(set(rituals)) <= policy.daily_cap
        assert set(rituals) == set(rituals_on(policy, day, sunday_digest=digest))
        planned.update(rituals)
    promised = _promised(policy, start, digest)
    for ritual, share in promised.items():
        assert share == words.share_label(planned[ritual]), (ritual, planned)
    assert set(planned) <= set(promised)  # nothing off is ever planned


def test_share_words() -> None:
    assert [words.share_label(n) for n in (0, 1, 2, 8, 10, 12, 14)] == [
        "not for now",
        "about 1 day a week",
        "about 1 day a week",
        "about 4 days a week",
        "about 5 days a week",
        "almost every day",
        "every day",
    ]


def test_replanning_at_once_picks_the_phrasing_the_bulk_planner_would() -> None:
    from domain.values.planner import PHRASING_CYCLE
    from messages.nudges import PHRASING_COUNTS

    assert all(PHRASING_CYCLE % count == 0 for count in PHRASING_COUNTS.values())
