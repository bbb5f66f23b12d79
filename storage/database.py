"""Engine and unit-of-work helpers: the only place that knows how to reach the database."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)


def unavailable(error: BaseException) -> bool:
    """The database did not answer, or was locked: waiting helps, it is not a bug.

    A refused or dropped connection (PostgreSQL restarting), a statement cut off with its
    connection, SQLite's "database is locked" after its busy timeout.
    """
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return True
        if isinstance(error.orig, sqlite3.Error):  # a missing table is a bug, not a wait
            return any(word in str(error.orig) for word in ("locked", "busy"))
        return isinstance(error, exc.OperationalError)
    return isinstance(error, OSError | TimeoutError | exc.TimeoutError)


class Outage:
    """One log line when the database stops answering, and one when it is back.

    Everything that reaches the database goes on retrying in its own way (updates with
    back-off, the periodic jobs at their next tick); this only keeps the log readable.
    """

    def __init__(self) -> None:
        self.since: float | None = None

    def noticed(self, error: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "the database is not answering (%s); retrying until it does",
                type(error).__name__,
            )

    def over(self) -> None:
        if self.since is not None:
            log.warning("the database is back after %.0f s", time.monotonic() - self.since)
            self.since = None


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine with the per-backend settings the app relies on.

    SQLite needs foreign keys switched on per connection (``ON DELETE CASCADE`` is how
    ``/forget_me`` forgets) and a busy timeout so that two writers wait instead of failing.
    Parameters stay out of SQLAlchemy's logs and error messages: they are people's words.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction begins, not at its first write.

    A deferred transaction that read before another one committed cannot write any more
    ("database is locked" at once, whatever the busy timeout). Beginning IMMEDIATE makes
    writers queue up (within the busy timeout) and then read the latest data, which is what
    ``FOR UPDATE`` gives on PostgreSQL: two taps at once take turns.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by ``_sqlite_begin_immediate``, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL is still safe against an application crash; it skips an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache instead of 2: the nudge indexes stay in memory while planning.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


class Database:
    """Hands out one session per unit of work; commit on success, roll back on any error."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.outage = Outage()

    @property
    def concurrent_writes(self) -> int:
        """How many bulk writes may usefully run at once.

        PostgreSQL works in its own processes, one per connection, so two writes keep both
        cores busy. SQLite has a single writer: a second one would only wait for the lock.
        """
        return 1 if self.engine.dialect.name == "sqlite" else 2

    @property
    def planning_page(self) -> int:
        """People planned per page, and so per write transaction (about three rows each).

        SQLite rewrites every index page a transaction touched, so fewer, larger ones are
        much faster at a million people (37 s against 54 s); PostgreSQL is as fast with
        smaller pages, which hold less memory.
        """
        return 20_000 if self.engine.dialect.name == "sqlite" else 5_000

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_engine(url, **kwargs))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        try:
            async with self._sessions() as session, session.begin():
                yield session
        except Exception as error:
            if unavailable(error):
                self.outage.noticed(error)
            raise
        self.outage.over()

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query (``/healthz``)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
