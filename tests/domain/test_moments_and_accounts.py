"""Moments, relays, unpairing and forgetting, checked without Telegram, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain import accounts, moments, pairing
from domain.moments import Logged, NoteTooLong, Relayed
from domain.pairing import NewInvite, Paired
from domain.values.clock import ManualClock
from domain.values.confirmation import Action
from domain.values.kinds import EventSource, MomentKind
from domain.values.results import NotPaired, Person, Stale
from storage.database import Database
from storage.models import ConnectionEvent, Couple, Invite, User
from tests.work import act, register

ALICE, BOB, CAROL = 1001, 1002, 1003


async def _pair(db: Database, clock: ManualClock, first: int = ALICE, second: int = BOB) -> int:
    for user_id in (first, second):
        await register(db, user_id, f"Person{user_id}", clock())
    invite = await act(db, first, pairing.create_invite, now=clock())
    assert isinstance(invite, NewInvite)
    paired = await act(db, second, pairing.accept, invite.code, now=clock())
    assert isinstance(paired, Paired)
    return paired.couple_id


async def _events(db: Database) -> list[ConnectionEvent]:
    async with db.transaction() as session:
        return list((await session.execute(select(ConnectionEvent))).scalars())


async def _count(db: Database, model: type) -> int:
    async with db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_logged_moment_is_one_event_even_when_tapped_twice(
    db: Database, clock: ManualClock
) -> None:
    couple_id = await _pair(db, clock)
    first = await act(db, ALICE, moments.log_moment, MomentKind.HUG, dedupe_key="m:7", now=clock())
    again = await act(db, ALICE, moments.log_moment, MomentKind.HUG, dedupe_key="m:7", now=clock())
    assert isinstance(first, Logged) and first.event_id is not None
    assert (first.kind, first.duplicate, first.partner) == (
        MomentKind.HUG,
        False,
        Person(BOB, f"Person{BOB}"),
    )
    assert again == Logged(MomentKind.HUG, duplicate=True)
    [event] = await _events(db)
    assert (event.couple_id, event.actor_id, event.kind, event.source) == (
        couple_id,
        ALICE,
        "hug",
        EventSource.MOMENT,
    )
    assert event.created_at == clock()


async def test_moments_need_a_partner(db: Database, clock: ManualClock) -> None:
    await register(db, CAROL, "Carol", clock())
    assert (
        await act(db, CAROL, moments.log_moment, MomentKind.KISS, now=clock())
        is NotPaired.NOT_PAIRED
    )
    assert await act(db, CAROL, moments.send_thinking_of_you, now=clock()) is NotPaired.NOT_PAIRED
    assert await _events(db) == []


async def test_thinking_of_you_with_a_note_and_love_back_once(
    db: Database, clock: ManualClock
) -> None:
    await _pair(db, clock)
    sent = await act(
        db, ALICE, moments.send_thinking_of_you, note="  miss your laugh ", now=clock()
    )
    assert isinstance(sent, Relayed) and sent.partner.user_id == BOB
    assert sent.note == "miss your laugh"
    # Only the receiver can answer, and only once.
    assert await act(db, ALICE, moments.send_love_back, sent.event_id, now=clock()) is Stale.STALE
    back = await act(db, BOB, moments.send_love_back, sent.event_id, now=clock())
    assert isinstance(back, Relayed) and back.partner.user_id == ALICE
    assert await act(db, BOB, moments.send_love_back, sent.event_id, now=clock()) is Stale.STALE
    kinds = sorted((e.actor_id, e.kind) for e in await _events(db))
    assert kinds == [(ALICE, "thinking_of_you"), (BOB, "love_back")]


async def test_a_too_long_note_stores_nothing(db: Database, clock: ManualClock) -> None:
    await _pair(db, clock)
    with pytest.raises(NoteTooLong):
        await act(db, ALICE, moments.send_thinking_of_you, note="x" * 501, now=clock())
    assert await _events(db) == []


async def test_love_back_on_another_couples_event_is_refused(
    db: Database, clock: ManualClock
) -> None:
    await _pair(db, clock)
    await _pair(db, clock, CAROL, 1004)
    sent = await act(db, ALICE, moments.send_thinking_of_you, now=clock())
    assert isinstance(sent, Relayed)
    assert await act(db, CAROL, moments.send_love_back, sent.event_id, now=clock()) is Stale.STALE
    assert len(await _events(db)) == 1


async def test_unpair_ends_the_couple_but_keeps_history(db: Database, clock: ManualClock) -> None:
    couple_id = await _pair(db, clock)
    await act(db, ALICE, moments.log_moment, MomentKind.HUG, now=clock())
    nonce = await act(db, ALICE, accounts.offer_confirmation, Action.UNPAIR, now=clock())
    assert await act(db, ALICE, accounts.unpair, couple_id + 1, nonce, now=clock()) is Stale.STALE
    # A wrong couple used the confirmation up: the person is asked again.
    nonce = await act(db, ALICE, accounts.offer_confirmation, Action.UNPAIR, now=clock())
    partner = await act(db, ALICE, accounts.unpair, couple_id, nonce, now=clock())
    assert partner == Person(BOB, f"Person{BOB}", None)
    profile = await register(db, BOB, "Bob", clock())
    assert profile.partner is None and profile.couple_id is None
    assert len(await _events(db)) == 1  # history kept
    # The confirmation button pressed again is stale: nothing to end.
    assert await act(db, ALICE, accounts.unpair, couple_id, nonce, now=clock()) is Stale.STALE


async def test_unpair_can_delete_ones_own_history_and_only_that(
    db: Database, clock: ManualClock
) -> None:
    couple_id = await _pair(db, clock)
    await act(db, ALICE, moments.log_moment, MomentKind.HUG, now=clock())
    await act(db, BOB, moments.log_moment, MomentKind.KISS, now=clock())
    nonce = await act(db, ALICE, accounts.offer_confirmation, Action.UNPAIR, now=clock())
    await act(db, ALICE, accounts.unpair, couple_id, nonce, delete_history=True, now=clock())
    assert [e.actor_id for e in await _events(db)] == [BOB]


async def test_a_confirmation_works_once_and_only_for_a_few_minutes(
    db: Database, clock: ManualClock
) -> None:
    couple_id = await _pair(db, clock)
    nonce = await act(db, ALICE, accounts.offer_confirmation, Action.FORGET, now=clock())
    # Not a confirmation of this action, nor any more after five minutes.
    assert await act(db, ALICE, accounts.unpair, couple_id, nonce, now=clock()) is Stale.STALE
    nonce = await act(db, ALICE, accounts.offer_confirmation, Action.FORGET, now=clock())
    later = clock() + timedelta(minutes=6)
    assert await act(db, ALICE, accounts.forget, nonce, now=later) is Stale.STALE
    async with db.transaction() as session:
        assert (await session.get(User, ALICE)) is not None


async def test_forget_me_deletes_everything_about_the_person(
    db: Database, clock: ManualClock
) -> None:
    await _pair(db, clock)
    await act(db, ALICE, moments.log_moment, MomentKind.HUG, now=clock())
    await act(db, BOB, moments.log_moment, MomentKind.KISS, now=clock())
    assert await act(db, ALICE, pairing.create_invite, now=clock()) is not None
    nonce = await act(db, ALICE, accounts.offer_confirmation, Action.FORGET, now=clock())
    partner = await act(db, ALICE, accounts.forget, nonce, now=clock())
    assert partner is not None and partner.user_id == BOB
    assert [e.actor_id for e in await _events(db)] == [BOB]
    async with db.transaction() as session:
        assert await session.get(User, ALICE) is None
        assert (await session.get(User, BOB)).couple_id is None  # type: ignore[union-attr]
    # Once both are gone, nothing of the couple remains either.
    nonce = await act(db, BOB, accounts.offer_confirmation, Action.FORGET, now=clock())
    await act(db, BOB, accounts.forget, nonce, now=clock())
    assert (await _count(db, Couple), await _count(db, ConnectionEvent)) == (0, 0)
    assert await _count(db, Invite) == 0
