"""What the nudges do, learned from the decision points: outcomes, estimates, adapted chances.

* :func:`close_outcomes` (hourly): once a decision point's window
  (:data:`~domain.values.adaptation.OUTCOME_WINDOW`) has closed, store whether the person did
  that ritual's act in it, through the nudge's button or on their own.
* :func:`adapt` (daily): per ritual, everyone's recent points through the estimator
  (``domain/values/excursion.py``), a page of people at a time (each page a random sample of
  everyone, so the shrinkage has a population to pull toward); each person's estimate is
  stored for the weekly reflection, and a ritual's chance comes down one step when it has
  become a habit or its nudges go unanswered, at most once per :data:`ADAPT_EVERY`; a
  person who lets every nudge pass is lowered on all their rituals at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.adaptation import (
    OUTCOME_WINDOW,
    Recent,
    StoredEffect,
    lowered,
    probability_of,
)
from domain.values.adaptation import (
    adapt as reason_to_lower,
)
from domain.values.excursion import DecisionPoints, PooledEffect, person_effects, pooled_effect
from domain.values.kinds import RITUAL_MOMENT, Ritual
from storage import decisions
from storage.database import Database
from storage.decisions import Point

log = logging.getLogger(__name__)

OUTCOME_PAGE: Final = 5_000
PEOPLE_PAGE: Final = 2_000
#: The points the habit and ignore rules look at: the last ten days (a habit formed a
#: week ago already shows; two weeks of points would still be half from before it).
RECENT_DAYS: Final = 10
#: The points the stored estimate (the weekly reflection's) looks at.
HISTORY_DAYS: Final = 56
#: A ritual's chance comes down at most one step this often.
ADAPT_EVERY: Final = timedelta(days=2)


async def close_outcomes(db: Database, now: datetime) -> int:
    """Write the outcome of every available decision point whose window has closed."""
    closed = 0
    while True:
        async with db.transaction() as session:
            page = await decisions.open_outcomes(session, now - OUTCOME_WINDOW, OUTCOME_PAGE)
            if not page:
                return closed
            kinds = list({RITUAL_MOMENT[Ritual(p.ritual)].value for p in page})
            acts = await decisions.acts_between(
                session,
                list({p.user_id for p in page}),
                kinds,
                min(p.due_at for p in page),
                max(p.due_at for p in page) + OUTCOME_WINDOW,
            )
            done: dict[tuple[int, str], list[datetime]] = defaultdict(list)
            for actor, kind, at in acts:
                done[(actor, kind)].append(at)
            outcomes = []
            for point in page:
                times = done.get((point.user_id, RITUAL_MOMENT[Ritual(point.ritual)].value), [])
                end = point.due_at + OUTCOME_WINDOW
                outcomes.append((point.id, any(point.due_at <= at < end for at in times)))
            await decisions.write_outcomes(session, outcomes)
            closed += len(outcomes)
        if len(page) < OUTCOME_PAGE:
            return closed


@dataclass
class AdaptReport:
    people: int = 0
    estimated: int = 0
    lowered: int = 0
    #: Per ritual, everyone's effect (of the last page: a random sample of everyone).
    pooled: dict[str, PooledEffect] = field(default_factory=dict)


def _points(rows: Sequence[Point]) -> DecisionPoints:
    first: dict[int, date] = {}
    for row in rows:
        first[row.user_id] = min(row.local_date, first.get(row.user_id, row.local_date))
    return DecisionPoints.of(
        [r.user_id for r in rows],
        [r.treated for r in rows],
        [r.probability for r in rows],
        [float(r.outcome) for r in rows],
        [(r.local_date - first[r.user_id]).days // 7 for r in rows],
    )


def _weeks(rows: Sequence[Point]) -> dict[int, int]:
    spans: dict[int, tuple[date, date]] = {}
    for row in rows:
        lo, hi = spans.get(row.user_id, (row.local_date, row.local_date))
        spans[row.user_id] = (min(lo, row.local_date), max(hi, row.local_date))
    return {user: ((hi - lo).days + 1) // 7 for user, (lo, hi) in spans.items()}


def recent_counts(rows: Sequence[Point], today: date) -> dict[int, Recent]:
    """Each person's points of the last :data:`RECENT_DAYS`, as counts."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        if row.local_date > today - timedelta(days=RECENT_DAYS):
            c = counts[row.user_id]
            c[0 if row.treated else 2] += 1
            c[1 if row.treated else 3] += row.outcome
    return {user: Recent(*c) for user, c in counts.items()}


async def adapt(db: Database, now: datetime, *, today: date | None = None) -> AdaptReport:
    """Estimate each person's effect per ritual, store it, and lower chances where due."""
    today = today or now.date()
    report = AdaptReport()
    after = 0
    while True:
        async with db.transaction() as session:
            people = await decisions.people_page(session, after, PEOPLE_PAGE)
            if not people:
                return report
            after = people[-1]
            rows = await decisions.points_of(
                session, people[0], people[-1], today - timedelta(days=HISTORY_DAYS)
            )
            chances = await decisions.chances_of(session, people[0], people[-1])
            changed = await decisions.last_changes(session, people[0], people[-1])
            report.people += len(people)
            by_ritual: dict[str, list[Point]] = defaultdict(list)
            for row in rows:
                by_ritual[row.ritual].append(row)
            everything = recent_counts(rows, today)
            for ritual, history in by_ritual.items():
                await _adapt_ritual(
                    session, ritual, history, everything, chances, changed, now, today, report
                )


async def _adapt_ritual(
    session: AsyncSession,
    ritual: str,
    history: list[Point],
    everything: dict[int, Recent],
    chances: dict[tuple[int, str], float | None],
    changed: dict[tuple[int, str], datetime],
    now: datetime,
    today: date,
    report: AdaptReport,
) -> None:
    points = _points(history)
    pooled = pooled_effect(points)
    if pooled is not None:  # what the nudges do for everyone on this page, for operators
        report.pooled[ritual] = pooled
        log.info(
            "%s nudges: effect %+.2f [%+.2f, %+.2f] over %d people, %+.3f per week",
            ritual,
            pooled.effect.estimate,
            pooled.effect.low,
            pooled.effect.high,
            pooled.people,
            pooled.per_week.estimate if pooled.per_week is not None else 0.0,
        )
    overall = person_effects(points)
    weeks = _weeks(history)
    for user_id, effect in overall.items():
        stored = StoredEffect.of(effect, weeks[user_id])
        await decisions.store_effect(session, user_id, ritual, stored.to_json())
        report.estimated += 1
    for user_id, recent in recent_counts(history, today).items():
        last = changed.get((user_id, ritual))
        if last is not None and now - last < ADAPT_EVERY:
            continue
        chance = probability_of(chances.get((user_id, ritual)))
        reason = reason_to_lower(chance, recent, everything.get(user_id))
        if reason is None:
            continue
        new = lowered(chance)
        await decisions.change_chance(
            session, user_id, ritual, old=chance, new=new, reason=reason.value, now=now
        )
        log.info("%s's %s nudges: chance %.2f -> %.2f (%s)", user_id, ritual, chance, new, reason)
        report.lowered += 1
