"""What the next typed text means: one typed value, stored on the person's row.

Stored in the database, not in process memory, so any bot process can take the next
message. Unknown or damaged stored values read as "nothing awaited".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

_TIMEZONE: Final = "timezone"
_WORDS: Final = "nudge:"


@dataclass(frozen=True, slots=True)
class AwaitingTimezone:
    """We asked where in the world they are; the next text is a place or a zone."""


@dataclass(frozen=True, slots=True)
class AwaitingWords:
    """A nudge's "✍️ Write my own": the next text goes to the partner."""

    nudge_id: int


Awaiting = AwaitingTimezone | AwaitingWords


def load(stored: str | None) -> Awaiting | None:
    if stored == _TIMEZONE:
        return AwaitingTimezone()
    if stored is not None and stored.startswith(_WORDS):
        number = stored.removeprefix(_WORDS)
        if number.isascii() and number.isdigit():
            return AwaitingWords(int(number))
    return None


def store(awaiting: Awaiting | None) -> str | None:
    match awaiting:
        case AwaitingTimezone():
            return _TIMEZONE
        case AwaitingWords(nudge_id):
            return f"{_WORDS}{nudge_id}"
        case None:
            return None
