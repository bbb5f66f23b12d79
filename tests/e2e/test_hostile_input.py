"""Issue #11: input found from outside to crash, double or leak — each kept as a test.

A note with NUL or a lone surrogate, an edited command, a group that chats, a photo or a
sticker, blocking and unblocking the bot, a button on an inline message, zone names that
are not places, and old buttons after ``/forget_me``. Every test tries it as a person
would, through the fake Bot API, and checks what they see and what the bot kept.
"""

from __future__ import annotations

from sqlalchemy import select

from messages import texts
from storage.models import ConnectionEvent, User
from tests.e2e.conftest import Harness
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    pair_up,
    say,
    snapshot,
    start,
    start_with_zone,
    tap,
    tap_data,
    user_row,
)

ALICE, BOB, CAROL = 1001, 1002, 1003


async def test_nul_and_lone_surrogates_are_dropped_before_anything_is_stored(
    harness: Harness,
) -> None:
    """A note with NUL and a lone surrogate (valid JSON, not valid text) is relayed without
    them on both databases; a name with them works too."""
    h = harness
    alice, bob = h.user(ALICE, "Al\x00ice\ud800"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await alice.send("/thinking miss\x00 you \udc00!")
    await alice.wait_for(lambda m: "Sent" in m.body)
    relayed = await bob.wait_for(lambda m: "thinking of you" in m.body)
    assert relayed.body == "💭 Alice\ufffd is thinking of you:\n\n“miss you \ufffd!”"
    async with h.db.transaction() as session:
        note = await session.scalar(select(ConnectionEvent.note))
        name = await session.scalar(select(User.first_name).where(User.id == ALICE))
    assert note == "miss you \ufffd!" and name == "Alice\ufffd"
    assert_no_error_shown(h)


async def test_fixing_a_typo_in_a_sent_command_relays_nothing_twice(harness: Harness) -> None:
    """Editing ``/thinking I mis yu`` does not send a second "thinking of you": the bot says
    kindly that it went by the first words, and nothing changes."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    sent = await alice.send("/thinking I mis yu")
    await alice.wait_for(lambda m: "Sent" in m.body)
    await bob.wait_for(lambda m: "thinking of you" in m.body)
    await h.settled()
    before = await snapshot(h)

    await alice.edit(sent["message_id"], "/thinking I miss you")
    assert (await alice.next_message()).body == texts.EDIT_NOT_FOLLOWED
    await h.settled()
    assert await snapshot(h) == before
    assert bob.unread == [] and alice.unread == []


async def test_a_group_hears_from_the_bot_only_when_it_speaks_to_the_bot(
    harness: Harness,
) -> None:
    """Added to a group: one pointer to the private chat; then silence for the group's own
    chatter and other bots' commands, one pointer for a command or an @mention; a channel's
    posts: silence. Nobody is registered."""
    h = harness
    alice = h.user(ALICE, "Alice")
    family = h.fake.group(-1_000_000_123, "Family")
    news = h.fake.group(-1_001_000_000_456, "News", kind="channel")
    await family.add_bot(by=alice)
    assert (await family.next_message()).body == texts.PRIVATE_ONLY
    chatter = ("hi all", "/roll@dice_bot", "/thinking of pizza", "hey @microconnect_test_bot")
    for said in chatter:
        await family.post(said, sender=alice)
    await news.post("Big news today")
    await h.settled()
    assert [m.body for m in family.unread] == [texts.PRIVATE_ONLY, texts.PRIVATE_ONLY]
    assert news.chat == []
    assert await user_row(h, ALICE) is None
    assert_no_error_shown(h)


async def test_photos_stickers_and_voice_get_a_kind_word_and_a_location_sets_the_zone(
    harness: Harness,
) -> None:
    """Messages without words get a kind reply and change nothing; a location still sets
    the time zone."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    before = await snapshot(h)
    for kind in ("photo", "sticker", "voice", "video_note", "document", "contact", "dice"):
        await alice.send_media(kind)
        assert (await alice.next_message()).body == texts.NOT_TEXT, kind
    await h.settled()
    assert await snapshot(h) == before
    await alice.send_media("location")
    assert "Europe/Berlin" in (await alice.next_message()).body
    assert_no_error_shown(h)


async def test_blocking_the_bot_stops_everything_and_unblocking_brings_it_back(
    harness: Harness,
) -> None:
    """Blocking the bot marks the person unreachable at once (the partner hears once);
    unblocking makes them reachable again. Someone the bot never met leaves no trace."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await h.settled()
    await alice.block_bot()
    await bob.wait_for(lambda m: "Alice doesn't seem to be receiving" in m.body)
    alice_now = await user_row(h, ALICE)
    assert alice_now is not None and not alice_now.is_active
    await alice.block_bot()  # Telegram may say it twice: the partner heard once
    await h.settled()  # (Telegram sends a change of mind seconds later, not concurrently)
    await alice.block_bot(blocked=False)
    await h.settled()
    alice_now = await user_row(h, ALICE)
    assert alice_now is not None and alice_now.is_active
    assert bob.unread == []

    stranger = h.user(CAROL, "Carol")
    before = await snapshot(h)
    await stranger.block_bot()
    await stranger.block_bot(blocked=False)
    await h.settled()
    assert await snapshot(h) == before
    assert_no_error_shown(h)


async def test_a_press_without_a_message_or_data_is_answered_and_changes_nothing(
    harness: Harness,
) -> None:
    """The bot sends no inline-mode messages and no button without data, so such a press is
    forged: answered gently."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    before = await snapshot(h)
    for data in ("v1:tz:Europe/Berlin", "v1:inv", "v1:m:hug", "v1:forget"):
        await alice.press_inline(data)
        assert (await alice.next_callback_answer()).text == texts.STALE_BUTTON, data
    # Found by the fuzzer: empty data matched every button's pattern (the first: "Invite").
    assert (await tap_data(alice, "", message_id=alice.chat[-1].message_id)).text == (
        texts.STALE_BUTTON
    )
    await h.settled()
    assert await snapshot(h) == before and alice.unread == []
    assert_no_error_shown(h)


async def test_zone_names_that_are_not_places_are_refused(harness: Harness) -> None:
    """``localtime`` (the server's own clock) and ``Factory`` are tzdata files, not places."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start_with_zone(alice)
    before = await snapshot(h)
    for typed in ("localtime", "Factory", "posixrules", "posix/Europe/Berlin"):
        reply = await say(alice, f"/timezone {typed}")
        assert f"I don't know “{typed}”" in reply.body, reply.body
    assert await snapshot(h) == before


async def test_old_buttons_after_forget_me_do_not_bring_the_person_back(
    harness: Harness,
) -> None:
    """After /forget_me, an old time-zone or invite button says "/start first" and stores
    nothing: the person stays forgotten."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    question = alice.chat[-1]
    welcome = alice.chat[-3]
    zone = button_data(question, "Berlin")
    invite_button = button_data(welcome, texts.BUTTON_INVITE)
    ask = await say(alice, "/forget_me")
    await tap(alice, texts.BUTTON_FORGET_CONFIRM, message_id=ask.message_id)
    await h.settled()
    before = await snapshot(h)
    for message_id, data in ((question.message_id, zone), (welcome.message_id, invite_button)):
        answer = await tap_data(alice, data, message_id=message_id)
        assert answer.text == texts.SAY_START_FIRST
    await h.settled()
    assert await snapshot(h) == before and await user_row(h, ALICE) is None
