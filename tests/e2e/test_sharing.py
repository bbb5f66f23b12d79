"""Issue #9, point 4: sharing goes both ways — each tried as a new couple would.

"💞 Tell Bob" under a logged moment, "❤️ Thank you" under a received note, what
"✨ Something else" was, free text offered as a relay, and ``/history`` of both partners.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot import callback_data as cd
from domain.values.kinds import EventSource, MomentKind
from messages import texts
from messages.rituals import MOMENTS_BY_KIND
from storage.models import RelayOffer
from tests.e2e.conftest import Harness
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    events,
    invite,
    pair_up,
    press_together,
    say,
    snapshot,
    start_with_zone,
    tap,
    tap_data,
)
from tests.fake_telegram import BotMessage, FakeUser

ALICE, BOB, CAROL, DAVE = 1001, 1002, 1003, 1004
OTHER_THANKS = MOMENTS_BY_KIND[MomentKind.OTHER].confirmations


async def _log(user: FakeUser, label: str) -> BotMessage:
    """/moment, tap one moment, and return the menu once it turned into a thank-you."""
    menu = await say(user, "/moment")
    await tap(user, label, message_id=menu.message_id)
    return await user.wait_for_edit(menu.message_id)


async def _offers(h: Harness) -> int:
    async with h.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(RelayOffer)) or 0)


# -- 💞 Tell Bob -------------------------------------------------------------------------------


async def test_a_logged_moment_is_told_in_one_tap_and_only_once(harness: Harness) -> None:
    """Logging stays private; "💞 Tell Bob" tells him once, warmly; the button goes away."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    logged = await _log(alice, "🤗 Hug before leaving")
    assert logged.button_texts == ["💞 Tell Bob"]
    tell = button_data(logged, "💞 Tell Bob")
    await h.settled()
    assert bob.unread == []  # never shared by default

    answer = await tap(alice, "💞 Tell Bob", message_id=logged.message_id)
    assert answer.text == "Told Bob 💞"
    told = await alice.wait_for_edit(logged.message_id)
    assert told.buttons == [] and told.body.endswith("\n\n💞 You told Bob.")
    shared = await bob.next_message()
    assert shared.body == "🤗 Alice is glad about the hug you shared."
    assert shared.buttons == []

    again = await tap_data(alice, tell, message_id=logged.message_id)
    assert again.text == "Already told Bob 💞"
    await h.settled()
    assert bob.unread == []


async def test_a_double_tap_on_tell_bob_tells_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    logged = await _log(alice, "💋 Six-second kiss")
    tell = button_data(logged, "💞 Tell Bob")
    answers = await press_together(
        h, (alice, tell, logged.message_id), (alice, tell, logged.message_id)
    )
    assert sorted(str(a.text) for a in answers) == ["Already told Bob 💞", "Told Bob 💞"]
    assert (
        await bob.next_message()
    ).body == "💋 Alice is glad about the six-second kiss you shared."
    await h.settled()
    assert bob.unread == []
    assert_no_error_shown(h)


async def test_only_the_actor_may_tell_and_only_while_paired(harness: Harness) -> None:
    """Bob, Carol (another couple) and Alice after unpairing: every "Tell" is stale."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    carol, dave = h.user(CAROL, "Carol"), h.user(DAVE, "Dave")
    await pair_up(h, alice, bob)
    await pair_up(h, carol, dave)
    logged = await _log(alice, "😊 Eye contact / smile")
    tell = button_data(logged, "💞 Tell Bob")
    before = await snapshot(h)
    assert (await tap_data(bob, tell)).text == texts.STALE_BUTTON
    assert (await tap_data(carol, tell)).text == texts.STALE_BUTTON
    forged = cd.Tell(event_id=10**9).pack()
    assert (await tap_data(alice, forged, message_id=logged.message_id)).text == texts.STALE_BUTTON

    ask = await say(alice, "/unpair")
    await tap(alice, "Yes, end it — keep my history", message_id=ask.message_id)
    await bob.wait_for(lambda m: "has ended your pairing" in m.body)
    assert (await tap_data(alice, tell, message_id=logged.message_id)).text == texts.STALE_BUTTON
    await h.settled()
    assert not any("glad about" in m.body for m in (*bob.chat, *carol.chat, *dave.chat))
    assert (await snapshot(h))["events"] == before["events"]


# -- ❤️ Thank you ------------------------------------------------------------------------------


async def test_a_received_note_gets_a_thank_you_sent_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking you were wonderful today")
    note = await bob.next_message()
    assert note.button_texts == ["❤️ Send love back", "❤️ Thank you"]
    thanks = button_data(note, "❤️ Thank you")
    # Alice cannot thank her own note.
    assert (await tap_data(alice, thanks)).text == texts.STALE_BUTTON

    answer = await tap(bob, "❤️ Thank you", message_id=note.message_id)
    assert answer.text == "Thank you sent to Alice ❤️"
    edited = await bob.wait_for_edit(note.message_id)
    assert edited.buttons == [] and edited.body.endswith("\n\n❤️ You said thank you.")
    assert (await alice.next_message()).body == "❤️ Bob says thank you."

    assert (await tap_data(bob, thanks, message_id=note.message_id)).text == texts.STALE_BUTTON
    await h.settled()
    assert [m.body for m in alice.chat].count("❤️ Bob says thank you.") == 1


async def test_a_double_tap_on_thank_you_thanks_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking ☕ on me tomorrow")
    note = await bob.next_message()
    thanks = button_data(note, "❤️ Thank you")
    answers = await press_together(
        h, (bob, thanks, note.message_id), (bob, thanks, note.message_id)
    )
    assert sorted(str(a.text) for a in answers) == sorted(
        [texts.STALE_BUTTON, "Thank you sent to Alice ❤️"]
    )
    await alice.wait_for(lambda m: m.body == "❤️ Bob says thank you.")
    await h.settled()
    assert [m.body for m in alice.chat].count("❤️ Bob says thank you.") == 1
    assert_no_error_shown(h)


# -- ✨ Something else --------------------------------------------------------------------------


async def test_something_else_asks_what_happened_and_keeps_the_words(harness: Harness) -> None:
    """The words typed become the moment's note; told to Bob, they come with "Thank you"."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "✨ Something else", message_id=menu.message_id)
    question = await alice.wait_for_edit(menu.message_id)
    assert question.body == "✨ What happened? (a few words, or skip)"
    assert question.button_texts == ["Skip"]

    too_long = await say(alice, "x" * 501)
    assert too_long.body == (
        "That's a lovely long note — could you keep it under 500 characters? "
        "Your moment is logged either way."
    )
    logged = await say(alice, "we danced in the <b>kitchen</b>")
    assert logged.body.split("\n\n") == [
        logged.body.split("\n\n")[0],
        "“we danced in the <b>kitchen</b>”",
    ]
    assert logged.body.split("\n\n")[0] in OTHER_THANKS
    assert logged.button_texts == ["💞 Tell Bob"]
    tidied = await alice.wait_for_edit(menu.message_id)
    assert tidied.buttons == []  # the question's "Skip" went away
    [event] = await events(h)
    assert (event.kind, event.source, event.note) == (
        MomentKind.OTHER,
        EventSource.MOMENT,
        "we danced in the <b>kitchen</b>",
    )
    await h.settled()
    assert bob.unread == []

    await tap(alice, "💞 Tell Bob", message_id=logged.message_id)
    shared = await bob.next_message()
    assert shared.body == (
        "✨ Alice is glad about a moment you shared:\n\n“we danced in the <b>kitchen</b>”"
    )
    assert shared.button_texts == ["❤️ Thank you"]
    await tap(bob, "❤️ Thank you", message_id=shared.message_id)
    assert (await alice.wait_for(lambda m: "thank you" in m.body)).body == "❤️ Bob says thank you."


async def test_something_else_can_be_skipped(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "✨ Something else", message_id=menu.message_id)
    question = await alice.wait_for_edit(menu.message_id)
    skip = button_data(question, "Skip")
    assert (await tap(alice, "Skip", message_id=menu.message_id)).text is None
    kept = await alice.wait_for_edit(menu.message_id)
    assert kept.body in OTHER_THANKS and kept.button_texts == ["💞 Tell Bob"]
    assert (await tap_data(alice, skip, message_id=menu.message_id)).text == texts.STALE_BUTTON
    [event] = await events(h)
    assert (event.kind, event.note) == (MomentKind.OTHER, None)
    # Nothing is pending any more: the next words are ordinary chat, offered to Bob.
    assert (await say(alice, "a quiet evening")).body == "Send this to Bob? 💌"
    [event] = await events(h)
    assert event.note is None


async def test_an_open_time_zone_question_comes_before_what_happened(harness: Harness) -> None:
    """Bob, just paired by link and asked where he is, logs "something else": it is logged
    (with "Tell Alice"), and his next words still answer the time-zone question."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    invitation = await invite(alice)
    preview = await say(bob, f"/start {invitation.code}")
    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    await bob.wait_for(lambda m: "where in the world" in m.body)
    logged = await _log(bob, "✨ Something else")
    assert logged.body in OTHER_THANKS and logged.button_texts == ["💞 Tell Alice"]
    assert (await say(bob, "Tokyo")).body.startswith("Got it — your time zone is Asia/Tokyo")


async def test_commands_and_the_weekly_question_win_over_what_happened(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "✨ Something else", message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)

    assert (await say(alice, "/help")).body.startswith("What I can do 💛")
    await alice.send("how are we doing this week?")
    reflection = await alice.next_message()
    assert reflection.body not in OTHER_THANKS and "Send this to" not in reflection.body
    await h.settled()
    [event] = await events(h)
    assert event.note is None
    await alice.send("a long walk")
    noted = await alice.wait_for(lambda m: m.body.endswith("“a long walk”"))
    assert noted.button_texts == ["💞 Tell Bob"]
    [event] = await events(h)
    assert event.note == "a long walk"


# -- Free text offered as a relay --------------------------------------------------------------


async def test_free_text_is_offered_to_the_partner_and_sent_once_on_yes(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    before = await snapshot(h)
    offer = await say(alice, "running late, love you")
    assert offer.body == "Send this to Bob? 💌"
    assert offer.button_texts == ["💌 Yes, send it", "No"]
    yes = button_data(offer, "💌 Yes, send it")
    assert "running" not in yes and cd.OfferYes.parse(yes) is not None  # the words stay here
    await h.settled()
    assert bob.unread == [] and await snapshot(h) == before

    assert (await tap(alice, "💌 Yes, send it", message_id=offer.message_id)).text is None
    sent = await alice.wait_for_edit(offer.message_id)
    assert sent.body == "Sent 💌 Bob will see that you're thinking of them."
    assert sent.buttons == []
    relayed = await bob.next_message()
    assert relayed.body == "💭 Alice is thinking of you:\n\n“running late, love you”"
    assert relayed.button_texts == ["❤️ Send love back", "❤️ Thank you"]
    assert await _offers(h) == 0  # the words are not kept once sent

    assert (await tap_data(alice, yes, message_id=offer.message_id)).text == texts.STALE_BUTTON
    await h.settled()
    assert bob.unread == []
    [event] = await events(h)
    assert (event.actor_id, event.kind, event.note) == (
        ALICE,
        MomentKind.THINKING_OF_YOU,
        "running late, love you",
    )


async def test_no_keeps_it_private(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    offer = await say(alice, "note to self: buy flowers")
    yes = button_data(offer, "💌 Yes, send it")
    await tap(alice, "No", message_id=offer.message_id)
    kept = await alice.wait_for_edit(offer.message_id)
    assert kept.body == "Okay — it stays between you and me. 🌿" and kept.buttons == []
    assert await _offers(h) == 0
    assert (await tap_data(alice, yes, message_id=offer.message_id)).text == texts.STALE_BUTTON
    await h.settled()
    assert bob.unread == [] and await events(h) == []


async def test_an_offer_is_single_use_and_bound_to_its_person_and_couple(
    harness: Harness,
) -> None:
    """A double tap sends once; Bob can't send Alice's words; after unpairing nothing goes."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    first = await say(alice, "see you at 7")
    yes = button_data(first, "💌 Yes, send it")
    assert (await tap_data(bob, yes)).text == texts.STALE_BUTTON
    answers = await press_together(
        h, (alice, yes, first.message_id), (alice, yes, first.message_id)
    )
    assert sorted(str(a.text) for a in answers) == sorted(["None", texts.STALE_BUTTON])
    await bob.wait_for(lambda m: "see you at 7" in m.body)
    assert_no_error_shown(h)

    second = await say(alice, "one more thing")
    later = button_data(second, "💌 Yes, send it")
    ask = await say(alice, "/unpair")
    await tap(alice, "Yes, end it — keep my history", message_id=ask.message_id)
    await bob.wait_for(lambda m: "has ended your pairing" in m.body)
    assert await _offers(h) == 0  # nothing offered in an ended couple is kept
    assert (await tap_data(alice, later, message_id=second.message_id)).text == texts.STALE_BUTTON
    await h.settled()
    assert sum("see you at 7" in m.body for m in bob.chat) == 1
    assert not any("one more thing" in m.body for m in bob.chat)


async def test_unpaired_people_and_long_texts_are_not_offered(harness: Harness) -> None:
    h = harness
    alice, bob, carol = h.user(ALICE, "Alice"), h.user(BOB, "Bob"), h.user(CAROL, "Carol")
    await start_with_zone(carol)
    assert (await say(carol, "hello?")).body == texts.DIDNT_UNDERSTAND
    await pair_up(h, alice, bob)
    long = await say(alice, "y" * 501)
    assert long.body.startswith("That's a long one 🙂 If it's meant for Bob")
    assert long.buttons == []
    assert await _offers(h) == 0


# -- /history -----------------------------------------------------------------------------------


async def test_history_shows_both_partners_newest_first_and_nothing_of_others(
    harness: Harness,
) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    carol, dave = h.user(CAROL, "Carol"), h.user(DAVE, "Dave")
    await pair_up(h, alice, bob)  # both in Berlin (UTC+1 in November)
    await pair_up(h, carol, dave)
    empty = await say(alice, "/history")
    assert empty.body.startswith("No moments here yet 🌱")
    assert "Bob" in empty.body

    await _log(alice, "🤗 Hug before leaving")  # Thu 26 Nov, 10:00 Berlin
    h.clock.advance(timedelta(hours=3, minutes=5))
    await say(bob, "/thinking <3 you & me")
    await alice.next_message()
    h.clock.advance(timedelta(minutes=1))
    await say(carol, "/thinking secret of another couple")
    await dave.next_message()
    await _log(dave, "💋 Six-second kiss")

    shown = await say(alice, "/history")
    assert shown.body.splitlines() == [
        "📖 Your latest moments, newest first:",
        "",
        "💭 Bob · Thinking of you · Thu 26 Nov, 13:05",
        "      “<3 you & me”",
        "🤗 You · Hug before leaving · Thu 26 Nov, 10:00",
    ]
    # Bob sees the same moments from his side.
    await bob.send("/history")
    from_bob = await bob.wait_for(lambda m: m.body.startswith("📖"))
    assert from_bob.body.splitlines()[2:] == [
        "💭 You · Thinking of you · Thu 26 Nov, 13:05",
        "      “<3 you & me”",
        "🤗 Alice · Hug before leaving · Thu 26 Nov, 10:00",
    ]
    assert "secret" not in shown.body and "kiss" not in shown.body.lower()


async def test_history_shows_the_last_ten_in_the_askers_zone(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(bob, "/timezone America/New_York")
    for minute in range(12):
        h.clock.set(h.clock().replace(minute=minute))
        await say(alice, f"/thinking note {minute}")
    await bob.send("/history")
    shown = (await bob.wait_for(lambda m: m.body.startswith("📖"))).body.splitlines()
    notes = [line.strip() for line in shown if line.strip().startswith("“")]
    assert notes == [f"“note {minute}”" for minute in range(11, 1, -1)]
    assert shown[2] == "💭 Alice · Thinking of you · Thu 26 Nov, 04:11"  # New York time


async def test_history_before_pairing_offers_an_invitation(harness: Harness) -> None:
    h = harness
    alice = h.user(ALICE, "Alice")
    await start_with_zone(alice)
    reply = await say(alice, "/history")
    assert reply.body.startswith("Your shared history starts once you're paired")
    assert reply.button_texts == ["💌 Invite my partner"]
