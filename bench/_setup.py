"""Shared set-up for the benchmarks: a migrated database filled with couples, fast."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from storage.database import Database
from storage.migrate import upgrade_to_head

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)


async def migrated(url: str) -> Database:
    db = Database.from_url(url)
    await upgrade_to_head(db.engine)
    return db


def _rows(couples: int, planned_through: date | None) -> tuple[list[tuple], list[tuple]]:
    created = NOW
    users = []
    pairs = []
    for c in range(1, couples + 1):
        a, b = 2 * c - 1 + 1_000_000, 2 * c + 1_000_000
        pairs.append((c, a, b, created))
        zone = ZONES[c % len(ZONES)]
        users.append((a, f"A{c}", zone, c, True, created, planned_through))
        users.append(
            (
                b,
                f"B{c}",
                ZONES[(c + 3) % len(ZONES)] if c % 5 == 0 else zone,
                c,
                True,
                created,
                planned_through,
            )
        )
    return users, pairs


async def fill_couples(db: Database, couples: int, *, planned_through: date | None = None) -> None:
    """Insert ``couples`` paired couples (2x people) with the raw driver, in bulk."""
    users, pairs = _rows(couples, planned_through)
    if db.engine.dialect.name == "postgresql":
        async with db.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            # users and couples reference each other: load people first, then link them.
            await driver.copy_records_to_table(
                "users",
                records=[(i, n, z, a, t, p) for i, n, z, _, a, t, p in users],
                columns=[
                    "id",
                    "first_name",
                    "timezone",
                    "is_active",
                    "created_at",
                    "planned_through",
                ],
            )
            await driver.copy_records_to_table(
                "couples", records=pairs, columns=["id", "first_id", "second_id", "created_at"]
            )
            await connection.execute(
                text("UPDATE users SET couple_id = (id - 1000001) / 2 + 1 WHERE id > 1000000")
            )
            await connection.execute(
                text("SELECT setval('couples_id_seq', (SELECT max(id) FROM couples))")
            )
            await connection.commit()
        return
    path = db.engine.url.database
    assert path
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.executemany(
        "INSERT INTO couples (id, first_id, second_id, created_at) VALUES (?,?,?,?)",
        [(c, a, b, t.strftime("%Y-%m-%d %H:%M:%S.%f")) for c, a, b, t in pairs],
    )
    conn.executemany(
        "INSERT INTO users (id, first_name, timezone, couple_id, is_active, created_at,"
        " planned_through) VALUES (?,?,?,?,?,?,?)",
        [
            (
                i,
                n,
                z,
                c,
                1,
                t.strftime("%Y-%m-%d %H:%M:%S.%f"),
                None if p is None else p.isoformat(),
            )
            for i, n, z, c, _, t, p in users
        ],
    )
    conn.commit()
    conn.close()


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite+aiosqlite:///{folder / name}"
