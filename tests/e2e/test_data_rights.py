"""Data rights, fair limits and prompts that never swallow a question, as people meet them.

- a new person who skips the time-zone question still gets their week when they ask, and a
  guessed zone they can change with one tap;
- "✍️ Write my own" waits for words, but the week question is answered, not relayed;
- "Yes, delete everything" / "Yes, end it" work once, from the prompt, for a few minutes;
- 200 "thinking of you" in a minute reach the partner as a handful, said kindly once;
- ``/export`` sends one's own data as a JSON file, and nothing of the partner's;
- ``/forget_me`` leaves nothing of the person in any table (the schema is reflected, so a
  future table is covered too), and the partner's own history intact.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, select

from bot import callback_data as cd
from domain.values.kinds import MomentKind
from messages import texts
from storage.delivery_models import OutboxMessage
from storage.models import ConnectionEvent, Nudge
from tests.e2e.conftest import Harness, pair
from tests.e2e.support import (
    assert_no_error_shown,
    button_data,
    events,
    pair_up,
    say,
    start,
    tap,
    tap_data,
    user_row,
)
from tests.fake_telegram import BotMessage, FakeUser

ALICE, BOB = 7_700_001, 7_700_002
WEEK_QUESTION = "how are we doing this week?"


def _is_week(message: BotMessage) -> bool:
    return "first week" in message.body or message.photo is not None


# -- prompts never swallow a question ---------------------------------------------------------


async def test_a_new_person_who_skips_the_zone_question_still_gets_their_week(
    harness: Harness,
) -> None:
    h = harness
    alice = h.fake.user(ALICE, "Alice", language_code="fr")  # French: not spoken, still placed
    bob = h.fake.user(BOB, "Bob", language_code="en")
    await start(alice)  # the question is asked, and never answered
    await start(bob)
    await pair(h, alice, bob)
    # Nudges need a zone: each got a clearly-marked guess, with the zones one tap away.
    await h.settled()
    for person, zone in ((alice, "Europe/Paris"), (bob, "UTC")):
        guess = next(m for m in person.chat if "guessed your time zone" in m.body)
        assert zone in guess.body and "Berlin" in guess.button_texts, guess.describe()
        row = await user_row(h, person.id)
        assert row is not None and row.timezone == zone
    await alice.send("/moment")
    menu = await alice.wait_for(lambda m: "Which small moment" in m.body)
    await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)
    await alice.send(WEEK_QUESTION)
    week = await alice.wait_for(_is_week, timeout=10)
    assert "Bob" in week.body
    assert "place or time zone" not in alice.transcript()
    # One tap changes the guess.
    await tap(
        bob, "Berlin", message_id=(await bob.wait_for(lambda m: "guessed" in m.body)).message_id
    )
    row = await user_row(h, BOB)
    assert row is not None and row.timezone == "Europe/Berlin"
    assert_no_error_shown(h)


async def test_an_unanswered_zone_question_expires(harness: Harness) -> None:
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    h.clock.advance(timedelta(hours=1))
    reply = await say(alice, "Lisbon")
    assert "time zone is" not in reply.body  # read as ordinary text now
    row = await user_row(h, ALICE)
    assert row is not None and row.timezone is None


async def test_a_reply_to_the_zone_prompt_answers_it(harness: Harness) -> None:
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    question = alice.chat[-1]
    await tap(alice, "🌍 Somewhere else", message_id=question.message_id)
    prompt = await alice.wait_for(lambda m: m.force_reply)
    await alice.send("Lisbon", reply_to=prompt.message_id)
    await alice.wait_for(lambda m: "Europe/Lisbon" in m.body, timeout=30)  # the city index


async def _write_my_own_prompt(h: Harness, person: FakeUser) -> BotMessage:
    """Wait for a midday nudge (ticking the clock) and tap "✍️ Write my own"."""
    end = h.clock() + timedelta(days=1)
    while h.clock() < end:
        h.clock.advance(timedelta(minutes=5))
        await h.nudges.run_all()
        for message in person.chat:
            labels = message.button_texts
            if "✍️ Write my own" in labels:
                await person.press("✍️ Write my own", message_id=message.message_id)
                return await person.wait_for(lambda m: m.force_reply)
    raise AssertionError(person.transcript())


async def test_after_write_my_own_the_week_question_is_answered_not_relayed(
    harness: Harness,
) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    prompt = await _write_my_own_prompt(h, alice)
    assert "Type your message" in prompt.body
    await alice.send(WEEK_QUESTION)
    await alice.wait_for(_is_week, timeout=10)
    await h.settled()
    assert not any(WEEK_QUESTION in m.body for m in bob.chat)
    # The prompt is still open: the words typed next go to Bob.
    await alice.send("Can't wait for tonight")
    await bob.wait_for(lambda m: "Can't wait for tonight" in m.body)


# -- confirmations are single-use and bound to their prompt -----------------------------------


async def test_forget_me_needs_the_live_prompt(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    # Unprompted, forged, or from an older version: nothing happens.
    for forged in ("v1:forget", "v1:forget:guess", cd.Forget("AAAAAAAAAAAA").pack()):
        assert (await tap_data(alice, forged)).text == texts.STALE_BUTTON
    ask = await say(alice, "/forget_me")
    yes = button_data(ask, "Yes, delete everything")
    h.clock.advance(timedelta(minutes=6))  # a few minutes later, the prompt has expired
    assert (await tap_data(alice, yes, message_id=ask.message_id)).text == texts.STALE_BUTTON
    assert await user_row(h, ALICE) is not None
    # Asked again: the older prompt's button stays dead, the new one works once.
    fresh = await say(alice, "/forget_me")
    assert (await tap_data(alice, yes, message_id=ask.message_id)).text == texts.STALE_BUTTON
    await tap(alice, "Yes, delete everything", message_id=fresh.message_id)
    await alice.wait_for(lambda m: "everything about you is deleted" in m.body)
    assert await user_row(h, ALICE) is None
    assert_no_error_shown(h)


async def test_unpair_needs_the_live_prompt_and_can_delete_ones_history(
    harness: Harness,
) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    for person in (alice, bob):
        await person.send("/moment")
        menu = await person.wait_for(lambda m: "Which small moment" in m.body)
        await tap(person, "🤗 Hug before leaving", message_id=menu.message_id)
    row = await user_row(h, ALICE)
    assert row is not None and row.couple_id is not None
    forged = cd.Unpair(row.couple_id, "AAAAAAAAAAAA", cd.History.DELETE).pack()
    assert (await tap_data(alice, forged)).text == texts.STALE_BUTTON
    ask = await say(alice, "/unpair")
    await tap(alice, "Yes, end it — delete my history", message_id=ask.message_id)
    done = await alice.wait_for(lambda m: "has ended" in m.body)
    assert "deleted" in done.body
    await bob.wait_for(lambda m: "ended your pairing" in m.body)
    assert [e.actor_id for e in await events(h)] == [BOB]  # Bob's own moment stays his


async def test_the_partner_who_was_left_can_delete_their_history_too(harness: Harness) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    for person in (alice, bob):
        await person.send("/moment")
        menu = await person.wait_for(lambda m: "Which small moment" in m.body)
        await tap(person, "🤗 Hug before leaving", message_id=menu.message_id)
    ask = await say(alice, "/unpair")
    await tap(alice, "Yes, end it — keep my history", message_id=ask.message_id)
    told = await bob.wait_for(lambda m: "ended your pairing" in m.body)
    assert "/unpair" in told.body
    await bob.send("/unpair")
    offer = await bob.wait_for(lambda m: "still kept" in m.body)
    assert "Alice" in offer.body
    await tap(bob, "Yes, delete my history", message_id=offer.message_id)
    await bob.wait_for_edit(offer.message_id)
    assert [e.actor_id for e in await events(h)] == [ALICE]  # Alice's stays hers
    # Nothing left to delete: the ordinary "not paired" answer.
    assert "still kept" not in (await say(bob, "/unpair")).body
    assert_no_error_shown(h)


# -- fair limits -------------------------------------------------------------------------------


async def test_a_flood_of_thinking_of_you_reaches_the_partner_as_a_handful(
    harness: Harness,
) -> None:
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    for _ in range(200):
        await alice.send("/thinking")
    await h.settled(timeout=60)
    received = [m for m in bob.chat if "is thinking of you" in m.body]
    assert 1 <= len(received) <= 8, len(received)
    told = [m for m in alice.chat if m.body == texts.SLOW_DOWN]
    assert len(told) == 1, alice.transcript()
    # Nothing is counted that was never sent.
    thinking = [e for e in await events(h, ALICE) if e.kind == MomentKind.THINKING_OF_YOU]
    assert len(thinking) == len(received)
    # A minute later a "thinking of you" goes through again.
    h.clock.advance(timedelta(minutes=1))
    await alice.send("/thinking")
    await bob.wait_for(lambda m: "is thinking of you" in m.body and m not in received)
    assert_no_error_shown(h)


# -- export and forget_me ---------------------------------------------------------------------


ALICE_NOTE = "alice-note-meet-me-under-the-old-oak"
BOB_NOTE = "bob-note-the-blue-door-at-nine"


async def _a_shared_history(h: Harness) -> tuple[FakeUser, FakeUser]:
    """Alice and Bob paired, each with moments, notes and settings of their own."""
    h.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    alice, bob = h.user(ALICE, "Alicia"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(bob, "/quiet 21:15-06:45")  # Bob's own setting
    await alice.send(f"/thinking {ALICE_NOTE}")
    relay = await bob.wait_for(lambda m: ALICE_NOTE in m.body)
    await bob.press("❤️ Send love back", message_id=relay.message_id)
    await bob.send(f"/thinking {BOB_NOTE}")
    await alice.wait_for(lambda m: BOB_NOTE in m.body)
    await alice.send("/moment")
    menu = await alice.wait_for(lambda m: "Which small moment" in m.body)
    await tap(alice, "🤗 Hug before leaving", message_id=menu.message_id)
    for _ in range(30):  # a day of nudges for both
        h.clock.advance(timedelta(minutes=30))
        await h.nudges.run_all()
    await h.settled()
    return alice, bob


async def test_export_sends_ones_own_data_and_nothing_of_the_partners(harness: Harness) -> None:
    h = harness
    alice, _ = await _a_shared_history(h)
    await alice.send("/export")
    sent = await alice.wait_for(lambda m: m.document is not None)
    assert sent.document_name == "microconnect-my-data.json"
    raw = (sent.document or b"").decode()
    data: dict[str, Any] = json.loads(raw)
    assert data["schema_version"] == 1
    assert data["profile"]["first_name"] == "Alicia"
    assert data["profile"]["time_zone"] == "Europe/Berlin"
    assert [c["partner_first_name"] for c in data["couples"]] == ["Bob"]
    assert {m["kind"] for m in data["moments"]} >= {"thinking_of_you", "hug"}
    assert ALICE_NOTE in [m["note"] for m in data["moments"]]
    # Delivered: the outbox's copy of the words is gone, the moment keeps them (retention).
    assert [m["status"] for m in data["messages_sent_to_partner"]] == ["sent"]
    assert data["nudges_received"], "a day of nudges was planned for her"
    assert all(n["what_you_did"] for n in data["nudges_received"])
    # Nothing of Bob's own: not his note, not his quiet hours, not his id.
    assert BOB_NOTE not in raw and "21:15" not in raw and str(BOB) not in raw
    assert_no_error_shown(h)


async def _every_row(h: Harness) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as the database has them (reflected, not from our models)."""
    async with h.db.transaction() as session:
        connection = await session.connection()
        metadata = MetaData()
        await connection.run_sync(metadata.reflect)
        tables = {
            name: [dict(row._mapping) for row in await session.execute(select(table))]
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }
    assert {"users", "connection_events", "outbox", "nudges", "rate_buckets"} <= set(tables)
    return tables


async def test_forget_me_leaves_nothing_of_the_person_in_any_table(harness: Harness) -> None:
    h = harness
    alice, _ = await _a_shared_history(h)
    bobs_before = [(e.id, e.kind, e.note) for e in await events(h, BOB)]
    assert bobs_before
    await alice.send("/forget_me")
    ask = await alice.wait_for(lambda m: "deletes everything" in m.body)
    await tap(alice, "Yes, delete everything", message_id=ask.message_id)
    await alice.wait_for(lambda m: "everything about you is deleted" in m.body)
    await h.settled()
    await h.nudges.housekeeping()  # delivered notices keep no words (README, Privacy)
    for table, rows in (await _every_row(h)).items():
        for row in rows:
            for column, value in row.items():
                assert value != ALICE, (table, column, row)
                if isinstance(value, str):
                    assert ALICE_NOTE not in value and "Alicia" not in value, (table, row)
    assert [(e.id, e.kind, e.note) for e in await events(h, BOB)] == bobs_before


async def test_delivered_words_are_dropped_after_the_retention(harness: Harness) -> None:
    h = harness
    await _a_shared_history(h)  # housekeeping ran on every tick of the day
    async with h.db.transaction() as session:
        sent = (await session.execute(select(OutboxMessage))).scalars().all()
        assert not any(ALICE_NOTE in m.payload for m in sent), "delivered: the copy goes"
        notes = (await session.execute(select(ConnectionEvent.note))).scalars().all()
        assert ALICE_NOTE in notes, "the moment's own note is kept for the retention"
    h.clock.advance(timedelta(days=31))
    await h.nudges.housekeeping()
    async with h.db.transaction() as session:
        notes = (await session.execute(select(ConnectionEvent.note))).scalars().all()
        assert ALICE_NOTE not in notes and BOB_NOTE not in notes
        assert (await session.execute(select(Nudge))).scalars().first() is not None
