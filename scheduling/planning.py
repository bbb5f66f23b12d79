"""Planning: turn every reachable person's settings into nudge rows for today and tomorrow.

Runs as a periodic job in every bot process; the unique (person, ritual, day) constraint
makes a second process's plan a no-op, and ``planned_through`` lets it skip people fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from domain.kinds import Ritual
from domain.nudge_settings import policy_from_rows
from scheduling.planner import dates_to_plan, plan_day
from scheduling.policy import NudgePolicy
from storage import nudges
from storage.database import Database
from storage.nudges import NewNudge, PlanningRow

PAGE = 5000
SUNDAY = 6


@dataclass(frozen=True)
class PlanningReport:
    people: int
    nudges: int


def phrasing_for(user_id: int, local_date: date, count: int) -> int:
    """Rotate phrasings by day: consecutive days always differ, with no state to store."""
    return (local_date.toordinal() + user_id) % count if count > 1 else 0


def _policy(row: PlanningRow, day: date) -> NudgePolicy:
    return _cached_policy(
        row.timezone,
        row.quiet_hours,
        row.paused_until,
        tuple((ritual, enabled, window) for ritual, enabled, window, _ in row.settings),
        day.weekday() == SUNDAY and not row.digest_opt_out,
    )


@lru_cache(maxsize=4096)
def _cached_policy(
    timezone: str,
    quiet_hours: str | None,
    paused_until: datetime | None,
    settings: tuple[tuple[str, bool | None, str | None], ...],
    digest_day: bool,
) -> NudgePolicy:
    """Most people keep the defaults, so a million people share a few hundred policies.

    On Sundays the weekly digest counts inside the daily cap, so one nudge fewer is planned.
    """
    policy = policy_from_rows(timezone, quiet_hours, paused_until, settings)
    if digest_day:
        return dataclasses.replace(policy, daily_cap=max(policy.daily_cap - 1, 0))
    return policy


async def plan_pending(
    db: Database, now: datetime, rng: random.Random, *, phrasings: dict[Ritual, int]
) -> PlanningReport:
    """Plan the local days that have not been planned yet, page by page.

    Where the database allows it (``Database.overlaps_io``), writing one page overlaps with
    reading and planning the next, so the database and the planner work at the same time.
    """
    after, people, planned = 0, 0, 0
    writing: asyncio.Task[None] | None = None
    try:
        while True:
            async with db.transaction() as session:
                rows = await nudges.planning_rows(session, after_user_id=after, limit=PAGE)
            if not rows:
                return PlanningReport(people, planned)
            after = rows[-1].user_id
            new_rows, through = _plan_page(rows, now, rng, phrasings)
            people += len(through)
            planned += len(new_rows)
            if writing is not None:
                await writing
            writing = asyncio.create_task(_write(db, new_rows, through))
            if not db.overlaps_io:
                await writing
    finally:
        if writing is not None:
            await writing


async def _write(db: Database, rows: list[NewNudge], through: dict[int, date]) -> None:
    async with db.transaction() as session:
        await nudges.add_planned(session, rows, through)


def _plan_page(
    rows: list[PlanningRow], now: datetime, rng: random.Random, phrasings: dict[Ritual, int]
) -> tuple[list[NewNudge], dict[int, date]]:
    new_rows: list[NewNudge] = []
    through: dict[int, date] = {}
    for row in rows:
        days = [
            d
            for d in dates_to_plan(now, row.timezone)
            if row.planned_through is None or d > row.planned_through
        ]
        if not days:
            continue
        ignored = {Ritual(r): n for r, _, _, n in row.settings if n}
        for day in days:
            policy = _policy(row, day)
            for planned in plan_day(policy, day, rng, ignored_in_a_row=ignored, not_before=now):
                new_rows.append(
                    NewNudge(
                        row.user_id,
                        row.couple_id,
                        planned.ritual.value,
                        day,
                        planned.due_at,
                        planned.window_end_at,
                        phrasing_for(row.user_id, day, phrasings[planned.ritual]),
                    )
                )
        through[row.user_id] = days[-1]
    return new_rows, through
