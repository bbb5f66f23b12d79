"""Spending a person's tokens (see :mod:`domain.values.limits`), inside their unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.limits import Bucket
from storage import limits
from storage.database import Database


class Throttled(Exception):
    """The person is doing this too often right now: the whole update is rolled back."""

    def __init__(self, bucket: Bucket) -> None:
        super().__init__(bucket.name)
        self.bucket = bucket


class Gone(LookupError):
    """The person was forgotten while this update was on its way: nothing to do."""


async def take(session: AsyncSession, user_id: int, bucket: Bucket, now: datetime) -> None:
    """Spend one token, or raise :class:`Throttled` (nothing of the update then commits)."""
    row = await limits.locked(session, user_id, bucket.name, full=bucket.capacity, now=now)
    if row is None:
        raise Gone(user_id)
    tokens = bucket.tokens_at(row.tokens, row.updated_at, now)
    if tokens < 1:
        raise Throttled(bucket)
    row.tokens, row.updated_at, row.told = tokens - 1, now, False


async def first_refusal(db: Database, user_id: int, bucket: Bucket) -> bool:
    """After a refusal (its update rolled back): True only the first time, to say so once."""
    async with db.transaction() as session:
        return await limits.tell_once(session, user_id, bucket.name)
