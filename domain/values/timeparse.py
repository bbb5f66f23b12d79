"""Parse the clock times, windows and pause lengths people type into the chat.

Every failure raises :class:`TimeParseError` carrying a machine-readable
:class:`TimeParseReason`, so the bot can answer with a kind sentence from ``messages/``
instead of echoing a Python error.  Nothing here knows about Telegram or the database.
"""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from typing import Final

from domain.values.windows import LocalWindow

MAX_PAUSE_DAYS: Final = 30

_CLOCK_RE: Final = re.compile(
    r"(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2}))?"
    r"\s*(?:(?P<meridiem>[ap])\.?\s?m\.?)?",
    re.IGNORECASE,
)
# Hyphen, en dash, em dash, minus sign or the word "to" between the two clock times.
_WINDOW_SPLIT_RE: Final = re.compile(r"\s*(?:[-\u2013\u2014\u2212]|\bto\b)\s*", re.IGNORECASE)
_PAUSE_RE: Final = re.compile(r"(?P<sign>[+-]?)(?P<days>[0-9]+)\s*(?:d|days?)?", re.IGNORECASE)


class TimeParseReason(StrEnum):
    """Why a text was rejected; the bot picks its reply from this, not from the message."""

    BAD_FORMAT = "bad_format"  # not a clock time / window / number at all ("noon")
    OUT_OF_RANGE = "out_of_range"  # shaped right but impossible ("25:00", "12:60", 0 days)
    EMPTY_WINDOW = "empty_window"  # start == end
    ENDS_BEFORE_START = "ends_before_start"  # crosses midnight where that is not allowed


class TimeParseError(ValueError):
    """A typed value the bot cannot use; ``reason`` says which kind reply to send."""

    def __init__(self, reason: TimeParseReason, text: str) -> None:
        super().__init__(f"{reason.value}: {text!r}")
        self.reason = reason
        self.text = text


def parse_clock(text: str) -> time:
    """Parse ``7:05``, ``07:05``, ``22:30``, ``7pm``, ``10:30 p.m.`` into a naive time.

    A bare hour ("7") is rejected: it is ambiguous between morning and evening.
    """
    match = _CLOCK_RE.fullmatch(text.strip())
    if match is None or (match["minute"] is None and match["meridiem"] is None):
        raise TimeParseError(TimeParseReason.BAD_FORMAT, text)
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    if minute > 59:
        raise TimeParseError(TimeParseReason.OUT_OF_RANGE, text)
    meridiem = match["meridiem"]
    if meridiem is None:
        if hour > 23:
            raise TimeParseError(TimeParseReason.OUT_OF_RANGE, text)
        return time(hour, minute)
    if not 1 <= hour <= 12:
        raise TimeParseError(TimeParseReason.OUT_OF_RANGE, text)
    return time(hour % 12 + (12 if meridiem.lower() == "p" else 0), minute)


def parse_window(text: str, *, allow_midnight: bool = False) -> LocalWindow:
    """Parse ``12:00-14:00`` (also with spaces, an en dash or "to") into a window.

    Ritual windows normally must not wrap, so ``14:00-12:00`` is more likely a typo than a
    22-hour window; quiet hours pass ``allow_midnight=True`` because ``22:30-07:00`` is
    exactly what they mean.
    """
    parts = _WINDOW_SPLIT_RE.split(text.strip())
    if len(parts) != 2 or not all(parts):
        raise TimeParseError(TimeParseReason.BAD_FORMAT, text)
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise TimeParseError(TimeParseReason.EMPTY_WINDOW, text)
    if end < start and not allow_midnight:
        raise TimeParseError(TimeParseReason.ENDS_BEFORE_START, text)
    return LocalWindow(start, end)


def parse_pause_days(text: str, *, max_days: int = MAX_PAUSE_DAYS) -> int:
    """Parse a pause length such as ``3``, ``3d`` or ``3 days`` into ``1..max_days``."""
    match = _PAUSE_RE.fullmatch(text.strip())
    if match is None:
        raise TimeParseError(TimeParseReason.BAD_FORMAT, text)
    digits = match["days"]
    # Checking the length first keeps absurd inputs away from int()'s digit limit.
    if match["sign"] == "-" or len(digits) > 3 or not 1 <= int(digits) <= max_days:
        raise TimeParseError(TimeParseReason.OUT_OF_RANGE, text)
    return int(digits)
