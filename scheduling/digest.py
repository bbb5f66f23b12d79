"""The Sunday digest: each partner's weekly reflection at their own local Sunday 19:00 ± 30 min.

A durable row per delivery, planned by its own small periodic job (so the nudge planner and
its cap logic stay untouched), then sent by the one delivery engine:

1. **Plan.** For every zone where it is Sunday evening, people without this week's row get
   one, with a slot drawn once (``rng``) and stored. The unique (person, week) constraint
   means a second process, or the next tick, can neither draw again nor plan twice.
2. **Send.** Rows whose slot has come go through the delivery engine like every other
   message the bot sends on its own (``scheduling/delivery.py``: paced, claimed one by one
   under a lease, one vocabulary of outcomes), after this module's own re-check (still
   paired, opted in, not paused, under the day's nudge cap, before LAST_CALL). A digest
   whose fate is unknown ends as ``maybe`` and is never resent: never doubled, never
   silently lost.

Kindness rules: nothing after Sunday 22:00 local (a late digest would land in quiet
hours); nothing for a couple with a completely quiet fortnight (a page of zeros on a
Sunday night would read like a reproach); nothing for a couple paired less than
:data:`MIN_PAIRED` ago (a "week" of a day or two is not worth a Sunday message); and no
digest for someone who already had the day's cap of nudges (it is then recorded as
``capped``, not retried). The other direction
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
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.policy import DEFAULT_DAILY_CAP
from domain.values.results import NotPaired
from domain.values.weekly_summary import DAYS_IN_WEEK, week_start_for
from domain.weekly import weekly_reflection, zone_of
from messages.i18n import choose, speaking
from messages.weekly_chart import render_chart
from scheduling.delivery import Deliveries, DeliveryReport, Due, Verdict
from scheduling.metrics import DIGESTS_PLANNED
from scheduling.sender import OutgoingDigest
from storage import delivery, weekly
from storage.database import Database
from storage.weekly import DigestRecipient, DueDigest
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
#: A couple paired more recently than this gets no digest yet (re-checked before sending).
MIN_PAIRED: Final = timedelta(days=3)
#: People planned per query page.
PAGE: Final = 1000
#: Digests in flight at once: enough to hide the Bot API's latency, few enough that the
#: shared Bot API rate limiter always has room for replies to people who are tapping.
CONCURRENCY: Final = 4
#: Charts drawn at once. Drawing holds the GIL in long C stretches even in a worker thread,
#: so a second one buys little throughput but lengthens the stalls people tapping would
#: feel (measured in bench/bench_weekly.py).
RENDERS_AT_ONCE: Final = 1


@dataclass
class DigestReport(DeliveryReport):
    """What one run did, for logs and tests."""

    planned: int = 0


def render_pool() -> ProcessPoolExecutor:
    """One drawing process for the digest, so hours of charts never hold the bot's GIL.

    A worker thread would do for one chart, but the digest draws one after another and
    matplotlib holds the GIL in long C stretches: measured in bench/bench_weekly.py, taps
    during the digest stay at their idle latency with a process and triple with a thread.
    ``forkserver`` because forking a process that runs threads can copy a held lock; the
    worker starts on the first chart, so a bot that never sends a digest never starts it.
    """
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))


async def run_digests(
    engine: Deliveries,
    rng: random.Random,
    *,
    concurrency: int = CONCURRENCY,
    render_executor: Executor | None = None,
) -> DigestReport:
    """One tick of the digest job: plan this week's digests where it is Sunday evening, then
    send the due ones through ``engine``.

    Charts are drawn in a worker thread unless ``render_executor`` (e.g. a one-process
    pool, which keeps the GIL out of the event loop's way entirely) is given.
    """
    report = DigestReport()
    await plan_digests(engine.db, engine.clock(), rng, report)
    source = DigestSource(engine.db, render_executor=render_executor, concurrency=concurrency)
    report.add(await engine.deliver(source))
    if report.sent or report.capped or report.failed or report.maybe:
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
            DIGESTS_PLANNED.inc(len(rows))
            if len(people) < PAGE:
                break
            after = people[-1]
    return report.planned


class DigestSource:
    """The digest's own rules, for the delivery engine: re-check, then draw the chart."""

    table = delivery.DIGESTS

    def __init__(
        self,
        db: Database,
        *,
        render_executor: Executor | None = None,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.db = db
        self.executor = render_executor
        self.in_flight: int | None = concurrency
        self.drawing = asyncio.Semaphore(RENDERS_AT_ONCE)

    async def due(
        self, session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
    ) -> list[Due]:
        page = await weekly.due_digests(session, now, after, limit)
        if not page:
            return []
        people = await weekly.digest_recipients(session, list({d.user_id for d in page}))
        return [Due(d.id, d.user_id, d.due_at, d.attempt, (d, people.get(d.user_id))) for d in page]

    async def prepare(self, due: Due, now: datetime) -> OutgoingDigest | Verdict:
        """Re-check (kindness rules first), then build the reflection and draw its chart."""
        digest, person = due.context
        assert isinstance(digest, DueDigest)
        if (
            not isinstance(person, DigestRecipient)
            or person.couple_id is None
            or not person.is_active
            or person.opt_out
            or (person.paused_until is not None and now < person.paused_until)
        ):
            return Verdict(DigestStatus.SKIPPED)
        tz = zone_of(person.timezone)
        sunday = digest.week_start + timedelta(days=DAYS_IN_WEEK - 1)
        if now >= datetime.combine(sunday, LAST_CALL, tzinfo=tz):
            return Verdict(DigestStatus.MISSED)
        if await self.nudges_today(digest.user_id, now, tz) >= DEFAULT_DAILY_CAP:
            return Verdict(DigestStatus.CAPPED)
        weeks_ago = max(0, (week_start_for(now, tz) - digest.week_start).days // DAYS_IN_WEEK)
        async with self.db.transaction() as session:
            reflection = await weekly_reflection(session, digest.user_id, now, weeks_ago)
        if (
            isinstance(reflection, NotPaired)
            or reflection.summary.is_empty
            or now - reflection.summary.paired_at < MIN_PAIRED
        ):
            return Verdict(DigestStatus.SKIPPED)
        language = choose(person.language, None)
        async with self.drawing:
            with speaking(language):  # the chart's labels are the receiver's
                png = await render_chart(
                    reflection.summary, reflection.people, executor=self.executor
                )
        return OutgoingDigest(digest.id, dataclasses.replace(reflection, chart_png=png), language)

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
