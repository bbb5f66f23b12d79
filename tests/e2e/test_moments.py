"""Issue #2, points 4 and 5: logging a moment, and "thinking of you" relayed between partners."""

from __future__ import annotations

from domain.values.kinds import EventSource, MomentKind
from messages import texts
from messages.rituals import MOMENTS_BY_KIND
from tests.e2e.conftest import Harness
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    events,
    invite,
    pair_up,
    press_together,
    read_invitation,
    say,
    snapshot,
    start_with_zone,
    tap,
    tap_data,
    user_row,
)

ALICE, BOB = 1001, 1002
SEED_MOMENTS = [
    "🤗 Hug before leaving",
    "💋 Six-second kiss",
    "😊 Eye contact / smile",
    "🤝 Gentle touch",
    "📱 Check-in text",
    "🙏 Appreciation",
    "👂 Pausing to listen",
    "🌙 Goodnight ritual",
    "✨ Something else",
]


# -- Log a moment -------------------------------------------------------------------------------


async def test_moment_menu_offers_the_seed_moments(harness: Harness) -> None:
    """/moment and the "📝 Log a moment" button both offer the seed's micro-connections."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    by_command = await say(alice, "/moment")
    await alice.choose("📝 Log a moment")
    by_button = await alice.next_message()
    for menu in (by_command, by_button):
        assert menu.body == "Which small moment did you share? 💛"
        assert menu.button_texts == SEED_MOMENTS


async def test_a_tap_stores_one_connection_event_and_confirms(harness: Harness) -> None:
    """Tapping "Six-second kiss" stores it for the couple; the menu becomes a thank-you."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")

    answer = await tap(alice, "💋 Six-second kiss", message_id=menu.message_id)
    assert answer.text is None and not answer.show_alert
    confirmed = await alice.wait_for_edit(menu.message_id)
    assert confirmed.body in MOMENTS_BY_KIND[MomentKind.KISS].confirmations
    assert confirmed.button_texts == ["💞 Tell Bob"]  # sharing is one tap, never the default

    row = await user_row(h, ALICE)
    assert row is not None
    [event] = await events(h)
    assert (event.couple_id, event.actor_id, event.kind, event.source) == (
        row.couple_id,
        ALICE,
        MomentKind.KISS,
        EventSource.MOMENT,
    )
    assert event.created_at == h.clock()
    await h.settled()
    assert bob.unread == []  # logging is private until "Tell Bob"; nothing is pushed


async def test_tapping_the_same_button_twice_stores_one_event(harness: Harness) -> None:
    """A second tap on the same menu (say, a slow network) is thanked but not stored again."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    hug = button_data(menu, "🤗 Hug before leaving")
    await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)

    answer = await tap_data(alice, hug, message_id=menu.message_id)
    assert answer.text == texts.MOMENT_ALREADY_LOGGED
    assert [e.kind for e in await events(h)] == [MomentKind.HUG]
    assert menu.edits == 1

    # A fresh menu is a fresh moment.
    second_menu = await say(alice, "/moment")
    await tap(alice, "🤗 Hug before leaving", message_id=second_menu.message_id)
    await alice.wait_for_edit(second_menu.message_id)
    assert [e.kind for e in await events(h)] == [MomentKind.HUG, MomentKind.HUG]


async def test_a_double_tap_at_the_same_instant_stores_one_event(harness: Harness) -> None:
    """Two taps that reach the bot together still leave exactly one event."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    hug = button_data(menu, "🤗 Hug before leaving")
    answers = await press_together(h, (alice, hug, menu.message_id), (alice, hug, menu.message_id))
    assert sorted(str(a.text) for a in answers) == sorted(["None", texts.MOMENT_ALREADY_LOGGED])
    assert_no_error_shown(h)
    assert [e.kind for e in await events(h)] == [MomentKind.HUG]


async def test_before_pairing_moments_and_thinking_offer_an_invitation(harness: Harness) -> None:
    """Not paired yet: nobody to share with; a kind word and the invite button instead, and
    nothing is stored or sent."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start_with_zone(alice)
    before = await snapshot(h)
    for ask in ("/moment", "📝 Log a moment", "/thinking", "💭 Thinking of you", "/thinking hi"):
        reply = await say(alice, ask)
        assert reply.body == texts.NOT_PAIRED, ask
        assert reply.button_texts == ["💌 Invite my partner"]
    assert await snapshot(h) == before
    await tap(alice, "💌 Invite my partner")
    read_invitation(await alice.next_message())


# -- Thinking of you ----------------------------------------------------------------------------


async def test_thinking_of_you_is_relayed_with_a_love_back_button(harness: Harness) -> None:
    """/thinking and the keyboard button: the partner sees "💭 Alice is thinking of you" and
    "❤️ Send love back"; each relay is an event for the sender."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)

    sent = await say(alice, "/thinking")
    assert sent.body == "Sent 💌 Bob will see that you're thinking of them."
    relayed = await bob.next_message()
    assert relayed.body == "💭 Alice is thinking of you."
    assert relayed.button_texts == ["❤️ Send love back"]

    [event] = await events(h)
    assert (event.actor_id, event.kind, event.source, event.note) == (
        ALICE,
        MomentKind.THINKING_OF_YOU,
        EventSource.RELAY,
        None,
    )

    # The "💭 Thinking of you" keyboard button does the same, the other way round.
    await bob.choose("💭 Thinking of you")
    assert (await bob.next_message()).body == "Sent 💌 Alice will see that you're thinking of them."
    assert (await alice.next_message()).body == "💭 Bob is thinking of you."
    assert [(e.actor_id, e.kind) for e in await events(h, BOB)] == [
        (BOB, MomentKind.THINKING_OF_YOU)
    ]


async def test_thinking_of_you_leaves_the_time_zone_question_open(harness: Harness) -> None:
    """Bob, just paired by link and asked for his time zone, first sends a "thinking of
    you": his city typed afterwards is still read as the answer."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    invitation = await invite(alice)
    preview = await say(bob, f"/start {invitation.code}")
    await tap(bob, "💞 Yes, pair us", message_id=preview.message_id)
    await bob.wait_for(lambda m: "where in the world" in m.body)
    await bob.choose("💭 Thinking of you")
    assert (await bob.next_message()).body.startswith("Sent 💌")
    reply = await say(bob, "Tokyo")
    assert reply.body.startswith("Got it — your time zone is Asia/Tokyo")


async def test_a_typed_note_goes_along_escaped(harness: Harness) -> None:
    """/thinking miss you <b>x</b>: the note arrives exactly as typed, never as markup."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking miss you <b>x</b> & more")
    relayed = await bob.next_message()
    assert relayed.body == "💭 Alice is thinking of you:\n\n“miss you <b>x</b> & more”"
    assert {e["type"] for e in relayed.entities} == {"bold", "italic"}  # only our own markup
    [event] = await events(h)
    assert event.note == "miss you <b>x</b> & more"


async def test_love_back_is_relayed_once(harness: Harness) -> None:
    """Bob sends love back: Alice hears it once; a second tap is no longer active."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking <i>hi</i>")
    relayed = await bob.next_message()
    love = button_data(relayed, "❤️ Send love back")

    answer = await tap(bob, "❤️ Send love back", message_id=relayed.message_id)
    assert answer.text == "Love sent back to Alice ❤️"
    edited = await bob.wait_for_edit(relayed.message_id)
    assert edited.body == "💭 Alice is thinking of you:\n\n“<i>hi</i>”\n\n❤️ You sent love back."
    assert edited.buttons == []
    assert (await alice.next_message()).body == "❤️ Bob sends love back."

    before = await snapshot(h)
    again = await tap_data(bob, love, message_id=relayed.message_id)
    assert again.text == texts.STALE_BUTTON == "This is no longer active. 🌿"
    assert await snapshot(h) == before
    await h.settled()
    assert alice.unread == []
    kinds = [(e.actor_id, e.kind) for e in await events(h)]
    assert kinds == [(ALICE, MomentKind.THINKING_OF_YOU), (BOB, MomentKind.LOVE_BACK)]


async def test_a_double_tap_on_love_back_relays_once(harness: Harness) -> None:
    """Two quick taps on "❤️ Send love back": one relay, one event, no error."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking")
    relayed = await bob.next_message()
    love = button_data(relayed, "❤️ Send love back")
    answers = await press_together(
        h, (bob, love, relayed.message_id), (bob, love, relayed.message_id)
    )
    assert sorted(str(a.text) for a in answers) == ["Love sent back to Alice ❤️", texts.STALE_BUTTON]
    assert (await alice.next_message()).body == "❤️ Bob sends love back."
    await h.settled()
    assert alice.unread == []
    assert [e.kind for e in await events(h, BOB)] == [MomentKind.LOVE_BACK]
    assert_no_error_shown(h)


async def test_a_note_over_500_characters_is_refused_kindly(harness: Harness) -> None:
    """A too-long note: a kind ask to shorten it; nothing is sent or stored."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    before = await snapshot(h)
    reply = await say(alice, "/thinking " + "x" * 501)
    assert reply.body == (
        "That's a lovely long note — could you keep it under 500 characters? Nothing was sent yet."
    )
    assert await snapshot(h) == before
    await h.settled()
    assert bob.unread == []

    await say(alice, "/thinking " + "y" * 500)  # exactly at the limit is fine
    assert (await bob.next_message()).body.endswith("“" + "y" * 500 + "”")
