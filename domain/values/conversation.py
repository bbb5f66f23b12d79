"""What the next typed text means: one typed value, stored on the person's row.

Stored in the database, not in process memory, so any bot process can take the next
message. A prompt is only awaited for :data:`PROMPT_LIFETIME`: an unanswered question
must not swallow whatever the person types hours later. Unknown, damaged or expired stored
values read as "nothing awaited".

Wire format ``<state>@<unix seconds asked>``, at most 64 characters (``users.awaiting``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

_TIMEZONE: Final = "timezone"
_WORDS: Final = "nudge:"
_NOTE: Final = "note:"

#: How long a question waits for its typed answer.
PROMPT_LIFETIME: Final = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class AwaitingTimezone:
    """We asked where in the world they are; the next text is a place or a zone."""


@dataclass(frozen=True, slots=True)
class AwaitingWords:
    """A nudge's "✍️ Write my own": the next text goes to the partner."""

    nudge_id: int


@dataclass(frozen=True, slots=True)
class AwaitingMomentNote:
    """ "✨ Something else" asked what happened: the next text is that event's note.

    ``message_id`` is the question's message, so its "Skip" button can be tidied away.
    """

    event_id: int
    message_id: int


Awaiting = AwaitingTimezone | AwaitingWords | AwaitingMomentNote

_MAX_ID: Final = 2**63 - 1


def load(stored: str | None, now: datetime) -> Awaiting | None:
    """What is awaited at ``now``: None once the prompt is older than its lifetime."""
    if stored is None:
        return None
    state, _, asked = stored.rpartition("@")
    seconds = _number(asked)
    if seconds is None or not state:
        return None
    age = now - datetime.fromtimestamp(seconds, UTC)
    if not timedelta(0) <= age <= PROMPT_LIFETIME:
        return None
    return _state(state)


def _state(stored: str) -> Awaiting | None:
    if stored == _TIMEZONE:
        return AwaitingTimezone()
    if stored.startswith(_WORDS):
        number = _number(stored.removeprefix(_WORDS))
        if number is not None:
            return AwaitingWords(number)
    if stored.startswith(_NOTE):
        event, _, message = stored.removeprefix(_NOTE).partition(":")
        event_id, message_id = _number(event), _number(message)
        if event_id is not None and message_id is not None:
            return AwaitingMomentNote(event_id, message_id)
    return None


def _number(text: str) -> int | None:
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= _MAX_ID:
        return int(text)
    return None


def store(awaiting: Awaiting | None, now: datetime) -> str | None:
    """The stored form of ``awaiting``, asked at ``now`` (None: nothing awaited)."""
    match awaiting:
        case AwaitingTimezone():
            state = _TIMEZONE
        case AwaitingWords(nudge_id):
            state = f"{_WORDS}{nudge_id}"
        case AwaitingMomentNote(event_id, message_id):
            state = f"{_NOTE}{event_id}:{message_id}"
        case None:
            return None
    return f"{state}@{int(now.timestamp())}"
