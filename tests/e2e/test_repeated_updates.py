"""The same update delivered twice (same ``update_id``) has the effect of once.

Telegram hands an update out again when the bot's confirmation was lost (and a webhook
retries): the second copy must change nothing and send nothing — not even a second answer
to the button. Each test lets the bot finish the first copy, records the database and every
Bot API request, hands the same update out again, lets the bot finish, and compares.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.delivery_models import OutboxMessage
from tests.e2e.conftest import Harness
from tests.e2e.support import pair_up, say, snapshot, start_with_zone, tap
from tests.fake_telegram import FakeUser

ALICE, BOB = 1001, 1002


async def _state(h: Harness) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    async with h.db.transaction() as session:
        owed = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        outbox = [(m.id, m.chat_id, m.kind, m.status, m.attempt) for m in owed]
    return await snapshot(h), outbox


async def _deliver_again_changes_nothing(h: Harness, update: dict[str, Any]) -> None:
    await h.settled()
    before, requests = await _state(h), len(h.fake.requests)
    await h.fake.deliver_again(update)
    await h.settled()
    assert await _state(h) == before
    assert h.fake.requests[requests:] == [], "a repeated update made the bot call Telegram"


async def test_a_repeated_moment_tap_stores_one_moment(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    await _deliver_again_changes_nothing(h, h.fake.updates[-1])


async def test_a_repeated_tell_bob_tells_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    menu = await say(alice, "/moment")
    await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)
    await alice.wait_for_edit(menu.message_id)
    await tap(alice, "💞 Tell Bob", message_id=menu.message_id)
    tell = h.fake.updates[-1]
    shared = await bob.wait_for(lambda m: "glad about the hug" in m.body)
    await _deliver_again_changes_nothing(h, tell)
    assert [m.body for m in bob.chat].count(shared.body) == 1


async def test_a_repeated_yes_to_an_offer_relays_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    offer = await say(alice, "dinner's on me")
    await tap(alice, "💌 Yes, send it", message_id=offer.message_id)
    yes = h.fake.updates[-1]
    relay = await bob.wait_for(lambda m: "dinner's on me" in m.body)
    await _deliver_again_changes_nothing(h, yes)
    assert [m.body for m in bob.chat].count(relay.body) == 1


async def test_a_repeated_thinking_of_you_is_relayed_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await alice.send("/thinking see you soon")
    relay = await bob.wait_for(lambda m: "thinking of you" in m.body)
    assert "see you soon" in relay.body
    await _deliver_again_changes_nothing(h, h.fake.updates[-1])
    assert [m.body for m in bob.chat].count(relay.body) == 1


async def test_a_repeated_yes_pairs_once(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice)
    await start_with_zone(bob)
    await alice.send("/invite")
    invitation = await alice.wait_for(lambda m: "t.me/" in m.body)
    code = invitation.body.split("?start=")[1].split()[0]
    await bob.send(f"/start {code}")
    await bob.wait_for(lambda m: "Pair with" in m.body)
    await bob.press("💞 Yes, pair us")
    yes = h.fake.updates[-1]
    await _wait_paired(alice, bob)
    await _deliver_again_changes_nothing(h, yes)


async def test_a_repeated_forget_me_confirmation_does_nothing_more(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    ask = await say(alice, "/forget_me")
    await tap(alice, "Yes, delete everything", message_id=ask.message_id)
    confirm = h.fake.updates[-1]
    await alice.wait_for(lambda m: m.body.startswith("Done — everything about you is deleted"))
    await bob.wait_for(lambda m: m.body.startswith("Alice has ended your pairing"))
    await _deliver_again_changes_nothing(h, confirm)


async def test_two_copies_at_once_take_effect_once(harness: Harness) -> None:
    """Both copies reach the bot in one batch and are handled concurrently: the inbox's key
    lets one of them commit (PostgreSQL), or makes the second wait and find the first
    (SQLite's write lock)."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await h.settled()
    requests = len(h.fake.requests)
    # Queue the update and a copy of it before the bot's next poll can take either.
    update = await h.fake.push_update(
        {
            "message": {
                "message_id": 9_000,
                "from": alice.as_user(),
                "chat": alice.as_chat(),
                "date": 0,
                "text": "/thinking twice?",
                "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
            }
        }
    )
    await h.fake.deliver_again(update)
    await bob.wait_for(lambda m: "twice?" in m.body)
    await h.settled()
    sent = [r for r in h.fake.requests[requests:] if r.method == "sendMessage"]
    assert sorted(r.chat_id or 0 for r in sent) == [ALICE, BOB]  # one reply, one relay
    assert sum("twice?" in m.body for m in bob.chat) == 1


async def _wait_paired(first: FakeUser, second: FakeUser) -> None:
    await first.wait_for(lambda m: "now paired" in m.body)
    await second.wait_for(lambda m: "now paired" in m.body)
