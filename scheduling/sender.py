"""What the delivery engine hands the bot to send, and the one vocabulary of outcomes.

The engine knows nothing of Telegram: ``bot/telegram_sender.py`` renders each message and
translates Telegram's answer (or error) into one :class:`Outcome`, in one place. Tests and
benchmarks can implement :class:`Sender` with anything that returns a :class:`SendResult`.

Honest delivery semantics (the Bot API has no idempotency key, so this is the best there is):

* a send that certainly never left (the connection never opened) is retried, with back-off
  and a capped number of attempts;
* a send whose fate is unknown (timed out or dropped after the request may have been
  written, or in flight when the process died) is recorded as ``maybe`` and never retried:
  nobody gets the same message twice, and nothing ends without a final status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from domain.values.kinds import Delivery, Ritual
from domain.values.weekly_summary import Reflection


class Outcome(StrEnum):
    """What became of one send."""

    SENT = "sent"  # Telegram confirmed it
    NOT_SENT = "not_sent"  # certainly never left (no connection): retry with back-off
    RETRY_AFTER = "retry_after"  # Telegram asked us to slow down (429): nothing was shown
    MAYBE = "maybe"  # may have reached Telegram (timed out, dropped): never resent
    BLOCKED = "blocked"  # the person blocked the bot, or the chat is gone
    REJECTED = "rejected"  # Telegram refused this message for good (a bad request)


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    retry_after: float = 0.0  # seconds, for RETRY_AFTER
    detail: str = ""  # Telegram's words, for the logs


SENT = SendResult(Outcome.SENT)


@dataclass(frozen=True, slots=True)
class OutgoingNudge:
    nudge_id: int
    user_id: int  # also the private chat id
    ritual: Ritual
    phrasing: int
    local_date: date
    partner_name: str
    #: The receiver's language (``messages.i18n``): everything is written in it.
    language: str = "en"

    @property
    def chat_id(self) -> int:
        return self.user_id


@dataclass(frozen=True, slots=True)
class OutgoingDigest:
    """The Sunday digest: ``reflection`` with its chart already drawn."""

    digest_id: int
    reflection: Reflection
    language: str = "en"

    @property
    def chat_id(self) -> int:
        return self.reflection.asker.user_id


@dataclass(frozen=True, slots=True)
class OutgoingNotice:
    """An outbox row: a relay or a notice, rendered by the bot from ``payload``."""

    outbox_id: int
    chat_id: int
    kind: Delivery
    payload: dict[str, Any] = field(default_factory=dict)
    #: Sent without a sound: the receiver is in their quiet hours (``disable_notification``).
    silent: bool = False
    language: str = "en"


Outgoing = OutgoingNudge | OutgoingDigest | OutgoingNotice


class Sender(Protocol):
    async def send(self, message: Outgoing) -> SendResult:
        """Deliver ``message`` now (pacing is done) and say what happened; never raise."""
        ...
