"""The pairing rules of issue #2, checked without Telegram, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain import pairing
from domain.pairing import NewInvite, Paired, Refused
from domain.values import invite_codes
from domain.values.clock import ManualClock
from domain.values.results import PairProblem
from storage.database import Database
from storage.models import Couple, Invite, User
from tests.work import act, register

ALICE, BOB, CAROL = 1001, 1002, 1003


async def _people(db: Database, clock: ManualClock) -> None:
    for user_id, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
        await register(db, user_id, name, clock())


async def _invite(db: Database, user_id: int, clock: ManualClock) -> NewInvite:
    invite = await act(db, user_id, pairing.create_invite, now=clock())
    assert isinstance(invite, NewInvite)
    return invite


async def _couple_of(db: Database, user_id: int) -> int | None:
    async with db.transaction() as session:
        return (await session.execute(select(User.couple_id).where(User.id == user_id))).scalar()


async def _couples(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(Couple))).scalar_one())


async def test_code_has_at_least_64_bits_and_only_its_hash_is_stored(
    db: Database, clock: ManualClock
) -> None:
    await _people(db, clock)
    invite = await _invite(db, ALICE, clock)
    assert len(invite.code) == 16 and set(invite.code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert invite_codes.CODE_BYTES * 8 >= 64
    async with db.transaction() as session:
        stored = (await session.execute(select(Invite))).scalars().all()
    assert [row.code_hash for row in stored] == [invite_codes.hash_code(invite.code)]
    assert invite.code not in stored[0].code_hash


async def test_preview_then_accept_pairs_both(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    invite = await _invite(db, ALICE, clock)
    who = await act(db, BOB, pairing.preview, invite.display_code.lower(), now=clock())
    assert not isinstance(who, Refused) and who.inviter.first_name == "Alice"
    assert await _couple_of(db, BOB) is None  # a preview changes nothing
    paired = await act(db, BOB, pairing.accept, invite.code, now=clock())
    assert isinstance(paired, Paired)
    assert (paired.inviter.first_name, paired.partner.first_name) == ("Alice", "Bob")
    assert await _couple_of(db, ALICE) == await _couple_of(db, BOB) == paired.couple_id


async def test_code_is_single_use(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    invite = await _invite(db, ALICE, clock)
    assert isinstance(await act(db, BOB, pairing.accept, invite.code, now=clock()), Paired)
    assert (
        await act(db, CAROL, pairing.accept, invite.code, now=clock())
    ).problem is PairProblem.USED
    assert await _couple_of(db, CAROL) is None


async def test_code_expires_after_48_hours(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    invite = await _invite(db, ALICE, clock)
    clock.advance(timedelta(hours=47, minutes=59))
    assert not isinstance(await act(db, BOB, pairing.preview, invite.code, now=clock()), Refused)
    clock.advance(timedelta(minutes=1))
    assert (
        await act(db, BOB, pairing.accept, invite.code, now=clock())
    ).problem is PairProblem.EXPIRED
    assert await _couples(db) == 0


async def test_pairing_with_yourself_is_refused(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    invite = await _invite(db, ALICE, clock)
    assert (
        await act(db, ALICE, pairing.accept, invite.code, now=clock())
    ).problem is PairProblem.OWN_CODE
    assert await _couples(db) == 0


async def test_unknown_code_is_refused(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    for typed in ("AAAA-BBBB-CCCC-DDDD", "hello", "", "x" * 500):
        assert (
            await act(db, BOB, pairing.preview, typed, now=clock())
        ).problem is PairProblem.UNKNOWN_CODE
    assert await _couple_of(db, BOB) is None


async def test_one_active_couple_per_person(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    alices = await _invite(db, ALICE, clock)
    carols = await _invite(db, CAROL, clock)
    assert isinstance(await act(db, BOB, pairing.accept, alices.code, now=clock()), Paired)
    # Bob is paired: he cannot accept another code, nor invite anyone.
    assert (
        await act(db, BOB, pairing.accept, carols.code, now=clock())
    ).problem is PairProblem.YOU_ARE_PAIRED
    assert (
        await act(db, BOB, pairing.create_invite, now=clock())
    ).problem is PairProblem.YOU_ARE_PAIRED
    # Carol cannot use Alice's (used) code, and Alice's couple is untouched.
    assert (
        await act(db, CAROL, pairing.accept, alices.code, now=clock())
    ).problem is PairProblem.USED
    assert await _couples(db) == 1


async def test_inviter_who_paired_meanwhile_cannot_be_paired_again(
    db: Database, clock: ManualClock
) -> None:
    await _people(db, clock)
    alices = await _invite(db, ALICE, clock)
    bobs = await _invite(db, BOB, clock)
    assert isinstance(await act(db, BOB, pairing.accept, alices.code, now=clock()), Paired)
    refused = await act(db, CAROL, pairing.accept, bobs.code, now=clock())
    assert refused == Refused(PairProblem.INVITER_IS_PAIRED)
    assert await _couple_of(db, CAROL) is None


async def test_a_new_invite_retires_the_previous_one(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    first = await _invite(db, ALICE, clock)
    second = await _invite(db, ALICE, clock)
    assert (
        await act(db, BOB, pairing.preview, first.code, now=clock())
    ).problem is PairProblem.UNKNOWN_CODE
    assert isinstance(await act(db, BOB, pairing.accept, second.code, now=clock()), Paired)


async def test_guessing_is_rate_limited_per_person(db: Database, clock: ManualClock) -> None:
    await _people(db, clock)
    invite = await _invite(db, ALICE, clock)
    for _ in range(pairing.GUESSES_PER_WINDOW):
        assert await act(db, BOB, pairing.preview, invite_codes.new_code(), now=clock()) == (
            Refused(PairProblem.UNKNOWN_CODE)
        )
    # Even the right code is refused while the limit holds, so guessing gains nothing...
    assert (
        await act(db, BOB, pairing.accept, invite.code, now=clock())
    ).problem is PairProblem.TOO_MANY_TRIES
    # ...other people are not affected...
    assert not isinstance(await act(db, CAROL, pairing.preview, invite.code, now=clock()), Refused)
    # ...and after the window the real code works.
    clock.advance(pairing.GUESS_WINDOW)
    assert isinstance(await act(db, BOB, pairing.accept, invite.code, now=clock()), Paired)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd-efgh-ijkl-mnop", "ABCDEFGHIJKLMNOP"),
        (" ABCD EFGH IJKL MNOP ", "ABCDEFGHIJKLMNOP"),
        ("ABCDEFGHIJKLMNO", None),  # too short
        ("ABCDEFGHIJKLMNO1", None),  # 1 is not base32
        ("ABCD/EFGH/IJKL/MNOP", None),
    ],
)
def test_codes_are_forgiving_about_how_they_are_pasted(typed: str, expected: str | None) -> None:
    assert invite_codes.normalise(typed) == expected
