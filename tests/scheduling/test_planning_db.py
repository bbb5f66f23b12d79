"""Planning against the database: rows per person and day, idempotent, digest-aware."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update

from domain import accounts, pairing
from domain.pairing import NewInvite, Paired
from domain.values.confirmation import Action
from messages.nudges import PHRASING_COUNTS
from scheduling.planning import plan_pending
from storage import nudges
from storage.database import Database
from storage.models import Nudge, User
from storage.nudges import NewNudge
from tests.work import act, register

SUNDAY_EARLY = datetime(2026, 11, 29, 0, 30, tzinfo=UTC)
PHRASINGS = dict(PHRASING_COUNTS)


async def _couple(db: Database, first: int, second: int) -> None:
    for user_id in (first, second):
        await register(db, user_id, f"P{user_id}", SUNDAY_EARLY)
        await act(db, user_id, accounts.set_timezone, "UTC")
    invite = await act(db, first, pairing.create_invite, now=SUNDAY_EARLY)
    assert isinstance(invite, NewInvite)
    assert isinstance(await act(db, second, pairing.accept, invite.code, now=SUNDAY_EARLY), Paired)


async def _per_person_day(db: Database) -> Counter[tuple[int, date]]:
    async with db.transaction() as session:
        rows = (await session.execute(select(Nudge.user_id, Nudge.local_date))).all()
    return Counter((user_id, day) for user_id, day in rows)


async def test_sunday_leaves_room_for_the_digest_inside_the_daily_cap(db: Database) -> None:
    await _couple(db, 1, 2)
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == 2).values(digest_opt_out=True))
    report = await plan_pending(db, SUNDAY_EARLY, random.Random(3), phrasings=dict(PHRASING_COUNTS))
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


async def test_people_another_process_planned_first_keep_their_nudges_once(
    db: Database,
) -> None:
    """A second planner that read the page before the first one's marks skips, not doubles."""
    await _couple(db, 1, 2)
    first = await plan_pending(db, SUNDAY_EARLY, random.Random(3), phrasings=PHRASINGS)
    async with db.transaction() as session:
        kept = set((await session.execute(select(Nudge.user_id, Nudge.due_at))).all())
        await session.execute(delete(Nudge).where(Nudge.user_id == 1))
        await session.execute(update(User).values(planned_through=None))  # not seen yet
    again = await plan_pending(db, SUNDAY_EARLY, random.Random(4), phrasings=PHRASINGS)
    counts = await _per_person_day(db)
    assert set(counts.values()) <= {2, 3} and sum(counts.values()) == first.nudges
    assert again.nudges == sum(n for (user_id, _), n in counts.items() if user_id == 1)
    async with db.transaction() as session:
        bobs = set(
            (
                await session.execute(select(Nudge.user_id, Nudge.due_at).where(Nudge.user_id == 2))
            ).all()
        )
    assert bobs == {row for row in kept if row[0] == 2}  # the first plan stands


async def test_nobody_who_left_or_unpaired_meanwhile_gets_planned(db: Database) -> None:
    """Rows planned for someone who left before the page was written are not stored."""
    await _couple(db, 1, 2)
    await _couple(db, 3, 4)
    async with db.transaction() as session:
        people = await nudges.planning_rows(session, after_user_id=0, limit=10)
    day = SUNDAY_EARLY.date()
    rows = [
        NewNudge(p.user_id, p.couple_id, "bedtime", day, SUNDAY_EARLY, SUNDAY_EARLY, 0)
        for p in people
    ]
    nonce = await act(db, 1, accounts.offer_confirmation, Action.FORGET, now=SUNDAY_EARLY)
    assert await act(db, 1, accounts.forget, nonce, now=SUNDAY_EARLY) is not None  # Bob is told
    couple_of_3 = next(p.couple_id for p in people if p.user_id == 3)
    nonce = await act(db, 3, accounts.offer_confirmation, Action.UNPAIR, now=SUNDAY_EARLY)
    assert await act(db, 3, accounts.unpair, couple_of_3, nonce, now=SUNDAY_EARLY) is not None
    async with db.transaction() as session:
        page = nudges.prepare_page(db.engine.dialect.name, rows, {p.user_id: day for p in people})
        stored = await nudges.add_planned(session, page)
    assert stored == 0  # 1 is gone; 2, 3 and 4 are no longer a couple
    assert sum((await _per_person_day(db)).values()) == 0


async def test_forgetting_someone_deletes_their_nudges(db: Database) -> None:
    await _couple(db, 1, 2)
    await plan_pending(db, SUNDAY_EARLY, random.Random(3), phrasings=PHRASINGS)
    nonce = await act(db, 1, accounts.offer_confirmation, Action.FORGET, now=SUNDAY_EARLY)
    await act(db, 1, accounts.forget, nonce, now=SUNDAY_EARLY)
    assert {user_id for user_id, _ in await _per_person_day(db)} == {2}
