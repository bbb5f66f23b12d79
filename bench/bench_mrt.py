"""30 days of simulated couples through the real planner, dispatcher, answers and estimator.

Four kinds of couple (engaged; a disengaged partner; a habit-former who does the rituals
unprompted from day 14; one partner much more active than the other), each person acting on
a sent nudge (through its button) with ``base + effect`` and on a withheld day on their own
with ``base``, so the true effect of a nudge is ``effect``. An injected clock moves 15
minutes a tick; the NudgeService runs its jobs as the JobQueue would (plan and dispatch each
tick, housekeeping hourly, learning daily). Printed per kind and week: nudges per person per
day, acts per day, the pooled effect estimate with its 95% interval next to the truth, and
the mean chance ``p`` — then the same simulation with randomization and adaptation off
(today's behaviour), measured in the same run, and the cap / quiet-hours violations.

    python bench/bench_mrt.py [--couples N] [--days D]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time as wall
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain import nudge_answers
from domain.values.adaptation import probability_of
from domain.values.clock import ManualClock
from domain.values.excursion import DecisionPoints, pooled_effect
from domain.values.kinds import RITUAL_MOMENT, EventSource, NudgeAction, Ritual
from domain.work import unit_of_work
from scheduling.delivery import Deliveries
from scheduling.sender import Outcome, Outgoing, OutgoingNudge, SendResult
from scheduling.service import NudgeService
from storage import events
from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.models import Couple, Nudge, NudgeStatus, RitualSetting, User

ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # a Monday
TICK = timedelta(minutes=15)
HABIT_FROM = 14
SENT = ("sent", "acted", "ignored", "declined")
BUTTON = {
    Ritual.MIDDAY_THINKING: NudgeAction.SEND_THINKING,
    Ritual.DINNER_APPRECIATION: NudgeAction.SAID_IN_PERSON,
    Ritual.MORNING_HUG: NudgeAction.DONE,
    Ritual.BEDTIME: NudgeAction.DONE,
    Ritual.SIX_SECOND_KISS: NudgeAction.DONE,
}


@dataclass(frozen=True)
class Person:
    kind: str
    focal: bool  # the one the kind is about (both, for "engaged")
    base: float
    effect: float
    habit: bool = False

    def chances(self, day: int) -> tuple[float, float]:
        """(acting un-nudged, the nudge's true effect) on simulated ``day``."""
        if self.habit and day >= HABIT_FROM:
            return 0.9, 0.0
        return self.base, self.effect


def couple_kinds() -> dict[str, tuple[Person, Person]]:
    return {
        "engaged": (Person("engaged", True, 0.3, 0.35), Person("engaged", True, 0.3, 0.35)),
        "disengaged partner": (
            Person("disengaged partner", False, 0.3, 0.35),
            Person("disengaged partner", True, 0.02, 0.03),
        ),
        "habit-former": (
            Person("habit-former", True, 0.2, 0.4, habit=True),
            Person("habit-former", False, 0.3, 0.35),
        ),
        "one more active": (
            Person("one more active", True, 0.5, 0.3),
            Person("one more active", False, 0.1, 0.1),
        ),
    }


class Recorder:
    """The sender: every send succeeds; nudges are checked against the cap and quiet hours."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.per_day: dict[tuple[int, date], int] = defaultdict(int)
        self.violations = 0
        self.next_id = 1

    async def send(self, message: Outgoing) -> SendResult:
        self.next_id += 1
        if isinstance(message, OutgoingNudge):
            local = self.clock().astimezone(ZONE)
            if local.time() >= time(23) or local.time() < time(6, 30):
                self.violations += 1
            self.per_day[(message.user_id, local.date())] += 1
            if self.per_day[(message.user_id, local.date())] > 3:
                self.violations += 1
        return SendResult(Outcome.SENT, message_id=self.next_id)


async def populate(db: Database, couples: int) -> dict[int, Person]:
    people: dict[int, Person] = {}
    async with db.transaction() as session:
        couple_id, user_id = 0, 1000
        for kind, pair in couple_kinds().items():
            for _ in range(couples):
                couple_id += 1
                session.add(Couple(id=couple_id, created_at=START - timedelta(days=1)))
                await session.flush()
                for person in pair:
                    user_id += 1
                    people[user_id] = person
                    session.add(
                        User(
                            id=user_id,
                            first_name=f"{kind[:3]}{user_id}",
                            timezone="Europe/Berlin",
                            couple_id=couple_id,
                            is_active=True,
                            created_at=START - timedelta(days=1),
                        )
                    )
            del kind
    return people


async def behave(
    db: Database, clock: ManualClock, people: dict[int, Person], seen: set[int], rng: random.Random
) -> None:
    """Each person's answer to what this tick decided: a sent nudge or a withheld day."""
    now = clock()
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Nudge.id, Nudge.user_id, Nudge.couple_id, Nudge.ritual, Nudge.status).where(
                    Nudge.status.in_((NudgeStatus.SENT, NudgeStatus.WITHHELD)),
                    Nudge.due_at > now - timedelta(hours=2),
                )
            )
        ).all()
    day = (now - START).days
    for nudge_id, user_id, couple_id, ritual_name, status in rows:
        if nudge_id in seen:
            continue
        seen.add(nudge_id)
        ritual = Ritual(ritual_name)
        base, effect = people[user_id].chances(day)
        if status == NudgeStatus.SENT:
            if rng.random() < base + effect:
                async with unit_of_work(db, user_id=user_id, first_name=None, now=now) as work:
                    await nudge_answers.answer(work, nudge_id, BUTTON[ritual])
        elif rng.random() < base:
            async with db.transaction() as session:
                await events.add(
                    session,
                    couple_id=couple_id,
                    actor_id=user_id,
                    kind=RITUAL_MOMENT[ritual].value,
                    source=EventSource.MOMENT.value,
                    now=now,
                )


async def simulate(
    couples: int, days: int, *, learning: bool
) -> tuple[dict[str, list[str]], int, float]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite+aiosqlite:///{folder}/mrt.db")
        await upgrade_to_head(db.engine)
        people = await populate(db, couples)
        clock = ManualClock(START)
        recorder = Recorder(clock)
        rng = random.Random(12)
        service = NudgeService(
            db, Deliveries(db, recorder, clock), clock, random.Random(3), randomize=learning
        )
        seen: set[int] = set()
        started = wall.perf_counter()
        ticks = 0
        while clock() < START + timedelta(days=days):
            clock.advance(TICK)
            ticks += 1
            if ticks % 4 == 0:
                await service.housekeeping()
            if learning and ticks % 96 == 0:
                await service.learn()
            await service.plan()
            await service.dispatch()
            await behave(db, clock, people, seen, rng)
        await service.housekeeping()
        clock.advance(timedelta(hours=5))
        await service.housekeeping()
        table = await report(db, people, days)
        await service.close()
        await db.dispose()
        return table, recorder.violations, wall.perf_counter() - started


async def report(db: Database, people: dict[int, Person], days: int) -> dict[str, list[str]]:
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(
                    Nudge.user_id, Nudge.ritual, Nudge.local_date, Nudge.status,
                    Nudge.probability, Nudge.treated, Nudge.outcome,
                )
            )
        ).all()  # fmt: skip
        chance_rows = (
            await session.execute(
                select(RitualSetting.user_id, RitualSetting.ritual, RitualSetting.probability)
            )
        ).all()
        event = events.ConnectionEvent
        acts = (await session.execute(select(event.actor_id, event.created_at))).all()
    first = START.astimezone(ZONE).date()
    lines: dict[str, list[str]] = {}
    weeks = (days + 6) // 7
    for kind in couple_kinds():
        focal = {u for u, p in people.items() if p.kind == kind and p.focal}
        out = []
        for week in range(weeks):
            lo, hi = first + timedelta(days=7 * week), first + timedelta(days=7 * week + 7)
            span = min(7, days - 7 * week)
            week_sent = [r for r in rows if r[0] in focal and lo <= r[2] < hi and r[3] in SENT]
            sent = len(week_sent)
            midday = sum(1 for r in week_sent if r[1] == "midday_thinking")
            done = sum(
                1 for actor, at in acts if actor in focal and lo <= at.astimezone(ZONE).date() < hi
            )
            points = [
                r for r in rows
                if r[0] in focal and r[2] < hi and r[4] is not None and r[6] is not None
            ]  # fmt: skip
            estimate = "—"
            if points:
                data = DecisionPoints.of(
                    [r[0] for r in points], [bool(r[5]) for r in points], [r[4] for r in points],
                    [float(r[6]) for r in points], [(r[2] - first).days // 7 for r in points],
                )  # fmt: skip
                pooled = pooled_effect(data)
                if pooled is not None:
                    e = pooled.effect
                    estimate = f"{e.estimate:+.2f} [{e.low:+.2f}, {e.high:+.2f}]"
            truth = _truth(people, focal, 7 * week + 3)
            chances = {(u, r): p for u, r, p in chance_rows if u in focal}
            p_mean = sum(
                probability_of(chances.get((u, r.value))) for u in focal for r in Ritual
            ) / (len(focal) * len(Ritual))
            n = len(focal) * span
            out.append(
                f"  week {week + 1}: nudges/person/day {sent / n:4.2f} (midday {midday / n:4.2f})"
                f" · acts/day {done / n:4.2f} · effect so far {estimate} (true {truth:+.2f})"
                f" · p {p_mean:.2f}"
            )
        lines[kind] = out
    return lines


def _truth(people: dict[int, Person], focal: set[int], day: int) -> float:
    effects = [people[u].chances(day)[1] for u in focal]
    return sum(effects) / len(effects)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=6, help="couples of each kind")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    learned, violations, seconds = await simulate(args.couples, args.days, learning=True)
    baseline, base_violations, base_seconds = await simulate(
        args.couples, args.days, learning=False
    )
    print(f"{args.couples} couples of each kind, {args.days} days, 15-minute ticks\n")
    for kind in couple_kinds():
        print(f"{kind} (randomized and adapting):")
        print("\n".join(learned[kind]))
        print(f"{kind} (baseline: every planned nudge sent, no adaptation):")
        print("\n".join(baseline[kind]))
        print()
    print(f"cap or quiet-hours violations: {violations} (baseline {base_violations})")
    print(f"simulated in {seconds:.0f} s (baseline {base_seconds:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
