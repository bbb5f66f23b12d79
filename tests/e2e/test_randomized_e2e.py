"""Micro-randomized nudges end to end (issue #12): decision points, the draw, outcomes, back-off.

A planned nudge is a decision point: when the person is available it goes out if its draw
says so and is ``withheld`` otherwise (nothing sent, counted against nothing); the partner
never learns a gesture was prompted; once a point's window closes, whether the person did
the ritual's act is stored with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from domain.values.adaptation import DEFAULT_PROBABILITY, OUTCOME_WINDOW, StoredEffect
from domain.values.excursion import Interval
from domain.values.kinds import Ritual
from storage import decisions
from storage.models import Nudge, NudgeStatus, ProbabilityChange, RitualSetting
from tests.e2e.conftest import Harness
from tests.e2e.test_nudges_e2e import (
    MIDDAY,
    _couple_in_two_zones,
    _nudge_id,
    _nudges_in,
    _run_until,
)

BERLIN = ZoneInfo("Europe/Berlin")
SENT_ONES = (NudgeStatus.SENT, NudgeStatus.ACTED, NudgeStatus.IGNORED, NudgeStatus.DECLINED)


async def _rows(h: Harness, user_id: int | None = None) -> list[Nudge]:
    async with h.db.transaction() as session:
        statement = select(Nudge).order_by(Nudge.due_at)
        if user_id is not None:
            statement = statement.where(Nudge.user_id == user_id)
        return list((await session.execute(statement)).scalars())


@pytest.mark.randomized
async def test_only_drawn_nudges_are_sent_and_every_point_gets_its_outcome(
    harness: Harness,
) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 4, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    acted_on: int | None = None
    end = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    while h.clock() < end:
        await h.run_jobs_until(h.clock() + timedelta(hours=1), timedelta(hours=1))
        if acted_on is None:
            middays = [m for m in _nudges_in(alice) if (m.text or "").startswith(MIDDAY)]
            if middays:
                acted_on = _nudge_id(middays[0])
                await alice.press("💌 Send “thinking of you”", message_id=middays[0].message_id)
                await bob.wait_for(lambda m: "is thinking of you" in (m.text or ""))
    rows = await _rows(h)
    assert rows and all(r.probability == DEFAULT_PROBABILITY for r in rows)
    assert all(r.treated is not None for r in rows)
    withheld = [r for r in rows if r.status == NudgeStatus.WITHHELD]
    sent = [r for r in rows if r.status in SENT_ONES]
    assert withheld and sent
    assert all(r.treated is False and r.sent_at is None for r in withheld)
    assert all(r.treated is True for r in sent)
    # Exactly the drawn, available points reached the person; the rest sent nothing.
    for person in (alice, bob):
        mine = {r.message_id for r in sent if r.user_id == person.id}
        shown = {m.message_id for m in _nudges_in(person)}  # the answered one lost its buttons
        assert shown <= mine and len(mine - shown) == (person is alice)
    # The partner only ever sees the gesture, never that it was prompted.
    relays = [m.text or "" for m in bob.chat if "thinking of you" in (m.text or "")]
    assert relays and not any("nudge" in text.lower() for text in relays)
    # Every available point whose window has closed has its outcome; unavailable ones none.
    closed = [r for r in withheld + sent if r.due_at <= h.clock() - OUTCOME_WINDOW]
    assert closed and all(r.outcome is not None for r in closed)
    assert all(r.outcome is None for r in rows if r.status == NudgeStatus.SKIPPED)
    by_id = {r.id: r for r in rows}
    assert acted_on is not None and by_id[acted_on].outcome is True
    # Acting once in four days: every other closed point of Alice's midday is a "no".
    others = [r for r in closed if r.user_id == alice.id and r.id != acted_on]
    assert others and not any(r.outcome for r in others if r.ritual == Ritual.MIDDAY_THINKING)


@pytest.mark.randomized
async def test_acting_on_ones_own_after_a_withheld_point_counts_as_its_outcome(
    harness: Harness,
) -> None:
    """A "thinking of you" sent unprompted within four hours of a withheld point is its
    outcome: what the person does without a nudge is what the nudge is measured against."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 4, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(
        h, off=(Ritual.MORNING_HUG, Ritual.DINNER_APPRECIATION, Ritual.BEDTIME)
    )
    async with h.db.transaction() as session:
        await session.execute(update(Nudge).values(treated=False))  # every draw: "not today"
    await _run_until(h, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    (point,) = [r for r in await _rows(h, alice.id) if r.local_date == date(2026, 11, 26)]
    assert point.status == NudgeStatus.WITHHELD and not _nudges_in(alice)
    await alice.send("/thinking")
    await bob.wait_for(lambda m: "is thinking of you" in (m.text or ""))
    await _run_until(h, point.due_at + OUTCOME_WINDOW + timedelta(minutes=10))
    (point,) = [r for r in await _rows(h, alice.id) if r.local_date == date(2026, 11, 26)]
    assert point.outcome is True


async def test_the_back_off_reacts_at_send_time_to_ignores_the_plan_did_not_know(
    harness: Harness,
) -> None:
    """Tomorrow is planned before today's nudges are answered: at send time the dispatcher
    counts nudges sent and still unanswered, so a third ignore backs off the same day."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 4, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(
        h, off=(Ritual.MORNING_HUG, Ritual.DINNER_APPRECIATION, Ritual.MIDDAY_THINKING)
    )
    day = date(2026, 11, 27)  # an odd date: a ritual backing off skips it
    assert day.toordinal() % 2 == 1
    await _run_until(h, datetime.combine(day, time(6), BERLIN).astimezone(UTC))
    yesterday = {r.user_id: r for r in await _rows(h) if r.local_date == day - timedelta(days=1)}
    # Yesterday's bedtime nudge went out and has no answer yet ...
    assert yesterday[alice.id].status == NudgeStatus.SENT
    planned = [r for r in await _rows(h, alice.id) if r.local_date == day]
    assert [r.status for r in planned] == [NudgeStatus.PLANNED]  # ... and today's is planned
    async with h.db.transaction() as session:
        # Two ignored before that, for Alice only: with yesterday's, three in a row.
        session.add(RitualSetting(user_id=alice.id, ritual="bedtime", ignored_in_a_row=2))
    before = len(_nudges_in(alice)), len(_nudges_in(bob))
    await _run_until(h, datetime.combine(day, time(23), BERLIN).astimezone(UTC))
    (row,) = [r for r in await _rows(h, alice.id) if r.local_date == day]
    assert row.status == NudgeStatus.SKIPPED and len(_nudges_in(alice)) == before[0]
    await _run_until(h, datetime.combine(day + timedelta(days=1), time(6), BERLIN).astimezone(UTC))
    (bobs,) = [r for r in await _rows(h, bob.id) if r.local_date == day]
    assert bobs.status != NudgeStatus.SKIPPED  # with fewer ignores there is no back-off


HABIT = StoredEffect(3, Interval(0.02, -0.12, 0.16), 0.85, Interval(1.02, 0.86, 1.19))
HELPS = StoredEffect(4, Interval(0.25, 0.08, 0.42), 0.35, Interval(1.7, 1.2, 2.4))


async def _store_effect(h: Harness, user_id: int, ritual: Ritual, effect: StoredEffect) -> None:
    async with h.db.transaction() as session:
        session.add(
            RitualSetting(
                user_id=user_id, ritual=ritual.value, ignored_in_a_row=0, effect=effect.to_json()
            )
        )


@pytest.mark.randomized
async def test_the_reflection_offers_to_nudge_less_and_settings_say_why(harness: Harness) -> None:
    """After three weeks of points: the effect in plain words, one tap for "fewer", and
    /settings telling the truth about it afterwards."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    await _store_effect(h, alice.id, Ritual.MIDDAY_THINKING, HABIT)
    await _store_effect(h, alice.id, Ritual.BEDTIME, HELPS)
    await alice.send("/week")
    reflection = await alice.wait_for(lambda m: "whether I nudge you" in m.body, timeout=10)
    assert "You reach out at midday whether I nudge you or not — shall I nudge less?" in (
        reflection.body
    )
    assert (
        "On days I nudged you at bedtime you kept your bedtime ritual about 1.7× as often "
        "(somewhere between 1.2× and 2.4×)" in reflection.body
    )
    assert [[b.text for b in row] for row in reflection.buttons] == [["Yes, fewer"]]
    # Bob's own reflection says nothing about Alice's nudges.
    await bob.send("/week")
    theirs = await bob.wait_for(lambda m: m.photo is not None or "week" in m.body, timeout=10)
    assert "nudge" not in theirs.body
    await alice.press("Yes, fewer", message_id=reflection.message_id)
    await alice.wait_for(lambda m: "less often from now on" in m.body)
    async with h.db.transaction() as session:
        setting = await session.get(RitualSetting, (alice.id, Ritual.MIDDAY_THINKING.value))
        changes = (await session.execute(select(ProbabilityChange))).scalars().all()
    assert setting is not None and setting.probability == 0.3  # half: a change one notices
    assert [(c.ritual, c.old, c.new, c.reason) for c in changes] == [
        ("midday_thinking", 0.6, 0.3, "asked")
    ]
    await alice.send("/settings")
    menu = await alice.wait_for(lambda m: "nudging less" in m.body)
    assert "nudging less, as you asked" in menu.body
    # 0.3 of the days: about 2 a week; never "every day".
    assert "every day" not in menu.body and "about 2 days a week" in menu.body


@pytest.mark.randomized
async def test_settings_say_a_habit_is_why_a_ritual_comes_less(harness: Harness) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    alice, _ = await _couple_in_two_zones(h, off=(Ritual.MORNING_HUG,))
    async with h.db.transaction() as session:
        await decisions.change_chance(
            session, alice.id, "midday_thinking", old=0.3, new=0.2, reason="habit", now=h.clock()
        )
    await alice.send("/settings")
    menu = await alice.wait_for(lambda m: "nudging less" in m.body)
    midday = next(line for line in menu.body.splitlines() if "because" in line)
    assert midday.endswith("days a week, nudging less because you do this on your own 💛")
    assert "every day" not in midday
