"""The small interface through which the dispatcher sends a nudge, knowing nothing of Telegram.

The bot implements it with python-telegram-bot (``bot/nudge_sender.py``); benchmarks and
tests can point the same implementation at a fake Bot API server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain.kinds import Ritual


@dataclass(frozen=True, slots=True)
class OutgoingNudge:
    nudge_id: int
    user_id: int  # also the private chat id
    ritual: Ritual
    phrasing: int
    local_date: date
    partner_name: str


class NudgeSender(Protocol):
    async def send_nudge(self, nudge: OutgoingNudge) -> int:
        """Deliver the nudge; return the message id. Raise one of the errors below."""
        ...


class RecipientBlocked(Exception):
    """The person blocked the bot: stop nudging them (and tell the partner once)."""


class RetryLater(Exception):
    """Telegram asked us to slow down (429): nothing was sent; try after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class NotDelivered(Exception):
    """The request certainly did not reach Telegram (connection refused, DNS): safe to retry."""


class MaybeDelivered(Exception):
    """The request may have reached Telegram (a read time-out): never resend, or it doubles."""
