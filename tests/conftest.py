"""Shared fixtures: a migrated database on SQLite and, where configured, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from domain.values.clock import ManualClock
from storage.database import Database, create_engine
from storage.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
if os.environ.get("MICROCONNECT_REQUIRE_POSTGRES") and not POSTGRES_URL:
    raise pytest.UsageError("MICROCONNECT_REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not POSTGRES_URL, reason="TEST_POSTGRES_URL is not set (PostgreSQL tests skipped)"
            ),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database of each backend; PostgreSQL gets a throwaway schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'microconnect.db'}"
        return
    assert POSTGRES_URL
    async with throwaway_postgres_database(POSTGRES_URL) as url:
        yield url


@asynccontextmanager
async def throwaway_postgres_database(server_url: str) -> AsyncIterator[str]:
    """A fresh database on the server for one test, dropped afterwards (tests never share)."""
    name = f"mc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    await upgrade_to_head(database.engine)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """Thursday 26 November 2026, 09:00 UTC, moved only by the test."""
    return ManualClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
