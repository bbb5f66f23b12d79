"""Issue 9 end to end, tried as a new couple would: what the settings say is what comes.

1. With more rituals on than the cap of three, they take turns, and /settings says how often;
   what it says for the next 14 days is what the planner plans.
2. A changed window re-plans the rest of the day at once, and the reply names the next time.
3. Quiet hours protect from the partner too: silently, or waiting until the morning.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import callback_data as cd
from domain.values.kinds import Ritual
from domain.values.policy import default_policy, rituals_on
from messages import settings as words
from messages import texts
from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.models import Nudge
from tests.e2e.conftest import Harness
from tests.e2e.support import pair_up, tap
from tests.fake_telegram import BotMessage, FakeUser, RecordedRequest

BERLIN = ZoneInfo("Europe/Berlin")


def _nudges_in(person: FakeUser) -> list[BotMessage]:
    return [
        m
        for m in person.chat
        if any(cd.Nudge.parse(b.callback_data) is not None for row in m.buttons for b in row)
    ]


async def _planned_days(h: Harness, user_id: int) -> dict[str, set[date]]:
    async with h.db.transaction() as session:
        rows = (
            await session.execute(
                select(Nudge.ritual, Nudge.local_date).where(Nudge.user_id == user_id)
            )
        ).all()
    days: dict[str, set[date]] = {}
    for ritual, day in rows:
        days.setdefault(ritual, set()).add(day)
    return days


async def test_five_rituals_take_turns_and_settings_say_exactly_how_often(
    harness: Harness,
) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 4, 0, tzinfo=UTC))  # Thursday, 05:00 in Berlin
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    await pair_up(h, alice, bob)
    await alice.send("/rituals")
    menu = await alice.wait_for(lambda m: "Which nudges" in m.body)
    answer = await tap(
        alice, words.ritual_button(Ritual.SIX_SECOND_KISS, False), message_id=menu.message_id
    )
    # No more "Done ✨ … will come" for a kiss that never comes: it says how often, and when.
    assert answer.text is not None and "about 4 days a week" in answer.text, answer.text
    assert "Next one:" in answer.text
    await alice.send("/settings")
    summary = (await alice.wait_for(lambda m: "Your nudge settings" in m.body)).body
    assert "At most 3 nudges a day, so your 5 rituals take turns" in summary, summary
    promised = {}
    for ritual in Ritual:
        line = next(x for x in summary.splitlines() if words.RITUAL_NAMES[ritual] in x)
        promised[ritual] = line.rsplit(" · ", 1)[1]
    assert promised[Ritual.MORNING_HUG] != words.SHARE_NONE  # the hug is really planned now

    # Fourteen days of the periodic planner, as the JobQueue would run it.
    start = h.clock().astimezone(BERLIN).date()
    for _ in range(14):
        await h.nudges.plan()
        h.clock.advance(timedelta(days=1))
    planned = await _planned_days(h, alice.id)
    fortnight = {start + timedelta(days=k) for k in range(14)}
    for ritual in Ritual:
        days = planned.get(ritual.value, set()) & fortnight
        assert words.share_label(len(days)) == promised[ritual], (ritual, sorted(days))
    per_day = [sum(day in d for d in planned.values()) for day in sorted(fortnight)]
    assert max(per_day) <= 3

    # And the kiss really comes, inside its window, on its first day.
    first_kiss = min(planned[Ritual.SIX_SECOND_KISS.value])
    h.clock.set(datetime.combine(first_kiss, datetime.min.time(), BERLIN).replace(hour=17))
    before = len(_nudges_in(alice))
    end = h.clock() + timedelta(hours=2, minutes=5)
    while h.clock() < end:
        h.clock.advance(timedelta(minutes=5))
        await h.nudges.run_all()
    async with h.db.transaction() as session:
        kiss = (
            await session.execute(
                select(Nudge).where(
                    Nudge.user_id == alice.id,
                    Nudge.ritual == Ritual.SIX_SECOND_KISS.value,
                    Nudge.local_date == first_kiss,
                )
            )
        ).scalar_one()
    assert kiss.status == "sent"
    assert kiss.message_id in [m.message_id for m in _nudges_in(alice)[before:]]


async def test_a_window_a_few_minutes_ahead_is_honoured_today(harness: Harness) -> None:
    h = harness
    policy = default_policy("Europe/Berlin")
    day = next(
        d
        for d in (date(2026, 11, 26) + timedelta(days=k) for k in range(7))
        if Ritual.MIDDAY_THINKING in rituals_on(policy, d, sunday_digest=True)
        and Ritual.MIDDAY_THINKING in rituals_on(policy, d + timedelta(days=1), sunday_digest=True)
    )
    h.clock.set(datetime.combine(day, datetime.min.time(), BERLIN).replace(hour=9))
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    await pair_up(h, alice, bob)
    await h.nudges.run_all()  # the periodic planner has planned today and tomorrow
    # 11:00 in Berlin, before today's midday nudge: Alice wants it in a few minutes.
    h.clock.set(datetime.combine(day, datetime.min.time(), BERLIN).replace(hour=11))
    await h.nudges.run_all()
    await alice.send("/midday 11:02-11:05")
    reply = await alice.wait_for(lambda m: "Done ✨" in m.body)
    assert "Next one: today between 11:02 and 11:05." in reply.body, reply.body
    before = len(_nudges_in(alice))
    for _ in range(6):  # the dispatcher's ticks; the periodic planner runs as well
        h.clock.advance(timedelta(minutes=1))
        await h.nudges.run_all()
    middays = [m for m in _nudges_in(alice)[before:] if m.body.startswith("💭")]
    assert len(middays) == 1, alice.transcript()
    async with h.db.transaction() as session:
        rows = (
            await session.execute(
                select(Nudge.due_at).where(
                    Nudge.user_id == alice.id,
                    Nudge.ritual == Ritual.MIDDAY_THINKING.value,
                    Nudge.local_date == day,
                )
            )
        ).all()
    assert len(rows) == 1  # never doubled by the periodic planner
    local = rows[0][0].astimezone(BERLIN)
    assert (11, 2) <= (local.hour, local.minute) < (11, 5)

    # Today's has come: a new window counts from tomorrow, and the reply says so.
    await alice.send("/midday 13:00-13:30")
    reply = await alice.wait_for(lambda m: "13:00" in m.body and "Done ✨" in m.body)
    assert "Next one: tomorrow between 13:00 and 13:30." in reply.body, reply.body


def _relay_to(person: FakeUser, h: Harness) -> list[RecordedRequest]:
    return [
        r
        for r in h.fake.requests_for("sendMessage")
        if r.chat_id == person.id and "is thinking of you" in str(r.params.get("text"))
    ]


async def test_a_relay_in_quiet_hours_is_silent_or_waits_for_the_morning(
    harness: Harness,
) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 11, 0, tzinfo=UTC))  # 12:00 in Berlin
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    await pair_up(h, alice, bob)  # both in Berlin, Bob's quiet hours the default 23:00-06:30

    # In the day: a normal notification.
    await alice.send("/thinking")
    assert (
        "will see that you're thinking" in (await alice.wait_for(lambda m: "Sent" in m.body)).body
    )
    await bob.wait_for(lambda m: "is thinking of you" in m.body)
    assert not _relay_to(bob, h)[-1].params.get("disable_notification")

    # 23:01 in Berlin: silently, and Alice is told kindly.
    h.clock.set(datetime(2026, 11, 26, 22, 1, tzinfo=UTC))
    await alice.send("/thinking goodnight, love")
    told = await alice.wait_for(lambda m: "asleep" in m.body)
    assert "Bob is asleep 🌙 — it will be waiting for Bob." in told.body
    await bob.wait_for(lambda m: "goodnight, love" in m.body)
    assert _relay_to(bob, h)[-1].params.get("disable_notification") is True

    # Bob would rather have them wait for his morning: one tap in /settings.
    h.clock.set(datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    await bob.send("/settings")
    menu = await bob.wait_for(lambda m: "Your nudge settings" in m.body)
    assert words.SUMMARY_RELAYS_SILENT in menu.body
    answer = await tap(bob, words.BUTTON_RELAYS_WAIT, message_id=menu.message_id)
    assert answer.text == words.ANSWER_RELAYS_WAIT
    await bob.wait_for_edit(menu.message_id)
    assert words.SUMMARY_RELAYS_WAIT in menu.body
    assert words.BUTTON_RELAYS_SILENT in menu.button_texts

    # 23:01 the next night: nothing reaches Bob until 06:30 his time, then it comes once.
    h.clock.set(datetime(2026, 11, 27, 22, 1, tzinfo=UTC))
    sent_before = len(_relay_to(bob, h))
    await alice.send("/thinking sleep well")
    told = await alice.wait_for(lambda m: "asleep" in m.body and m.message_id > 0)
    assert "it will be waiting for Bob" in told.body
    await h.settled()
    assert len(_relay_to(bob, h)) == sent_before
    morning = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)  # 06:30 in Berlin
    while h.clock() + timedelta(minutes=30) < morning:
        h.clock.advance(timedelta(minutes=30))
        await h.nudges.run_all()
        await h.settled()
        assert len(_relay_to(bob, h)) == sent_before, h.clock()
    async with h.db.transaction() as session:
        waiting = (await session.execute(select(OutboxMessage))).scalars().all()
    row = next(m for m in waiting if "sleep well" in m.payload)
    assert row.status == OutboxStatus.PENDING and row.attempt == 0  # no attempt used up
    h.clock.set(morning)
    await h.nudges.run_all()
    await bob.wait_for(lambda m: "sleep well" in m.body)
    for _ in range(3):
        h.clock.advance(timedelta(minutes=10))
        await h.nudges.run_all()
    await h.settled()
    arrived = [r for r in _relay_to(bob, h) if "sleep well" in str(r.params.get("text"))]
    assert len(arrived) == 1 and not arrived[0].params.get("disable_notification")
    assert texts.SOMETHING_WENT_WRONG not in alice.inbox_texts + bob.inbox_texts
    assert re.search(r"Sent to Bob|Sent 💌", " ".join(str(t) for t in alice.inbox_texts))
