"""The schema comes only from Alembic revisions, and they match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.migrate import pending_revisions, upgrade_to_head
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
