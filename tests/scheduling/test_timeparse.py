"""What people type for times, windows and pauses, and the reason code for each mistake."""

from __future__ import annotations

from datetime import time

import pytest

from domain.values.timeparse import (
    TimeParseError,
    TimeParseReason,
    parse_clock,
    parse_pause_days,
    parse_window,
)
from domain.values.windows import LocalWindow

R = TimeParseReason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:05", time(7, 5)),
        ("07:05", time(7, 5)),
        ("22:30", time(22, 30)),
        (" 0:00 ", time(0, 0)),
        ("23:59", time(23, 59)),
        ("7pm", time(19, 0)),
        ("7 PM", time(19, 0)),
        ("10:30pm", time(22, 30)),
        ("10:30 p.m.", time(22, 30)),
        ("7:05 AM", time(7, 5)),
        ("12am", time(0, 0)),
        ("12:15pm", time(12, 15)),
    ],
)
def test_parse_clock_accepts_what_people_type(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("25:00", R.OUT_OF_RANGE),
        ("24:00", R.OUT_OF_RANGE),
        ("12:60", R.OUT_OF_RANGE),
        ("13pm", R.OUT_OF_RANGE),
        ("0am", R.OUT_OF_RANGE),
        ("noon", R.BAD_FORMAT),
        ("7", R.BAD_FORMAT),  # morning or evening? ask again
        ("7:5", R.BAD_FORMAT),
        ("22.30", R.BAD_FORMAT),
        ("2230", R.BAD_FORMAT),
        ("", R.BAD_FORMAT),
        ("\u0662\u0662:\u0663\u0660", R.BAD_FORMAT),  # Arabic-Indic digits are not ours
    ],
)
def test_parse_clock_rejects_with_reason(text: str, reason: TimeParseReason) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_clock(text)
    assert caught.value.reason is reason
    assert caught.value.text == text
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "text", ["12:00-14:00", "12:00 - 14:00", "12:00–14:00", "12:00 — 14:00", "12pm to 2pm"]
)
def test_parse_window_separators(text: str) -> None:
    window = parse_window(text)
    assert window == LocalWindow(time(12, 0), time(14, 0))
    assert not window.crosses_midnight
    assert window.minutes == 120


def test_quiet_hours_may_cross_midnight_when_allowed() -> None:
    window = parse_window("22:30-07:00", allow_midnight=True)
    assert window == LocalWindow(time(22, 30), time(7, 0))
    assert window.crosses_midnight
    assert window.minutes == 510
    assert window.span_seconds == (22 * 3600 + 1800, 31 * 3600)
    assert str(window) == "22:30-07:00"


@pytest.mark.parametrize(
    ("text", "allow_midnight", "reason"),
    [
        ("14:00-12:00", False, R.ENDS_BEFORE_START),
        ("22:30-07:00", False, R.ENDS_BEFORE_START),
        ("12:00-12:00", False, R.EMPTY_WINDOW),
        ("12:00-12:00", True, R.EMPTY_WINDOW),
        ("12:00-25:00", True, R.OUT_OF_RANGE),
        ("12:00-12:60", False, R.OUT_OF_RANGE),
        ("12:00", False, R.BAD_FORMAT),
        ("12:00-", False, R.BAD_FORMAT),
        ("12:00-13:00-14:00", False, R.BAD_FORMAT),
        ("noon-2pm", False, R.BAD_FORMAT),
    ],
)
def test_parse_window_rejects_with_reason(
    text: str, allow_midnight: bool, reason: TimeParseReason
) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_window(text, allow_midnight=allow_midnight)
    assert caught.value.reason is reason


def test_window_contains_is_half_open_across_midnight() -> None:
    quiet = LocalWindow(time(23, 0), time(6, 30))
    assert quiet.contains(time(23, 0))
    assert quiet.contains(time(0, 0))
    assert quiet.contains(time(6, 29, 59))
    assert not quiet.contains(time(6, 30))
    assert not quiet.contains(time(22, 59))
    lunch = LocalWindow(time(12, 0), time(14, 0))
    assert lunch.contains(time(12, 0))
    assert not lunch.contains(time(14, 0))


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(12, 0), time(12, 0)), (time(12, 0, 30), time(13, 0)), (time(12, 0), time(13, 0, 0, 5))],
)
def test_window_rejects_empty_or_sub_minute_bounds(start: time, end: time) -> None:
    with pytest.raises(ValueError, match="window"):
        LocalWindow(start, end)


@pytest.mark.parametrize(
    ("text", "days"), [("1", 1), ("3", 3), ("30", 30), (" 7 days ", 7), ("3d", 3), ("+2", 2)]
)
def test_parse_pause_days(text: str, days: int) -> None:
    assert parse_pause_days(text) == days


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0", R.OUT_OF_RANGE),
        ("31", R.OUT_OF_RANGE),
        ("-2", R.OUT_OF_RANGE),
        ("9" * 5000, R.OUT_OF_RANGE),  # past int()'s digit limit: still a kind answer
        ("three", R.BAD_FORMAT),
        ("2.5", R.BAD_FORMAT),
        ("", R.BAD_FORMAT),
    ],
)
def test_parse_pause_days_rejects_with_reason(text: str, reason: TimeParseReason) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_pause_days(text)
    assert caught.value.reason is reason


def test_parse_pause_days_custom_maximum() -> None:
    assert parse_pause_days("60", max_days=90) == 60
    with pytest.raises(TimeParseError):
        parse_pause_days("8", max_days=7)
