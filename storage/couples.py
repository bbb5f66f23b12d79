"""Queries about couples."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Couple


async def create(session: AsyncSession, first_id: int, second_id: int, now: datetime) -> Couple:
    couple = Couple(first_id=first_id, second_id=second_id, created_at=now)
    session.add(couple)
    await session.flush()
    return couple


async def get_active(
    session: AsyncSession, couple_id: int, *, for_update: bool = False
) -> Couple | None:
    statement = select(Couple).where(Couple.id == couple_id, Couple.ended_at.is_(None))
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalar_one_or_none()


async def end(session: AsyncSession, couple: Couple, now: datetime) -> None:
    couple.ended_at = now
