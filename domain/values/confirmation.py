"""A destructive confirmation, bound to the prompt that offered it.

``/forget_me`` and ``/unpair`` store a random nonce with the pending action
(``users.confirmation``) and put the same nonce in the "Yes" button. Only that button,
pressed within :data:`LIFETIME`, does anything, and only once: a stale, forged or
unprompted "yes" finds nothing to confirm.

Wire format ``<action>:<nonce>@<unix seconds offered>`` (at most 64 characters).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

#: How long a "Yes, …" button stays live.
LIFETIME: Final = timedelta(minutes=5)
NONCE_CHARS: Final = 12  # URL-safe base64: 72 random bits, short enough for callback data


class Action(StrEnum):
    FORGET = "forget"
    UNPAIR = "unpair"


@dataclass(frozen=True, slots=True)
class Pending:
    action: Action
    nonce: str
    offered_at: datetime

    def store(self) -> str:
        return f"{self.action.value}:{self.nonce}@{int(self.offered_at.timestamp())}"

    def confirms(self, action: Action, nonce: str, now: datetime) -> bool:
        """Is ``nonce`` the live confirmation of ``action`` at ``now``?"""
        live = timedelta(0) <= now - self.offered_at <= LIFETIME
        return live and action is self.action and secrets.compare_digest(nonce, self.nonce)


def offer(action: Action, now: datetime) -> Pending:
    return Pending(action, secrets.token_urlsafe(9)[:NONCE_CHARS], now)


def load(stored: str | None) -> Pending | None:
    """The pending confirmation, or None for nothing (or anything damaged)."""
    if stored is None:
        return None
    head, _, seconds = stored.rpartition("@")
    action, _, nonce = head.partition(":")
    if action not in Action.__members__.values() or not nonce:
        return None
    if not (seconds.isascii() and seconds.isdigit() and len(seconds) <= 12):
        return None
    return Pending(Action(action), nonce, datetime.fromtimestamp(int(seconds), UTC))
