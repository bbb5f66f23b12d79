"""Issue #2 end to end: first contact, time zones, help — and one couple's whole story.

Each test drives the real bot over HTTP as people would in Telegram and asserts on what each
person sees; where something must change nothing, the database is read back to prove it.
"""

from __future__ import annotations

from domain.values.kinds import EventSource, MomentKind
from messages import texts
from messages.rituals import MOMENTS_BY_KIND
from tests.e2e.conftest import Harness
from tests.e2e.support import (
    events,
    pair_up,
    read_invitation,
    say,
    snapshot,
    start,
    start_with_zone,
    tap,
    user_row,
)

MAIN_KEYBOARD = [["📝 Log a moment", "💭 Thinking of you"], ["❓ Help"]]


async def test_two_partners_pair_connect_unpair_and_forget(harness: Harness) -> None:
    """The walking skeleton: pair, log a moment, relay both ways, unpair, forget."""
    h = harness
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")

    await start_with_zone(alice, "Berlin")
    await tap(alice, "💌 Invite my partner")
    invitation = read_invitation(await alice.wait_for(lambda m: "t.me/" in m.body))

    await bob.send(f"/start {invitation.code}")
    preview = await bob.next_message()
    assert "Pair with Alice?" in preview.body
    await tap(bob, "💞 Yes, pair us")
    assert "You and Bob are now paired" in (await alice.wait_for(lambda m: "paired" in m.body)).body
    await bob.wait_for(lambda m: "You and Alice are now paired" in m.body)
    await bob.wait_for(lambda m: "where in the world" in m.body)  # Bob's own time zone
    assert alice.reply_keyboard == MAIN_KEYBOARD
    # While he is asked, Bob's menu keeps its buttons, under "📍 Share my location".
    assert bob.reply_keyboard == [["📍 Share my location"], *MAIN_KEYBOARD]

    await alice.choose("📝 Log a moment")
    menu = await alice.next_message()
    await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)
    confirmed = await alice.wait_for_edit(menu.message_id)
    assert confirmed.body in MOMENTS_BY_KIND[MomentKind.HUG].confirmations

    await bob.choose("💭 Thinking of you")
    assert (await alice.next_message()).body == "💭 Bob is thinking of you."
    await bob.wait_for(lambda m: m.body.startswith("Sent 💌"))
    answer = await tap(alice, "❤️ Send love back")
    assert answer.text == "Love sent back to Bob ❤️"
    assert (await bob.next_message()).body == "❤️ Alice sends love back."

    await alice.send("/thinking see you tonight")
    relayed = await bob.next_message()
    assert relayed.body == "💭 Alice is thinking of you:\n\n“see you tonight”"
    await tap(bob, "❤️ Send love back")
    assert (await alice.wait_for(lambda m: "sends love back" in m.body)).body == (
        "❤️ Bob sends love back."
    )

    kinds = [(e.actor_id, e.kind, e.source) for e in await events(h)]
    assert kinds == [
        (1001, MomentKind.HUG, EventSource.MOMENT),
        (1002, MomentKind.THINKING_OF_YOU, EventSource.RELAY),
        (1001, MomentKind.LOVE_BACK, EventSource.RELAY),
        (1001, MomentKind.THINKING_OF_YOU, EventSource.RELAY),
        (1002, MomentKind.LOVE_BACK, EventSource.RELAY),
    ]

    await bob.send("/unpair")
    await tap(
        bob,
        "Yes, end it — keep my history",
        message_id=(
            await bob.wait_for(lambda m: "end your pairing with Alice" in m.body)
        ).message_id,
    )
    await bob.wait_for(lambda m: m.body.startswith("Your pairing with Alice has ended"))
    told = await alice.wait_for(lambda m: "Bob has ended your pairing" in m.body)
    assert told.removes_keyboard and alice.reply_keyboard is None
    assert len(await events(h)) == 5  # history stays

    await alice.send("/forget_me")
    await alice.wait_for(lambda m: "deletes everything" in m.body)
    await tap(alice, "Yes, delete everything")
    await alice.wait_for(lambda m: m.body.startswith("Done — everything about you is deleted"))
    assert await user_row(h, 1001) is None
    assert [e.actor_id for e in await events(h)] == [1002, 1002]


# -- Start and the command menu -----------------------------------------------------------------


async def test_start_greets_warmly_and_asks_for_the_time_zone(harness: Harness) -> None:
    """/start says hello by name, explains the idea with one invite button, then asks where
    in the world the person is, offering a few common zones."""
    alice = harness.user(1001, "Alice")
    await alice.send("/start")
    welcome = await alice.next_message()
    assert welcome.body.startswith("Hi Alice 👋")
    assert "small daily moments" in welcome.body
    assert welcome.button_texts == ["💌 Invite my partner"]
    location = await alice.next_message()
    assert location.body == "🕰 Let's set your time zone."
    assert location.reply_keyboard == [["📍 Share my location"]]
    question = await alice.next_message()
    assert "where in the world are you" in question.body
    assert question.button_texts == [
        "London",
        "Berlin",
        "New York",
        "Chicago",
        "Los Angeles",
        "Kolkata",
        "Tokyo",
        "Sydney",
        "🌍 Somewhere else",
    ]


async def test_command_menu_is_published_at_start_up(harness: Harness) -> None:
    """setMyCommands runs when the bot starts, with every command people can use."""
    commands = {c["command"]: c["description"] for c in harness.fake.commands}
    foundation = ["start", "moment", "thinking", "invite", "pair", "timezone", "unpair"]
    assert {*foundation, "forget_me", "help"} <= set(commands)
    for command, description in texts.COMMANDS:  # word for word from the catalogue
        assert commands[command] == description
    assert all(commands.values())
    assert harness.fake.requests_for("setMyCommands")[0].ok


async def test_welcome_back_when_already_paired(harness: Harness) -> None:
    """/start from someone already paired: a welcome back and the everyday keyboard."""
    h = harness
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    await pair_up(h, alice, bob)
    back = await say(alice, "/start")
    assert back.body.startswith("Welcome back, Alice 💞 You and Bob are paired.")
    assert back.reply_keyboard == MAIN_KEYBOARD


# -- Time zones ---------------------------------------------------------------------------------


async def test_time_zone_buttons(harness: Harness) -> None:
    """Tapping "Berlin" stores Europe/Berlin and says the local time; "Somewhere else" asks
    to type a place, and the next text is read as one."""
    h = harness
    alice = h.user(1001, "Alice")
    await start(alice)
    question = alice.chat[-1]
    answer = await tap(alice, "Berlin", message_id=question.message_id)
    assert answer.text is None
    edited = await alice.wait_for_edit(question.message_id)
    # The clock says 09:00 UTC on 26 November: 10:00 in Berlin.
    assert edited.body == "Got it — your time zone is Europe/Berlin (it's 10:00 there now). 🕰"
    assert edited.buttons == []
    row = await user_row(h, 1001)
    assert row is not None and row.timezone == "Europe/Berlin"

    await alice.send("/timezone")
    question = await alice.wait_for(lambda m: "where in the world" in m.body)
    await tap(alice, "🌍 Somewhere else", message_id=question.message_id)
    prompt = await alice.wait_for(lambda m: m.body.startswith("Type your city"))
    assert prompt.force_reply and (await alice.wait_for_edit(question.message_id)).buttons == []
    reply = await say(alice, "Lisbon")
    assert reply.body.startswith("Got it — your time zone is Europe/Lisbon")


async def test_typing_a_city_or_zone_name_sets_the_zone(harness: Harness) -> None:
    """Instead of a button, people can type a well-known city or an IANA zone name."""
    h = harness
    alice = h.user(1001, "Alice")
    await start(alice)
    for typed, zone in (
        ("Berlin", "Europe/Berlin"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
    ):
        reply = await say(alice, typed)
        assert reply.body.startswith(f"Got it — your time zone is {zone}"), typed
        row = await user_row(h, 1001)
        assert row is not None and row.timezone == zone and row.awaiting is None
        await alice.send("/timezone")  # asks again; the next text is read as a place
        await alice.wait_for(lambda m: "where in the world" in m.body)


async def test_unknown_place_gets_a_kind_reply_and_changes_nothing(harness: Harness) -> None:
    """Typing "Narnia", not a place we know, gets a kind reply with an example; nothing stored."""
    h = harness
    alice = h.user(1001, "Alice")
    await start(alice)
    before = await snapshot(h)
    reply = await say(alice, "Narnia")
    assert reply.body.startswith("Hmm, I don't know “Narnia” as a place or time zone.")
    assert "Europe/Berlin" in reply.body
    assert await snapshot(h) == before
    # Still listening for a place: the next try works.
    assert (await say(alice, "Berlin")).body.startswith("Got it — your time zone is Europe/Berlin")


async def test_timezone_command_changes_it_later(harness: Harness) -> None:
    """/timezone Tokyo changes the zone; an unknown name keeps it; no name offers buttons."""
    h = harness
    alice = h.user(1001, "Alice")
    await start_with_zone(alice, "Berlin")

    reply = await say(alice, "/timezone Tokyo")
    assert reply.body == "Got it — your time zone is Asia/Tokyo (it's 18:00 there now). 🕰"
    row = await user_row(h, 1001)
    assert row is not None and row.timezone == "Asia/Tokyo"

    before = await snapshot(h)
    reply = await say(alice, "/timezone Narnia")
    assert reply.body.startswith("Hmm, I don't know “Narnia”")
    assert await snapshot(h) == before

    await alice.send("/timezone")
    offer = await alice.wait_for(lambda m: "where in the world" in m.body)
    assert "Tokyo" in offer.button_texts


# -- Help and friendly fallbacks ----------------------------------------------------------------


async def test_help_lists_what_the_bot_can_do(harness: Harness) -> None:
    """/help and the ❓ Help button both list every command."""
    alice = harness.user(1001, "Alice")
    for ask in ("/help", "❓ Help"):
        reply = await say(alice, ask)
        assert reply.body.startswith("What I can do 💛")
        for command in (
            "/moment",
            "/thinking",
            "/invite",
            "/pair",
            "/timezone",
            "/unpair",
            "/forget_me",
        ):
            assert command in reply.body, (ask, command)


async def test_anything_not_understood_points_to_help(harness: Harness) -> None:
    """Unknown text and unknown commands get one short, friendly pointer to /help — also for
    someone who never pressed /start."""
    h = harness
    alice, carol = h.user(1001, "Alice"), h.user(1003, "Carol")
    assert (await say(carol, "hi?")).body == texts.DIDNT_UNDERSTAND
    await start_with_zone(alice)
    before = await snapshot(h)
    for said in ("hello there", "/dance", "/moments please"):
        reply = await say(alice, said)
        assert reply.body == texts.DIDNT_UNDERSTAND, said
        assert "/help" in reply.body
    assert await snapshot(h) == before
