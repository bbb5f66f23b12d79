"""The outbox end to end: relays and notices written in a transaction, sent right after the
commit by ``wake()``, and delivered from the table — exactly once — when the first try fails.

The handlers will write these rows in the update's own transaction; here the test writes
them exactly as they will (``storage.outbox.enqueue``), then wakes the bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from domain.values.kinds import Delivery
from scheduling.delivery import DeliveryReport
from storage import outbox
from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.models import User
from tests.e2e.conftest import Harness, pair
from tests.fake_telegram import BotMessage, FakeUser


async def _couple(h: Harness) -> tuple[FakeUser, FakeUser, int]:
    alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
    await pair(h, alice, bob)
    # The pairing handler ends by asking Bob his time zone: wait for it to be done.
    await bob.wait_for(lambda m: "where in the world" in m.body)
    async with h.db.transaction() as session:
        couple_id = await session.scalar(select(User.couple_id).where(User.id == alice.id))
    assert couple_id is not None
    return alice, bob, couple_id


async def _owe(
    h: Harness,
    chat_id: int,
    kind: Delivery,
    payload: dict[str, object],
    couple_id: int | None,
    key: str | None = None,
) -> int:
    async with h.db.transaction() as session:
        row = await outbox.enqueue(
            session,
            chat_id=chat_id,
            kind=kind,
            payload=payload,
            now=h.clock(),
            sender_id=None,
            couple_id=couple_id,
            dedupe_key=key,
        )
    assert row is not None
    return row.id


async def _row(h: Harness, row_id: int) -> OutboxMessage:
    async with h.db.transaction() as session:
        row = await session.get(OutboxMessage, row_id)
    assert row is not None
    return row


def _received(person: FakeUser, words: str) -> int:
    return sum(1 for m in person.chat if words in m.body)


async def test_a_relay_is_sent_right_after_the_commit_with_its_button(harness: Harness) -> None:
    h = harness
    _alice, bob, couple_id = await _couple(h)
    row_id = await _owe(
        h,
        bob.id,
        Delivery.THINKING,
        {"name": "Alice", "note": "miss you <3", "event_id": 42},
        couple_id,
        key="relay:42",
    )
    h.nudges.wake()  # no tick: the bot sends it now
    relay = await bob.wait_for(lambda m: "is thinking of you" in m.body)
    assert "Alice" in relay.body and "miss you &lt;3" not in relay.body
    assert "miss you <3" in relay.body
    assert [b.text for row in relay.buttons for b in row] == ["❤️ Send love back", "❤️ Thank you"]
    await h.nudges.deliver_outbox()
    row = await _row(h, row_id)
    assert (row.status, row.attempt, row.message_id) == (OutboxStatus.SENT, 1, relay.message_id)
    # The same relay owed twice is one row.
    async with h.db.transaction() as session:
        again = await outbox.enqueue(
            session,
            chat_id=bob.id,
            kind=Delivery.THINKING,
            payload={},
            now=h.clock(),
            dedupe_key="relay:42",
        )
    assert again is None
    await h.nudges.deliver_outbox()
    assert _received(bob, "is thinking of you") == 1


async def test_a_relay_whose_send_fails_is_delivered_later_exactly_once(
    harness: Harness,
) -> None:
    h = harness
    _alice, bob, couple_id = await _couple(h)
    h.fake.fail_next("sendMessage", chat_id=bob.id, error_code=429, retry_after=30)
    row_id = await _owe(h, bob.id, Delivery.LOVE_BACK, {"name": "Alice"}, couple_id)
    report = await h.nudges.deliver_outbox()
    assert report.retried == 1 and _received(bob, "sends love back") == 0
    row = await _row(h, row_id)
    assert row.status == OutboxStatus.PENDING and row.due_at == h.clock() + timedelta(seconds=30)
    h.clock.advance(timedelta(seconds=20))
    assert (await h.nudges.deliver_outbox()).sent == 0  # as Telegram asked: not yet
    h.clock.advance(timedelta(seconds=15))
    assert (await h.nudges.deliver_outbox()).sent == 1
    for _ in range(3):
        h.nudges.wake()
        await h.nudges.deliver_outbox()
    await bob.wait_for(lambda m: "sends love back" in m.body)
    assert _received(bob, "sends love back") == 1
    assert (await _row(h, row_id)).status == OutboxStatus.SENT


async def test_a_time_out_is_maybe_delivered_and_never_resent(harness: Harness) -> None:
    h = harness
    _alice, bob, couple_id = await _couple(h)
    h.fake.fail_next("sendMessage", chat_id=bob.id, error_code=502, description="Bad Gateway")
    payload = {"name": "Alice", "note": "x", "event_id": 7}
    row_id = await _owe(h, bob.id, Delivery.APPRECIATION, payload, couple_id)
    report = await h.nudges.deliver_outbox()
    assert (report.maybe, report.retried) == (1, 0)
    h.clock.advance(timedelta(hours=1))
    assert (await h.nudges.deliver_outbox()).sent == 0
    assert (await _row(h, row_id)).status == OutboxStatus.MAYBE


async def test_a_blocked_receiver_fails_and_the_sender_is_told_once(harness: Harness) -> None:
    h = harness
    alice, bob, couple_id = await _couple(h)
    h.fake.block(bob.id)
    first = await _owe(
        h, bob.id, Delivery.THINKING, {"name": "Alice", "note": "", "event_id": 1}, couple_id
    )
    second = await _owe(h, bob.id, Delivery.LOVE_BACK, {"name": "Alice"}, couple_id)
    report = await h.nudges.deliver_outbox()
    # Both may be in flight when the first 403 comes back; the rest is cancelled.
    assert report.blocked in (1, 2)
    await alice.wait_for(lambda m: "doesn't seem to be receiving" in m.body)
    await h.nudges.deliver_outbox()
    statuses = {(await _row(h, first)).status, (await _row(h, second)).status}
    assert OutboxStatus.FAILED in statuses
    assert statuses <= {OutboxStatus.FAILED, OutboxStatus.SKIPPED}
    assert _received(alice, "doesn't seem to be receiving") == 1
    async with h.db.transaction() as session:
        bob_row = await session.get(User, bob.id)
    assert bob_row is not None and not bob_row.is_active


async def test_partner_left_removes_the_keyboard_and_relays_skip_an_ended_couple(
    harness: Harness,
) -> None:
    h = harness
    _alice, bob, couple_id = await _couple(h)
    async with h.db.transaction() as session:  # the couple ended meanwhile
        for user in await session.scalars(select(User)):
            user.couple_id = None
    relay = await _owe(h, bob.id, Delivery.LOVE_BACK, {"name": "Alice"}, couple_id)
    left = await _owe(h, bob.id, Delivery.PARTNER_LEFT, {"name": "Alice"}, couple_id)
    await h.nudges.deliver_outbox()
    told = await bob.wait_for(lambda m: "ended your pairing" in m.body)
    assert "Alice" in told.body
    request = h.fake.requests_for("sendMessage")[-1]
    assert request.params.get("reply_markup", {}).get("remove_keyboard") is True, request.params
    assert (await _row(h, relay)).status == OutboxStatus.SKIPPED
    assert (await _row(h, left)).status == OutboxStatus.SENT
    assert _received(bob, "sends love back") == 0


async def test_wakes_coalesce_into_one_more_pass_never_parallel_ones(harness: Harness) -> None:
    h = harness
    _alice, bob, couple_id = await _couple(h)
    passes: list[str] = []
    running = 0
    original = h.nudges.deliver_outbox

    async def counted() -> DeliveryReport:
        nonlocal running
        running += 1
        assert running == 1, "two outbox passes at once"
        passes.append("pass")
        try:
            await asyncio.sleep(0)
            return await original()
        finally:
            running -= 1

    h.nudges.deliver_outbox = counted  # type: ignore[method-assign]
    for n in range(5):
        await _owe(h, bob.id, Delivery.LOVE_BACK, {"name": f"Alice {n}"}, couple_id)
        h.nudges.wake()
    for n in range(5):
        await bob.wait_for(_says(f"Alice {n}"))
    assert 1 <= len(passes) <= 2


def _says(text: str) -> Callable[[BotMessage], bool]:
    return lambda message: text in message.body
