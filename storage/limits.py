"""Token buckets per person, in the database so that several bot processes share them.

One row per person and bucket, taken under a row lock (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite has one writer anyway), so two updates of one person in two processes
take turns instead of both spending the last token. Rows go with the person
(``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, String, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import false

from storage.models import Base, User
from storage.sql import insert_ignoring_duplicates


class RateBucket(Base):
    """One person's bucket: tokens held at ``updated_at``, and whether they were told."""

    __tablename__ = "rate_buckets"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime]
    #: The person was told "a lot at once" since the bucket last had a token: tell once.
    told: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


async def locked(
    session: AsyncSession, user_id: int, bucket: str, *, full: float, now: datetime
) -> RateBucket | None:
    """The person's ``bucket``, locked for this transaction (created ``full`` if new);
    None when the person was deleted meanwhile (a ``/forget_me`` committed a moment ago).

    The row is created from the person's own row, read with a share lock, so a bucket is
    never created for someone being forgotten at the same moment.
    """
    person = (
        select(
            User.id,
            literal(bucket, String()),
            literal(full, Float()),
            literal(now, RateBucket.__table__.c.updated_at.type),
            false(),
        )
        .where(User.id == user_id)
        .with_for_update(read=True, key_share=True)
    )
    columns = ["user_id", "bucket", "tokens", "updated_at", "told"]
    await session.execute(
        insert_ignoring_duplicates(session, RateBucket).from_select(columns, person)
    )
    return await session.scalar(
        select(RateBucket)
        .where(RateBucket.user_id == user_id, RateBucket.bucket == bucket)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def tell_once(session: AsyncSession, user_id: int, bucket: str) -> bool:
    """True for the first refusal since the bucket last had a token (say so once)."""
    result = await session.execute(
        update(RateBucket)
        .where(
            RateBucket.user_id == user_id,
            RateBucket.bucket == bucket,
            RateBucket.told.is_(False),
        )
        .values(told=True)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
