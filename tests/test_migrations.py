"""The schema comes only from Alembic revisions, and they match the models exactly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.migrate import alembic_config, pending_revisions, upgrade_to_head
from storage.models import Base


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        assert await pending_revisions(db.engine) != []
        await upgrade_to_head(db.engine)
        assert await pending_revisions(db.engine) == []
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_drift) == []
        # Running it again (a restart, a second process) is harmless.
        await upgrade_to_head(db.engine)
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"users", "couples", "invites", "connection_events"} <= tables
    finally:
        await db.dispose()


async def test_the_lean_schedule_keeps_planned_nudges_both_ways(database_url: str) -> None:
    """0004 rebuilds the nudges table on SQLite: rows survive the upgrade and the downgrade."""
    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_migrate, "upgrade", "0003")
            await connection.execute(
                text("INSERT INTO couples (id, created_at) VALUES (1, '2026-11-26 09:00:00')")
            )
            await connection.execute(
                text(
                    "INSERT INTO users (id, first_name, couple_id, is_active, created_at)"
                    " VALUES (7, 'Ada', 1, true, '2026-11-26 09:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO nudges (user_id, couple_id, ritual, local_date, due_at,"
                    " window_end_at, status, attempt, phrasing, snoozed) VALUES (7, 1, 'bedtime',"
                    " '2026-11-26', '2026-11-26 21:00:00', '2026-11-26 21:15:00', 'sent', 1, 2,"
                    " false)"
                )
            )
        steps = (("upgrade", "head"), ("downgrade", "0003"), ("upgrade", "head"))
        for direction, revision in steps:
            async with db.engine.begin() as connection:
                await connection.run_sync(_migrate, direction, revision)
                row = (
                    await connection.execute(
                        text("SELECT user_id, ritual, status, attempt, phrasing FROM nudges")
                    )
                ).one()
            assert tuple(row) == (7, "bedtime", "sent", 1, 2), direction
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_drift) == []
    finally:
        await db.dispose()


def _migrate(connection: Connection, direction: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, direction)(config, revision)


async def test_0007_lets_relays_in_quiet_hours_arrive_silently_by_default(
    database_url: str,
) -> None:
    """Everyone already there gets the default (silently); the downgrade drops the column."""
    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_migrate, "upgrade", "0006")
            await connection.execute(
                text(
                    "INSERT INTO users (id, first_name, is_active, created_at)"
                    " VALUES (7, 'Ada', true, '2026-11-26 09:00:00')"
                )
            )
            await connection.run_sync(_migrate, "upgrade", "0007")
            waits = await connection.scalar(
                text("SELECT relays_wait_for_morning FROM users WHERE id = 7")
            )
            assert waits in (False, 0)
            await connection.run_sync(_migrate, "downgrade", "0006")
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("users")}
            )
            assert "relays_wait_for_morning" not in columns
            await connection.run_sync(_migrate, "upgrade", "head")
    finally:
        await db.dispose()
