"""A person's own record: who they are, their time zone, leaving a couple, being forgotten."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from sqlalchemy import delete, or_

from domain.values import confirmation, conversation
from domain.values.confirmation import Action
from domain.values.conversation import Awaiting, AwaitingTimezone
from domain.values.kinds import Delivery
from domain.values.results import NotPaired, Person, Stale
from domain.values.zone_guess import guess_zone
from domain.work import Work
from storage import couples, events, nudges, offers, users
from storage import export as export_rows
from storage.delivery_models import OutboxMessage
from storage.models import Couple, User


@dataclass(frozen=True)
class Profile:
    """The person and, when paired, their partner: what most replies need to know."""

    me: Person
    partner: Person | None
    couple_id: int | None
    awaiting: Awaiting | None


def person(user: User) -> Person:
    return Person(user.id, user.first_name, user.timezone, user.language or user.telegram_language)


async def profile(work: Work) -> Profile:
    """Who is talking and who they are paired with (the person is already registered)."""
    partner = await users.partner_of(work.session, work.me)
    return Profile(
        person(work.me),
        person(partner) if partner else None,
        work.me.couple_id,
        conversation.load(work.me.awaiting, work.now),
    )


def await_answer(work: Work, awaiting: Awaiting | None) -> None:
    """Remember what the person's next typed text answers (None: nothing)."""
    work.me.awaiting = conversation.store(awaiting, work.now)


def ask_timezone(work: Work) -> None:
    await_answer(work, AwaitingTimezone())


def set_timezone(work: Work, zone: str) -> None:
    work.me.timezone = zone
    if isinstance(conversation.load(work.me.awaiting, work.now), AwaitingTimezone):
        work.me.awaiting = None


async def blocked_the_bot(work: Work) -> None:
    """The person blocked the bot: nothing more is sent to them, and the partner hears once
    (as when a send finds them blocked, :meth:`scheduling.delivery.Deliveries._blocked`)."""
    gone = await nudges.mark_unreachable(work.session, work.me.id)
    if gone is not None and gone.first_time and gone.partner_id is not None:
        await work.owe(
            gone.partner_id,
            Delivery.PARTNER_UNREACHABLE,
            {"name": gone.first_name},
            couple_id=gone.couple_id,
            from_me=False,
        )


def unblocked_the_bot(work: Work) -> None:
    """Back after blocking the bot: reachable again, and today's nudges planned afresh."""
    users.reachable_again(work.me)


def offer_confirmation(work: Work, action: Action) -> str:
    """Remember that ``action`` was just offered; the nonce goes into its "Yes" button.

    Offering again (a second /forget_me) replaces the first: only the newest prompt works.
    """
    pending = confirmation.offer(action, work.now)
    work.me.confirmation = pending.store()
    return pending.nonce


def withdraw_confirmation(work: Work) -> None:
    """ "Keep things as they are": no "Yes" button of a pending prompt works any more."""
    work.me.confirmation = None


def _confirmed(work: Work, user: User, action: Action, nonce: str) -> bool:
    """Is ``nonce`` the live confirmation of ``action``? If so, it is used up now.

    Any other button (an older prompt's, a forged one) leaves the live prompt working.
    """
    pending = confirmation.load(user.confirmation)
    if pending is None or not pending.confirms(action, nonce, work.now):
        return False
    user.confirmation = None
    return True


async def guess_timezone(work: Work, user_id: int) -> str | None:
    """A first zone for someone who never said where they are, guessed from their language
    (shown to them with a one-tap change, and a typed city still answers); None when they
    have one already."""
    user = work.me if user_id == work.me.id else await users.get(work.session, user_id)
    if user is None or user.timezone is not None:
        return None
    user.timezone = guess_zone(user.telegram_language)
    user.awaiting = conversation.store(AwaitingTimezone(), work.now)
    return user.timezone


@dataclass(frozen=True)
class FormerCouple:
    """A pairing that has ended, whose moments of one's own are still kept."""

    couple_id: int
    partner_first_name: str | None


async def former_couple(work: Work) -> FormerCouple | None:
    """The latest ended pairing the person still has history of (to offer deleting it)."""
    couple_id = await events.latest_ended_couple_with_own_events(
        work.session, work.me.id, work.me.couple_id
    )
    if couple_id is None:
        return None
    for couple, partner in await export_rows.couples_with_partner_names(work.session, work.me.id):
        if couple.id == couple_id:
            return FormerCouple(couple_id, partner)
    return None


class HistoryDeleted(Enum):
    """An ended pairing's own moments and notes were deleted ("delete it", later)."""

    DELETED = auto()


async def unpair(
    work: Work, couple_id: int, nonce: str, *, delete_history: bool = False
) -> Person | NotPaired | Stale | HistoryDeleted:
    """End the couple the person confirmed ending; the partner is told kindly (outbox).

    ``couple_id`` and ``nonce`` come from the confirmation button: unless the button is the
    live one offered for the person's active couple, it is stale and nothing changes.
    ``delete_history`` also deletes the person's own moments and notes of that couple.
    """
    session, me = work.session, work.me
    # The couple is locked before the person (here and in ``forget``), so two partners
    # leaving at the same moment take turns instead of deadlocking.
    couple = await couples.get_active(session, couple_id, for_update=True)
    user = await users.get(session, me.id, for_update=True)
    if user is None or not _confirmed(work, user, Action.UNPAIR, nonce):
        return Stale.STALE
    if user.couple_id is None:
        if delete_history and couple is None:  # the pairing ended before: "delete it" now
            await events.forget_couple(session, user.id, couple_id)
            return HistoryDeleted.DELETED
        return NotPaired.NOT_PAIRED
    if user.couple_id != couple_id:
        return Stale.STALE
    partner = await users.partner_of(session, user)
    if not await users.leave_couple(session, couple_id):
        # Ended a moment ago by a simultaneous tap (theirs or ours): nothing left to do.
        return Stale.STALE
    if couple is not None:
        await couples.end(session, couple, work.now)
    await offers.drop_couple(session, couple_id)  # words offered in it can't go any more
    if delete_history:
        await events.forget_couple(session, user.id, couple_id)
    if partner is None:
        return NotPaired.NOT_PAIRED
    await _tell_partner_we_left(work, partner)
    return person(partner)


async def forget(work: Work, nonce: str) -> Person | Stale | None:
    """Delete everything about the person; returns the partner they had (told kindly).

    Their events, invites and attempts go with them (ON DELETE CASCADE); their nudges and
    outbox rows are deleted explicitly (those tables have no foreign keys). A couple both of
    whose members are gone is deleted too, so nothing about either of them remains.
    ``Stale`` when a simultaneous tap forgot them a moment ago: nothing is done, or said,
    twice. ``nonce`` must be the live one offered by ``/forget_me``, or nothing happens.
    """
    session, me = work.session, work.me
    if me.couple_id is not None:
        await couples.get_active(session, me.couple_id, for_update=True)  # as unpair
    user = await users.get(session, me.id, for_update=True)
    if user is None or not _confirmed(work, user, Action.FORGET, nonce):
        return Stale.STALE
    partner = await users.partner_of(session, user)
    if user.couple_id is not None:
        couple = await couples.get_active(session, user.couple_id)
        await offers.drop_couple(session, user.couple_id)
        if not await users.leave_couple(session, user.couple_id):
            partner = couple = None  # the partner ended it a moment ago
        if couple is not None:
            await couples.end(session, couple, work.now)
    await session.execute(
        delete(OutboxMessage).where(
            or_(OutboxMessage.chat_id == user.id, OutboxMessage.sender_id == user.id)
        )
    )
    await session.execute(delete(User).where(User.id == user.id))
    await nudges.forget_person(session, user.id)
    await session.execute(
        delete(Couple).where(Couple.first_id.is_(None), Couple.second_id.is_(None))
    )
    if partner is None:
        return None
    await _tell_partner_we_left(work, partner)
    return person(partner)


async def _tell_partner_we_left(work: Work, partner: User) -> None:
    # Not "from" the person: the notice must survive their /forget_me.
    await work.owe(partner.id, Delivery.PARTNER_LEFT, {"name": work.me.first_name}, from_me=False)


def set_language(work: Work, code: str | None) -> None:
    """The language the person chose (a shipped one: the bot checks); None follows
    Telegram's again."""
    work.me.language = code
