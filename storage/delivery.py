"""The one claim mechanism for everything the bot sends on its own (nudges, digests, outbox).

Each of the three tables has the same delivery columns: ``status``, ``due_at``, ``attempt``,
``lease_until``, ``lease_owner``. A row is claimed right before its request is written
(status ``sending``, a lease, this process's owner token, one more attempt; the rows of the
workers ready at the same moment in one statement), with
``FOR UPDATE SKIP LOCKED`` so that two processes racing for it never wait for each other and
exactly one wins. A row still ``sending`` after its lease belonged to a process that died
with the request possibly written: it becomes ``maybe`` and is never sent again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, TextClause, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.delivery_models import OPEN_OUTBOX, OutboxMessage, OutboxStatus
from storage.models import OPEN_NUDGE, Nudge, NudgeStatus
from storage.types import sqlite_text
from storage.weekly_models import DigestStatus, WeeklyDigest

#: Outcomes decided within a unit of work are written on its session; the engine's group
#: writer uses :class:`GroupStatements` on a connection of its own instead.
Connection = AsyncSession | AsyncConnection

SENDING = "sending"
MAYBE = "maybe"


@dataclass(frozen=True, slots=True)
class DeliveryTable:
    """One table the engine delivers from, and the spelling of its "waiting" status."""

    name: str
    table: Table
    pending: str  # the status of a row waiting for its due time
    open_condition: TextClause | None  # the literal its partial index is built on
    has_message_id: bool


NUDGES = DeliveryTable(
    "nudge", cast(Table, Nudge.__table__), NudgeStatus.PLANNED, OPEN_NUDGE, has_message_id=True
)
DIGESTS = DeliveryTable(
    "digest", cast(Table, WeeklyDigest.__table__), DigestStatus.PLANNED, None, has_message_id=False
)
OUTBOX = DeliveryTable(
    "outbox",
    cast(Table, OutboxMessage.__table__),
    OutboxStatus.PENDING,
    OPEN_OUTBOX,
    has_message_id=True,
)


@dataclass(frozen=True, slots=True)
class Finish:
    """What to write on one row: ``values`` (status, sent_at, due_at, …).

    ``owner`` set: only while this owner holds the claim; ``None``: only while the row is
    still waiting (an outcome decided without claiming it, e.g. skipped).
    """

    row_id: int
    values: dict[str, Any]
    owner: str | None


async def finish(session: Connection, table: DeliveryTable, finishes: Sequence[Finish]) -> None:
    """Record outcomes, a few statements for many rows (grouped by the columns they set)."""
    groups: dict[tuple[bool, frozenset[str]], list[dict[str, Any]]] = {}
    for item in finishes:
        values = {"lease_until": None, **item.values}
        key = (item.owner is not None, frozenset(values))
        params = {f"v_{name}": value for name, value in values.items()}
        params["b_id"] = item.row_id
        if item.owner is not None:
            params["b_owner"] = item.owner
        groups.setdefault(key, []).append(params)
    t = table.table
    for (owned, columns), rows in groups.items():
        guard = t.c.lease_owner == bindparam("b_owner") if owned else t.c.status == table.pending
        statement = (
            update(t)
            .where(t.c.id == bindparam("b_id"), guard)
            .values({name: bindparam(f"v_{name}") for name in columns})
        )
        connection = session if isinstance(session, AsyncConnection) else await session.connection()
        await connection.execute(statement, rows)


async def expire_leases(session: AsyncSession, table: DeliveryTable, now: datetime) -> int:
    """Rows whose sender died mid-send: ``maybe`` (never resent). Returns how many."""
    t = table.table
    statement = update(t)
    if table.open_condition is not None:
        statement = statement.where(table.open_condition)  # lets the database use the index
    result = await session.execute(
        statement.where(t.c.status == SENDING, t.c.lease_until < now).values(
            status=MAYBE, lease_until=None
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


class GroupStatements:
    """The engine's group writer's claims and outcomes, as driver-level statements.

    A group is a few dozen rows, and SQLAlchemy's own work per transaction (begin, compile
    cache look-ups, result set-up, commit: about 1 ms of CPU on SQLite and PostgreSQL,
    measured) would cost more than writing them. So the writer keeps one pooled
    connection for as long as passes run and sends each group as at most one statement per
    table and kind (outcomes grouped by the columns they set, one ``executemany`` each;
    all claims in one ``UPDATE … RETURNING``), each committed on its own (autocommit): a
    tenth of the CPU. No transaction is needed around them: outcomes are written before
    claims, and a claim that fails to commit was never sent.

    ``FOR UPDATE SKIP LOCKED`` keeps two processes racing for a row on PostgreSQL from
    waiting for each other; on SQLite the single writer gives the same guarantee.
    """

    def __init__(self, connection: AsyncConnection, driver: Any) -> None:
        self.connection = connection  # kept checked out; its driver connection is used
        self.driver = driver
        self.sqlite = connection.dialect.name == "sqlite"

    @classmethod
    async def open(cls, connection: AsyncConnection) -> GroupStatements:
        raw = await connection.get_raw_connection()
        return cls(connection, raw.driver_connection)

    def _value(self, value: Any) -> Any:
        if self.sqlite and isinstance(value, datetime):
            return sqlite_text(value)  # what UTCDateTime stores
        return value

    async def claim(
        self,
        table: DeliveryTable,
        ids: Sequence[int],
        *,
        now: datetime,
        lease_until: datetime,
        owner: str,
    ) -> set[int]:
        """Claim those of ``ids`` that are still due and free; returns the ids now ours."""
        name = table.table.name
        if self.sqlite:
            rows = await self.driver.execute_fetchall(
                f"UPDATE {name} SET status = '{SENDING}', lease_until = ?, lease_owner = ?, "
                "attempt = attempt + 1 WHERE id IN (SELECT value FROM json_each(?)) "
                "AND status = ? AND due_at <= ? RETURNING id",
                (sqlite_text(lease_until), owner, json.dumps(list(ids)), table.pending,
                 sqlite_text(now)),
            )  # fmt: skip
        else:
            rows = await self.driver.fetch(
                f"UPDATE {name} SET status = '{SENDING}', lease_until = $1, lease_owner = $2, "
                f"attempt = attempt + 1 WHERE id IN (SELECT id FROM {name} "
                "WHERE id = ANY($3::bigint[]) AND status = $4 AND due_at <= $5 "
                "FOR UPDATE SKIP LOCKED) RETURNING id",
                lease_until, owner, list(ids), table.pending, now,
            )  # fmt: skip
        return {row[0] for row in rows}

    async def finish(self, table: DeliveryTable, finishes: Sequence[Finish]) -> None:
        """Record outcomes: one ``executemany`` per set of columns (see :func:`finish`)."""
        groups: dict[tuple[bool, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        for item in finishes:
            values = {"lease_until": None, **item.values}
            columns = tuple(sorted(values))
            held = item.owner if item.owner is not None else table.pending
            row = (*(self._value(values[c]) for c in columns), item.row_id, held)
            groups.setdefault((item.owner is not None, columns), []).append(row)
        for (owned, columns), rows in groups.items():
            guard = "lease_owner" if owned else "status"
            if self.sqlite:
                sets = ", ".join(f"{c} = ?" for c in columns)
                where = f"id = ? AND {guard} = ?"
            else:
                sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(columns, 1))
                where = f"id = ${len(columns) + 1} AND {guard} = ${len(columns) + 2}"
            statement = f"UPDATE {table.table.name} SET {sets} WHERE {where}"
            if self.sqlite:
                async with self.driver.executemany(statement, rows):
                    pass
            else:
                await self.driver.executemany(statement, rows)
