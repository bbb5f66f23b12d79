"""Logging micro-connections and relaying them to the partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from domain.accounts import AWAITING_TIMEZONE
from domain.kinds import EventSource, MomentKind
from domain.results import NotPaired, Person, Stale
from storage import events, users
from storage.database import Database

NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class Logged:
    kind: MomentKind
    duplicate: bool  # the same button tapped again: nothing new was stored
    couple_total: int = 0


@dataclass(frozen=True)
class Relayed:
    """A relay to make: who to tell, and the event a "send love back" button refers to."""

    event_id: int
    sender: Person
    partner: Person
    note: str | None


class NoteTooLong(ValueError):
    pass


async def log_moment(
    db: Database, user_id: int, kind: MomentKind, now: datetime, *, dedupe_key: str | None = None
) -> Logged | NotPaired:
    """Store a moment the person had with their partner; a repeated tap stores nothing new."""
    try:
        async with db.transaction() as session:
            user = await users.get(session, user_id)
            if user is None or user.couple_id is None:
                return NotPaired.NOT_PAIRED
            event = await events.add(
                session,
                couple_id=user.couple_id,
                actor_id=user_id,
                kind=kind,
                source=EventSource.MOMENT,
                now=now,
                dedupe_key=dedupe_key,
            )
            return Logged(kind, duplicate=event is None)
    except IntegrityError:
        # Two taps raced past the check; the unique constraint kept one of them.
        return Logged(kind, duplicate=True)


async def send_thinking_of_you(
    db: Database,
    user_id: int,
    now: datetime,
    *,
    note: str | None = None,
    source: EventSource = EventSource.RELAY,
) -> Relayed | NotPaired:
    """Record a "thinking of you" from the person, to be relayed to their partner."""
    note = clean_note(note)
    async with db.transaction() as session:
        user = await users.get(session, user_id)
        partner = await users.partner_of(session, user) if user else None
        if user is None or user.couple_id is None or partner is None:
            return NotPaired.NOT_PAIRED
        if user.awaiting != AWAITING_TIMEZONE:  # an open time-zone question stays open
            user.awaiting = None
        event = await events.add(
            session,
            couple_id=user.couple_id,
            actor_id=user_id,
            kind=MomentKind.THINKING_OF_YOU,
            source=source,
            now=now,
            note=note,
        )
        assert event is not None
        return Relayed(
            event.id, Person(user.id, user.first_name), Person(partner.id, partner.first_name), note
        )


async def send_love_back(
    db: Database, user_id: int, event_id: int, now: datetime
) -> Relayed | Stale:
    """Answer a received "thinking of you" with love; once per received message.

    Only the partner who received that event can answer it, and only while still a couple.
    """
    try:
        async with db.transaction() as session:
            user = await users.get(session, user_id)
            original = await events.get(session, event_id)
            if (
                user is None
                or original is None
                or user.couple_id is None
                or original.couple_id != user.couple_id
                or original.actor_id == user_id
            ):
                return Stale.STALE
            partner = await users.partner_of(session, user)
            if partner is None:
                return Stale.STALE
            event = await events.add(
                session,
                couple_id=user.couple_id,
                actor_id=user_id,
                kind=MomentKind.LOVE_BACK,
                source=EventSource.RELAY,
                now=now,
                dedupe_key=f"love:{event_id}",
            )
            if event is None:
                return Stale.STALE
            return Relayed(
                event.id,
                Person(user.id, user.first_name),
                Person(partner.id, partner.first_name),
                None,
            )
    except IntegrityError:
        return Stale.STALE


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise NoteTooLong(note)
    return note or None
