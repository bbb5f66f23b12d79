"""Settings end to end: the real PTB application, long-polling the fake Bot API over HTTP.

What a person types and taps goes through Telegram's shapes and HTML parsing; what the bot
remembered is read back through the storage models.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from bot import callback_data as cd
from bot.callback_data import SettingsAction
from domain import nudge_settings
from domain.values.clock import ManualClock
from domain.values.kinds import Ritual
from domain.values.policy import NudgePolicy, default_policy
from domain.values.timeparse import parse_window
from domain.values.windows import LocalWindow
from messages import settings as words
from messages import texts
from storage.database import Database
from storage.models import Nudge, NudgeStatus, User
from tests.e2e.conftest import Harness
from tests.fake_telegram import BotMessage, CallbackAnswer, FakeTelegram, FakeUser
from tests.work import act

BERLIN = "Europe/Berlin"


@pytest.fixture
def fake(harness: Harness) -> FakeTelegram:
    """The shared end-to-end harness's fake Bot API (the app runs with its jobs off)."""
    return harness.fake


# -- acting as a person ----------------------------------------------------------------------


async def say(user: FakeUser, text: str) -> str:
    """Send a text; the bot's next message to this person, as they see it."""
    await user.send(text)
    return (await user.next_message()).body


async def tap(user: FakeUser, label: str, *, message_id: int | None = None) -> CallbackAnswer:
    await user.press(label, message_id=message_id)
    return await user.next_callback_answer()


async def tap_data(user: FakeUser, data: str, *, message_id: int | None = None) -> CallbackAnswer:
    await user.press_data(data, message_id=message_id)
    return await user.next_callback_answer()


async def start_in_berlin(user: FakeUser) -> None:
    await user.send("/start")
    question = await user.wait_for(lambda m: "where in the world" in m.body)
    await tap(user, "Berlin", message_id=question.message_id)
    await user.wait_for_edit(question.message_id)


async def pair(first: FakeUser, second: FakeUser) -> None:
    await first.send("/invite")
    invite = await first.wait_for(lambda m: "t.me/" in m.body)
    code = invite.body.split("?start=")[1].split()[0]
    await second.send(f"/start {code}")
    await second.wait_for(lambda m: "Pair with" in m.body)
    await second.press(texts.BUTTON_YES_PAIR)
    await first.wait_for(lambda m: "now paired" in m.body)
    await second.wait_for(lambda m: "now paired" in m.body)


# -- reading back ----------------------------------------------------------------------------


async def policy_of(db: Database, user_id: int) -> NudgePolicy:
    policy: NudgePolicy | None = await act(db, user_id, nudge_settings.load_policy)
    assert policy is not None
    return policy


async def user_row(db: Database, user_id: int) -> User:
    async with db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def w(text: str) -> LocalWindow:
    return parse_window(text, allow_midnight=True)


def never_went_wrong(*users: FakeUser) -> None:
    """The error handler never spoke (e.g. Telegram refusing malformed HTML)."""
    for user in users:
        assert texts.SOMETHING_WENT_WRONG not in user.inbox_texts, user.transcript()


def button_data(msg: BotMessage, label: str) -> str:
    data = next(b.callback_data for row in msg.buttons for b in row if b.text == label)
    assert data is not None
    return data


# -- the tests -------------------------------------------------------------------------------


async def test_typed_commands_over_http(fake: FakeTelegram, db: Database) -> None:
    carol = fake.user(3001, "Carol")
    await start_in_berlin(carol)

    assert "12:00-14:00" in await say(carol, "/midday")  # the example
    assert "between 12:00 and 14:00" in await say(carol, "/midday 12:00-14:00")
    assert "between 07:00 and 08:00" in await say(carol, "/morning 07:00 - 08:00")
    assert "between 18:30 and 20:00" in await say(carol, "/dinner 18:30 to 20:00")
    assert "around 22:30" in await say(carol, "/bedtime 22:30")
    assert "from 22:45 to 07:00" in await say(carol, "/quiet 22:45-07:00")
    expected = (
        default_policy(BERLIN)
        .with_window(Ritual.MIDDAY_THINKING, w("12:00-14:00"))
        .with_window(Ritual.MORNING_HUG, w("07:00-08:00"))
        .with_bedtime(time(22, 30))
    )
    policy = await policy_of(db, carol.id)
    assert policy.rituals == expected.rituals and policy.quiet == w("22:45-07:00")

    before = (await policy_of(db, carol.id), (await user_row(db, carol.id)).paused_until)
    refusals = [
        "/midday 25:00-26:00",
        "/midday 12:60-13:00",
        "/midday 14:00-12:00",
        "/midday noon",
        "/morning <i>early</i>",
        "/bedtime 25:00",
        "/bedtime noon",
        "/quiet 22:00-22:00",
        "/pause 0",
        "/pause 45",
    ]
    for typed in refusals:
        reply = await say(carol, typed)
        assert words.NOTHING_CHANGED in reply, (typed, reply)
        assert "Try" in reply or "like" in reply, (typed, reply)
        if "early" in typed:
            assert "“<i>early</i>”" in reply  # shown back as typed, never as markup
    # (Not "Atlantis": GeoNames knows the one near Cape Town.)
    assert "Narnia" in await say(carol, "/timezone Narnia")
    after = (await policy_of(db, carol.id), (await user_row(db, carol.id)).paused_until)
    assert after == before

    # Quiet hours that swallow the bedtime window are applied, and said gently.
    reply = await say(carol, "/quiet 21:00-07:00")
    assert "Just so you know" in reply and "Bedtime" in reply
    assert (await policy_of(db, carol.id)).quiet == w("21:00-07:00")
    assert "quiet hours are off" in await say(carol, "/quiet off")
    assert (await policy_of(db, carol.id)).quiet is None

    assert "Sunday 29 November" in await say(carol, "/pause 3")
    assert (await user_row(db, carol.id)).paused_until is not None
    assert "Sunday 29 November" in await say(carol, "/settings")
    assert "back on" in await say(carol, "/resume")
    assert (await user_row(db, carol.id)).paused_until is None
    never_went_wrong(carol)


async def test_rituals_toggle_and_menu_over_http(
    fake: FakeTelegram, db: Database, clock: ManualClock
) -> None:
    alice, bob = fake.user(1001, "Alice"), fake.user(1002, "Bob")
    await start_in_berlin(alice)
    await start_in_berlin(bob)
    await pair(alice, bob)
    user = await user_row(db, alice.id)
    assert user.couple_id is not None
    # Alice's plan for later today, and her partner's, as the planner would have stored them.
    async with db.transaction() as session:
        for person in (alice.id, bob.id):
            session.add(
                Nudge(
                    user_id=person,
                    couple_id=user.couple_id,
                    ritual=Ritual.MIDDAY_THINKING.value,
                    local_date=date(2026, 11, 26),
                    due_at=clock() + timedelta(hours=3),
                    window_end_at=clock() + timedelta(hours=4),
                    status=NudgeStatus.PLANNED,
                )
            )
            row = await session.get(User, person)
            assert row is not None
            row.planned_through = date(2026, 11, 27)

    await alice.send("/settings")
    menu = await alice.next_message()
    assert BERLIN in menu.body and "/midday 12:00-14:00" in menu.body
    assert menu.button_texts == [
        words.BUTTON_TIMEZONE,
        words.BUTTON_RITUALS,
        words.BUTTON_PAUSE,
        words.BUTTON_DIGEST_OFF,
        words.BUTTON_RELAYS_WAIT,
        "🌐 Language",
    ]

    assert (await tap(alice, words.BUTTON_RITUALS, message_id=menu.message_id)).text is None
    await alice.wait_for_edit(menu.message_id)
    off_kiss = words.ritual_button(Ritual.SIX_SECOND_KISS, False)
    assert off_kiss in menu.button_texts
    answer = await tap(alice, off_kiss, message_id=menu.message_id)
    # Five rituals, three places a day: they take turns, and the pop-up says how often.
    assert answer.text is not None
    assert answer.text.startswith(words.toggled(Ritual.SIX_SECOND_KISS, True))
    assert "about 4 days a week" in answer.text and "Next one:" in answer.text
    await alice.wait_for_edit(menu.message_id)
    on_kiss = words.ritual_button(Ritual.SIX_SECOND_KISS, True)
    assert on_kiss in menu.button_texts
    assert (await policy_of(db, alice.id)).preference(Ritual.SIX_SECOND_KISS).enabled
    assert not (await policy_of(db, bob.id)).preference(Ritual.SIX_SECOND_KISS).enabled

    # The change replanned Alice's rest of today and tomorrow at once, and only hers.
    async with db.transaction() as session:
        left = (await session.execute(select(Nudge.user_id, Nudge.due_at))).all()
    assert [due for who, due in left if who == bob.id] == [clock() + timedelta(hours=3)]
    alices = [due for who, due in left if who == alice.id]
    assert alices and clock() + timedelta(hours=3) not in alices
    assert all(due > clock() for due in alices)
    assert (await user_row(db, alice.id)).planned_through == date(2026, 11, 27)
    assert (await user_row(db, bob.id)).planned_through == date(2026, 11, 27)

    # Off again; replaying that same button (a double tap) leaves it off.
    turn_off = button_data(menu, on_kiss)
    await tap(alice, on_kiss, message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    answer = await tap_data(alice, turn_off, message_id=menu.message_id)
    assert answer.text == words.toggled(Ritual.SIX_SECOND_KISS, False)
    assert not (await policy_of(db, alice.id)).preference(Ritual.SIX_SECOND_KISS).enabled

    # Bob replaying Alice's button data only ever changes Bob's own settings.
    await bob.send("/rituals")
    bobs = await bob.next_message()
    forged = cd.Settings(SettingsAction.TURN_OFF, Ritual.MIDDAY_THINKING).pack()
    await tap_data(bob, forged, message_id=bobs.message_id)
    assert not (await policy_of(db, bob.id)).preference(Ritual.MIDDAY_THINKING).enabled
    assert (await policy_of(db, alice.id)).preference(Ritual.MIDDAY_THINKING).enabled

    # Forged or outdated buttons are answered and change nothing.
    before = await policy_of(db, alice.id)
    for data in ("v1:set:on:juggling", "v1:set:explode", "v1:set:on:"):
        assert (await tap_data(alice, data)).text == texts.STALE_BUTTON
    assert await policy_of(db, alice.id) == before

    # Back to the menu; pause three days and resume from there.
    await tap(alice, words.BUTTON_BACK, message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    answer = await tap(alice, words.BUTTON_PAUSE, message_id=menu.message_id)
    assert answer.text == "Paused through Sun 29 Nov ⏸"
    await alice.wait_for_edit(menu.message_id)
    assert words.BUTTON_RESUME in menu.button_texts and "29 November" in menu.body
    await tap(alice, words.BUTTON_RESUME, message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    assert words.BUTTON_PAUSE in menu.button_texts
    assert (await user_row(db, alice.id)).paused_until is None

    # The time zone button asks the existing onboarding question.
    await tap(alice, words.BUTTON_TIMEZONE, message_id=menu.message_id)
    await alice.wait_for(lambda m: "where in the world" in m.body)
    never_went_wrong(alice, bob)


async def test_a_stranger_pressing_an_old_button_is_answered_kindly(
    fake: FakeTelegram, db: Database, clock: ManualClock
) -> None:
    dave = fake.user(4001, "Dave")
    await start_in_berlin(dave)
    await dave.send("/rituals")
    rituals = await dave.next_message()
    await dave.send("/forget_me")
    await dave.wait_for(lambda m: "deletes everything" in m.body)
    await tap(dave, "Yes, delete everything")
    await dave.wait_for(lambda m: "everything about you is deleted" in m.body)
    answer = await tap(
        dave, words.ritual_button(Ritual.SIX_SECOND_KISS, False), message_id=rituals.message_id
    )
    assert answer.text == texts.SAY_START_FIRST
    with pytest.raises(LookupError):  # an old button does not bring Dave back
        await act(db, dave.id, nudge_settings.load_settings, now=clock())
    never_went_wrong(dave)
