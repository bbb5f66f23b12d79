"""Planning against the database: rows per person and day, idempotent, digest-aware."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from domain import accounts, pairing
from domain.pairing import NewInvite, Paired
from messages.nudges import PHRASING_COUNTS
from scheduling.planning import plan_pending
from storage.database import Database
from storage.models import Nudge, User

SUNDAY_EARLY = datetime(2026, 11, 29, 0, 30, tzinfo=UTC)


async def _couple(db: Database, first: int, second: int) -> None:
    for user_id in (first, second):
        await accounts.register(db, user_id, f"P{user_id}", SUNDAY_EARLY)
        await accounts.set_timezone(db, user_id, "UTC")
    invite = await pairing.create_invite(db, first, SUNDAY_EARLY)
    assert isinstance(invite, NewInvite)
    assert isinstance(await pairing.accept(db, second, invite.code, SUNDAY_EARLY), Paired)


async def _per_person_day(db: Database) -> Counter[tuple[int, date]]:
    async with db.transaction() as session:
        rows = (await session.execute(select(Nudge.user_id, Nudge.local_date))).all()
    return Counter((user_id, day) for user_id, day in rows)


async def test_sunday_leaves_room_for_the_digest_inside_the_daily_cap(db: Database) -> None:
    await _couple(db, 1, 2)
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == 2).values(digest_opt_out=True))
    report = await plan_pending(
        db, SUNDAY_EARLY, random.Random(3), phrasings=dict(PHRASING_COUNTS)
    )
    counts = await _per_person_day(db)
    sunday, monday = date(2026, 11, 29), date(2026, 11, 30)
    assert counts[(1, sunday)] == 2  # gets the digest: 2 nudges + the digest = the cap of 3
    assert counts[(2, sunday)] == 3  # opted out of the digest: the usual 3
    assert counts[(1, monday)] == counts[(2, monday)] == 3
    assert report.people == 2 and report.nudges == sum(counts.values())


async def test_planning_twice_plans_nothing_new(db: Database) -> None:
    await _couple(db, 1, 2)
    rng = random.Random(3)
    first = await plan_pending(db, SUNDAY_EARLY, rng, phrasings=dict(PHRASING_COUNTS))
    again = await plan_pending(db, SUNDAY_EARLY, rng, phrasings=dict(PHRASING_COUNTS))
    assert first.nudges > 0 and again.nudges == 0
    assert sum((await _per_person_day(db)).values()) == first.nudges
