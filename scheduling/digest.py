"""The Sunday digest: each partner's weekly reflection at their own local Sunday 19:00 ± 30 min.

It follows the nudge machinery's shape — a durable row per delivery, planned then claimed
then finished, a sender protocol that keeps Telegram out of ``scheduling/`` — but runs as
its own small periodic job, so the nudge planner and its cap logic stay untouched:

1. **Plan.** For every zone where it is Sunday evening, people without this week's row get
   one, with a slot drawn once (``rng``) and stored. The unique (person, week) constraint
   means a second process, or the next tick, can neither draw again nor plan twice.
2. **Send.** Rows whose slot has come are claimed (``SKIP LOCKED``), re-checked (still
   paired, opted in, not paused, under the day's nudge cap) and sent. A claimed row is
   never claimed again: after a crash a digest may be lost, but it is never doubled.

Kindness rules: nothing after Sunday 22:00 local (a late digest would land in quiet
hours); nothing for a couple with a completely quiet fortnight (a page of zeros on a
Sunday night would read like a reproach); and no digest for someone who already had the
day's cap of nudges (it is then recorded as ``capped``, not retried). The other direction
— a later nudge counting the digest — belongs to the nudge dispatcher and is not done here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import random
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.results import NotPaired
from domain.weekly import Reflection, render_chart, weekly_reflection, zone_of
from domain.weekly_summary import DAYS_IN_WEEK, week_start_for
from scheduling.dispatcher import BlockedHook
from scheduling.policy import DEFAULT_DAILY_CAP
from scheduling.rate_limit import SendRateLimiter
from scheduling.sender import MaybeDelivered, NotDelivered, RecipientBlocked, RetryLater
from storage import nudges, weekly
from storage.database import Database
from storage.weekly import ClaimedDigest, DigestRecipient
from storage.weekly_models import DigestStatus

log = logging.getLogger(__name__)

DIGEST_EVERY: Final = timedelta(minutes=5)
SUNDAY: Final = 6
DIGEST_AT: Final = time(19, 0)
SPREAD: Final = timedelta(minutes=30)
#: Slots are drawn from 18:30 local; a bot that was down may still plan until LAST_CALL.
PLAN_FROM: Final = time(18, 30)
#: Nothing goes out after this local time: it would be too close to quiet hours.
LAST_CALL: Final = time(22, 0)
#: People planned per query page, and digests claimed per batch.
PAGE: Final = 1000
BATCH: Final = 50
#: Digests in flight at once: enough to hide the Bot API's latency, few enough that the
#: shared Bot API rate limiter always has room for replies to people who are tapping.
CONCURRENCY: Final = 4
#: Charts drawn at once. Drawing holds the GIL in long C stretches even in a worker thread,
#: so a second one buys little throughput but lengthens the stalls people tapping would
#: feel (measured in bench/bench_weekly.py).
RENDERS_AT_ONCE: Final = 1
#: Leaves a third of Telegram's 30 messages/s for replies to people who are tapping.
DIGEST_MESSAGES_PER_SECOND: Final = 20


class DigestSender(Protocol):
    """How a digest reaches ``reflection.asker``; the bot implements it with PTB.

    Raise the errors of :mod:`scheduling.sender` (RecipientBlocked, RetryLater, ...),
    exactly as a ``NudgeSender`` does.
    """

    async def send_digest(self, reflection: Reflection) -> None: ...


@dataclass
class DigestReport:
    """What one run did, for logs and tests."""

    planned: int = 0
    sent: int = 0
    skipped: int = 0
    capped: int = 0
    missed: int = 0
    failed: int = 0
    retried: int = 0


def render_pool() -> ProcessPoolExecutor:
    """One drawing process for the digest, so hours of charts never hold the bot's GIL.

    A worker thread would do for one chart, but the digest draws one after another and
    matplotlib holds the GIL in long C stretches: measured in bench/bench_weekly.py, taps
    during the digest stay at their idle latency with a process and triple with a thread.
    ``forkserver`` because forking a process that runs threads can copy a held lock; the
    worker starts on the first chart, so a bot that never sends a digest never starts it.
    """
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))


def digest_limiter() -> SendRateLimiter:
    """The pacing the bot uses for digests (tests and benchmarks may pass none)."""
    return SendRateLimiter(per_second=DIGEST_MESSAGES_PER_SECOND)


async def run_digests(
    db: Database,
    bot_sender: DigestSender,
    clock: Clock,
    rng: random.Random,
    *,
    limiter: SendRateLimiter | None = None,
    concurrency: int = CONCURRENCY,
    render_executor: Executor | None = None,
    on_blocked: BlockedHook | None = None,
) -> DigestReport:
    """One tick of the digest job: plan this week's digests where it is Sunday evening, then
    send the due ones.

    Charts are drawn in a worker thread unless ``render_executor`` (e.g. a one-process
    pool, which keeps the GIL out of the event loop's way entirely) is given.
    """
    report = DigestReport()
    await plan_digests(db, clock(), rng, report)
    run = _Dispatch(db, bot_sender, clock, limiter, render_executor, report, on_blocked)
    await run.all_due(concurrency)
    if report.sent or report.capped or report.failed:
        log.info("weekly digests: %s", report)
    return report


async def plan_digests(
    db: Database, now: datetime, rng: random.Random, report: DigestReport | None = None
) -> int:
    """Draw and store a slot for everyone whose local time is Sunday evening; returns count.

    Only zones currently in the planning window are looked at, so the query touches the
    few people who can possibly be due, not everyone.
    """
    report = report if report is not None else DigestReport()
    async with db.transaction() as session:
        zones = await weekly.known_zones(session)
    for name in zones:
        tz = zone_of(name)
        local = now.astimezone(tz)
        if local.weekday() != SUNDAY or not PLAN_FROM <= local.time() < LAST_CALL:
            continue
        week_start = week_start_for(now, tz)
        centre = datetime.combine(local.date(), DIGEST_AT, tzinfo=tz).astimezone(UTC)
        spread = int(SPREAD.total_seconds())
        after = 0
        while True:
            async with db.transaction() as session:
                people = await weekly.digest_candidates(
                    session, name, week_start, after_user_id=after, limit=PAGE
                )
                rows: list[dict[str, Any]] = [
                    {
                        "user_id": user_id,
                        "week_start": week_start,
                        # Never due before it was planned: a late start sends promptly.
                        "due_at": max(
                            centre + timedelta(seconds=rng.randint(-spread, spread)), now
                        ),
                    }
                    for user_id in people
                ]
                await weekly.add_planned_digests(session, rows)
            report.planned += len(rows)
            if len(people) < PAGE:
                break
            after = people[-1]
    return report.planned


class _Dispatch:
    """One tick's sending: claim due digests batch by batch, handle a few at a time."""

    def __init__(
        self,
        db: Database,
        sender: DigestSender,
        clock: Clock,
        limiter: SendRateLimiter | None,
        executor: Executor | None,
        report: DigestReport,
        on_blocked: BlockedHook | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.limiter = limiter
        self.executor = executor
        self.report = report
        self.drawing = asyncio.Semaphore(RENDERS_AT_ONCE)
        self.on_blocked = on_blocked

    async def unreachable(self, user_id: int) -> None:
        """Blocked: no more nudges or digests; the partner hears it once, as for nudges."""
        async with self.db.transaction() as session:
            first_time, partner_id = await nudges.mark_unreachable(session, user_id)
        if first_time and self.on_blocked is not None:
            await self.on_blocked(user_id, partner_id)

    async def all_due(self, concurrency: int) -> None:
        semaphore = asyncio.Semaphore(concurrency)

        async def bounded(digest: ClaimedDigest, person: DigestRecipient | None) -> None:
            async with semaphore:
                await self.deliver(digest, person)

        while True:
            now = self.clock()
            async with self.db.transaction() as session:
                claimed = await weekly.claim_due_digests(session, now, BATCH)
                if not claimed:
                    return
                people = await weekly.digest_recipients(session, [d.user_id for d in claimed])
            await asyncio.gather(*(bounded(d, people.get(d.user_id)) for d in claimed))
            if len(claimed) < BATCH:
                return

    async def deliver(self, digest: ClaimedDigest, person: DigestRecipient | None) -> None:
        """Re-check, build and send one digest, and record the outcome; never raises."""
        try:
            status = await self.attempt(digest, person)
        except Exception:  # one bad digest must not stop everyone else's
            log.exception("weekly digest %s for %s failed", digest.id, digest.user_id)
            status = DigestStatus.FAILED
        if isinstance(status, datetime):  # retry at that time
            await self.finish(digest.id, status=DigestStatus.PLANNED, due_at=status)
            self.report.retried += 1
            return
        values: dict[str, Any] = {"status": status}
        if status == DigestStatus.SENT:
            values["sent_at"] = self.clock()
        await self.finish(digest.id, **values)
        counter = {
            DigestStatus.SENT: "sent",
            DigestStatus.SKIPPED: "skipped",
            DigestStatus.CAPPED: "capped",
            DigestStatus.MISSED: "missed",
        }.get(status, "failed")
        setattr(self.report, counter, getattr(self.report, counter) + 1)

    async def attempt(
        self, digest: ClaimedDigest, person: DigestRecipient | None
    ) -> str | datetime:
        """The digest's new status, or the time to try again after a temporary failure."""
        now = self.clock()
        if (
            person is None
            or person.couple_id is None
            or not person.is_active
            or person.opt_out
            or (person.paused_until is not None and now < person.paused_until)
        ):
            return DigestStatus.SKIPPED
        tz = zone_of(person.timezone)
        sunday = digest.week_start + timedelta(days=DAYS_IN_WEEK - 1)
        if now >= datetime.combine(sunday, LAST_CALL, tzinfo=tz):
            return DigestStatus.MISSED
        if await self.nudges_today(digest.user_id, now, tz) >= DEFAULT_DAILY_CAP:
            return DigestStatus.CAPPED
        weeks_ago = max(0, (week_start_for(now, tz) - digest.week_start).days // DAYS_IN_WEEK)
        async with self.db.transaction() as session:
            reflection = await weekly_reflection(session, digest.user_id, now, weeks_ago)
        if isinstance(reflection, NotPaired) or reflection.summary.is_empty:
            return DigestStatus.SKIPPED
        async with self.drawing:
            png = await render_chart(reflection.summary, reflection.names, executor=self.executor)
        reflection = dataclasses.replace(reflection, chart_png=png)
        if self.limiter is not None:
            await self.limiter.acquire(digest.user_id)
        try:
            await self.sender.send_digest(reflection)
        except RecipientBlocked:
            await self.unreachable(digest.user_id)
            return DigestStatus.FAILED
        except RetryLater as error:
            return self.clock() + timedelta(seconds=error.seconds)
        except NotDelivered:
            return self.clock() + timedelta(minutes=1)
        except MaybeDelivered:
            return DigestStatus.SENT  # it may be on their screen: better once than twice
        return DigestStatus.SENT

    async def nudges_today(self, user_id: int, now: datetime, tz: ZoneInfo) -> int:
        """Nudges already sent on the person's local day: the digest counts against the cap."""
        midnight = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
        async with self.db.transaction() as session:
            return await weekly.nudges_sent_between(
                session,
                user_id,
                midnight.astimezone(UTC),
                (midnight + timedelta(days=1)).astimezone(UTC),
            )

    async def finish(self, digest_id: int, **values: Any) -> None:
        async with self.db.transaction() as session:
            await weekly.finish_digest(session, digest_id, **values)
