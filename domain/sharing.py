"""Sharing goes both ways: a logged moment told to the partner, a note thanked, a
"something else" described, and free text offered as a relay.

Every button here names an event or an offer; each use case re-validates it against the
person and their active couple, so a button from another couple, an older pairing, or
someone else is stale and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.moments import NoteTooLong, Relayed, clean_note, send_thinking_of_you
from domain.values import conversation
from domain.values.conversation import AwaitingMomentNote
from domain.values.kinds import Delivery, EventSource, MomentKind
from domain.values.results import NotPaired, Person, Stale
from domain.work import Work
from storage import events, offers, outbox, users
from storage.models import ConnectionEvent, User

#: How long "Send this to Bob?" stays answerable; the words are dropped after that.
OFFER_KEEPS = timedelta(days=1)


@dataclass(frozen=True)
class Told:
    """The partner is owed the moment (``duplicate``: they were already, nothing new)."""

    partner: Person
    duplicate: bool


@dataclass(frozen=True)
class Described:
    """A "something else" moment, with the words typed for it (or none, skipped)."""

    event_id: int
    note: str | None
    message_id: int
    partner: Person


@dataclass(frozen=True)
class Offered:
    offer_id: int
    partner: Person


@dataclass(frozen=True)
class OfferTooLong:
    """Too long to go as a note: nothing is kept."""

    partner: Person


class KeptPrivate:
    """ "No": the offered words were dropped, and nothing was sent."""


def _person(user: User) -> Person:
    return Person(user.id, user.first_name)


async def describe_moment(
    work: Work, awaiting: AwaitingMomentNote, text: str | None
) -> Described | Stale:
    """The words typed for a "something else" (``None``: skipped), stored as its note.

    Raises ``NoteTooLong`` before changing anything, so the question stays open.
    """
    note = clean_note(text)
    me = work.me
    me.awaiting = None
    event = await events.get(work.session, awaiting.event_id, for_update=True)
    partner = await users.partner_of(work.session, me)
    if event is None or not _own_moment(work, event) or partner is None:
        return Stale.STALE
    if event.kind != MomentKind.OTHER or event.note is not None:
        return Stale.STALE
    event.note = note
    return Described(event.id, note, awaiting.message_id, _person(partner))


async def skip_description(work: Work, event_id: int) -> Described | Stale:
    """ "Skip": the moment stays as it is, without words; only while the question is open."""
    awaiting = conversation.load(work.me.awaiting, work.now)
    if not isinstance(awaiting, AwaitingMomentNote) or awaiting.event_id != event_id:
        return Stale.STALE
    return await describe_moment(work, awaiting, None)


async def tell_partner(work: Work, event_id: int) -> Told | Stale:
    """ "💞 Tell Bob": one relay of one's own logged moment, while still paired; once."""
    me = work.me
    event = await events.get(work.session, event_id, for_update=True)
    partner = await users.partner_of(work.session, me)
    if event is None or not _own_moment(work, event) or partner is None:
        return Stale.STALE
    payload: dict[str, object] = {"name": me.first_name, "event_id": event.id, "kind": event.kind}
    if event.note is not None:
        payload["note"] = event.note
    owed = await work.owe(
        partner.id,
        Delivery.SHARED_MOMENT,
        payload,
        couple_id=me.couple_id,
        dedupe_key=f"share:{event.id}",
    )
    return Told(_person(partner), duplicate=not owed)


async def thank(work: Work, event_id: int) -> Told | Stale:
    """ "❤️ Thank you" for a note the partner sent (relayed or shared to me); once per note."""
    me = work.me
    event = await events.get(work.session, event_id, for_update=True)
    partner = await users.partner_of(work.session, me)
    if (
        event is None
        or me.couple_id is None
        or event.couple_id != me.couple_id
        or partner is None
        or event.actor_id != partner.id
        or event.note is None
        or not await outbox.owed_to(work.session, me.id, (f"relay:{event.id}", f"share:{event.id}"))
    ):
        return Stale.STALE
    owed = await work.owe(
        partner.id,
        Delivery.THANKS,
        {"name": me.first_name},
        couple_id=me.couple_id,
        dedupe_key=f"thanks:{event.id}",
    )
    return Told(_person(partner), duplicate=not owed)


async def offer_relay(work: Work, text: str) -> Offered | OfferTooLong | NotPaired:
    """Words the bot did not understand, kept to offer them to the partner as a note."""
    me = work.me
    partner = await users.partner_of(work.session, me)
    if me.couple_id is None or partner is None:
        return NotPaired.NOT_PAIRED
    try:
        note = clean_note(text)
    except NoteTooLong:
        return OfferTooLong(_person(partner))
    if note is None:
        return NotPaired.NOT_PAIRED  # nothing to pass on (blank)
    await offers.drop_older(work.session, me.id, work.now - OFFER_KEEPS)
    offer = await offers.add(
        work.session, user_id=me.id, couple_id=me.couple_id, text=note, now=work.now
    )
    return Offered(offer.id, _person(partner))


async def answer_offer(work: Work, offer_id: int, *, send: bool) -> Relayed | KeptPrivate | Stale:
    """Yes sends the words as a "thinking of you" note, once; No drops them."""
    me = work.me
    offer = await offers.take(work.session, offer_id, me.id)
    if offer is None or offer.created_at < work.now - OFFER_KEEPS:
        return Stale.STALE
    if not send:
        return KeptPrivate()
    if offer.couple_id != me.couple_id:
        return Stale.STALE
    result = await send_thinking_of_you(work, note=offer.text, source=EventSource.RELAY)
    return Stale.STALE if isinstance(result, NotPaired) else result


def _own_moment(work: Work, event: ConnectionEvent) -> bool:
    me = work.me
    return (
        me.couple_id is not None
        and event.couple_id == me.couple_id
        and event.actor_id == me.id
        and event.source == EventSource.MOMENT
    )
