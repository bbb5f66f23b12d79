"""Queries about free text offered to the partner ("Send this to Bob? 💌")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RelayOffer


async def add(
    session: AsyncSession, *, user_id: int, couple_id: int, text: str, now: datetime
) -> RelayOffer:
    offer = RelayOffer(user_id=user_id, couple_id=couple_id, text=text, created_at=now)
    session.add(offer)
    await session.flush()
    return offer


async def take(session: AsyncSession, offer_id: int, user_id: int) -> RelayOffer | None:
    """The person's offer, deleted as it is read: a second answer finds nothing.

    Locked first, so two taps at once take turns and the second sees it gone.
    """
    statement = (
        select(RelayOffer)
        .where(RelayOffer.id == offer_id, RelayOffer.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    offer = (await session.execute(statement)).scalar_one_or_none()
    if offer is not None:
        await session.delete(offer)
        await session.flush()
    return offer


async def drop_older(session: AsyncSession, user_id: int, before: datetime) -> None:
    """Unanswered offers past their time: the words are not kept any longer than needed."""
    await session.execute(
        delete(RelayOffer).where(RelayOffer.user_id == user_id, RelayOffer.created_at < before)
    )


async def drop_couple(session: AsyncSession, couple_id: int) -> None:
    """A couple that ended: nothing offered in it can be sent, so nothing is kept."""
    await session.execute(delete(RelayOffer).where(RelayOffer.couple_id == couple_id))
