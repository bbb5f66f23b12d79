"""Adapting the chances from decision points in the database, and the words people read."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from domain.values.adaptation import (
    FLOOR,
    Reason,
    Recent,
    StoredEffect,
    adapt,
    lowered,
    probability_of,
)
from domain.values.excursion import Interval
from domain.values.kinds import Ritual
from domain.values.weekly_summary import NudgeEffect
from messages import nudge_effects as words
from messages.i18n import speaking
from scheduling import learning
from storage.database import Database
from storage.models import Couple, Nudge, NudgeStatus, ProbabilityChange, RitualSetting, User

NOW = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
TODAY = NOW.date()


def test_a_habit_is_nudged_less_and_a_clear_effect_is_kept() -> None:
    assert adapt(0.6, Recent(sent=9, acted_when_sent=9, withheld=5, acted_when_withheld=5)) is (
        Reason.HABIT
    )
    helps = Recent(sent=9, acted_when_sent=8, withheld=5, acted_when_withheld=1)
    assert adapt(0.6, helps) is None
    habit = Recent(sent=9, acted_when_sent=9, withheld=5, acted_when_withheld=5)
    assert adapt(FLOOR, habit) is None  # at the floor
    assert adapt(0.6, Recent(1, 1, 3, 3)) is None  # too little to say


def test_ignored_nudges_are_sent_less() -> None:
    assert adapt(0.6, Recent(sent=8, acted_when_sent=1, withheld=6, acted_when_withheld=0)) is (
        Reason.IGNORED
    )
    assert adapt(0.6, Recent(sent=8, acted_when_sent=4, withheld=6, acted_when_withheld=0)) is None


def test_the_chance_stays_within_its_bounds() -> None:
    assert probability_of(None) == 0.6
    assert probability_of(0.05) == FLOOR and probability_of(0.95) == 0.8
    assert [lowered(p) for p in (0.8, 0.6, 0.3, 0.2)] == [0.4, 0.3, FLOOR, FLOOR]


def test_the_reflection_says_it_in_warm_words_never_a_score() -> None:
    helps = StoredEffect(3, Interval(0.25, 0.07, 0.4), 0.35, Interval(1.7, 1.2, 2.4))
    line = words.effect_line(NudgeEffect(Ritual.MIDDAY_THINKING, helps, can_lower=True))
    assert line == (
        "💡 On days I nudged you at midday you reached out about 1.7× as often "
        "(somewhere between 1.2× and 2.4×)."
    )
    habit = StoredEffect(4, Interval(0.02, -0.1, 0.14), 0.8, Interval(1.0, 0.9, 1.2))
    asks = words.effect_line(NudgeEffect(Ritual.MIDDAY_THINKING, habit, can_lower=True))
    assert asks == "💛 You reach out at midday whether I nudge you or not — shall I nudge less?"
    assert words.offers_fewer((NudgeEffect(Ritual.MIDDAY_THINKING, habit, True),)) == [
        Ritual.MIDDAY_THINKING
    ]
    floor = words.effect_line(NudgeEffect(Ritual.BEDTIME, habit, can_lower=False))
    assert floor is not None and "?" not in floor
    unclear = StoredEffect(3, Interval(0.1, -0.2, 0.4), 0.3, Interval(1.3, 0.4, 2.3))
    assert words.effect_line(NudgeEffect(Ritual.MORNING_HUG, unclear, True)) is None
    with speaking("de"):  # the receiver's language, with its own decimal comma
        line = words.effect_line(NudgeEffect(Ritual.MIDDAY_THINKING, helps, can_lower=True))
        assert line == (
            "💡 An Tagen, an denen ich dich mittags erinnert habe, hast du dich etwa 1,7× so "
            "oft gemeldet (irgendwo zwischen 1,2× und 2,4×)."
        )
        assert words.fewer_button(Ritual.MIDDAY_THINKING, several=True) == "Ja, mittags seltener"
        assert words.settings_note("habit") == "seltener, weil du das von selbst machst 💛"
    assert StoredEffect.from_json(helps.to_json()) == StoredEffect(
        3, Interval(0.25, 0.07, 0.4), 0.35, Interval(1.7, 1.2, 2.4)
    )
    assert StoredEffect.from_json("{broken") is None


async def _people(db: Database, ids: range) -> None:
    async with db.transaction() as session:
        for user_id in ids:
            if user_id % 2 == 0:
                session.add(Couple(id=user_id // 2, created_at=NOW - timedelta(days=60)))
        await session.flush()
        for user_id in ids:
            session.add(
                User(
                    id=user_id,
                    first_name=f"P{user_id}",
                    timezone="UTC",
                    couple_id=user_id // 2 if user_id % 2 == 0 else (user_id - 1) // 2,
                    is_active=True,
                    created_at=NOW - timedelta(days=60),
                )
            )


async def _points(db: Database, user_id: int, rng: random.Random, base: float, lift: float) -> None:
    async with db.transaction() as session:
        for back in range(28, 0, -1):
            day: date = TODAY - timedelta(days=back)
            treated = rng.random() < 0.6
            acted = rng.random() < base + (lift if treated else 0.0)
            due = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            session.add(
                Nudge(
                    user_id=user_id,
                    couple_id=user_id // 2,
                    ritual=Ritual.MIDDAY_THINKING.value,
                    local_date=day,
                    due_at=due,
                    window_end_at=due,
                    status=(NudgeStatus.ACTED if acted else NudgeStatus.IGNORED)
                    if treated
                    else NudgeStatus.WITHHELD,
                    phrasing=0,
                    probability=0.6,
                    treated=treated,
                    outcome=acted,
                )
            )


async def test_the_daily_job_lowers_habits_and_ignores_keeps_clear_effects(db: Database) -> None:
    """Twenty people: a habit-former, someone who ignores, and nudges that clearly help."""
    await _people(db, range(2, 22))
    rng = random.Random(5)
    habit, ignorer = 2, 3
    await _points(db, habit, rng, base=1.0, lift=0.0)
    await _points(db, ignorer, rng, base=0.0, lift=0.05)
    for helped in range(4, 22):
        await _points(db, helped, rng, base=0.2, lift=0.6)
    report = await learning.adapt(db, NOW)
    assert report.people == 20 and report.estimated == 20
    async with db.transaction() as session:
        changes = (await session.execute(select(ProbabilityChange))).scalars().all()
        settings = {s.user_id: s for s in (await session.execute(select(RitualSetting))).scalars()}
    assert {(c.user_id, c.old, c.new, c.reason) for c in changes} == {
        (habit, 0.6, 0.3, "habit"),
        (ignorer, 0.6, 0.3, "ignored"),
    }
    assert all(settings[p].probability is None for p in range(4, 22))  # kept at the default
    stored = StoredEffect.from_json(settings[4].effect)
    assert stored is not None and stored.weeks == 4 and stored.clearly_helps
    # At most one step per ADAPT_EVERY: the next day changes nothing more.
    again = await learning.adapt(db, NOW + timedelta(days=1))
    assert again.lowered == 0
