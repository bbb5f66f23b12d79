"""Scheduled nudges end to end: planned in each partner's zone, sent once, answered by taps.

Time moves only when the test moves ``h.clock``; the periodic jobs are ticked by hand, so
every assertion is about what a person would see at a given local time.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot import callback_data as cd
from bot.telegram_sender import TelegramSender
from domain.values.kinds import NudgeAction, Ritual
from messages import settings as words
from scheduling.delivery import LEASE, Deliveries
from scheduling.sources import NudgeSource
from storage import nudges as nudge_queries
from storage.database import Database
from storage.models import ConnectionEvent, Nudge, NudgeStatus, User
from tests.e2e.conftest import Harness, pair
from tests.fake_telegram import BotMessage, FakeUser
from tests.work import register

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
MIDDAY, BEDTIME = "💭", "🌙"


def _mentions(text: str, message: BotMessage) -> bool:
    return text in (message.text or "")


async def _couple_in_two_zones(
    h: Harness, *, off: tuple[Ritual, ...] = ()
) -> tuple[FakeUser, FakeUser]:
    """Alice in Berlin, Bob in New York; both switch ``off`` some rituals in /rituals.

    With four rituals on and three places a day they take turns; a test about one ritual
    coming every day switches some off, as a person would.
    """
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    await pair(h, alice, bob)
    await h.settled()  # every reply of pairing (the zone guesses too) is out
    for person, zone in ((alice, "Europe/Berlin"), (bob, "America/New_York")):
        await person.send(f"/timezone {zone}")
        await person.wait_for(partial(_mentions, zone))
        for ritual in off:
            await person.send("/rituals")
            menu = await person.wait_for(lambda m: "Which nudges" in m.body)
            await person.press(words.ritual_button(ritual, True), message_id=menu.message_id)
            answer = await person.next_callback_answer()
            assert answer.text == words.toggled(ritual, False)
    return alice, bob


async def _run_until(h: Harness, end: datetime, step: timedelta = timedelta(hours=1)) -> None:
    """Advance the clock, running the scheduler jobs as the JobQueue would."""
    await h.run_jobs_until(end, step)


def _nudges_in(person: FakeUser) -> list[BotMessage]:
    return [
        m
        for m in person.chat
        if m.buttons
        and any(cd.Nudge.parse(b.callback_data) is not None for row in m.buttons for b in row)
    ]


async def test_each_partner_gets_nudges_at_their_own_local_times(harness: Harness) -> None:
    """Alice in Berlin and Bob in New York each get midday and bedtime nudges in their windows."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 4, 0, tzinfo=UTC))  # 05:00 Berlin, 23:00 New York
    alice, bob = await _couple_in_two_zones(h, off=(Ritual.MORNING_HUG,))
    seen: dict[int, list[tuple[str, datetime]]] = {1001: [], 1002: []}
    end = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)

    def note_arrivals() -> None:
        for person in (alice, bob):
            for message in _nudges_in(person)[len(seen[person.id]) :]:
                seen[person.id].append((message.text or "", h.clock()))

    await h.run_jobs_until(end, timedelta(hours=1), note_arrivals)
    for person, zone in ((alice, BERLIN), (bob, NEW_YORK)):
        local = [(text, when.astimezone(zone)) for text, when in seen[person.id]]
        middays = [t for text, t in local if text.startswith(MIDDAY)]
        bedtimes = [t for text, t in local if text.startswith(BEDTIME)]
        assert len(middays) >= 2, (person, local)
        # Nudges arrive at a time drawn inside the window.
        assert all((11, 30) <= (t.hour, t.minute) <= (14, 30) for t in middays), local
        assert all((21, 45) <= (t.hour, t.minute) <= (22, 15) for t in bedtimes), local
        assert len({t.minute for t in middays}) == len(middays) or len(middays) < 2
        per_day: dict[object, int] = {}
        for _, t in local:
            per_day[t.date()] = per_day.get(t.date(), 0) + 1
        assert max(per_day.values()) <= 3  # never more than the daily cap
        assert all(not (t.hour >= 23 or t.hour < 6) for _, t in local)  # never at night


async def _first_nudge(
    h: Harness, person: FakeUser, prefix: str, end: datetime, *, after: int = 0
) -> BotMessage:
    while h.clock() < end:
        await h.run_jobs_until(h.clock() + timedelta(minutes=30), timedelta(minutes=30))
        found = [
            m
            for m in _nudges_in(person)
            if (m.text or "").startswith(prefix) and m.message_id > after
        ]
        unanswered = [m for m in found if m.buttons]
        if unanswered:
            return unanswered[-1]
    raise AssertionError(f"no {prefix} nudge for {person} by {end}: {person.transcript()}")


async def test_midday_buttons_relay_and_store_events(harness: Harness) -> None:
    """ "Send thinking of you" reaches Bob as a plain relay; the nudge shows the outcome."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    nudge = await _first_nudge(h, alice, MIDDAY, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    nudge_id = _nudge_id(nudge)
    await alice.press("💌 Send “thinking of you”", message_id=nudge.message_id)
    relay = await bob.wait_for(lambda m: "is thinking of you" in (m.text or ""))
    assert "Alice" in (relay.text or "") and "nudge" not in (relay.text or "").lower()
    edited = await alice.wait_for_edit(nudge.message_id)
    shown = edited.text or ""
    assert edited.buttons == [] and ("Sent to Bob" in shown or "Bob is asleep 🌙" in shown)
    # A second tap on the answered nudge changes nothing.
    again = cd.Nudge(nudge_id, NudgeAction.SEND_THINKING).pack()
    await alice.press_data(again, message_id=nudge.message_id)
    answer = await alice.next_callback_answer()
    assert answer.text == "This is no longer active. 🌿"
    async with h.db.transaction() as session:
        events = (await session.execute(select(ConnectionEvent))).scalars().all()
        row = await session.get(Nudge, nudge_id)
    assert [(e.actor_id, e.kind, e.source, e.nudge_id) for e in events] == [
        (1001, "thinking_of_you", "nudge", nudge_id)
    ]
    assert row is not None and row.status == NudgeStatus.ACTED and row.responded_at is not None


def _nudge_id(message: BotMessage) -> int:
    data = next(b.callback_data for row in message.buttons for b in row if b.callback_data)
    button = cd.Nudge.parse(data)
    assert button is not None, data
    return button.nudge_id


async def test_a_nudge_whose_answer_was_lost_still_works_when_tapped(harness: Harness) -> None:
    """Telegram showed the nudge but its answer never came back: recorded "maybe" (never
    sent again), and when Alice taps it, her tap counts like any other."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, _bob = await _couple_in_two_zones(h, off=(Ritual.MORNING_HUG,))
    h.fake.drop_next("sendMessage", chat_id=alice.id, after_acting=True)
    nudge = await _first_nudge(h, alice, MIDDAY, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    nudge_id = _nudge_id(nudge)
    async with h.db.transaction() as session:
        row = await session.get(Nudge, nudge_id)
        assert row is not None and row.status == NudgeStatus.MAYBE
    await alice.press("💌 Send “thinking of you”", message_id=nudge.message_id)
    assert (await alice.next_callback_answer()).text is None
    shown = (await alice.wait_for_edit(nudge.message_id)).text or ""
    # Bob in New York may still be in his quiet hours at Alice's midday: said kindly then.
    assert "Sent to Bob" in shown or "Bob is asleep 🌙" in shown, shown
    async with h.db.transaction() as session:
        row = await session.get(Nudge, nudge_id)
        assert row is not None and row.status == NudgeStatus.ACTED


async def test_write_my_own_later_and_not_today(harness: Harness) -> None:
    """ "Write my own" relays the next text; "Later" comes back once an hour later."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    first = await _first_nudge(h, bob, MIDDAY, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    # Someone else's button does nothing.
    bobs = cd.Nudge(_nudge_id(first), NudgeAction.SEND_THINKING).pack()
    await alice.press_data(bobs, message_id=first.message_id)
    assert (await alice.next_callback_answer()).text == "This is no longer active. 🌿"
    await bob.press("⏰ Later", message_id=first.message_id)
    assert "again in an hour" in ((await bob.wait_for_edit(first.message_id)).text or "")
    pressed_at = h.clock()
    again = await _first_nudge(h, bob, MIDDAY, pressed_at + timedelta(hours=2))
    assert again.message_id != first.message_id
    assert timedelta(minutes=55) <= h.clock() - pressed_at <= timedelta(minutes=65)
    assert "⏰ Later" in [b.text for row in again.buttons for b in row]
    await bob.press("✍️ Write my own", message_id=again.message_id)
    prompt = await bob.wait_for(lambda m: "Type your message" in m.body)
    assert prompt.force_reply and (await bob.wait_for_edit(again.message_id)).buttons == []
    await bob.send("Can't wait to see you <3")
    relay = await alice.wait_for(lambda m: "Can't wait to see you <3" in (m.text or ""))
    assert "Bob" in (relay.text or "")
    dinner = await _first_nudge(h, bob, "🍽", h.clock() + timedelta(hours=12))
    await bob.press("Not today", message_id=dinner.message_id)
    assert "that's okay" in ((await bob.wait_for_edit(dinner.message_id)).text or "")
    assert not any("ignored" in (m.text or "").lower() for m in alice.chat)


async def test_a_written_appreciation_can_be_thanked_once(harness: Harness) -> None:
    """Bob writes an appreciation at dinner; Alice gets it with "❤️ Thank you"; one tap
    sends "❤️ Alice says thank you" back, once."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    dinner = await _first_nudge(h, bob, "🍽", datetime(2026, 11, 27, 5, 0, tzinfo=UTC))
    assert "Alice" in (dinner.text or "")  # every nudge names the partner
    await bob.press("✍️ Write it", message_id=dinner.message_id)
    await bob.wait_for_edit(dinner.message_id)
    await bob.send("thank you for the soup")
    received = await alice.wait_for(lambda m: "appreciates you" in (m.text or ""))
    assert received.button_texts == ["❤️ Thank you"]
    [[thanks]] = received.buttons
    await alice.press("❤️ Thank you", message_id=received.message_id)
    assert (await alice.next_callback_answer()).text == "Thank you sent to Bob ❤️"
    assert (await alice.wait_for_edit(received.message_id)).buttons == []
    thanked = await bob.wait_for(lambda m: (m.text or "") == "❤️ Alice says thank you.")
    assert thanks.callback_data is not None
    await alice.press_data(thanks.callback_data, message_id=received.message_id)
    assert (await alice.next_callback_answer()).text == "This is no longer active. 🌿"
    await h.settled()
    assert [m.text for m in bob.chat].count(thanked.text) == 1


async def test_blocked_partner_stops_nudges_and_partner_is_told_once(harness: Harness) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    h.fake.block(1002)
    await _run_until(h, datetime(2026, 11, 28, 5, 0, tzinfo=UTC))
    told = [m for m in alice.chat if "doesn't seem to be receiving" in (m.text or "")]
    assert len(told) == 1
    async with h.db.transaction() as session:
        bob_row = await session.get(User, 1002)
        open_for_bob = await session.scalar(
            select(func.count()).where(Nudge.user_id == 1002, Nudge.status.in_(NudgeStatus.OPEN))
        )
    assert bob_row is not None and not bob_row.is_active and open_for_bob == 0
    # Writing to the bot again makes Bob reachable again.
    h.fake.unblock(1002)
    await bob.send("/help")
    await bob.next_message()
    async with h.db.transaction() as session:
        assert (await session.get(User, 1002)).is_active  # type: ignore[union-attr]


async def test_retry_after_is_honoured_and_sends_once(harness: Harness) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, _bob = await _couple_in_two_zones(h)
    await h.nudges.plan()
    async with h.db.transaction() as session:
        due = await session.scalar(select(func.min(Nudge.due_at)).where(Nudge.user_id == 1001))
    assert due is not None
    h.clock.set(due)
    h.fake.fail_next(
        "sendMessage",
        chat_id=1001,
        error_code=429,
        description="Too Many Requests: retry after 30",
        retry_after=30,
    )
    report = await h.nudges.dispatch()
    assert report.retried == 1 and _nudges_in(alice) == []
    h.clock.advance(timedelta(seconds=20))
    assert (await h.nudges.dispatch()).sent == 0  # still waiting, as Telegram asked
    h.clock.advance(timedelta(seconds=15))
    assert (await h.nudges.dispatch()).sent == 1
    assert len(_nudges_in(alice)) == 1


async def test_restart_mid_dispatch_loses_and_doubles_nothing(harness: Harness) -> None:
    """A dispatcher died with sends in flight: those end "maybe", never resent; the rest
    (never claimed) go out at once, once each."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    await h.nudges.plan()
    async with h.db.transaction() as session:  # all of them due now, windows open
        await session.execute(
            update(Nudge).values(
                due_at=h.clock() - timedelta(minutes=1),
                window_end_at=h.clock() + timedelta(hours=1),
            )
        )
    async with h.db.transaction() as session:
        deliverable = await nudge_queries.due_page(session, h.clock(), None, 100)
        assert len(deliverable) >= 2
        in_flight = deliverable[0]  # the crashed process's send, possibly written
        # What the crashed process's claim left behind: the row under its lease.
        claimed = await session.execute(
            update(Nudge)
            .where(Nudge.id == in_flight.id, Nudge.status == NudgeStatus.PLANNED)
            .values(
                status=NudgeStatus.SENDING,
                lease_until=h.clock() + LEASE,
                lease_owner="crashed-process",
                attempt=Nudge.attempt + 1,
            )
            .returning(Nudge.id)
        )
        ours = set(claimed.scalars())
    assert ours == {in_flight.id}
    report = await h.nudges.dispatch()  # the restarted process: the rest go out at once
    assert report.sent == len(deliverable) - 1
    assert len(_nudges_in(alice)) + len(_nudges_in(bob)) == len(deliverable) - 1
    h.clock.advance(LEASE + timedelta(seconds=1))
    report = await h.nudges.dispatch()  # the lease ran out: "maybe", never sent again
    assert (report.sent, report.maybe, report.expired) == (0, 1, 1)
    assert len(_nudges_in(alice)) + len(_nudges_in(bob)) == len(deliverable) - 1
    async with h.db.transaction() as session:
        statuses = Counter(await session.scalars(select(Nudge.status)))
        row = await session.get(Nudge, in_flight.id)
    assert statuses.get(NudgeStatus.SENDING, 0) == 0
    assert statuses.get(NudgeStatus.PLANNED, 0) == 0
    assert row is not None and row.status == NudgeStatus.MAYBE


async def test_two_dispatchers_send_each_nudge_exactly_once(
    harness: Harness, database_url: str
) -> None:
    """Two dispatchers, each with its own connection pool (as two processes), one database."""
    h = harness
    people = 120
    for n in range(people):
        h.fake.user(5000 + n, f"P{n}")
        await register(h.db, 5000 + n, f"P{n}", h.clock())
    async with h.db.transaction() as session:
        from storage.models import Couple

        couples = [
            Couple(first_id=5000 + 2 * i, second_id=5001 + 2 * i, created_at=h.clock())
            for i in range(people // 2)
        ]
        session.add_all(couples)
        await session.flush()
        for i, couple in enumerate(couples):
            for member in (5000 + 2 * i, 5001 + 2 * i):
                user = await session.get(User, member)
                assert user is not None
                user.couple_id, user.timezone = couple.id, "UTC"
                session.add(
                    Nudge(
                        user_id=member,
                        couple_id=couple.id,
                        ritual=Ritual.BEDTIME.value,
                        local_date=h.clock().date(),
                        due_at=h.clock() - timedelta(minutes=1),
                        window_end_at=h.clock() + timedelta(minutes=30),
                        status="planned",
                        attempt=0,
                        phrasing=0,
                        snoozed=False,
                    )
                )
    other = Database.from_url(database_url)
    try:
        first = Deliveries(h.db, TelegramSender(h.app.bot), h.clock, page=10)
        second = Deliveries(other, TelegramSender(h.app.bot), h.clock, page=10)
        reports = await asyncio.gather(first.deliver(NudgeSource()), second.deliver(NudgeSource()))
    finally:
        await other.dispose()
    assert sum(r.sent for r in reports) == people
    assert sum(r.lost for r in reports) + people == sum(r.sent + r.lost for r in reports)
    sends = h.fake.requests_for("sendMessage")
    per_chat: dict[int, int] = {}
    for request in sends:
        if request.chat_id is not None and request.chat_id >= 5000:
            per_chat[request.chat_id] = per_chat.get(request.chat_id, 0) + 1
    assert per_chat == {5000 + n: 1 for n in range(people)}


async def test_sunday_bedtime_nudge_offers_the_week(harness: Harness) -> None:
    """On Sundays the bedtime nudge carries "📊 Our week", which opens the reflection."""
    from messages.weekly import BUTTON_OUR_WEEK

    h = harness
    h.clock.set(datetime(2026, 11, 29, 5, 0, tzinfo=UTC))  # Sunday
    # Two rituals: both fit on a Sunday, when the digest takes one of the three places.
    alice, _bob = await _couple_in_two_zones(
        h, off=(Ritual.MORNING_HUG, Ritual.DINNER_APPRECIATION)
    )
    bedtime = await _first_nudge(h, alice, BEDTIME, datetime(2026, 11, 29, 22, 0, tzinfo=UTC))
    assert BUTTON_OUR_WEEK in [b.text for row in bedtime.buttons for b in row]
    await alice.press(BUTTON_OUR_WEEK, message_id=bedtime.message_id)
    reflection = await alice.wait_for(lambda m: m.message_id > bedtime.message_id)
    assert "week" in reflection.body.lower()
    # Weekdays' bedtime nudges do not carry it.
    monday = await _first_nudge(
        h, alice, BEDTIME, datetime(2026, 11, 30, 22, 0, tzinfo=UTC), after=bedtime.message_id
    )
    assert BUTTON_OUR_WEEK not in [b.text for row in monday.buttons for b in row]


async def test_no_midday_prompt_after_a_spontaneous_thinking_of_you(harness: Harness) -> None:
    """Alice already sent "thinking of you" this morning: no midday nudge for her today."""
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))  # 06:00 in Berlin
    alice, bob = await _couple_in_two_zones(h)
    await h.nudges.plan()
    await alice.send("/thinking")
    await bob.wait_for(lambda m: "is thinking of you" in m.body)
    await _run_until(h, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))  # 15:00 in Berlin
    assert [m for m in _nudges_in(alice) if m.body.startswith(MIDDAY)] == []
    async with h.db.transaction() as session:
        status = await session.scalar(
            select(Nudge.status).where(
                Nudge.user_id == 1001,
                Nudge.ritual == Ritual.MIDDAY_THINKING.value,
                Nudge.local_date == datetime(2026, 11, 26).date(),
            )
        )
    assert status == NudgeStatus.SKIPPED


async def test_nothing_is_sent_after_unpairing(harness: Harness) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = await _couple_in_two_zones(h)
    await h.nudges.plan()
    await alice.send("/unpair")
    confirm = await alice.wait_for(lambda m: bool(m.buttons))
    await alice.press("Yes, end it — keep my history", message_id=confirm.message_id)
    await bob.wait_for(lambda m: "ended your pairing" in m.body)
    await _run_until(h, datetime(2026, 11, 28, 5, 0, tzinfo=UTC))
    assert _nudges_in(alice) == [] and _nudges_in(bob) == []


async def test_ignored_nudges_back_off_until_answered(harness: Harness) -> None:
    """Three ignored bedtime nudges in a row: every other day; one answer: daily again."""
    h = harness
    h.clock.set(datetime(2026, 11, 20, 5, 0, tzinfo=UTC))
    alice, _bob = await _couple_in_two_zones(
        h, off=(Ritual.MORNING_HUG, Ritual.DINNER_APPRECIATION)
    )
    days_with_bedtime: list[object] = []
    for _ in range(8):  # eight days, never answering
        start = len(_nudges_in(alice))
        end = h.clock() + timedelta(days=1)
        # Every nudge goes out at its due time, as the real 10-second dispatch tick sends it.
        await h.run_jobs_until(end, timedelta(hours=2))
        new = [m for m in _nudges_in(alice)[start:] if m.body.startswith(BEDTIME)]
        days_with_bedtime.append(bool(new))
    # Planning runs a day ahead, but the dispatcher counts the nudges still unanswered at
    # send time: the back-off shows on the first odd date after the third ignored nudge.
    assert all(days_with_bedtime[:3])
    assert not all(days_with_bedtime[3:5])
    assert days_with_bedtime[3:].count(True) <= 3  # every other day, not every day
    async with h.db.transaction() as session:
        from storage.models import RitualSetting

        setting = await session.get(RitualSetting, (1001, Ritual.BEDTIME.value))
    assert setting is not None and setting.ignored_in_a_row >= 3
    # One answer resets the count.
    newest = alice.chat[-1].message_id
    while True:  # the next day with a bedtime nudge, skipping through the hours in between
        h.clock.set(h.clock().replace(hour=20, minute=30) + timedelta(days=1))
        await h.nudges.run_all()
        try:
            last = await _first_nudge(
                h, alice, BEDTIME, h.clock() + timedelta(hours=1), after=newest
            )
            break
        except AssertionError:
            continue
    await alice.press("🌙 We did it", message_id=last.message_id)
    await alice.wait_for_edit(last.message_id)
    async with h.db.transaction() as session:
        setting = await session.get(RitualSetting, (1001, Ritual.BEDTIME.value))
    assert setting is not None and setting.ignored_in_a_row == 0
