"""Logging micro-connections and relaying them to the partner (through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.values import conversation
from domain.values.conversation import AwaitingMomentNote, AwaitingTimezone
from domain.values.kinds import Delivery, EventSource, MomentKind
from domain.values.policy import quiet_ends_at
from domain.values.preferences import policy_from_rows
from domain.values.results import NotPaired, Person, Stale
from domain.work import Work
from storage import events, nudge_settings, users
from storage.models import User

NOTE_MAX_LENGTH = 500
#: A love-back's dedupe key names the "thinking of you" it answers: ``love:<event id>``
#: (once per received message; the weekly reflection reads it to count replies).
LOVE_BACK_KEY_PREFIX = "love:"


@dataclass(frozen=True)
class Logged:
    kind: MomentKind
    duplicate: bool  # the same button tapped again: nothing new was stored
    event_id: int | None = None  # the stored moment (None for a duplicate)
    partner: Person | None = None  # who "💞 Tell …" would tell
    asks_what_happened: bool = False  # "✨ Something else": the next text is its note


@dataclass(frozen=True)
class Relayed:
    """A relay written to the outbox: who sent it, who will get it, and what it said."""

    event_id: int
    sender: Person
    partner: Person
    note: str | None
    #: The partner is in their quiet hours: it arrives silently, or waits for their morning.
    asleep: bool = False


class NoteTooLong(ValueError):
    pass


async def log_moment(
    work: Work,
    kind: MomentKind,
    *,
    dedupe_key: str | None = None,
    prompt_message_id: int | None = None,
) -> Logged | NotPaired:
    """Store a moment the person had with their partner; a repeated tap stores nothing new.

    "✨ Something else" logged from the menu message ``prompt_message_id`` asks what
    happened: the next text is its note. An open time-zone question comes first (it is
    asked once, right after pairing), so then nothing is asked.
    """
    me = work.me
    if me.couple_id is None:
        return NotPaired.NOT_PAIRED
    event = await events.add(
        work.session,
        couple_id=me.couple_id,
        actor_id=me.id,
        kind=kind,
        source=EventSource.MOMENT,
        now=work.now,
        dedupe_key=dedupe_key,
    )
    if event is None:
        return Logged(kind, duplicate=True)
    partner = await users.partner_of(work.session, me)
    partner_person = None if partner is None else Person(partner.id, partner.first_name)
    asks = (
        kind is MomentKind.OTHER
        and prompt_message_id is not None
        and not isinstance(conversation.load(me.awaiting, work.now), AwaitingTimezone)
    )
    if asks:
        assert prompt_message_id is not None
        me.awaiting = conversation.store(AwaitingMomentNote(event.id, prompt_message_id), work.now)
    return Logged(kind, False, event.id, partner_person, asks_what_happened=asks)


async def send_thinking_of_you(
    work: Work, *, note: str | None = None, source: EventSource = EventSource.RELAY
) -> Relayed | NotPaired:
    """Record a "thinking of you" and owe the partner its relay, in one unit of work.

    Raises ``NoteTooLong`` before anything is stored when the note is too long.
    """
    note = clean_note(note)
    me = work.me
    partner = await users.partner_of(work.session, me)
    if me.couple_id is None or partner is None:
        return NotPaired.NOT_PAIRED
    if not isinstance(conversation.load(me.awaiting, work.now), AwaitingTimezone):
        me.awaiting = None  # an open time-zone question stays open
    event = await events.add(
        work.session,
        couple_id=me.couple_id,
        actor_id=me.id,
        kind=MomentKind.THINKING_OF_YOU,
        source=source,
        now=work.now,
        note=note,
    )
    assert event is not None
    return await relay(work, partner, event.id, Delivery.THINKING, note)


async def send_love_back(work: Work, event_id: int) -> Relayed | Stale:
    """Answer a received "thinking of you" with love; once per received message.

    Only the partner who received that event can answer it, and only while still a couple.
    """
    me = work.me
    original = await events.get(work.session, event_id)
    if (
        original is None
        or me.couple_id is None
        or original.couple_id != me.couple_id
        or original.actor_id == me.id
        or original.kind != MomentKind.THINKING_OF_YOU
    ):
        return Stale.STALE
    partner = await users.partner_of(work.session, me)
    if partner is None:
        return Stale.STALE
    event = await events.add(
        work.session,
        couple_id=me.couple_id,
        actor_id=me.id,
        kind=MomentKind.LOVE_BACK,
        source=EventSource.RELAY,
        now=work.now,
        dedupe_key=f"{LOVE_BACK_KEY_PREFIX}{event_id}",
    )
    if event is None:
        return Stale.STALE
    return await relay(work, partner, event.id, Delivery.LOVE_BACK, None)


async def relay(
    work: Work, partner: User, event_id: int, kind: Delivery, note: str | None
) -> Relayed:
    """Owe the partner the relay of one event (sent after the commit, once)."""
    me = work.me
    payload: dict[str, object] = {"name": me.first_name, "event_id": event_id}
    if note is not None:
        payload["note"] = note
    await work.owe(
        partner.id, kind, payload, couple_id=me.couple_id, dedupe_key=f"relay:{event_id}"
    )
    return Relayed(
        event_id,
        Person(me.id, me.first_name),
        Person(partner.id, partner.first_name),
        note,
        asleep=await is_asleep(work, partner),
    )


async def is_asleep(work: Work, person: User) -> bool:
    """Whether ``person`` is in their own quiet hours right now (the outbox's rule too)."""
    if person.timezone is None:
        return False
    rows = await nudge_settings.ritual_rows(work.session, person.id)
    policy = policy_from_rows(person.timezone, person.quiet_hours, None, rows)
    return quiet_ends_at(work.now, person.timezone, policy.quiet) is not None


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise NoteTooLong(note)
    return note or None
