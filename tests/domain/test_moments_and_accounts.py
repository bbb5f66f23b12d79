"""Moments, relays, unpairing and forgetting, checked without Telegram, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain import accounts, moments, pairing
from domain.clock import ManualClock
from domain.kinds import EventSource, MomentKind
from domain.moments import Logged, NoteTooLong, Relayed
from domain.pairing import NewInvite, Paired
from domain.results import NotPaired, Person, Stale
from storage.database import Database
from storage.models import ConnectionEvent, Couple, Invite, User

ALICE, BOB, CAROL = 1001, 1002, 1003


async def _pair(db: Database, clock: ManualClock, first: int = ALICE, second: int = BOB) -> int:
    for user_id in (first, second):
        await accounts.register(db, user_id, f"Person{user_id}", clock())
    invite = await pairing.create_invite(db, first, clock())
    assert isinstance(invite, NewInvite)
    paired = await pairing.accept(db, second, invite.code, clock())
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
    first = await moments.log_moment(db, ALICE, MomentKind.HUG, clock(), dedupe_key="m:7")
    again = await moments.log_moment(db, ALICE, MomentKind.HUG, clock(), dedupe_key="m:7")
    assert first == Logged(MomentKind.HUG, duplicate=False)
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
    await accounts.register(db, CAROL, "Carol", clock())
    assert await moments.log_moment(db, CAROL, MomentKind.KISS, clock()) is NotPaired.NOT_PAIRED
    assert await moments.send_thinking_of_you(db, CAROL, clock()) is NotPaired.NOT_PAIRED
    assert await _events(db) == []


async def test_thinking_of_you_with_a_note_and_love_back_once(
    db: Database, clock: ManualClock
) -> None:
    await _pair(db, clock)
    sent = await moments.send_thinking_of_you(db, ALICE, clock(), note="  miss your laugh ")
    assert isinstance(sent, Relayed) and sent.partner.user_id == BOB
    assert sent.note == "miss your laugh"
    # Only the receiver can answer, and only once.
    assert await moments.send_love_back(db, ALICE, sent.event_id, clock()) is Stale.STALE
    back = await moments.send_love_back(db, BOB, sent.event_id, clock())
    assert isinstance(back, Relayed) and back.partner.user_id == ALICE
    assert await moments.send_love_back(db, BOB, sent.event_id, clock()) is Stale.STALE
    kinds = sorted((e.actor_id, e.kind) for e in await _events(db))
    assert kinds == [(ALICE, "thinking_of_you"), (BOB, "love_back")]


async def test_a_too_long_note_stores_nothing(db: Database, clock: ManualClock) -> None:
    await _pair(db, clock)
    with pytest.raises(NoteTooLong):
        await moments.send_thinking_of_you(db, ALICE, clock(), note="x" * 501)
    assert await _events(db) == []


async def test_love_back_on_another_couples_event_is_refused(
    db: Database, clock: ManualClock
) -> None:
    await _pair(db, clock)
    await _pair(db, clock, CAROL, 1004)
    sent = await moments.send_thinking_of_you(db, ALICE, clock())
    assert isinstance(sent, Relayed)
    assert await moments.send_love_back(db, CAROL, sent.event_id, clock()) is Stale.STALE
    assert len(await _events(db)) == 1


async def test_unpair_ends_the_couple_but_keeps_history(db: Database, clock: ManualClock) -> None:
    couple_id = await _pair(db, clock)
    await moments.log_moment(db, ALICE, MomentKind.HUG, clock())
    assert await accounts.unpair(db, ALICE, couple_id + 1, clock()) is Stale.STALE
    partner = await accounts.unpair(db, ALICE, couple_id, clock())
    assert partner == Person(BOB, f"Person{BOB}", None)
    profile = await accounts.register(db, BOB, "Bob", clock())
    assert profile.partner is None and profile.couple_id is None
    assert len(await _events(db)) == 1  # history kept
    # The confirmation button pressed again is stale: nothing to end.
    assert await accounts.unpair(db, ALICE, couple_id, clock()) is NotPaired.NOT_PAIRED


async def test_forget_me_deletes_everything_about_the_person(
    db: Database, clock: ManualClock
) -> None:
    await _pair(db, clock)
    await moments.log_moment(db, ALICE, MomentKind.HUG, clock())
    await moments.log_moment(db, BOB, MomentKind.KISS, clock())
    assert await pairing.create_invite(db, ALICE, clock()) is not None
    partner = await accounts.forget(db, ALICE, clock())
    assert partner is not None and partner.user_id == BOB
    assert [e.actor_id for e in await _events(db)] == [BOB]
    async with db.transaction() as session:
        assert await session.get(User, ALICE) is None
        assert (await session.get(User, BOB)).couple_id is None  # type: ignore[union-attr]
    # Once both are gone, nothing of the couple remains either.
    await accounts.forget(db, BOB, clock())
    assert (await _count(db, Couple), await _count(db, ConnectionEvent)) == (0, 0)
    assert await _count(db, Invite) == 0
