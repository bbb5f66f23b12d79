"""Telegram's limits for bulk sending: 30 messages a second overall, one a second per chat.

PTB's ``AIORateLimiter`` covers the overall limit but not the per-chat one, and nudges come
in bursts at popular minutes, so the dispatcher paces itself with this. Time and sleeping
are injected, so tests can check the pacing without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class SendRateLimiter:
    def __init__(
        self,
        per_second: int = 30,
        per_chat_interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._recent: deque[float] = deque()
        self._last_by_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()
        self._spacing = 1.0 / max(per_second - 3, 1)

    async def acquire(self, chat_id: int) -> None:
        """Wait until one more message, to ``chat_id``, keeps both limits."""
        async with self._lock:
            while True:
                now = self._monotonic()
                while self._recent and now - self._recent[0] >= 1.0:
                    self._recent.popleft()
                wait = 0.0
                if len(self._recent) >= self.per_second:
                    wait = 1.0 - (now - self._recent[0])
                if self._recent:
                    # Evenly spaced, with a little headroom: requests in flight arrive with
                    # jitter, and Telegram counts arrivals, not our intentions.
                    wait = max(wait, self._spacing - (now - self._recent[-1]))
                last = self._last_by_chat.get(chat_id)
                if last is not None and now - last < self.per_chat_interval:
                    wait = max(wait, self.per_chat_interval - (now - last))
                if wait <= 0:
                    break
                await self._sleep(wait)
            self._recent.append(now)
            self._last_by_chat[chat_id] = now
            if len(self._last_by_chat) > 10_000:  # forget chats quiet for over the interval
                cutoff = now - self.per_chat_interval
                self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > cutoff}
