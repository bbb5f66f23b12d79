"""Queries about people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User


async def get(session: AsyncSession, user_id: int, *, for_update: bool = False) -> User | None:
    statement = select(User).where(User.id == user_id)
    if for_update:  # a locking read must see the latest row, not the session's cached copy
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalar_one_or_none()


def language_column() -> ColumnElement[str | None]:
    """The language to write to someone in: their choice, else Telegram's code (may be NULL
    or one we do not ship; ``messages.i18n.choose`` makes it a shipped one)."""
    return func.coalesce(User.language, User.telegram_language)


async def upsert(
    session: AsyncSession,
    user_id: int,
    first_name: str,
    now: datetime,
    language_code: str | None = None,
) -> User:
    """The person as Telegram knows them now; their name (and app language) may have
    changed since last time."""
    user = await get(session, user_id)
    code = language_code[:16] if language_code else None
    if user is None:
        user = User(
            id=user_id,
            first_name=first_name[:128],
            created_at=now,
            is_active=True,
            telegram_language=code,
        )
        session.add(user)
        await session.flush()
        return user
    user.first_name = first_name[:128]
    if code is not None:
        user.telegram_language = code
    reachable_again(user)
    return user


def reachable_again(user: User) -> None:
    """Back after blocking the bot: their cancelled nudges get planned afresh."""
    if not user.is_active:
        user.is_active = True
        user.planned_through = None


async def partner_of(session: AsyncSession, user: User) -> User | None:
    """The other member of the person's active couple, if any."""
    if user.couple_id is None:
        return None
    statement = select(User).where(User.couple_id == user.couple_id, User.id != user.id)
    return (await session.execute(statement)).scalar_one_or_none()


async def join_couple(session: AsyncSession, user_ids: tuple[int, int], couple_id: int) -> bool:
    """Attach both people to the couple only if neither is attached elsewhere (race-safe)."""
    result = await session.execute(
        update(User)
        .where(User.id.in_(user_ids), User.couple_id.is_(None))
        .values(couple_id=couple_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 2)  # type: ignore[attr-defined]


async def leave_couple(session: AsyncSession, couple_id: int) -> int:
    """Detach both members; returns how many were still attached (0: ended meanwhile)."""
    result = await session.execute(
        update(User)
        .where(User.couple_id == couple_id)
        .values(couple_id=None, awaiting=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
