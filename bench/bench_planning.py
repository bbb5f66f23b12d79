"""Planning: one day's nudges for many people (issue #3 target: 1M people in under 60 s).

Fills a database with N people (paired, zones spread around the world, today already
planned), then times ``plan_pending``, which plans tomorrow for everyone. The baseline,
measured in the same run on a sample, is the straightforward way: per person, load with the
ORM, plan, add ``Nudge`` objects, commit.

    python bench/bench_planning.py [--people 1000000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench._setup import NOW, fill_couples, migrated, sqlite_url
from domain.nudge_settings import load_policy
from domain.values.kinds import Ritual
from domain.values.planner import plan_day
from messages.nudges import PHRASING_COUNTS
from scheduling.planning import plan_pending
from storage.database import Database
from storage.models import Nudge, User
from tests.conftest import throwaway_postgres_database
from tests.work import act

TOMORROW = (NOW + timedelta(days=1)).date()


async def _ours(db: Database) -> tuple[int, float]:
    started = time.perf_counter()
    report = await plan_pending(db, NOW, random.Random(1), phrasings=dict(PHRASING_COUNTS))
    return report.nudges, time.perf_counter() - started


async def _baseline(db: Database, sample: int) -> tuple[int, float]:
    """Per person: ORM load, plan, add, commit — what a first version would do."""
    async with db.transaction() as session:
        ids = list(await session.scalars(select(User.id).order_by(User.id).limit(sample)))
    started, planned = time.perf_counter(), 0
    rng = random.Random(1)
    for user_id in ids:
        policy = await act(db, user_id, load_policy)
        async with db.transaction() as session:
            user = await session.get(User, user_id)
            assert policy is not None and user is not None and user.couple_id is not None
            for nudge in plan_day(policy, TOMORROW, rng, not_before=NOW):
                session.add(
                    Nudge(
                        user_id=user_id,
                        couple_id=user.couple_id,
                        ritual=nudge.ritual.value,
                        local_date=TOMORROW,
                        due_at=nudge.due_at,
                        window_end_at=nudge.window_end_at,
                        status="planned",
                        attempt=0,
                        phrasing=0,
                        snoozed=False,
                    )
                )
                planned += 1
            user.planned_through = TOMORROW
    return planned, time.perf_counter() - started


async def _backend(name: str, url_ours: str, url_base: str, people: int, sample: int) -> None:
    for url, label in ((url_ours, "ours"), (url_base, "baseline")):
        db = await migrated(url)
        started = time.perf_counter()
        await fill_couples(
            db, (people if label == "ours" else sample) // 2, planned_through=NOW.date()
        )
        fill = time.perf_counter() - started
        if label == "ours":
            nudges, seconds = await _ours(db)
            async with db.transaction() as session:
                stored = await session.scalar(select(func.count()).select_from(Nudge))
            assert stored == nudges
            print(
                f"[{name}] plan_pending: {people:,} people -> {nudges:,} nudges for "
                f"{TOMORROW} in {seconds:.1f} s ({people / seconds:,.0f} people/s; "
                f"fill {fill:.0f} s not counted)"
            )
            ours_rate = people / seconds
        else:
            nudges, seconds = await _baseline(db, sample)
            rate = sample / seconds
            print(
                f"[{name}] baseline (ORM, person by person) on {sample:,} people: "
                f"{seconds:.1f} s = {rate:,.0f} people/s -> 1M people would take "
                f"{1_000_000 / rate / 60:.0f} min"
            )
            print(f"[{name}] ratio ours / baseline: {ours_rate / rate:.0f}x")
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5_000, help="baseline sample size")
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well")
    args = parser.parse_args()
    assert set(PHRASING_COUNTS) == set(Ritual)
    with tempfile.TemporaryDirectory() as folder:
        await _backend(
            "sqlite",
            sqlite_url(Path(folder), "ours.db"),
            sqlite_url(Path(folder), "base.db"),
            args.people,
            args.sample,
        )
    if args.postgres:
        async with (
            throwaway_postgres_database(args.postgres) as ours,
            throwaway_postgres_database(args.postgres) as base,
        ):
            await _backend("postgres", ours, base, args.people, args.sample)


if __name__ == "__main__":
    asyncio.run(main())
