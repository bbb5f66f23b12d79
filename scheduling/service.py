"""The three periodic jobs of the nudge schedule, as plain async methods.

``bot/`` runs them from PTB's JobQueue (APScheduler) — one job per kind of work, never one
per person — and tests call them directly after moving the injected clock.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from domain.clock import Clock
from messages.nudges import PHRASING_COUNTS
from scheduling.dispatcher import Dispatcher, DispatchReport
from scheduling.planning import PlanningReport, plan_pending
from storage import nudges
from storage.database import Database

log = logging.getLogger(__name__)

#: A sent nudge with no answer after this long counts as ignored (for the back-off).
ANSWER_DEADLINE = timedelta(hours=20)

PLAN_EVERY = timedelta(minutes=10)
DISPATCH_EVERY = timedelta(seconds=10)
HOUSEKEEPING_EVERY = timedelta(hours=1)


class NudgeService:
    def __init__(
        self, db: Database, dispatcher: Dispatcher, clock: Clock, rng: random.Random
    ) -> None:
        self.db = db
        self.dispatcher = dispatcher
        self.clock = clock
        self.rng = rng

    async def plan(self) -> PlanningReport:
        report = await plan_pending(
            self.db, self.clock(), self.rng, phrasings=PHRASING_COUNTS
        )
        if report.nudges:
            log.info("planned %d nudges for %d people", report.nudges, report.people)
        return report

    async def dispatch(self) -> DispatchReport:
        return await self.dispatcher.tick()

    async def housekeeping(self) -> int:
        """Unanswered nudges become "ignored", feeding the gentle back-off."""
        async with self.db.transaction() as session:
            expired = await nudges.expire_unanswered(session, self.clock() - ANSWER_DEADLINE)
            for user_id, ritual in expired:
                await nudges.bump_ignored(session, user_id, ritual, reset=False)
        return len(expired)

    async def run_all(self) -> DispatchReport:
        """Plan, then send what is due: what one scheduler tick does, for tests and tools."""
        await self.housekeeping()
        await self.plan()
        return await self.dispatch()
