"""Everything stored about one person, read for ``/export``: their rows only.

Each query filters on the person's own id; of a partner only the first name is read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery_models import OutboxMessage
from storage.models import (
    ConnectionEvent,
    Couple,
    Invite,
    Nudge,
    RelayOffer,
    RitualSetting,
    User,
)
from storage.weekly_models import WeeklyDigest


async def ritual_settings(session: AsyncSession, user_id: int) -> Sequence[RitualSetting]:
    statement = select(RitualSetting).where(RitualSetting.user_id == user_id)
    return (await session.execute(statement.order_by(RitualSetting.ritual))).scalars().all()


async def couples_with_partner_names(
    session: AsyncSession, user_id: int
) -> list[tuple[Couple, str | None]]:
    """Every couple the person was in, with the other member's first name (if still here)."""
    statement = (
        select(Couple)
        .where(or_(Couple.first_id == user_id, Couple.second_id == user_id))
        .order_by(Couple.id)
    )
    found = []
    for couple in (await session.execute(statement)).scalars():
        other = couple.second_id if couple.first_id == user_id else couple.first_id
        name = None
        if other is not None:
            name = await session.scalar(select(User.first_name).where(User.id == other))
        found.append((couple, name))
    return found


async def own_events(session: AsyncSession, user_id: int) -> Sequence[ConnectionEvent]:
    statement = select(ConnectionEvent).where(ConnectionEvent.actor_id == user_id)
    return (await session.execute(statement.order_by(ConnectionEvent.id))).scalars().all()


async def sent_messages(session: AsyncSession, user_id: int) -> Sequence[OutboxMessage]:
    """Relays and notes the person caused (not notices addressed to them)."""
    statement = select(OutboxMessage).where(OutboxMessage.sender_id == user_id)
    return (await session.execute(statement.order_by(OutboxMessage.id))).scalars().all()


async def offers(session: AsyncSession, user_id: int) -> Sequence[RelayOffer]:
    statement = select(RelayOffer).where(RelayOffer.user_id == user_id)
    return (await session.execute(statement.order_by(RelayOffer.id))).scalars().all()


async def nudges_received(session: AsyncSession, user_id: int) -> Sequence[Nudge]:
    statement = select(Nudge).where(Nudge.user_id == user_id)
    return (await session.execute(statement.order_by(Nudge.due_at, Nudge.id))).scalars().all()


async def digests(session: AsyncSession, user_id: int) -> Sequence[WeeklyDigest]:
    statement = select(WeeklyDigest).where(WeeklyDigest.user_id == user_id)
    return (await session.execute(statement.order_by(WeeklyDigest.week_start))).scalars().all()


async def invites(session: AsyncSession, user_id: int) -> Sequence[Invite]:
    statement = select(Invite).where(Invite.inviter_id == user_id)
    return (await session.execute(statement.order_by(Invite.id))).scalars().all()


def payload_note(message: OutboxMessage) -> Any:
    """The words a relay carried, if any (payloads are JSON, rendered at send time)."""
    try:
        return json.loads(message.payload).get("note")
    except (ValueError, AttributeError):
        return None
