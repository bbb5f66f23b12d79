"""One sender for the fleet: the process that runs the periodic jobs and sends broadcasts.

Several bot processes may share one PostgreSQL database. Planning, housekeeping, the
Sunday digest and every send the bot makes on its own (nudges, digests, relays, notices)
run in exactly one of them, the *sender*, elected by an advisory lock
(``storage/fleet.py``). So the jobs run once across the fleet, and Telegram's budget —
about 30 messages a second overall and one a second per chat — is kept by the sender's
own rate limiter, for all processes together, with no shared counter to update per
message. The others handle updates (the replies to the person who wrote or tapped go
straight back from the process that handled them) and, after committing outbox rows,
wake the sender with a ``NOTIFY``.

A sender that dies releases the lock with its connection; the next tick of another process
takes over (within ``DISPATCH_EVERY``). Claims stay per row (``storage/delivery.py``), so
even the few seconds in which a sender whose connection just dropped has not noticed yet
can never send a row twice. On SQLite there is one process (``storage/single_process.py``),
and it is always the sender.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from storage import fleet
from storage.database import Database, unavailable

log = logging.getLogger(__name__)


class Leadership:
    """Whether this process is the fleet's sender right now (see the module's docstring)."""

    def __init__(self, db: Database, *, on_wake: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self.on_wake = on_wake
        self.elected = db.engine.dialect.name == "postgresql"
        self._lock: fleet.SenderLock | None = None
        self._turn = asyncio.Lock()  # one query at a time on the lock's connection
        self._closed = False

    async def leading(self) -> bool:
        """True when this process is the sender: it still holds the lock, or just took it."""
        if not self.elected:
            return True
        async with self._turn:
            if self._closed:
                return False
            if self._lock is not None:
                if await self._lock.held():
                    return True
                log.warning("this process is no longer the sender (its connection dropped)")
                self._lock = None
            try:
                self._lock = await fleet.SenderLock.try_take(self.db.engine, self.on_wake)
            except Exception as error:
                if not unavailable(error):
                    raise
                self.db.outage.noticed(error)
                return False
            if self._lock is not None:
                log.info("this process is the sender: it runs the schedule and sends for all")
            return self._lock is not None

    async def hand_over(self) -> None:
        """Outbox rows were committed here: wake the sender, wherever it runs."""
        await fleet.notify_sender(self.db.engine)

    async def close(self) -> None:
        """Release the role at once, so another process takes over at its next tick."""
        async with self._turn:
            self._closed = True
            lock, self._lock = self._lock, None
            if lock is not None:
                await lock.release()
