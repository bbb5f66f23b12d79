"""SQL the two databases spell differently: one place that knows both spellings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
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
