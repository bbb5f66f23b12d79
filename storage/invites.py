"""Queries about invite codes and failed pairing attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite, PairAttempt


async def create(
    session: AsyncSession, inviter_id: int, code_hash: str, now: datetime, expires_at: datetime
) -> Invite:
    invite = Invite(
        inviter_id=inviter_id, code_hash=code_hash, created_at=now, expires_at=expires_at
    )
    session.add(invite)
    await session.flush()
    return invite


async def by_hash(
    session: AsyncSession, code_hash: str, *, for_update: bool = False
) -> Invite | None:
    statement = select(Invite).where(Invite.code_hash == code_hash)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def withdraw_open(session: AsyncSession, inviter_id: int) -> None:
    """Only the newest invite works: an older link someone forwarded by mistake goes dead."""
    await session.execute(
        delete(Invite).where(Invite.inviter_id == inviter_id, Invite.used_at.is_(None))
    )


async def record_failed_attempt(session: AsyncSession, user_id: int, now: datetime) -> None:
    session.add(PairAttempt(user_id=user_id, attempted_at=now))
    await session.flush()


async def failed_attempts_since(session: AsyncSession, user_id: int, since: datetime) -> int:
    statement = select(func.count()).where(
        PairAttempt.user_id == user_id, PairAttempt.attempted_at > since
    )
    return int((await session.execute(statement)).scalar_one())
