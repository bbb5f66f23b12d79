"""Callback data: short, versioned strings, re-validated against the presser on every tap.

Format ``v1:<action>[:<argument>]``; at most 64 bytes, as Telegram requires. Buttons from an
older version of the bot simply fail to parse and get the gentle "no longer active" answer.
"""

from __future__ import annotations

VERSION = "v1"

INVITE = "inv"
TIMEZONE = "tz"
PAIR_YES = "pair"
PAIR_NO = "nopair"
MOMENT = "m"
LOVE_BACK = "love"
UNPAIR = "unpair"
FORGET = "forget"
CANCEL = "cancel"

TIMEZONE_OTHER = "other"


def make(action: str, argument: str | int | None = None) -> str:
    data = f"{VERSION}:{action}" if argument is None else f"{VERSION}:{action}:{argument}"
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over 64 bytes: {data!r}")
    return data


def pattern(action: str) -> str:
    """The ``CallbackQueryHandler`` pattern for one action."""
    return rf"^{VERSION}:{action}(:|$)"


def argument(data: str | None) -> str:
    """The argument part of callback data (everything after ``v1:<action>:``)."""
    parts = (data or "").split(":", 2)
    return parts[2] if len(parts) == 3 else ""
