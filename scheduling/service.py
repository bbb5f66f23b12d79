"""The periodic jobs of the schedule, and the outbox's "send it now", as plain methods.

``bot/`` runs the jobs from PTB's JobQueue (APScheduler) — one job per kind of work, never
one per person — and calls :meth:`NudgeService.wake` after committing an update that wrote
outbox rows; tests call the same methods directly after moving the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import timedelta

from domain.values.clock import Clock
from messages.nudges import PHRASING_COUNTS
from scheduling.delivery import Deliveries, DeliveryReport
from scheduling.digest import DigestReport, DigestSource, run_digests
from scheduling.leadership import Leadership
from scheduling.learning import AdaptReport, adapt, close_outcomes
from scheduling.metrics import NUDGES_PLANNED
from scheduling.planning import PlanningReport, plan_pending
from scheduling.sources import NudgeSource, OutboxSource
from storage import inbox, nudges, retention
from storage.database import Database, unavailable

log = logging.getLogger(__name__)

#: A sent nudge with no answer after this long counts as ignored (for the back-off).
ANSWER_DEADLINE = timedelta(hours=20)
#: How long handled update ids are kept. Telegram gives up redelivering an update after a
#: day, and restarts its ids only after a quiet week: a few days covers both.
INBOX_RETENTION = timedelta(days=3)
#: How long the words of a note or relay are kept once delivered (``NOTE_RETENTION_DAYS``).
NOTE_RETENTION = timedelta(days=30)

PLAN_EVERY = timedelta(minutes=10)
DISPATCH_EVERY = timedelta(seconds=10)
HOUSEKEEPING_EVERY = timedelta(hours=1)
LEARN_EVERY = timedelta(days=1)


class NudgeService:
    """Everything the bot sends on its own, through one delivery engine."""

    def __init__(
        self,
        db: Database,
        deliveries: Deliveries,
        clock: Clock,
        rng: random.Random,
        *,
        render_executor: Executor | None = None,
        randomize: bool = True,
        note_retention: timedelta = NOTE_RETENTION,
    ) -> None:
        self.db = db
        self.randomize = randomize  # False: every planned nudge is sent (a bench baseline)
        self.deliveries = deliveries
        self.clock = clock
        self.rng = rng
        self.render_executor = render_executor
        self.note_retention = note_retention
        self.outbox = OutboxSource()
        self.nudge_source = NudgeSource()
        self.digest_source = DigestSource(db, render_executor=render_executor)
        deliveries.on_enqueued = self.wake
        #: Jobs and sends run in one process of a fleet (``scheduling/leadership.py``).
        self.leadership = Leadership(db, on_wake=self.wake)
        self._waker: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False

    async def tick(self, job: Callable[[], Awaitable[object]]) -> None:
        """Run one periodic job (``self.plan``, ``self.dispatch``…) if this process is the
        fleet's sender. The database not answering is logged once per outage (not once
        per tick); the next tick simply tries again."""
        try:
            if await self.leadership.leading():
                await job()
        except Exception as error:
            if not unavailable(error):
                raise
            self.db.outage.noticed(error)

    async def plan(self) -> PlanningReport:
        report = await plan_pending(
            self.db, self.clock(), self.rng, phrasings=PHRASING_COUNTS, randomize=self.randomize
        )
        NUDGES_PLANNED.inc(report.nudges)
        if report.nudges:
            log.info("planned %d nudges for %d people", report.nudges, report.people)
        return report

    async def dispatch(self) -> DeliveryReport:
        """Send everything due: relays and notices first (people are waiting), then nudges
        and digests."""
        return await self.deliveries.deliver(self.outbox, self.nudge_source, self.digest_source)

    async def digests(self) -> DigestReport:
        """The digest job: plan this week's digests where it is Sunday evening, send due ones."""
        return await run_digests(self.deliveries, self.rng, render_executor=self.render_executor)

    async def deliver_outbox(self) -> DeliveryReport:
        """Send the due outbox rows now (what :meth:`wake` runs; tests await it)."""
        return await self.deliveries.deliver(self.outbox)

    def wake(self) -> None:
        """Send due outbox rows now, in the background: call it after committing new ones
        (in a process that is not the sender, this wakes the sender).

        Wakes while a pass runs cause one more pass after it, never a second pass at the
        same time. Errors are logged; :meth:`close` cancels the pass on shutdown.
        """
        if self._closed:
            return
        self._again = True
        if self._waker is None:
            self._waker = asyncio.get_running_loop().create_task(self._drain(), name="outbox wake")

    async def _drain(self) -> None:
        try:
            while self._again:
                self._again = False
                try:
                    if await self.leadership.leading():
                        await self.deliver_outbox()
                    else:
                        await self.leadership.hand_over()
                except Exception as error:
                    if unavailable(error):  # the rows stay due; the next tick sends them
                        self.db.outage.noticed(error)
                    else:
                        log.exception("sending the outbox failed; the next tick tries again")
        finally:
            self._waker = None

    async def settled(self) -> None:
        """Wait until the outbox pass that :meth:`wake` started (if any) has finished."""
        while (waker := self._waker) is not None:
            await asyncio.shield(waker)

    def stop_claiming(self) -> None:
        """The first step of a graceful stop: no new sends start; those in flight finish."""
        self._closed = True
        self.deliveries.stop_claiming()

    async def close(self) -> None:
        """Stop waking; cancel a pass in progress (its rows stay due, or end as "maybe")."""
        self._closed = True
        waker = self._waker
        if waker is not None:
            waker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waker
        await self.deliveries.close()
        await self.leadership.close()

    async def housekeeping(self) -> int:
        """Unanswered nudges become "ignored", feeding the gentle back-off; handled update
        ids past their retention are dropped; decision points whose window closed get
        their outcome; and words are kept only as long as needed: a delivered message's copy
        in the outbox at once, a note after ``note_retention`` (README, Privacy)."""
        now = self.clock()
        async with self.db.transaction() as session:
            expired = await nudges.expire_unanswered(session, now - ANSWER_DEADLINE)
            for user_id, ritual in expired:
                await nudges.bump_ignored(session, user_id, ritual, reset=False)
            await inbox.forget_before(session, now - INBOX_RETENTION)
            await retention.drop_delivered_words(session)
            await retention.drop_notes_before(session, now - self.note_retention)
        await close_outcomes(self.db, now)
        return len(expired)

    async def learn(self) -> AdaptReport:
        """The daily job: estimate what each ritual's nudges do for each person, and nudge
        less where a ritual has become a habit or its nudges go unanswered."""
        report = await adapt(self.db, self.clock())
        if report.lowered:
            log.info("nudging less often for %d person-rituals", report.lowered)
        return report

    async def run_all(self) -> DeliveryReport:
        """Plan, then send what is due: what one scheduler tick does, for tests and tools."""
        await self.housekeeping()
        await self.plan()
        return await self.dispatch()
