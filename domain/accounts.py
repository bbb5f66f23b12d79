"""A person's own record: who they are, their time zone, leaving a couple, being forgotten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete

from domain.results import NotPaired, Person, Stale
from storage import couples, nudges, users
from storage.database import Database
from storage.models import Couple, User


@dataclass(frozen=True)
class Profile:
    """The person and, when paired, their partner: what most replies need to know."""

    me: Person
    partner: Person | None
    couple_id: int | None
    awaiting: str | None


def _person(user: User) -> Person:
    return Person(user.id, user.first_name, user.timezone)


async def register(db: Database, user_id: int, first_name: str, now: datetime) -> Profile:
    """Remember (or refresh) the person behind an update and tell who they are paired with."""
    async with db.transaction() as session:
        user = await users.upsert(session, user_id, first_name, now)
        partner = await users.partner_of(session, user)
        return Profile(
            _person(user),
            _person(partner) if partner else None,
            user.couple_id,
            user.awaiting,
        )


async def exists(db: Database, user_id: int) -> bool:
    async with db.transaction() as session:
        return await users.get(session, user_id) is not None


async def set_timezone(db: Database, user_id: int, zone: str) -> None:
    async with db.transaction() as session:
        user = await users.get(session, user_id)
        if user is None:
            raise LookupError("set_timezone before the person was registered")
        user.timezone = zone
        if user.awaiting == AWAITING_TIMEZONE:
            user.awaiting = None


AWAITING_TIMEZONE = "timezone"
AWAITING_THINKING_NOTE = "thinking_note"


async def set_awaiting(db: Database, user_id: int, awaiting: str | None) -> None:
    async with db.transaction() as session:
        await users.set_awaiting(session, user_id, awaiting)


async def unpair(
    db: Database, user_id: int, couple_id: int, now: datetime
) -> Person | NotPaired | Stale:
    """End the couple the person confirmed ending; returns the partner, to be told kindly.

    ``couple_id`` comes from the confirmation button: if it is not the person's active
    couple any more, the button is stale and nothing changes.
    """
    async with db.transaction() as session:
        # The couple is locked before the person (here and in ``forget``), so two partners
        # leaving at the same moment take turns instead of deadlocking.
        couple = await couples.get_active(session, couple_id, for_update=True)
        user = await users.get(session, user_id, for_update=True)
        if user is None or user.couple_id is None:
            return NotPaired.NOT_PAIRED
        if user.couple_id != couple_id:
            return Stale.STALE
        partner = await users.partner_of(session, user)
        if not await users.leave_couple(session, couple_id):
            # Ended a moment ago by a simultaneous tap (theirs or ours): nothing left to do.
            # (On SQLite the reads above can run ahead of the write lock; this write cannot.)
            return Stale.STALE
        if couple is not None:
            await couples.end(session, couple, now)
        return _person(partner) if partner else NotPaired.NOT_PAIRED


async def forget(db: Database, user_id: int, now: datetime) -> Person | Stale | None:
    """Delete everything about the person; returns the partner they had, to be told kindly.

    Their events, invites and attempts go with them (ON DELETE CASCADE), and their nudges
    are deleted explicitly (the schedule has no foreign keys). A couple both of
    whose members are gone is deleted too, so nothing about either of them remains.
    ``Stale`` when there is nobody to forget (a simultaneous tap already did): nothing is
    done, or said, twice.
    """
    try:
        async with db.transaction() as session:
            found = await users.get(session, user_id)
            if found is not None and found.couple_id is not None:
                await couples.get_active(session, found.couple_id, for_update=True)  # as unpair
            user = await users.get(session, user_id, for_update=True)
            if user is None:
                return Stale.STALE
            partner = await users.partner_of(session, user)
            if user.couple_id is not None:
                couple = await couples.get_active(session, user.couple_id)
                if not await users.leave_couple(session, user.couple_id):
                    partner = couple = None  # the partner ended it a moment ago
                if couple is not None:
                    await couples.end(session, couple, now)
            deleted = await session.execute(delete(User).where(User.id == user_id))
            if not deleted.rowcount:  # type: ignore[attr-defined]
                # On SQLite the reads above can run ahead of the write lock; this write cannot.
                raise _AlreadyForgotten
            await nudges.forget_person(session, user_id)
            await session.execute(
                delete(Couple).where(Couple.first_id.is_(None), Couple.second_id.is_(None))
            )
            return _person(partner) if partner else None
    except _AlreadyForgotten:
        return Stale.STALE


class _AlreadyForgotten(Exception):
    pass
