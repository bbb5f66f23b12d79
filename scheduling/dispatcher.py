"""Dispatch: send each due nudge exactly once, through whatever ``NudgeSender`` it is given.

One tick claims a small batch of due rows under a lease, re-checks each recipient (still
paired, reachable, not paused, not already done), sends them concurrently, and records the
batch's outcomes in one transaction. A crash therefore loses no nudge (the lease runs out and
another dispatcher takes the rows over); at worst the sends of the one unrecorded batch go
out again, the price of writing outcomes in bulk rather than one commit per message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.clock import Clock
from domain.kinds import Ritual
from scheduling.planner import is_still_deliverable
from scheduling.rate_limit import SendRateLimiter
from scheduling.sender import (
    MaybeDelivered,
    NotDelivered,
    NudgeSender,
    OutgoingNudge,
    RecipientBlocked,
    RetryLater,
)
from storage import nudges
from storage.database import Database
from storage.models import Nudge, NudgeStatus
from storage.nudges import Recipient

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
#: Called once when someone turns out to have blocked the bot: (their id, their partner's id).
BlockedHook = Callable[[int, int | None], Awaitable[None]]


@dataclass
class DispatchReport:
    """What one tick did, for logs and tests."""

    sent: int = 0
    skipped: int = 0
    missed: int = 0
    retried: int = 0
    blocked: int = 0


class Dispatcher:
    def __init__(
        self,
        db: Database,
        sender: NudgeSender,
        clock: Clock,
        *,
        limiter: SendRateLimiter | None = None,
        batch: int = 64,
        concurrency: int = 32,
        on_blocked: BlockedHook | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.limiter = limiter
        self.batch = batch
        self.concurrency = concurrency
        self.on_blocked = on_blocked
        self._outcomes: list[dict[str, object]] = []

    async def tick(self) -> DispatchReport:
        """Send everything due now; returns what happened (for logs and tests)."""
        report = DispatchReport()
        while True:
            now = self.clock()
            async with self.db.transaction() as session:
                claimed = await nudges.claim_due(session, now, now + LEASE, self.batch)
                if not claimed:
                    return report
                people = await nudges.recipients(session, [n.user_id for n in claimed])
                done_midday = await self._already_thinking(session, claimed, people)
            semaphore = asyncio.Semaphore(self.concurrency)
            try:
                await asyncio.gather(
                    *(
                        self._bounded(semaphore, n, people.get(n.user_id), done_midday, report)
                        for n in claimed
                    )
                )
            finally:
                await self._flush()
            if len(claimed) < self.batch:
                return report

    async def _bounded(
        self,
        semaphore: asyncio.Semaphore,
        nudge: Nudge,
        person: Recipient | None,
        done_midday: set[int],
        report: DispatchReport,
    ) -> None:
        async with semaphore:
            await self._handle(nudge, person, done_midday, report)

    async def _already_thinking(
        self, session: AsyncSession, claimed: list[Nudge], people: dict[int, Recipient]
    ) -> set[int]:
        """People who sent "thinking of you" on their local day already: no midday prompt."""
        midday = [n for n in claimed if n.ritual == Ritual.MIDDAY_THINKING]
        if not midday:
            return set()
        done: set[int] = set()
        for nudge in midday:
            person = people.get(nudge.user_id)
            if person is None or person.timezone is None:
                continue
            local_midnight = datetime.combine(nudge.local_date, time(), ZoneInfo(person.timezone))
            done |= await nudges.thinking_sent_since(session, [nudge.user_id], local_midnight)
        return done

    async def _handle(
        self,
        nudge: Nudge,
        person: Recipient | None,
        done_midday: set[int],
        report: DispatchReport,
    ) -> None:
        now = self.clock()
        skip = (
            person is None
            or not person.is_active
            or person.couple_id != nudge.couple_id
            or person.partner_name is None
            or (person.paused_until is not None and now < person.paused_until)
            or nudge.user_id in done_midday
        )
        if skip:
            await self._finish(nudge.id, status=NudgeStatus.SKIPPED)
            report.skipped += 1
            return
        assert person is not None and person.partner_name is not None
        if not is_still_deliverable(nudge.window_end_at, now):
            await self._finish(nudge.id, status=NudgeStatus.MISSED)
            report.missed += 1
            return
        outgoing = OutgoingNudge(
            nudge.id,
            nudge.user_id,
            Ritual(nudge.ritual),
            nudge.phrasing,
            nudge.local_date,
            person.partner_name,
        )
        if self.limiter is not None:
            await self.limiter.acquire(nudge.user_id)
        try:
            message_id = await self.sender.send_nudge(outgoing)
        except RecipientBlocked:
            await self._blocked(nudge)
            report.blocked += 1
        except (RetryLater, NotDelivered) as error:
            await self._retry(nudge, error)
            report.retried += 1
        except MaybeDelivered:
            # Telegram may have shown it: recording it as sent is better than sending twice.
            await self._finish(nudge.id, status=NudgeStatus.SENT, sent_at=self.clock())
            report.sent += 1
        else:
            await self._finish(
                nudge.id, status=NudgeStatus.SENT, sent_at=self.clock(), message_id=message_id
            )
            report.sent += 1

    async def _finish(self, nudge_id: int, **values: object) -> None:
        """Remember an outcome; the whole batch is written at once by ``_flush``."""
        self._outcomes.append({"id": nudge_id, **values})

    async def _flush(self) -> None:
        outcomes, self._outcomes = self._outcomes, []
        if outcomes:
            async with self.db.transaction() as session:
                await nudges.finish_many(session, outcomes)

    async def _retry(self, nudge: Nudge, error: Exception) -> None:
        """Back off and try again while the window lasts; the row keeps its attempt count."""
        delay = (
            timedelta(seconds=error.seconds)
            if isinstance(error, RetryLater)
            else timedelta(seconds=min(300, 5 * 2**nudge.attempt))
        )
        if nudge.attempt >= MAX_ATTEMPTS:
            log.warning("nudge %s failed %s times; giving up", nudge.id, nudge.attempt)
            await self._finish(nudge.id, status=NudgeStatus.FAILED)
            return
        await self._finish(nudge.id, status=NudgeStatus.PLANNED, due_at=self.clock() + delay)

    async def _blocked(self, nudge: Nudge) -> None:
        """Stop nudging someone who blocked the bot; tell their partner once, kindly."""
        await self._finish(nudge.id, status=NudgeStatus.FAILED)
        async with self.db.transaction() as session:
            first_time, partner_id = await nudges.mark_unreachable(session, nudge.user_id)
        if first_time and self.on_blocked is not None:
            await self.on_blocked(nudge.user_id, partner_id)
