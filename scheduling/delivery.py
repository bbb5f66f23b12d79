"""The delivery engine: one way to send everything the bot sends on its own.

Nudges, Sunday digests and outbox rows (relays, notices) are each a :class:`Source`: a
table of rows with the same delivery columns, a query for the due ones, and a re-check that
turns a due row into a message or into a final status (the couple ended, the window
passed…). The engine does the rest, the same way for all of them:

1. **Pace, then claim, then send.** A row waits for the rate limiter *before* it is
   claimed, so a row waiting for its chat's per-second slot is still just due. Right
   before its request is written it is claimed on its own (status ``sending``, a lease,
   this process's owner token, one more attempt; ``FOR UPDATE SKIP LOCKED``), and the claim
   is committed first. Claims and outcomes of the sends running at the same moment are
   written together by one small coalescing writer, so that costs a transaction per group,
   not per message.
2. **Record each outcome as it happens**, in the next group commit (milliseconds).
3. **Honest delivery semantics.** A send that certainly never left (the connection never
   opened) is retried with exponential back-off, up to ``max_attempts``; Telegram's "retry
   after" is honoured without using up an attempt. A send whose fate is unknown — timed
   out or dropped after the request may have been written — is ``maybe`` and never
   retried, and so is a row still ``sending`` when its lease runs out (its process died
   with the request possibly written). The Bot API has no idempotency key: this is the
   honest best. Nobody gets the same message twice, every row ends in a final status, and
   a crash leaves at most the sends in flight at that instant (at most ``concurrency``)
   as ``maybe``; every row that was not yet claimed is simply still due.
4. **Blocked, in one place.** A person who blocked the bot is marked unreachable, their
   open rows are cancelled and their partner is told once — by an outbox row written in
   the same transaction, sent right after the commit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.clock import Clock
from domain.values.kinds import Delivery
from scheduling.rate_limit import SendRateLimiter
from scheduling.sender import Outcome, Outgoing, Sender, SendResult
from storage import delivery, nudges, outbox
from storage.database import Database
from storage.delivery import DeliveryTable, Finish

log = logging.getLogger(__name__)

LEASE: Final = timedelta(minutes=2)
MAX_ATTEMPTS: Final = 5
#: Back-off after a send that never left: 5 s, 10 s, 20 s… but never more than 5 minutes.
BACKOFF_FIRST: Final = 5.0
BACKOFF_MAX: Final = 300.0
#: Rows read per query; each is claimed on its own when its turn comes.
PAGE: Final = 64
#: Sends in flight at once: enough to hide the Bot API's latency.
CONCURRENCY: Final = 32


@dataclass(frozen=True, slots=True)
class Due:
    """One due row of a source, with whatever its re-check needs."""

    id: int
    chat_id: int
    due_at: datetime
    attempt: int  # attempts made before this one
    context: Any = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The re-check's verdict: no send, this final status (``skipped``, ``missed``…)."""

    status: str


@dataclass(frozen=True, slots=True)
class Postpone:
    """The re-check's other answer: not now, at ``until`` (no attempt is used up)."""

    until: datetime


class Source(Protocol):
    """A table of things to send, and the rules that are its own."""

    table: DeliveryTable
    #: At most this many of the source's rows at once (None: the engine's concurrency).
    in_flight: int | None

    async def due(
        self, session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
    ) -> list[Due]:
        """A page of due rows after ``after`` in (due time, id) order, with re-check data."""
        ...

    async def prepare(self, due: Due, now: datetime) -> Outgoing | Verdict | Postpone:
        """The message to send now, the row's final status when it is not needed, or when
        to try again (a relay waiting for the end of its receiver's quiet hours)."""
        ...


@dataclass
class DeliveryReport:
    """What one pass did, for logs and tests."""

    sent: int = 0
    maybe: int = 0  # fate unknown: never resent
    expired: int = 0  # of which: still "sending" from a process that died
    skipped: int = 0
    missed: int = 0
    capped: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    lost: int = 0  # another process claimed the row first
    postponed: int = 0  # put off until later (a relay waiting for the receiver's morning)
    by_status: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if hasattr(self, status) and status != "by_status":
            setattr(self, status, getattr(self, status) + 1)

    def add(self, other: DeliveryReport) -> None:
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n


_COUNTERS: Final = (
    "sent", "maybe", "expired", "skipped", "missed", "capped", "retried", "blocked", "failed",
    "lost", "postponed",
)  # fmt: skip


class Deliveries:
    """Sends the due rows of the sources it is given (see the module's docstring)."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        *,
        limiter: SendRateLimiter | None = None,
        concurrency: int = CONCURRENCY,
        page: int = PAGE,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        owner: str | None = None,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.limiter = limiter
        self.concurrency = concurrency
        self.page = page
        self.lease = lease
        self.max_attempts = max_attempts
        #: This process's token on the rows it claims; a new one per engine.
        self.owner = owner or str(uuid.uuid4())
        #: Called after an outbox row was committed here (the partner of a blocked person).
        self.on_enqueued = on_enqueued
        self._writer = _Writer(self)
        self._passes: dict[str, asyncio.Lock] = {}
        self._in_flight: dict[str, asyncio.Semaphore] = {}

    async def deliver(self, *sources: Source) -> DeliveryReport:
        """Send everything of ``sources`` that is due now; one pass per source at a time."""
        report = DeliveryReport()
        for source in sources:
            lock = self._passes.setdefault(source.table.name, asyncio.Lock())
            async with lock:
                await self._pass(source, report)
        return report

    async def _pass(self, source: Source, report: DeliveryReport) -> None:
        async with self.db.transaction() as session:
            expired = await delivery.expire_leases(session, source.table, self.clock())
        if expired:
            log.warning(
                "%d %s sends were in flight when their process died: maybe delivered",
                expired,
                source.table.name,
            )
            report.maybe += expired
            report.expired += expired
        queue: asyncio.Queue[Due | None] = asyncio.Queue(maxsize=self.page)
        workers = self.concurrency
        limit = source.in_flight
        if limit is not None:
            self._in_flight.setdefault(source.table.name, asyncio.Semaphore(limit))

        async def produce() -> None:
            after: tuple[datetime, int] | None = None
            try:
                while True:
                    async with self.db.transaction() as session:
                        rows = await source.due(session, self.clock(), after, self.page)
                    for row in rows:
                        await queue.put(row)
                    if len(rows) < self.page:
                        return
                    after = (rows[-1].due_at, rows[-1].id)
            finally:
                for _ in range(workers):
                    await queue.put(None)

        async def work() -> None:
            while (row := await queue.get()) is not None:
                await self._one(source, row, report)

        try:
            await asyncio.gather(produce(), *(work() for _ in range(workers)))
        finally:
            await self._writer.flush()

    async def _one(self, source: Source, row: Due, report: DeliveryReport) -> None:
        semaphore = self._in_flight.get(source.table.name)
        if semaphore is None:
            await self._deliver(source, row, report)
        else:
            async with semaphore:
                await self._deliver(source, row, report)

    async def _deliver(self, source: Source, row: Due, report: DeliveryReport) -> None:
        table = source.table
        try:
            prepared = await source.prepare(row, self.clock())
        except Exception:  # one bad row must not stop everyone else's
            log.exception("could not prepare %s %s for %s", table.name, row.id, row.chat_id)
            prepared = Verdict("failed")
        if isinstance(prepared, Verdict):
            self._writer.finish(table, Finish(row.id, {"status": prepared.status}, None))
            report.count(prepared.status)
            return
        if isinstance(prepared, Postpone):  # still waiting: its status and attempts stay
            self._writer.finish(table, Finish(row.id, {"due_at": prepared.until}, None))
            report.postponed += 1
            return
        if self.limiter is not None:
            await self.limiter.acquire(row.chat_id)
        try:
            claimed = await self._writer.claim(table, row.id)
        except Exception:  # logged by the writer; the row is still due, nothing was sent
            return
        if not claimed:
            report.lost += 1
            return
        try:
            result = await self.sender.send(prepared)
        except Exception as error:  # a bug in the sender: the request may have left
            log.exception("sending %s %s raised", table.name, row.id)
            result = SendResult(Outcome.MAYBE, detail=repr(error))
        await self._record(table, row, result, report)

    async def _record(
        self, table: DeliveryTable, row: Due, result: SendResult, report: DeliveryReport
    ) -> None:
        now = self.clock()
        values: dict[str, Any]
        match result.outcome:
            case Outcome.SENT:
                values = {"status": "sent", "sent_at": now}
                if table.has_message_id:
                    values["message_id"] = result.message_id
                report.count("sent")
            case Outcome.MAYBE:
                log.info(
                    "%s %s to %s may or may not have arrived (%s): not resent",
                    table.name,
                    row.id,
                    row.chat_id,
                    result.detail,
                )
                values = {"status": "maybe"}
                report.count("maybe")
            case Outcome.RETRY_AFTER:  # nothing was shown: does not use up an attempt
                values = {
                    "status": table.pending,
                    "due_at": now + timedelta(seconds=result.retry_after),
                    "attempt": row.attempt,
                    "lease_owner": None,
                }
                report.retried += 1
            case Outcome.NOT_SENT if row.attempt + 1 < self.max_attempts:
                delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2**row.attempt)
                values = {
                    "status": table.pending,
                    "due_at": now + timedelta(seconds=delay),
                    "lease_owner": None,
                }
                report.retried += 1
            case Outcome.NOT_SENT:
                log.warning(
                    "%s %s never left in %d attempts; giving up",
                    table.name,
                    row.id,
                    row.attempt + 1,
                )
                values = {"status": "failed"}
                report.count("failed")
            case Outcome.BLOCKED:
                await self._blocked(table, row)
                report.blocked += 1
                return
            case Outcome.REJECTED:
                log.warning(
                    "Telegram refused %s %s to %s: %s",
                    table.name,
                    row.id,
                    row.chat_id,
                    result.detail,
                )
                values = {"status": "failed"}
                report.count("failed")
        self._writer.finish(table, Finish(row.id, values, self.owner))

    async def _blocked(self, table: DeliveryTable, row: Due) -> None:
        """The one place that handles "blocked the bot": stop, and tell the partner once."""
        told = False
        async with self.db.transaction() as session:
            await delivery.finish(
                session, table, [Finish(row.id, {"status": "failed"}, self.owner)]
            )
            person = await nudges.mark_unreachable(session, row.chat_id)
            if person is not None and person.first_time and person.partner_id is not None:
                await outbox.enqueue(
                    session,
                    chat_id=person.partner_id,
                    kind=Delivery.PARTNER_UNREACHABLE,
                    payload={"name": person.first_name},
                    now=self.clock(),
                    couple_id=person.couple_id,
                )
                told = True
        log.info("%s blocked the bot (%s %s)", row.chat_id, table.name, row.id)
        if told and self.on_enqueued is not None:
            self.on_enqueued()


@dataclass
class _Op:
    table: DeliveryTable
    row_id: int
    finish: Finish | None = None  # an outcome; else a claim
    claimed: asyncio.Future[bool] | None = None


class _Writer:
    """Commits the claims and outcomes gathered in one event-loop moment in one transaction.

    A claim is awaited (the request must not be written before its claim is committed); an
    outcome is not: it goes in with the next group, which is at most milliseconds later.
    """

    def __init__(self, engine: Deliveries) -> None:
        self.engine = engine
        self._ops: list[_Op] = []
        self._task: asyncio.Task[None] | None = None

    def finish(self, table: DeliveryTable, item: Finish) -> None:
        self._ops.append(_Op(table, item.row_id, finish=item))
        self._kick()

    async def claim(self, table: DeliveryTable, row_id: int) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._ops.append(_Op(table, row_id, claimed=future))
        self._kick()
        return await future

    async def flush(self) -> None:
        while self._task is not None:
            await asyncio.shield(self._task)

    def _kick(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while self._ops:
                await asyncio.sleep(0)  # let everything of this moment join the group
                ops, self._ops = self._ops, []
                try:
                    won = await self._commit(ops)
                except Exception as error:
                    # Claims fail (nothing is sent); unrecorded outcomes stay "sending" and
                    # end as "maybe" after the lease: never resent.
                    log.exception("could not record %d delivery claims/outcomes", len(ops))
                    for op in ops:
                        if op.claimed is not None and not op.claimed.done():
                            op.claimed.set_exception(error)
                    continue
                for op in ops:
                    if op.claimed is not None and not op.claimed.done():
                        op.claimed.set_result((op.table.name, op.row_id) in won)
        finally:
            self._task = None

    async def _commit(self, ops: Sequence[_Op]) -> set[tuple[str, int]]:
        engine = self.engine
        won: set[tuple[str, int]] = set()
        async with engine.db.engine.begin() as session:
            tables = {op.table.name: op.table for op in ops}
            for name, table in tables.items():
                finishes = [op.finish for op in ops if op.table.name == name and op.finish]
                if finishes:
                    await delivery.finish(session, table, finishes)
                claims = [op.row_id for op in ops if op.table.name == name and not op.finish]
                if claims:
                    now = engine.clock()
                    ours = await delivery.claim(
                        session,
                        table,
                        claims,
                        now=now,
                        lease_until=now + engine.lease,
                        owner=engine.owner,
                    )
                    won.update((name, row_id) for row_id in ours)
        return won
