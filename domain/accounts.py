"""A person's own record: who they are, their time zone, leaving a couple, being forgotten."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_

from domain.values import conversation
from domain.values.conversation import Awaiting, AwaitingTimezone
from domain.values.kinds import Delivery
from domain.values.results import NotPaired, Person, Stale
from domain.work import Work
from storage import couples, nudges, offers, users
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
        conversation.load(work.me.awaiting),
    )


def await_answer(work: Work, awaiting: Awaiting | None) -> None:
    """Remember what the person's next typed text answers (None: nothing)."""
    work.me.awaiting = conversation.store(awaiting)


def ask_timezone(work: Work) -> None:
    await_answer(work, AwaitingTimezone())


def set_timezone(work: Work, zone: str) -> None:
    work.me.timezone = zone
    if isinstance(conversation.load(work.me.awaiting), AwaitingTimezone):
        work.me.awaiting = None


async def unpair(work: Work, couple_id: int) -> Person | NotPaired | Stale:
    """End the couple the person confirmed ending; the partner is told kindly (outbox).

    ``couple_id`` comes from the confirmation button: if it is not the person's active
    couple any more, the button is stale and nothing changes.
    """
    session, me = work.session, work.me
    # The couple is locked before the person (here and in ``forget``), so two partners
    # leaving at the same moment take turns instead of deadlocking.
    couple = await couples.get_active(session, couple_id, for_update=True)
    user = await users.get(session, me.id, for_update=True)
    if user is None or user.couple_id is None:
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
    if partner is None:
        return NotPaired.NOT_PAIRED
    await _tell_partner_we_left(work, partner)
    return person(partner)


async def forget(work: Work) -> Person | Stale | None:
    """Delete everything about the person; returns the partner they had (told kindly).

    Their events, invites and attempts go with them (ON DELETE CASCADE); their nudges and
    outbox rows are deleted explicitly (those tables have no foreign keys). A couple both of
    whose members are gone is deleted too, so nothing about either of them remains.
    ``Stale`` when a simultaneous tap forgot them a moment ago: nothing is done, or said,
    twice.
    """
    session, me = work.session, work.me
    if me.couple_id is not None:
        await couples.get_active(session, me.couple_id, for_update=True)  # as unpair
    user = await users.get(session, me.id, for_update=True)
    if user is None:
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
