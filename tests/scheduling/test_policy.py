"""Defaults from the issue and the immutable edits the settings screen makes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time

import pytest

from domain.values.kinds import Ritual
from domain.values.policy import (
    DEFAULT_QUIET,
    NudgePolicy,
    RitualPreference,
    allowed_spans,
    bedtime_window,
    default_policy,
    in_quiet_hours,
    quiet_blocked_rituals,
)
from domain.values.windows import LocalWindow


def w(start: str, end: str) -> LocalWindow:
    return LocalWindow(time.fromisoformat(start), time.fromisoformat(end))


def test_default_policy_matches_the_issue() -> None:
    policy = default_policy("Europe/Berlin")
    assert policy.timezone == "Europe/Berlin"
    assert policy.daily_cap == 3
    assert policy.paused_until is None
    assert policy.quiet == w("23:00", "06:30") == DEFAULT_QUIET
    assert [p.ritual for p in policy.rituals] == list(Ritual)
    expected = {
        Ritual.MORNING_HUG: (True, w("07:00", "08:30")),
        Ritual.MIDDAY_THINKING: (True, w("11:30", "14:30")),
        Ritual.DINNER_APPRECIATION: (True, w("18:30", "20:00")),
        Ritual.BEDTIME: (True, w("21:45", "22:15")),
        Ritual.SIX_SECOND_KISS: (False, w("17:30", "19:00")),
    }
    assert {p.ritual: (p.enabled, p.window) for p in policy.rituals} == expected
    assert quiet_blocked_rituals(policy) == frozenset()


def test_late_bedtime_wraps_midnight_and_pushes_default_quiet_hours() -> None:
    policy = default_policy("Asia/Tokyo", bedtime=time(23, 50))
    bedtime = policy.preference(Ritual.BEDTIME).window
    assert bedtime == w("23:35", "00:05")
    assert bedtime.crosses_midnight
    assert policy.quiet == w("00:05", "06:30")
    assert quiet_blocked_rituals(policy) == frozenset()


def test_early_bedtime_keeps_default_quiet_hours() -> None:
    assert default_policy("UTC", bedtime=time(22, 45)).quiet == DEFAULT_QUIET
    assert bedtime_window(time(0, 5)) == w("23:50", "00:20")


def test_edits_return_new_policies_and_leave_the_original_alone() -> None:
    policy = default_policy("Europe/Berlin")
    moved = policy.with_window(Ritual.MIDDAY_THINKING, w("12:00", "13:00"))
    kissing = policy.with_enabled(Ritual.SIX_SECOND_KISS, True)
    later = policy.with_bedtime(time(22, 30))
    assert moved.preference(Ritual.MIDDAY_THINKING).window == w("12:00", "13:00")
    assert kissing.preference(Ritual.SIX_SECOND_KISS).enabled
    assert later.preference(Ritual.BEDTIME).window == w("22:15", "22:45")
    assert later.quiet == policy.quiet  # quiet hours are the person's own choice
    assert policy == default_policy("Europe/Berlin")
    assert hash(policy) == hash(default_policy("Europe/Berlin"))


def test_bedtime_moved_into_quiet_hours_is_reported_not_silently_lost() -> None:
    policy = default_policy("Europe/Berlin").with_bedtime(time(23, 30))
    assert quiet_blocked_rituals(policy) == {Ritual.BEDTIME}
    fixed = dataclasses.replace(policy, quiet=w("00:00", "06:30"))
    assert quiet_blocked_rituals(fixed) == frozenset()


def test_rituals_are_normalised_to_enum_order() -> None:
    policy = default_policy("UTC")
    shuffled = NudgePolicy("UTC", tuple(reversed(policy.rituals)))
    assert shuffled == policy


@pytest.mark.parametrize(
    "change",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "../etc/passwd"},
        {"daily_cap": -1},
        {"paused_until": datetime(2025, 1, 1)},  # naive
    ],
)
def test_policy_rejects_bad_values(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(default_policy("UTC"), **change)  # type: ignore[arg-type]


def test_policy_needs_each_ritual_exactly_once() -> None:
    rituals = default_policy("UTC").rituals
    with pytest.raises(ValueError, match="exactly one"):
        NudgePolicy("UTC", rituals[1:])
    duplicate = (*rituals, RitualPreference(Ritual.BEDTIME, False, w("21:00", "21:30")))
    with pytest.raises(ValueError, match="exactly one"):
        NudgePolicy("UTC", duplicate)


def test_in_quiet_hours() -> None:
    assert in_quiet_hours(time(23, 0), DEFAULT_QUIET)
    assert in_quiet_hours(time(3, 0), DEFAULT_QUIET)
    assert not in_quiet_hours(time(6, 30), DEFAULT_QUIET)
    assert not in_quiet_hours(time(22, 59), DEFAULT_QUIET)
    assert not in_quiet_hours(time(3, 0), None)
    assert in_quiet_hours(time(13, 0), w("13:00", "14:00"))
    assert not in_quiet_hours(time(14, 0), w("13:00", "14:00"))


def test_allowed_spans_clip_windows_by_quiet_hours() -> None:
    hour = 3600
    bedtime = w("22:45", "23:15").span_seconds
    assert allowed_spans(*bedtime, DEFAULT_QUIET) == [(22 * hour + 45 * 60, 23 * hour)]
    early = w("05:00", "08:00").span_seconds
    assert allowed_spans(*early, DEFAULT_QUIET) == [(6 * hour + 1800, 8 * hour)]
    inside = w("13:00", "17:00").span_seconds
    assert allowed_spans(*inside, w("14:00", "15:00")) == [
        (13 * hour, 14 * hour),
        (15 * hour, 17 * hour),
    ]
    assert allowed_spans(*w("23:30", "00:30").span_seconds, DEFAULT_QUIET) == []
    assert allowed_spans(*inside, None) == [inside]


def test_is_paused_at() -> None:
    until = datetime(2025, 5, 3, 12, tzinfo=UTC)
    policy = dataclasses.replace(default_policy("UTC"), paused_until=until)
    assert policy.is_paused_at(datetime(2025, 5, 3, 11, 59, tzinfo=UTC))
    assert not policy.is_paused_at(until)
