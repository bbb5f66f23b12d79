"""Telegram's limits for bulk sending: 30 messages a second overall, one a second per chat.

One :class:`SendRateLimiter` paces everything the bot sends to chats (replies, relays,
nudges, digests): the PTB rate limiter (``bot/rate_limiter.py``) acquires for each message,
and the schedulers acquire before a send they mark as already paced.

The pacing itself is aiolimiter's leaky buckets, on the event loop's clock: one for the
overall rate, and one per chat, created when the chat is first sent to and forgotten once
it is idle. A chat waiting out its interval waits on its own bucket, so sends to other
chats go on meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter

#: Per-chat buckets kept before idle ones are swept out (a sweep costs one pass over them).
_SWEEP_AT = 10_000


@dataclass(slots=True)
class _Chat:
    bucket: AsyncLimiter
    #: One send to a chat at a time, in arrival order, so its interval runs from the moment
    #: the previous message was actually let through.
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    def idle(self) -> bool:
        """Nobody waiting and the interval over: a fresh bucket would behave the same."""
        return not self.turn.locked() and self.bucket.has_capacity()


class SendRateLimiter:
    def __init__(self, per_second: int = 30, per_chat_interval: float = 1.0) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        # Evenly spaced, with a little headroom: requests in flight arrive with jitter, and
        # Telegram counts arrivals, not our intentions. A bucket of one never bursts.
        self._overall = AsyncLimiter(1, 1.0 / max(per_second - 3, 1))
        self._chats: dict[int | str, _Chat] = {}
        self._sweep_at = _SWEEP_AT

    async def acquire(self, chat_id: int | str) -> None:
        """Wait until one more message, to ``chat_id``, keeps both limits."""
        chat = self._chat(chat_id)
        async with chat.turn:
            loop = asyncio.get_running_loop()
            if self.per_chat_interval > 0:
                await chat.bucket.acquire()
            granted = loop.time()
            await self._overall.acquire()
            # Time spent queueing for the overall rate leaked out of the chat's bucket; fill
            # it back up, so the next message to this chat waits a whole interval from now.
            # It cannot wait: the bucket is ours alone while we hold the chat's turn.
            if self.per_chat_interval > 0:
                queued = loop.time() - granted
                if queued > 0:
                    await chat.bucket.acquire(min(queued / self.per_chat_interval, 1.0))

    @property
    def chats_tracked(self) -> int:
        """How many per-chat buckets are held right now (memory stays bounded)."""
        return len(self._chats)

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= self._sweep_at:
                self._sweep()
            chat = self._chats[chat_id] = _Chat(AsyncLimiter(1, self.per_chat_interval or 1.0))
        return chat

    def _sweep(self) -> None:
        """Forget idle chats; at most as many stay as sent within the last interval."""
        self._chats = {c: chat for c, chat in self._chats.items() if not chat.idle()}
        # Amortised: the next sweep waits until as many new chats have come again.
        self._sweep_at = max(_SWEEP_AT, 2 * len(self._chats))
