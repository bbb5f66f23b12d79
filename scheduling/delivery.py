"""The delivery engine: one way to send everything the bot sends on its own.

Nudges, Sunday digests and outbox rows (relays, notices) are each a :class:`Source`: a
table of rows with the same delivery columns, a query for the due ones, and a re-check that
turns a due row into a message or into a final status (the couple ended, the window
passed…). The engine does the rest, the same way for all of them:

1. **Pace, then claim, then send.** A row waits for the rate limiter *before* it is
   claimed, so a row waiting for its chat's per-second slot is still just due. Right
   before its request is written it is claimed on its own (status ``sending``, a lease,
   this process's owner token, one more attempt; ``FOR UPDATE SKIP LOCKED``), and the claim
   is committed first. The claims of the workers ready to send at about the same moment
   are written together by one group writer (``_Writer``: one statement for the group,
   waiting at most ``group_window`` for the sends about to finish), so that costs a
   statement per few dozen messages, not a transaction per message — as cheap as claiming
   a whole batch ahead, without a crash leaving more than what was in flight.
2. **Record each outcome as it happens**, in the next group (milliseconds).
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
from scheduling.metrics import DELIVERIES
from scheduling.rate_limit import SendRateLimiter
from scheduling.sender import Outcome, Outgoing, Sender, SendResult
from storage import delivery, nudges, outbox
from storage.database import Database, unavailable
from storage.delivery import DeliveryTable, Finish, GroupStatements

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
#: A group of claims is committed once this many are waiting, or after GROUP_WINDOW
#: seconds, or when nobody else can join (see ``_Writer``; measured in bench_dispatch.py).
GROUP: Final = 16
GROUP_WINDOW: Final = 0.002


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
        group: int = GROUP,
        group_window: float = GROUP_WINDOW,
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
        self._writer = _Writer(self, group=group, window=group_window)
        self._passes: dict[str, asyncio.Lock] = {}
        self._in_flight: dict[str, asyncio.Semaphore] = {}
        self._stopping = False

    def stop_claiming(self) -> None:
        """Shutting down: claim no more rows (they stay due for the next process); the sends
        in flight finish and their outcomes are recorded, so passes end within seconds."""
        self._stopping = True

    async def close(self) -> None:
        """Record what is pending and give the held connection back (shutting down)."""
        await self._writer.release(closing=True)

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
            DELIVERIES.labels(source.table.name, "maybe").inc(expired)
        queue: asyncio.Queue[Due | None] = asyncio.Queue(maxsize=self.page)
        workers = self.concurrency
        limit = source.in_flight
        if limit is not None:
            self._in_flight.setdefault(source.table.name, asyncio.Semaphore(limit))

        async def produce() -> None:
            after: tuple[datetime, int] | None = None
            try:
                while not self._stopping:
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

        self._writer.passes += 1
        try:
            await asyncio.gather(produce(), *(work() for _ in range(workers)))
        finally:
            self._writer.passes -= 1
            if self._writer.passes:
                await self._writer.flush()
            else:
                await self._writer.release()

    async def _one(self, source: Source, row: Due, report: DeliveryReport) -> None:
        semaphore = self._in_flight.get(source.table.name)
        if semaphore is None:
            await self._deliver(source, row, report)
        else:
            async with semaphore:
                await self._deliver(source, row, report)

    async def _deliver(self, source: Source, row: Due, report: DeliveryReport) -> None:
        table, writer = source.table, self._writer
        if self._stopping:  # never claimed: still due, for whoever runs next
            return
        writer.preparing += 1  # the group writer waits for this row's claim (or verdict)
        try:
            prepared = await self._prepare(source, row)
        finally:
            writer.preparing -= 1
        if isinstance(prepared, Verdict):
            writer.finish(table, Finish(row.id, {"status": prepared.status}, None))
            report.count(prepared.status)
            DELIVERIES.labels(table.name, prepared.status).inc()
            return
        if isinstance(prepared, Postpone):  # still waiting: its status and attempts stay
            writer.finish(table, Finish(row.id, {"due_at": prepared.until}, None))
            report.postponed += 1
            DELIVERIES.labels(table.name, "postponed").inc()
            return
        if self._stopping:  # stopped while pacing: still due
            writer.changed()
            return
        try:
            claimed = await writer.claim(table, row.id)
        except Exception:  # logged by the writer; the row is still due, nothing was sent
            return
        if not claimed:
            report.lost += 1
            return
        writer.sending += 1
        try:
            result = await self.sender.send(prepared)
        except Exception as error:  # a bug in the sender: the request may have left
            log.exception("sending %s %s raised", table.name, row.id)
            result = SendResult(Outcome.MAYBE, detail=repr(error))
        finally:
            writer.sending -= 1
        await self._record(table, row, result, report)

    async def _prepare(self, source: Source, row: Due) -> Outgoing | Verdict | Postpone:
        """The re-check, then pacing: a row waiting for its slot is still just due."""
        try:
            prepared = await source.prepare(row, self.clock())
        except Exception:  # one bad row must not stop everyone else's
            log.exception("could not prepare %s %s for %s", source.table.name, row.id, row.chat_id)
            return Verdict("failed")
        if self.limiter is not None and not isinstance(prepared, Verdict | Postpone):
            await self.limiter.acquire(row.chat_id)
        return prepared

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
                DELIVERIES.labels(table.name, "blocked").inc()
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
        retried = values["status"] == table.pending
        DELIVERIES.labels(table.name, "retried" if retried else values["status"]).inc()
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


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class _Op:
    table: DeliveryTable
    row_id: int
    finish: Finish | None = None  # an outcome; else a claim
    claimed: asyncio.Future[bool] | None = None


class _Writer:
    """Commits claims and outcomes in groups: one transaction, one claim statement per table.

    A claim is awaited (the request must not be written before its claim is committed), so
    every group commit is paid for in latency by the sends waiting on it, and in CPU by
    everyone: a transaction costs about as much as a whole send. Groups of one or two, what
    commit-as-soon-as-possible gives when sends finish one by one, cost the engine half
    again the CPU of a batch claim. So a group waits a little for the claims that are
    surely coming: it is committed as soon as ``group`` claims are waiting, or nobody else
    can join (no worker is preparing a row or has a send in flight), or ``window`` seconds
    after it began, whichever is first. A lone relay is therefore never delayed, and a busy
    pass claims a few dozen rows per transaction.

    This does not widen what a crash can leave as ``maybe``: a row is claimed only once its
    worker has finished pacing and is about to send, and a worker's next claim is committed
    with (or after) its previous outcome, so the rows ``sending`` in the database are never
    more than the sends in flight.

    An outcome is not awaited: it goes in with the next group, at most ``window`` later.
    """

    def __init__(self, engine: Deliveries, *, group: int, window: float) -> None:
        self.engine = engine
        self.group = group
        self.window = window
        #: Workers holding a row they may still claim (re-checking or pacing it).
        self.preparing = 0
        #: Workers whose claim was granted and whose outcome is not queued yet.
        self.sending = 0
        self._ops: list[_Op] = []
        self._claims = 0  # how many of ``_ops`` are claims
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Future[None] | None = None
        #: Held while passes run (``Deliveries._pass``): a checkout per group costs too.
        self._statements: GroupStatements | None = None
        self.passes = 0

    def finish(self, table: DeliveryTable, item: Finish) -> None:
        self._ops.append(_Op(table, item.row_id, finish=item))
        self.changed()

    async def claim(self, table: DeliveryTable, row_id: int) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._ops.append(_Op(table, row_id, claimed=future))
        self._claims += 1
        self.changed()
        return await future

    def changed(self) -> None:
        """Something the group waits for happened: an op joined, or a worker moved on."""
        if self._task is None:
            if self._ops:
                self._task = asyncio.get_running_loop().create_task(self._run())
        elif self._wakeup is not None and self._complete():
            _wake(self._wakeup)

    async def flush(self) -> None:
        while self._task is not None:
            await asyncio.shield(self._task)

    def _complete(self) -> bool:
        return self._claims >= self.group or (self.preparing == 0 and self.sending == 0)

    async def _gather(self) -> None:
        """Wait until the group is complete (see the class docstring), or its window ends."""
        await asyncio.sleep(0)  # everything of this event-loop moment joins in any case
        if self._complete():
            return
        loop = asyncio.get_running_loop()
        self._wakeup = wakeup = loop.create_future()
        timer = loop.call_later(self.window, _wake, wakeup)
        try:
            await wakeup
        finally:
            timer.cancel()
            self._wakeup = None

    async def _run(self) -> None:
        try:
            while self._ops:
                await self._gather()
                ops, self._ops, self._claims = self._ops, [], 0
                try:
                    won = await self._commit(ops)
                except Exception as error:
                    # Claims fail (nothing is sent); unrecorded outcomes stay "sending" and
                    # end as "maybe" after the lease: never resent.
                    if unavailable(error):
                        self.engine.db.outage.noticed(error)
                    else:
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
        """Outcomes first, then claims: a worker's next claim never commits before its
        previous outcome (see the class docstring)."""
        engine = self.engine
        statements = await self._open()
        try:
            tables = {op.table.name: op.table for op in ops}
            for name, table in tables.items():
                finishes = [op.finish for op in ops if op.table.name == name and op.finish]
                if finishes:
                    await statements.finish(table, finishes)
            won: set[tuple[str, int]] = set()
            for name, table in tables.items():
                claims = [op.row_id for op in ops if op.table.name == name and not op.finish]
                if claims:
                    now = engine.clock()
                    ours = await statements.claim(
                        table, claims, now=now, lease_until=now + engine.lease, owner=engine.owner
                    )
                    won.update((name, row_id) for row_id in ours)
        except BaseException:
            # The connection may be broken or mid-statement: never hand it back as is.
            self._statements = None
            await statements.connection.invalidate()
            await statements.connection.close()
            raise
        return won

    async def _open(self) -> GroupStatements:
        if self._statements is None:
            self._statements = await GroupStatements.open(await self.engine.db.engine.connect())
        return self._statements

    async def release(self, *, closing: bool = False) -> None:
        """Give the connection back to the pool (the last pass has ended, or we stop)."""
        await self.flush()
        if not closing and (self.passes or self._task is not None):  # a new pass began
            return
        statements, self._statements = self._statements, None
        if statements is not None:
            await statements.connection.close()
