"""Which process of a fleet on one PostgreSQL database is its sender: the SQL of it.

The sender holds a session-level advisory lock on a connection of its own, for as long as
that connection lives: PostgreSQL releases it the moment the process dies or its
connection drops, so another process can take over at its next try. The same connection
``LISTEN``\\s, so the others can hand it work ("outbox rows were committed") with a
``NOTIFY`` that PostgreSQL delivers at their commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

#: The advisory lock key of the sender role ("mc" + 1); advisory locks are per database.
SENDER_LOCK: Final = 0x6D63_0001
#: The channel the other processes wake the sender on.
OUTBOX_CHANNEL: Final = "microconnect_outbox"


class SenderLock:
    """The advisory lock held on its own connection (see the module's docstring)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    @classmethod
    async def try_take(
        cls, engine: AsyncEngine, on_notify: Callable[[], None]
    ) -> SenderLock | None:
        """The lock if nobody holds it, listening on :data:`OUTBOX_CHANNEL`; else None."""
        connection = await engine.connect()
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SENDER_LOCK}
            )
            await connection.commit()
            if not taken:
                await connection.close()
                return None
            raw = await connection.get_raw_connection()

            def listener(*_: Any) -> None:
                on_notify()

            await raw.driver_connection.add_listener(OUTBOX_CHANNEL, listener)  # type: ignore[union-attr]
        except BaseException:
            await _drop(connection)
            raise
        return cls(connection)

    async def held(self) -> bool:
        """Whether the connection (and so the lock) is still alive: one round trip."""
        try:
            await self.connection.execute(text("SELECT 1"))
            await self.connection.commit()
        except Exception:
            await _drop(self.connection)
            return False
        return True

    async def release(self) -> None:
        """Give the role back at once (shutting down), so another process takes over."""
        with contextlib.suppress(Exception):
            await self.connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": SENDER_LOCK}
            )
            await self.connection.commit()
        await _drop(self.connection)


async def notify_sender(engine: AsyncEngine) -> None:
    """Tell the sender, wherever it runs, that outbox rows are waiting."""
    async with engine.connect() as connection:
        await connection.execute(
            text("SELECT pg_notify(:channel, '')"), {"channel": OUTBOX_CHANNEL}
        )
        await connection.commit()


async def _drop(connection: AsyncConnection) -> None:
    """Close a connection that may be broken: never hand it back to the pool as it is."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()
