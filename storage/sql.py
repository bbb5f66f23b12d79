"""SQL the two databases spell differently: one place that knows both spellings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_duplicates(
    session: AsyncSession, model: Any, *, constraint: str | None = None
) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING``: a duplicate is skipped in the same statement.

    One round trip instead of look-then-insert, and no error (so no savepoint) when two
    writers race: the loser's row is simply not inserted, and its RETURNING is empty.
    ``constraint`` names the unique key PostgreSQL should check (the primary key if None).
    """
    dialect = session.bind.dialect.name if session.bind is not None else ""
    if dialect == "postgresql":
        statement = postgresql.insert(model)
        if constraint is None:
            return statement.on_conflict_do_nothing()
        return statement.on_conflict_do_nothing(constraint=constraint)
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    return insert(model)


def due_in_order(
    statement: Any, due_at: Any, row_id: Any, after: tuple[datetime, int] | None, limit: int
) -> Any:
    """One page of a due-rows query in (due time, id) order, after the last row of the page
    before (``after``): a keyset page, so pages never skip or repeat rows."""
    if after is not None:
        statement = statement.where(
            or_(due_at > after[0], and_(due_at == after[0], row_id > after[1]))
        )
    return statement.order_by(due_at, row_id).limit(limit)
