"""Issue #2: stale and foreign buttons, every callback answered, /unpair and /forget_me."""

from __future__ import annotations

from messages import texts
from tests.e2e.conftest import Harness
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    couples,
    events,
    invite,
    invites,
    pair_attempts,
    pair_up,
    press_together,
    say,
    snapshot,
    start,
    start_with_zone,
    tap,
    tap_data,
    user_row,
)
from tests.fake_telegram import FakeUser

ALICE, BOB, CAROL, DAVE = 1001, 1002, 1003, 1004


# -- Stale and foreign buttons ------------------------------------------------------------------


async def test_outsider_forging_a_love_back_gets_no_longer_active(harness: Harness) -> None:
    """Carol (or Alice herself) replays Bob's "Send love back": nothing relayed or stored."""
    h = harness
    alice, bob, carol = h.user(ALICE, "Alice"), h.user(BOB, "Bob"), h.user(CAROL, "Carol")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking")
    love = button_data(await bob.next_message(), "❤️ Send love back")
    await start_with_zone(carol)
    before = await snapshot(h)

    answer = await tap_data(carol, love)
    assert answer.text == "This is no longer active. 🌿"
    # Nor can Alice send love back to her own "thinking of you".
    answer = await tap_data(alice, love)
    assert answer.text == texts.STALE_BUTTON
    assert await snapshot(h) == before
    await h.settled()
    assert alice.unread == [] and bob.unread == [] and carol.unread == []


async def test_unpair_button_of_another_couple_changes_nothing(harness: Harness) -> None:
    """Carol (paired with Dave) and Erin (unpaired) forge Alice's "end our pairing" button:
    no longer active, and both couples stay intact."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    carol, dave, erin = h.user(CAROL, "Carol"), h.user(DAVE, "Dave"), h.user(1005, "Erin")
    await pair_up(h, alice, bob)
    await pair_up(h, carol, dave)
    await start_with_zone(erin)
    ask = await say(alice, "/unpair")
    end_alices_pairing = button_data(ask, "Yes, end it — keep my history")
    before = await snapshot(h)

    for outsider in (carol, erin):
        answer = await tap_data(outsider, end_alices_pairing)
        assert answer.text == texts.STALE_BUTTON
    assert await snapshot(h) == before
    assert all(c.ended_at is None for c in await couples(h))
    for person in (alice, bob, carol, dave, erin):
        await h.settled()
        assert person.unread == [], person


async def test_unknown_or_malformed_buttons_are_answered_and_change_nothing(
    harness: Harness,
) -> None:
    """Buttons from an older bot, or data no button ever had: a gentle answer, no change."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    before = await snapshot(h)
    forged = (
        "v0:zzz",
        "zzz",
        "v1:m:dance",
        "v1:love:abc",
        "v1:love:999999",
        "v1:unpair:x",
        # Found from outside: digits str.isdigit accepts, ids beyond 64 bits, a kind no
        # moment button offers, and 64 bytes of junk.
        "v1:n:²:done",
        "v1:n:99999999999999999999999:done",
        "v1:love:9223372036854775808",
        "v1:m:thinking_of_you",
        "v1:n:1:explode",
        "v1:wk:7",
        "x" * 64,
    )
    for data in forged:
        answer = await tap_data(alice, data, message_id=menu.message_id)
        assert answer.text == texts.STALE_BUTTON, data
    assert await snapshot(h) == before
    assert_no_error_shown(h)
    await h.settled()
    assert menu.edits == 0 and alice.unread == [] and bob.unread == []


async def test_old_buttons_are_stale_after_unpairing(harness: Harness) -> None:
    """After unpairing, an open moment menu and an unanswered love-back do nothing."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await say(alice, "/thinking")
    relayed = await bob.next_message()
    ask = await say(bob, "/unpair")
    end_pairing = button_data(ask, "Yes, end it — keep my history")
    await tap(bob, "Yes, end it — keep my history", message_id=ask.message_id)
    await alice.wait_for(lambda m: "Bob has ended your pairing" in m.body)
    await bob.wait_for(lambda m: "has ended" in m.body)
    before = await snapshot(h)

    assert (await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)).text == (
        texts.STALE_BUTTON
    )
    assert (await tap(bob, "❤️ Send love back", message_id=relayed.message_id)).text == (
        texts.STALE_BUTTON
    )
    # And the confirmation itself, tapped once more, is stale too.
    assert (await tap_data(bob, end_pairing, message_id=ask.message_id)).text == (
        texts.STALE_BUTTON
    )
    assert await snapshot(h) == before
    assert menu.edits == 0 and relayed.edits == 0
    await h.settled()
    assert alice.unread == [] and bob.unread == []


async def test_every_callback_query_is_answered(harness: Harness) -> None:
    """Across a whole session, each button press gets exactly one answerCallbackQuery."""
    h = harness
    alice, bob, carol = h.user(ALICE, "Alice"), h.user(BOB, "Bob"), h.user(CAROL, "Carol")
    pressed: list[str] = []

    async def press(user: FakeUser, text: str, message_id: int | None = None) -> None:
        pressed.append((await user.press(text, message_id=message_id))["id"])
        await user.next_callback_answer()

    async def press_data(user: FakeUser, data: str, message_id: int | None = None) -> None:
        pressed.append((await user.press_data(data, message_id=message_id))["id"])
        await user.next_callback_answer()

    await start(alice)
    await press(alice, "🌍 Somewhere else")
    await say(alice, "Berlin")
    await press(alice, "💌 Invite my partner")
    code = (await alice.wait_for(lambda m: "t.me/" in m.body)).body.split("?start=")[1].split()[0]
    await say(bob, f"/start {code}")
    await press(bob, "Not now")
    await say(bob, f"/start {code}")
    await press(bob, "💞 Yes, pair us")
    await alice.wait_for(lambda m: "now paired" in m.body)
    await bob.wait_for(lambda m: "where in the world" in m.body)
    await press(bob, "Tokyo")
    menu = await say(alice, "/moment")
    appreciation = button_data(menu, "🙏 Appreciation")
    await press(alice, "🙏 Appreciation", menu.message_id)
    await press_data(alice, appreciation, menu.message_id)  # the same tap again
    await say(alice, "/thinking")
    await bob.wait_for(lambda m: "thinking of you" in m.body)
    await press(bob, "❤️ Send love back")
    await alice.wait_for(lambda m: "sends love back" in m.body)
    await start(carol)
    await press(carol, "London")
    await press_data(carol, "v0:zzz")
    await say(alice, "/unpair")
    await press(alice, "Keep things as they are")
    await say(alice, "/forget_me")
    await press(alice, "Keep things as they are")

    answers = [r for r in h.fake.requests_for("answerCallbackQuery") if r.ok]
    answered = [r.params["callback_query_id"] for r in answers]
    assert len(answered) == len(set(answered)) == len(pressed)
    assert set(pressed) == set(answered)


# -- /unpair ------------------------------------------------------------------------------------


async def test_unpair_asks_first_and_keeping_things_changes_nothing(harness: Harness) -> None:
    """/unpair asks, naming the partner; "Keep things as they are" leaves all as it was."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    ask = await say(alice, "/unpair")
    assert ask.body.startswith("Do you want to end your pairing with Bob?")
    assert ask.button_texts == [
        "Yes, end it — keep my history",
        "Yes, end it — delete my history",
        "Keep things as they are",
    ]
    before = await snapshot(h)

    await tap(alice, "Keep things as they are", message_id=ask.message_id)
    kept = await alice.wait_for_edit(ask.message_id)
    assert kept.body == "Okay — nothing has changed. 💛" and kept.buttons == []
    assert await snapshot(h) == before
    await h.settled()
    assert bob.unread == []


async def test_unpair_ends_the_couple_tells_the_partner_and_keeps_history(
    harness: Harness,
) -> None:
    """Confirming ends the couple, Bob is told kindly, and both keep their moments."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "👂 Pausing to listen", message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    await say(bob, "/thinking")
    await alice.next_message()
    history = [(e.id, e.actor_id, e.kind) for e in await events(h)]

    ask = await say(alice, "/unpair")
    answer = await tap(alice, "Yes, end it — keep my history", message_id=ask.message_id)
    assert answer.text is None
    assert (await alice.wait_for_edit(ask.message_id)).buttons == []
    done = await alice.next_message()
    assert done.body == "Your pairing with Bob has ended. Take good care of yourself. 🌿"
    assert done.removes_keyboard and alice.reply_keyboard is None
    told = await bob.next_message()
    assert told.body.startswith("Alice has ended your pairing on microconnect.")
    assert "🌿" in told.body and told.removes_keyboard and bob.reply_keyboard is None

    [couple] = await couples(h)
    assert couple.ended_at == h.clock()
    for person in (ALICE, BOB):
        row = await user_row(h, person)
        assert row is not None and row.couple_id is None
    assert [(e.id, e.actor_id, e.kind) for e in await events(h)] == history

    # Unpaired now: moments need a partner again, and a new invitation can be made.
    assert (await say(alice, "/moment")).button_texts == ["💌 Invite my partner"]
    # What is left is her own history, which she may still delete.
    assert "still kept" in (await say(alice, "/unpair")).body
    await invite(alice)


async def test_both_partners_unpairing_at_the_same_moment(harness: Harness) -> None:
    """Alice and Bob confirm together: the couple ends once, each hears about it once."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    asks = [await say(person, "/unpair") for person in (alice, bob)]
    answers = await press_together(
        h,
        *(
            (person, button_data(ask, "Yes, end it — keep my history"), ask.message_id)
            for person, ask in zip((alice, bob), asks, strict=True)
        ),
    )
    assert sorted(str(a.text) for a in answers) == ["None", texts.STALE_BUTTON]
    for person in (alice, bob):
        await person.wait_for(lambda m: "has ended" in m.body)
        await h.settled()
        assert person.unread == []
    [couple] = await couples(h)
    assert couple.ended_at is not None
    assert_no_error_shown(h)


# -- /forget_me ---------------------------------------------------------------------------------


async def test_forget_me_asks_first_and_keeping_things_changes_nothing(harness: Harness) -> None:
    """/forget_me says what will go; "Keep things as they are" keeps everything."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    ask = await say(alice, "/forget_me")
    assert ask.body == (
        "This deletes everything I know about you: your time zone, your moments, your "
        "invitations, and your pairing with Bob. It can't be undone."
    )
    assert ask.button_texts == ["Yes, delete everything", "Keep things as they are"]
    before = await snapshot(h)
    await tap(alice, "Keep things as they are", message_id=ask.message_id)
    assert (await alice.wait_for_edit(ask.message_id)).body == texts.CANCELLED
    assert await snapshot(h) == before
    await h.settled()
    assert bob.unread == []


async def test_forget_me_deletes_the_person_and_their_events(harness: Harness) -> None:
    """Confirming deletes Alice, her events and invitations; Bob is told, keeps his own."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "🌙 Goodnight ritual", message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    await say(bob, "/thinking night night")
    await alice.next_message()
    assert await invites(h, ALICE)  # the one Bob accepted

    ask = await say(alice, "/forget_me")
    forget = button_data(ask, "Yes, delete everything")
    await tap(alice, "Yes, delete everything", message_id=ask.message_id)
    assert (await alice.wait_for_edit(ask.message_id)).buttons == []
    done = await alice.next_message()
    assert done.body == (
        "Done — everything about you is deleted. If you ever want to come back, just send "
        "/start. 🌿"
    )
    assert done.removes_keyboard
    told = await bob.next_message()
    assert told.body.startswith("Alice has ended your pairing") and told.removes_keyboard

    assert await user_row(h, ALICE) is None
    assert await events(h, ALICE) == [] and await invites(h, ALICE) == []
    assert [e.note for e in await events(h, BOB)] == ["night night"]
    bob_row = await user_row(h, BOB)
    assert bob_row is not None and bob_row.couple_id is None

    # The same confirmation again: there is nobody left to forget, and it does not bring
    # Alice back.
    again = await tap_data(alice, forget, message_id=ask.message_id)
    assert again.text == texts.SAY_START_FIRST
    assert await user_row(h, ALICE) is None


async def test_forget_me_when_unpaired_deletes_open_invitations_and_attempts(
    harness: Harness,
) -> None:
    """Someone not paired: their open invitation and failed code attempts go too."""
    h = harness
    carol = h.user(CAROL, "Carol")
    await start_with_zone(carol)
    await invite(carol)
    await say(carol, "/pair AAAA-AAAA-AAAA-AAAA")
    ask = await say(carol, "/forget_me")
    assert "and your pairing" not in ask.body
    await tap(carol, "Yes, delete everything", message_id=ask.message_id)
    await carol.wait_for(lambda m: m.body.startswith("Done — everything about you is deleted"))
    assert await user_row(h, CAROL) is None
    assert await invites(h) == [] and await pair_attempts(h, CAROL) == 0


async def test_after_forget_me_start_begins_afresh(harness: Harness) -> None:
    """/start after /forget_me: the first-time welcome and time-zone question again."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    ask = await say(alice, "/forget_me")
    await tap(alice, "Yes, delete everything", message_id=ask.message_id)
    await alice.wait_for(lambda m: m.body.startswith("Done"))

    await alice.send("/start")
    welcome = await alice.next_message()
    assert welcome.body.startswith("Hi Alice 👋") and welcome.button_texts == [
        "💌 Invite my partner"
    ]
    assert (await alice.next_message()).body == "🕰 Let's set your time zone."
    assert "where in the world" in (await alice.next_message()).body
    row = await user_row(h, ALICE)
    assert row is not None and row.timezone is None and row.couple_id is None
    assert await events(h, ALICE) == []


async def test_double_tap_and_both_partners_forgetting_at_once(harness: Harness) -> None:
    """Alice taps "delete everything" twice while Bob does too: all gone, no error, no echo."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    asks = [await say(person, "/forget_me") for person in (alice, bob)]
    datas = [button_data(ask, "Yes, delete everything") for ask in asks]
    await press_together(
        h,
        (alice, datas[0], asks[0].message_id),
        (bob, datas[1], asks[1].message_id),
        (alice, datas[0], asks[0].message_id),
    )
    for person in (alice, bob):
        await person.wait_for(lambda m: m.body.startswith("Done — everything about you"))
    assert_no_error_shown(h)
    assert await user_row(h, ALICE) is None and await user_row(h, BOB) is None
    assert await couples(h) == [] and await events(h) == [] and await invites(h) == []
    dones = [m for person in (alice, bob) for m in person.history if m.body.startswith("Done")]
    assert len(dones) == 2
