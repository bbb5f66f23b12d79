"""Planning: turn every reachable person's settings into nudge rows for today and tomorrow.

Runs as a periodic job in every bot process; the unique (person, day, ritual) key makes a
second process's plan a no-op, and ``planned_through`` lets it skip people fast.

A million people take well under a minute (bench/bench_planning.py): people with equal
settings share one :class:`~domain.values.planner.DayTemplate`, so each costs a few random
draws; rows go in at the driver level, a page a statement; and the database writes one page
while the next is read and planned.
"""

from __future__ import annotations

import asyncio
import gc
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from domain.values.adaptation import draw, probability_of
from domain.values.kinds import Ritual
from domain.values.planner import DayTemplate, dates_to_plan, day_template, draw_day
from domain.values.preferences import policy_from_rows
from storage import nudges
from storage.database import Database
from storage.nudges import NewNudge, PlanningRow

SLICE = 1_000  # people planned between two turns of the event loop (about 10 ms)
_VALUES: Final[Mapping[Ritual, str]] = MappingProxyType({r: r.value for r in Ritual})
_NOTHING_IGNORED: Final[Mapping[Ritual, int]] = MappingProxyType({})
_DEFAULT_CHANCES: Final[Mapping[str, float]] = MappingProxyType({})


@dataclass(frozen=True)
class PlanningReport:
    people: int
    nudges: int


def _template(row: PlanningRow, day: date) -> DayTemplate:
    return _cached_template(
        row.timezone,
        row.quiet_hours,
        row.paused_until,
        row.settings,
        not row.digest_opt_out,
        day,
    )


@lru_cache(maxsize=4096)
def _cached_template(
    timezone: str,
    quiet_hours: str | None,
    paused_until: datetime | None,
    settings: tuple[tuple[str, bool | None, str | None], ...],
    gets_digest: bool,
    day: date,
) -> DayTemplate:
    """Most people keep the defaults, so a million people share a few hundred templates.

    On Sundays the weekly digest counts inside the daily cap, so one nudge fewer is planned.
    """
    policy = policy_from_rows(timezone, quiet_hours, paused_until, settings)
    return day_template(policy, day, sunday_digest=gets_digest)


@lru_cache(maxsize=1024)
def _dates_to_plan(now: datetime, timezone: str) -> tuple[date, ...]:
    return tuple(dates_to_plan(now, timezone))


async def plan_pending(
    db: Database,
    now: datetime,
    rng: random.Random,
    *,
    phrasings: dict[Ritual, int],
    randomize: bool = True,
) -> PlanningReport:
    """Plan the local days that have not been planned yet, page by page.

    Each nudge planned is a decision point, drawn with the person's chance for its ritual
    (``randomize=False``: every one is sent, as before issue #12; a baseline for benches).
    While pages are written (``Database.concurrent_writes`` at a time), the next one is
    read and planned, so the database and the planner work at the same time.
    """
    after, people, stored = 0, 0, 0
    slots = asyncio.Semaphore(db.concurrent_writes)
    writing: list[asyncio.Task[int]] = []
    try:
        while True:
            async with db.transaction() as session:
                rows = await nudges.planning_rows(
                    session, after_user_id=after, limit=db.planning_page
                )
            if not rows:
                break
            after = rows[-1].user_id
            new_rows, through = await _plan_page_in_slices(rows, now, rng, phrasings, randomize)
            people += len(through)
            writing.append(asyncio.create_task(_write(db, slots, new_rows, through)))
            while len(writing) > db.concurrent_writes:  # at most one page waits its turn
                stored += await writing.pop(0)
    finally:
        stored += sum(await asyncio.gather(*writing))
    return PlanningReport(people, stored)


async def _write(
    db: Database, slots: asyncio.Semaphore, rows: list[NewNudge], through: dict[int, date]
) -> int:
    page = nudges.prepare_page(db.engine.dialect.name, rows, through)  # before its turn
    async with slots, db.transaction() as session:
        return await nudges.add_planned(session, page)


async def _plan_page_in_slices(
    rows: list[PlanningRow],
    now: datetime,
    rng: random.Random,
    phrasings: dict[Ritual, int],
    randomize: bool,
) -> tuple[list[NewNudge], dict[int, date]]:
    """Plan a page a slice at a time, letting the event loop run in between.

    Planning is pure Python: in one piece it would hold up the bot's updates, and the
    writes in flight, whose every step is resumed by the event loop.
    """
    new_rows: list[NewNudge] = []
    through: dict[int, date] = {}
    for start in range(0, len(rows), SLICE):
        with _collector_paused():
            page = rows[start : start + SLICE]
            _plan_slice(page, now, rng, phrasings, randomize, new_rows, through)
        await asyncio.sleep(0)
    return new_rows, through


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one slice is planned.

    A slice allocates thousands of small objects that all outlive it, so collecting halfway
    only scans them again and again: about a fifth of the planning time. Nothing awaits
    inside, so no other work runs meanwhile, and no cycle is created there.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _plan_slice(
    rows: list[PlanningRow],
    now: datetime,
    rng: random.Random,
    phrasings: dict[Ritual, int],
    randomize: bool,
    new_rows: list[NewNudge],
    through: dict[int, date],
) -> None:
    """Plan some people into ``new_rows`` and ``through``: the hot loop, on plain tuples."""
    for row in rows:
        user_id, couple_id, planned_through = row.user_id, row.couple_id, row.planned_through
        days = [
            d
            for d in _dates_to_plan(now, row.timezone)
            if planned_through is None or d > planned_through
        ]
        if not days:
            continue
        ignored = {Ritual(r): n for r, n in row.ignored} if row.ignored else _NOTHING_IGNORED
        chances = dict(row.probabilities) if row.probabilities else _DEFAULT_CHANCES
        for day in days:
            # Phrasings rotate by day: consecutive days always differ, with no state to store.
            ordinal = day.toordinal() + user_id
            for ritual, due_at, window_end_at in draw_day(
                _template(row, day), rng, ignored_in_a_row=ignored, not_before=now
            ):
                value = _VALUES[ritual]
                chance = probability_of(chances.get(value)) if randomize else None
                new_rows.append(
                    NewNudge(
                        user_id,
                        couple_id,
                        value,
                        day,
                        due_at,
                        window_end_at,
                        ordinal % phrasings[ritual],
                        chance,
                        None if chance is None else draw(chance, rng),
                    )
                )
        through[user_id] = days[-1]
