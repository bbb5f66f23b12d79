"""Invite, preview and accept: how two people become a couple.

Rules (issue #2): a code is single-use, expires after 48 hours and is stored only as a hash;
a person is in at most one active couple; guessing codes is rate-limited per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain import invite_codes
from domain.results import PairProblem, Person
from storage import couples, invites, users
from storage.database import Database
from storage.models import Invite, User

INVITE_LIFETIME = timedelta(hours=48)
GUESS_WINDOW = timedelta(minutes=15)
GUESSES_PER_WINDOW = 5


@dataclass(frozen=True)
class NewInvite:
    code: str  # canonical form, for the deep link
    expires_at: datetime

    @property
    def display_code(self) -> str:
        return invite_codes.display(self.code)


@dataclass(frozen=True)
class Paired:
    couple_id: int
    inviter: Person
    partner: Person


def _person(user: User) -> Person:
    return Person(user.id, user.first_name, user.timezone)


async def create_invite(db: Database, user_id: int, now: datetime) -> NewInvite | PairProblem:
    """A fresh code for someone who is not yet paired; older open codes stop working."""
    async with db.transaction() as session:
        user = await users.get(session, user_id)
        if user is None:
            raise LookupError("create_invite before the person was registered")
        if user.couple_id is not None:
            return PairProblem.YOU_ARE_PAIRED
        await invites.withdraw_open(session, user_id)
        code = invite_codes.new_code()
        expires_at = now + INVITE_LIFETIME
        await invites.create(session, user_id, invite_codes.hash_code(code), now, expires_at)
    return NewInvite(code, expires_at)


async def preview(
    db: Database, user_id: int, typed_code: str, now: datetime
) -> Person | PairProblem:
    """Who a code would pair you with, checked by every rule, changing nothing but the tally."""
    async with db.transaction() as session:
        problem, invite = await _check(session, user_id, typed_code, now)
        if problem is not None:
            return problem
        assert invite is not None
        inviter = await users.get(session, invite.inviter_id)
        assert inviter is not None
        return _person(inviter)


async def accept(
    db: Database, user_id: int, typed_code: str, now: datetime
) -> Paired | PairProblem:
    """Pair the two, or explain why not. Re-checks everything: the preview may be hours old."""
    try:
        async with db.transaction() as session:
            problem, invite = await _check(session, user_id, typed_code, now, for_update=True)
            if problem is not None:
                return problem
            assert invite is not None
            couple = await couples.create(session, invite.inviter_id, user_id, now)
            if not await users.join_couple(session, (invite.inviter_id, user_id), couple.id):
                raise _PairedMeanwhile
            invite.used_at = now
            invite.used_by_id = user_id
            inviter = await users.get(session, invite.inviter_id)
            partner = await users.get(session, user_id)
            assert inviter is not None and partner is not None
            return Paired(couple.id, _person(inviter), _person(partner))
    except _PairedMeanwhile:
        # One of them paired with someone else a moment ago; nothing of this attempt is kept.
        return PairProblem.INVITER_IS_PAIRED


class _PairedMeanwhile(Exception):
    pass


async def accepted_by(db: Database, user_id: int, typed_code: str) -> bool:
    """Whether this person already said yes to this code and is still paired through it.

    A quick double tap on "Yes" reaches the bot twice; the second must not undo the first's
    warm confirmation with a refusal.
    """
    code = invite_codes.normalise(typed_code)
    if code is None:
        return False
    async with db.transaction() as session:
        invite = await invites.by_hash(session, invite_codes.hash_code(code))
        if invite is None or invite.used_by_id != user_id:
            return False
        user = await users.get(session, user_id)
        inviter = await users.get(session, invite.inviter_id)
        return (
            user is not None
            and inviter is not None
            and user.couple_id is not None
            and user.couple_id == inviter.couple_id
        )


async def _check(
    session: AsyncSession, user_id: int, typed_code: str, now: datetime, *, for_update: bool = False
) -> tuple[PairProblem | None, Invite | None]:
    user = await users.get(session, user_id, for_update=for_update)
    if user is None:
        raise LookupError("pairing before the person was registered")
    if user.couple_id is not None:
        return PairProblem.YOU_ARE_PAIRED, None
    if await invites.failed_attempts_since(session, user_id, now - GUESS_WINDOW) >= (
        GUESSES_PER_WINDOW
    ):
        return PairProblem.TOO_MANY_TRIES, None
    code = invite_codes.normalise(typed_code)
    invite = None
    if code is not None:
        invite = await invites.by_hash(session, invite_codes.hash_code(code), for_update=for_update)
    if invite is None:
        await invites.record_failed_attempt(session, user_id, now)
        return PairProblem.UNKNOWN_CODE, None
    if invite.inviter_id == user_id:
        return PairProblem.OWN_CODE, None
    if invite.used_at is not None:
        await invites.record_failed_attempt(session, user_id, now)
        return PairProblem.USED, None
    if invite.expires_at <= now:
        await invites.record_failed_attempt(session, user_id, now)
        return PairProblem.EXPIRED, None
    inviter = await users.get(session, invite.inviter_id)
    if inviter is None or inviter.couple_id is not None:
        return PairProblem.INVITER_IS_PAIRED, None
    return None, invite
