"""Invite, preview and accept: how two people become a couple.

Rules (issue #2): a code is single-use, expires after 48 hours and is stored only as a hash;
a person is in at most one active couple; guessing codes is rate-limited per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.accounts import person
from domain.values import invite_codes
from domain.values.results import PairProblem, Person, Stale
from domain.work import Work
from storage import couples, invites, users
from storage.models import Invite

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
class Preview:
    inviter: Person
    code: str  # canonical form, for the "Yes, pair us" button


@dataclass(frozen=True)
class Paired:
    couple_id: int
    inviter: Person
    partner: Person


@dataclass(frozen=True)
class Refused:
    """Why a code will not work; ``partner`` names who the person is paired with already."""

    problem: PairProblem
    partner: Person | None = None


async def create_invite(work: Work) -> NewInvite | Refused:
    """A fresh code for someone who is not yet paired; older open codes stop working."""
    me = work.me
    if me.couple_id is not None:
        return await _refused(work, PairProblem.YOU_ARE_PAIRED)
    await invites.withdraw_open(work.session, me.id)
    code = invite_codes.new_code()
    expires_at = work.now + INVITE_LIFETIME
    await invites.create(work.session, me.id, invite_codes.hash_code(code), work.now, expires_at)
    return NewInvite(code, expires_at)


async def preview(work: Work, typed_code: str) -> Preview | Refused:
    """Who a code would pair you with, checked by every rule, changing nothing but the tally."""
    problem, invite = await _check(work, typed_code)
    if problem is not None:
        return await _refused(work, problem)
    assert invite is not None
    inviter = await users.get(work.session, invite.inviter_id)
    assert inviter is not None
    code = invite_codes.normalise(typed_code)
    assert code is not None
    return Preview(person(inviter), code)


async def accept(work: Work, typed_code: str) -> Paired | Refused | Stale:
    """Pair the two, or explain why not. Re-checks everything: the preview may be hours old.

    ``Stale`` when this person already said yes to this very code and is paired through it:
    a double tap, or an older copy of the preview, must not answer a warm "yes" with a refusal.
    """
    problem, invite = await _check(work, typed_code, for_update=True)
    if problem is not None:
        # Checked after the locking read, so a simultaneous first tap has committed.
        if await _accepted_already(work, typed_code):
            return Stale.STALE
        return await _refused(work, problem)
    assert invite is not None
    me = work.me
    try:
        async with work.session.begin_nested():
            couple = await couples.create(work.session, invite.inviter_id, me.id, work.now)
            if not await users.join_couple(work.session, (invite.inviter_id, me.id), couple.id):
                raise _PairedMeanwhile
    except _PairedMeanwhile:
        # One of them paired with someone else a moment ago; nothing of this attempt is kept.
        return Refused(PairProblem.INVITER_IS_PAIRED)
    invite.used_at = work.now
    invite.used_by_id = me.id
    inviter = await users.get(work.session, invite.inviter_id, for_update=True)
    partner = await users.get(work.session, me.id, for_update=True)
    assert inviter is not None and partner is not None
    return Paired(couple.id, person(inviter), person(partner))


class _PairedMeanwhile(Exception):
    """Rolls the savepoint back: the couple row must not outlive a failed join."""


async def _accepted_already(work: Work, typed_code: str) -> bool:
    code = invite_codes.normalise(typed_code)
    if code is None or work.me.couple_id is None:
        return False
    invite = await invites.by_hash(work.session, invite_codes.hash_code(code))
    if invite is None or invite.used_by_id != work.me.id:
        return False
    inviter = await users.get(work.session, invite.inviter_id)
    return inviter is not None and inviter.couple_id == work.me.couple_id


async def _refused(work: Work, problem: PairProblem) -> Refused:
    if problem is not PairProblem.YOU_ARE_PAIRED:
        return Refused(problem)
    partner = await users.partner_of(work.session, work.me)
    return Refused(problem, person(partner) if partner else None)


async def _check(
    work: Work, typed_code: str, *, for_update: bool = False
) -> tuple[PairProblem | None, Invite | None]:
    session, now = work.session, work.now
    user = await users.get(session, work.me.id, for_update=for_update) if for_update else work.me
    assert user is not None
    if user.couple_id is not None:
        return PairProblem.YOU_ARE_PAIRED, None
    if await invites.failed_attempts_since(session, user.id, now - GUESS_WINDOW) >= (
        GUESSES_PER_WINDOW
    ):
        return PairProblem.TOO_MANY_TRIES, None
    code = invite_codes.normalise(typed_code)
    invite = None
    if code is not None:
        invite = await invites.by_hash(session, invite_codes.hash_code(code), for_update=for_update)
    if invite is None:
        await invites.record_failed_attempt(session, user.id, now)
        return PairProblem.UNKNOWN_CODE, None
    if invite.inviter_id == user.id:
        return PairProblem.OWN_CODE, None
    if invite.used_at is not None:
        await invites.record_failed_attempt(session, user.id, now)
        return PairProblem.USED, None
    if invite.expires_at <= now:
        await invites.record_failed_attempt(session, user.id, now)
        return PairProblem.EXPIRED, None
    inviter = await users.get(session, invite.inviter_id)
    if inviter is None or inviter.couple_id is not None:
        return PairProblem.INVITER_IS_PAIRED, None
    return None, invite
