"""PTB's rate-limiter hook, pacing every message the bot sends through one SendRateLimiter.

Telegram's limits are about messages sent to chats (about 30 a second overall, one a
second per chat), whoever sends them: replies, relays, nudges, digests. So every
message-sending call addressed to a chat waits its turn in the one shared
:class:`~scheduling.rate_limit.SendRateLimiter`; everything else (answering a pressed
button, editing the pressed message, polling, setting commands) goes at full speed.

A caller that already acquired for the chat (the nudge and digest senders) passes
``rate_limit_args=PACED`` so the message is not paced twice.
A 429 is not retried here: ``RetryAfter`` reaches the caller, which reschedules durably.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Final

from telegram.ext import BaseRateLimiter

from scheduling.rate_limit import SendRateLimiter

__all__ = ["PACED", "PACED_ENDPOINTS", "TelegramRateLimiter"]

#: ``rate_limit_args`` for a message whose sender already acquired for its chat.
PACED: Final[Mapping[str, object]] = {"paced": True}

#: Bot API methods that put a message into a chat (what Telegram's limits count).
PACED_ENDPOINTS: Final = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendPaidMedia",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendChecklist",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendGame",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)

_Result = bool | dict[str, Any] | list[dict[str, Any]]


class TelegramRateLimiter(BaseRateLimiter[Mapping[str, object]]):
    """Paces messages to chats through ``limiter``; lets every other call through at once."""

    __slots__ = ("limiter",)

    def __init__(self, limiter: SendRateLimiter) -> None:
        self.limiter = limiter

    async def initialize(self) -> None:
        """Nothing to set up: the shared limiter lives as long as the application."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Mapping[str, object] | None,
    ) -> _Result:
        chat_id = data.get("chat_id")
        paced_already = rate_limit_args is not None and rate_limit_args.get("paced") is True
        if endpoint in PACED_ENDPOINTS and chat_id is not None and not paced_already:
            await self.limiter.acquire(_chat_key(chat_id))
        # A RetryAfter propagates: the caller decides when to try again.
        return await callback(*args, **kwargs)


def _chat_key(chat_id: object) -> int | str:
    """PTB passes the chat id as given: an int, or a string (digits, or ``@channel``)."""
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text
