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

from domain.values.adaptation import DEFAULT_PROBABILITY, OUTCOME_WINDOW
from domain.values.kinds import Ritual
from storage.models import Nudge, NudgeStatus, RitualSetting
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
        h.clock.advance(timedelta(minutes=10))
        await h.nudges.run_all()
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
