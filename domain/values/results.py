"""What a domain action can lead to; the bot turns each outcome into a kind sentence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, auto


class PairProblem(StrEnum):
    UNKNOWN_CODE = auto()
    EXPIRED = auto()
    USED = auto()
    OWN_CODE = auto()
    YOU_ARE_PAIRED = auto()
    INVITER_IS_PAIRED = auto()
    TOO_MANY_TRIES = auto()


class NotPaired(StrEnum):
    NOT_PAIRED = auto()


class Stale(StrEnum):
    """A button that no longer means anything: its couple ended, or it is not yours."""

    STALE = auto()


@dataclass(frozen=True)
class Person:
    """Just enough about someone to address them and write to them."""

    user_id: int
    first_name: str
    timezone: str | None = None
    #: Their choice, else Telegram's code: what a message written to them is in.
    language: str | None = None
