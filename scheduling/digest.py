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
Sunday night would read like a reproach); and the day's cap of nudges is respected.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, Protocol

from domain.clock import Clock
from domain.results import NotPaired
from domain.weekly import Reflection, weekly_reflection, zone_of
from domain.weekly_summary import DAYS_IN_WEEK, week_start_for
from scheduling.policy import DEFAULT_DAILY_CAP
from scheduling.rate_limit import SendRateLimiter
from scheduling.sender import MaybeDelivered, NotDelivered, RecipientBlocked, RetryLater
from storage import weekly
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
#: Digests in flight at once: enough to hide network latency, few enough that chart
#: rendering (in worker threads) and the shared Bot API rate limiter leave room for taps.
CONCURRENCY: Final = 2
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


def digest_limiter() -> SendRateLimiter:
    """The pacing the bot uses for digests (tests and benchmarks may pass none)."""
    return SendRateLimiter(per_second=DIGEST_MESSAGES_PER_SECOND)


async def send_due_digests(
    db: Database,
    bot_sender: DigestSender,
    clock: Clock,
    rng: random.Random,
    *,
    limiter: SendRateLimiter | None = None,
    concurrency: int = CONCURRENCY,
) -> int:
    """Plan this week's digests where it is Sunday evening, send the due ones; returns sent."""
    report = await run_digests(db, bot_sender, clock, rng, limiter=limiter, concurrency=concurrency)
    return report.sent


async def run_digests(
    db: Database,
    bot_sender: DigestSender,
    clock: Clock,
    rng: random.Random,
    *,
    limiter: SendRateLimiter | None = None,
    concurrency: int = CONCURRENCY,
) -> DigestReport:
    """One tick of the digest job, with the full report."""
    report = DigestReport()
    await plan_digests(db, clock(), rng, report)
    await _dispatch(db, bot_sender, clock, limiter, concurrency, report)
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


async def _dispatch(
    db: Database,
    sender: DigestSender,
    clock: Clock,
    limiter: SendRateLimiter | None,
    concurrency: int,
    report: DigestReport,
) -> None:
    """Claim due digests batch by batch and handle each, a few at a time."""
    semaphore = asyncio.Semaphore(concurrency)

    async def bounded(digest: ClaimedDigest, person: DigestRecipient | None) -> None:
        async with semaphore:
            await _deliver(db, sender, clock, limiter, digest, person, report)

    while True:
        now = clock()
        async with db.transaction() as session:
            claimed = await weekly.claim_due_digests(session, now, BATCH)
            if not claimed:
                return
            people = await weekly.digest_recipients(session, [d.user_id for d in claimed])
        await asyncio.gather(*(bounded(d, people.get(d.user_id)) for d in claimed))
        if len(claimed) < BATCH:
            return


async def _deliver(
    db: Database,
    sender: DigestSender,
    clock: Clock,
    limiter: SendRateLimiter | None,
    digest: ClaimedDigest,
    person: DigestRecipient | None,
    report: DigestReport,
) -> None:
    """Re-check, build and send one digest, and record the outcome; never raises."""
    try:
        status = await _attempt(db, sender, clock, limiter, digest, person)
    except Exception:  # one bad digest must not stop everyone else's
        log.exception("weekly digest %s for %s failed", digest.id, digest.user_id)
        status = DigestStatus.FAILED
    if isinstance(status, datetime):  # retry at that time
        await _finish(db, digest.id, status=DigestStatus.PLANNED, due_at=status)
        report.retried += 1
        return
    values: dict[str, Any] = {"status": status}
    if status == DigestStatus.SENT:
        values["sent_at"] = clock()
    await _finish(db, digest.id, **values)
    counter = {
        DigestStatus.SENT: "sent",
        DigestStatus.SKIPPED: "skipped",
        DigestStatus.CAPPED: "capped",
        DigestStatus.MISSED: "missed",
    }.get(status, "failed")
    setattr(report, counter, getattr(report, counter) + 1)


async def _attempt(
    db: Database,
    sender: DigestSender,
    clock: Clock,
    limiter: SendRateLimiter | None,
    digest: ClaimedDigest,
    person: DigestRecipient | None,
) -> str | datetime:
    """The digest's new status, or the time to try again after a temporary failure."""
    now = clock()
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
    local_midnight = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
    async with db.transaction() as session:
        sent_today = await weekly.nudges_sent_between(
            session,
            digest.user_id,
            local_midnight.astimezone(UTC),
            (local_midnight + timedelta(days=1)).astimezone(UTC),
        )
    if sent_today >= DEFAULT_DAILY_CAP:
        return DigestStatus.CAPPED
    weeks_ago = max(0, (week_start_for(now, tz) - digest.week_start).days // DAYS_IN_WEEK)
    reflection = await weekly_reflection(db, digest.user_id, now, weeks_ago)
    if isinstance(reflection, NotPaired) or reflection.summary.is_empty:
        return DigestStatus.SKIPPED
    if limiter is not None:
        await limiter.acquire(digest.user_id)
    try:
        await sender.send_digest(reflection)
    except RecipientBlocked:
        return DigestStatus.FAILED
    except RetryLater as error:
        return clock() + timedelta(seconds=error.seconds)
    except NotDelivered:
        return clock() + timedelta(minutes=1)
    except MaybeDelivered:
        return DigestStatus.SENT  # it may be on their screen: better once than twice
    return DigestStatus.SENT


async def _finish(db: Database, digest_id: int, **values: Any) -> None:
    async with db.transaction() as session:
        await weekly.finish_digest(session, digest_id, **values)
