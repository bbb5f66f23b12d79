"""Benchmark the weekly reflection on a full-size database, and the Sunday digest's footprint.

Run::

    python bench/bench_weekly.py [--couples N] [--events M] [--postgres URL] [--no-sqlite]

Defaults are the issue's sizes (100k couples, 10M events); smaller ones run in seconds.
For each backend it builds a throwaway database (a temp SQLite file; on PostgreSQL a
``mc_bench_*`` database that is dropped at the end, nothing else is touched), migrates it
with Alembic, bulk-loads it through the raw driver, then prints:

* load time and data size (couples, people, events, nudges);
* the summary for one couple (``summarize_for``: the four indexed queries plus the pure
  counting, what ``/week`` runs before drawing), p50/p95/max over random couples
  (target p95 ≤ 20 ms);
* the chart render median on real summaries (target ≤ 150 ms);
* whether the digest blocks updates: event-loop lag (a 5 ms ``asyncio.sleep`` probe) and a
  handler-sized database round trip (``domain.work.unit_of_work``: the update claimed in the
  inbox and its person registered, what every tap starts with), idle as the baseline and
  again while the digest runs flat out for many couples (``scheduling.digest.run_digests``
  on the delivery engine, unpaced, through ``bot.telegram_sender.TelegramSender`` to the
  fake Bot API in its own process) — once with charts drawn in a worker thread, once in
  the one-process pool the bot uses (``render_pool``).

The load inserts events in time order with couples interleaved, as production would, rather
than grouped by couple (which would flatter the couple index).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import make_url, text
from telegram.ext import ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.telegram_sender import TelegramSender
from domain.values.clock import ManualClock
from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.results import NotPaired
from domain.values.weekly_summary import Partner, WeeklySummary
from domain.weekly import weekly_reflection
from domain.work import unit_of_work
from messages.weekly_chart import render_week_chart
from scheduling.delivery import Deliveries
from scheduling.digest import CONCURRENCY, run_digests
from storage.database import Database, create_engine
from storage.migrate import upgrade_to_head

#: Sunday 29 Nov 2026, 19:31 in Berlin: every Berlin slot (18:30–19:30) is due.
NOW = datetime(2026, 11, 29, 18, 31, tzinfo=UTC)
HISTORY = timedelta(weeks=26)
DIGEST_ZONE = "Europe/Berlin"
#: Zones where, at NOW, it is not Sunday evening: their people are not due for a digest.
OTHER_ZONES = (
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "Asia/Singapore",
    "America/Chicago",
)
KINDS = tuple(kind.value for kind in MomentKind)
SOURCES = tuple(source.value for source in EventSource)
RITUALS = tuple(ritual.value for ritual in Ritual)
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DATETIME on SQLite
CHUNK = 200_000
TOKEN = "123456789:BENCHtokenBENCHtokenBENCHtoken"
#: Update ids for the probe's units of work (each claims one in the inbox, as a tap does).
UPDATE_IDS = itertools.count(1)


@dataclass(frozen=True)
class Sizes:
    couples: int
    events: int
    nudge_days: int
    digest_couples: int
    samples: int
    seed: int = 20261129

    def zone(self, couple_id: int) -> str:
        if couple_id <= self.digest_couples:
            return DIGEST_ZONE
        return OTHER_ZONES[couple_id % len(OTHER_ZONES)]


# --- Loading --------------------------------------------------------------------------------


def _events(sizes: Sizes) -> Iterator[tuple[int, int, str, str, datetime]]:
    """(couple, actor, kind, source, time) in time order, couples interleaved at random."""
    rng = random.Random(sizes.seed)
    start = NOW - HISTORY
    step = HISTORY / max(sizes.events, 1)
    for g in range(sizes.events):
        couple = rng.randint(1, sizes.couples)
        actor = 2 * couple - (rng.random() < 0.5)
        yield couple, actor, rng.choice(KINDS), rng.choice(SOURCES), start + step * g


def _nudges(sizes: Sizes) -> Iterator[tuple[Any, ...]]:
    """One midday nudge per person per day for the last ``nudge_days`` days."""
    rng = random.Random(sizes.seed + 1)
    for k in range(sizes.nudge_days):
        day = (NOW - timedelta(days=k)).date()
        for user in range(1, 2 * sizes.couples + 1):
            sent = datetime(day.year, day.month, day.day, 11, tzinfo=UTC) + timedelta(
                minutes=rng.randint(0, 180)
            )
            roll = rng.random()
            status = "acted" if roll < 0.5 else "declined" if roll < 0.6 else "ignored"
            answered = sent + timedelta(minutes=rng.randint(1, 90)) if roll < 0.6 else None
            yield user, (user + 1) // 2, RITUALS[1], day, sent, status, answered


def load_sqlite(path: Path, sizes: Sizes) -> None:
    """executemany of plain tuples, no journal, no fsync: the fastest honest SQLite load."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-2000000")  # 2 GB of page cache for the index inserts
    created = NOW.strftime(SQLITE_TIME)
    # Paired when their history begins: the reflection counts from the pairing on, and a
    # couple paired under three days ago gets no digest.
    paired = (NOW - HISTORY).strftime(SQLITE_TIME)
    con.executemany(
        "INSERT INTO users (id, first_name, timezone, couple_id, is_active, created_at,"
        " digest_opt_out) VALUES (?, ?, ?, ?, 1, ?, 0)",
        (
            (u, f"P{u}", sizes.zone((u + 1) // 2), (u + 1) // 2, created)
            for u in range(1, 2 * sizes.couples + 1)
        ),
    )
    con.executemany(
        "INSERT INTO couples (id, first_id, second_id, created_at) VALUES (?, ?, ?, ?)",
        ((c, 2 * c - 1, 2 * c, paired) for c in range(1, sizes.couples + 1)),
    )
    rows = (
        (couple, actor, kind, source, when.strftime(SQLITE_TIME))
        for couple, actor, kind, source, when in _events(sizes)
    )
    statement = (
        "INSERT INTO connection_events (couple_id, actor_id, kind, source, created_at)"
        " VALUES (?, ?, ?, ?, ?)"
    )
    _executemany_chunked(con, statement, rows)
    nudges = (
        (
            user, couple, ritual, day.isoformat(), sent.strftime(SQLITE_TIME),
            (sent + timedelta(hours=3)).strftime(SQLITE_TIME), status,
            sent.strftime(SQLITE_TIME), answered.strftime(SQLITE_TIME) if answered else None,
        )
        for user, couple, ritual, day, sent, status, answered in _nudges(sizes)
    )  # fmt: skip
    _executemany_chunked(
        con,
        "INSERT INTO nudges (user_id, couple_id, ritual, local_date, due_at, window_end_at,"
        " status, attempt, phrasing, snoozed, sent_at, responded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, 0, ?, ?)",
        nudges,
    )
    con.commit()
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()


def _executemany_chunked(con: sqlite3.Connection, statement: str, rows: Iterator[Any]) -> None:
    """Commit every CHUNK rows, so memory stays flat whatever the size."""
    while True:
        chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
        if not chunk:
            return
        con.executemany(statement, chunk)
        con.commit()


async def load_postgres(dsn: str, sizes: Sizes) -> None:
    """Server-side ``generate_series``: no rows cross the wire, FK triggers off for the load."""
    con = await asyncpg.connect(dsn)
    try:
        await con.execute("SET session_replication_role = replica")
        zones = "ARRAY[" + ",".join(f"'{z}'" for z in OTHER_ZONES) + "]"
        await con.execute(
            f"""
            INSERT INTO users (id, first_name, timezone, couple_id, is_active, created_at,
                               digest_opt_out)
            SELECT g, 'P' || g,
                   CASE WHEN (g + 1) / 2 <= $1 THEN '{DIGEST_ZONE}'
                        ELSE ({zones})[1 + ((g + 1) / 2) % {len(OTHER_ZONES)}] END,
                   (g + 1) / 2, true, $2, false
            FROM generate_series(1, $3::bigint) AS g
            """,
            sizes.digest_couples,
            NOW,
            2 * sizes.couples,
        )
        await con.execute(
            """
            INSERT INTO couples (id, first_id, second_id, created_at)
            SELECT c, 2 * c - 1, 2 * c, $1 FROM generate_series(1, $2::int) AS c
            """,
            NOW - HISTORY,  # paired when their history begins (see load_sqlite)
            sizes.couples,
        )
        await con.execute("SELECT setval('couples_id_seq', $1::int)", sizes.couples)
        kinds = "ARRAY[" + ",".join(f"'{k}'" for k in KINDS) + "]"
        sources = "ARRAY[" + ",".join(f"'{s}'" for s in SOURCES) + "]"
        await con.execute(
            f"""
            INSERT INTO connection_events (couple_id, actor_id, kind, source, created_at)
            SELECT c, 2 * c - (random() < 0.5)::int,
                   ({kinds})[1 + floor(random() * {len(KINDS)})::int],
                   ({sources})[1 + floor(random() * {len(SOURCES)})::int],
                   $1::timestamptz + (g::float8 / $2) * $3::interval
            FROM (SELECT g, 1 + floor(random() * $4)::int AS c
                  FROM generate_series(0, $2::bigint - 1) AS g) AS s
            """,
            NOW - HISTORY,
            sizes.events,
            HISTORY,
            sizes.couples,
        )
        await con.execute(
            """
            INSERT INTO nudges (user_id, couple_id, ritual, local_date, due_at, window_end_at,
                                status, attempt, phrasing, snoozed, sent_at, responded_at)
            SELECT u, (u + 1) / 2, $1, d.day, d.sent, d.sent + interval '3 hours',
                   CASE WHEN d.roll < 0.5 THEN 'acted' WHEN d.roll < 0.6 THEN 'declined'
                        ELSE 'ignored' END,
                   1, 0, false, d.sent,
                   CASE WHEN d.roll < 0.6 THEN d.sent + random() * interval '90 minutes' END
            FROM generate_series(1, $2::bigint) AS u,
                 LATERAL (SELECT ($3::date - k) AS day,
                                 ($3::date - k) + time '11:00'
                                   + random() * interval '3 hours' AS sent,
                                 random() AS roll
                          FROM generate_series(0, $4 - 1) AS k) AS d
            """,
            RITUALS[1],
            2 * sizes.couples,
            NOW.date(),
            sizes.nudge_days,
        )
        await con.execute("SET session_replication_role = DEFAULT")
        await con.execute("ANALYZE")
    finally:
        await con.close()


# --- Measuring ------------------------------------------------------------------------------


def pct(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank: honest for a few hundred samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def ms(samples: list[float]) -> str:
    return (
        f"p50 {pct(samples, 0.5) * 1000:6.2f} ms  p95 {pct(samples, 0.95) * 1000:6.2f} ms  "
        f"p99 {pct(samples, 0.99) * 1000:6.2f} ms  max {max(samples) * 1000:7.2f} ms  "
        f"(n={len(samples)})"
    )


async def measure_summaries(db: Database, sizes: Sizes) -> list[WeeklySummary]:
    """Time ``weekly_summary`` for random couples (a random partner asks)."""
    rng = random.Random(sizes.seed + 2)
    people = [rng.randint(1, 2 * sizes.couples) for _ in range(sizes.samples + 20)]
    timings: list[float] = []
    summaries: list[WeeklySummary] = []
    for index, user_id in enumerate(people):
        start = time.perf_counter()
        async with db.transaction() as session:
            result = await weekly_reflection(session, user_id, NOW)
        elapsed = time.perf_counter() - start
        assert not isinstance(result, NotPaired), result
        if index >= 20:  # the first few warm the connection pool and statement caches
            timings.append(elapsed)
            summaries.append(result.summary)
    week = statistics.mean(s.total + s.total_last_week for s in summaries)
    print(f"  summary query, one couple   {ms(timings)}")
    print(f"    (mean {week:.1f} events read per fortnight; target p95 <= 20 ms)")
    return summaries


def measure_chart(summaries: list[WeeklySummary], runs: int = 40) -> None:
    # Fonts and caches.
    render_week_chart(summaries[0], people=(Partner(1, "Anna"), Partner(2, "Ben")))
    timings = []
    for summary in summaries[:runs]:
        start = time.perf_counter()
        png = render_week_chart(summary, people=(Partner(1, "Anna"), Partner(2, "Ben")))
        timings.append(time.perf_counter() - start)
    print(
        f"  chart render                median {statistics.median(timings) * 1000:6.1f} ms  "
        f"p95 {pct(timings, 0.95) * 1000:6.1f} ms  (n={len(timings)}, last PNG "
        f"{len(png) / 1024:.0f} KB; target median <= 150 ms)"
    )


@dataclass
class Probe:
    """Event-loop lag and a handler-sized database round trip, sampled every ~20 ms."""

    lag: list[float] = field(default_factory=list)
    handler: list[float] = field(default_factory=list)

    async def run(self, db: Database, stop: Callable[[], bool], user_ids: list[int]) -> None:
        index = 0
        while not stop():
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.lag.append(max(0.0, time.perf_counter() - start - 0.005))
            start = time.perf_counter()
            user_id = user_ids[index % len(user_ids)]
            # What every tap starts with: its update claimed, its person registered.
            async with unit_of_work(
                db, user_id=user_id, first_name=f"P{user_id}", now=NOW,
                update_id=next(UPDATE_IDS),
            ):  # fmt: skip
                pass
            self.handler.append(time.perf_counter() - start)
            index += 1
            await asyncio.sleep(0.015)


async def measure_digest(
    db: Database,
    sizes: Sizes,
    summary: WeeklySummary,
    idle_seconds: float = 4.0,
) -> None:
    """Digest for every Berlin couple at once, flat out (no pacing), vs. the idle baseline.

    Twice: charts in a worker thread (what the bot does), then in a one-process pool.
    """
    people = list(range(2 * sizes.digest_couples + 1, 2 * sizes.digest_couples + 200))
    idle = Probe()
    deadline = time.perf_counter() + idle_seconds
    await idle.run(db, lambda: time.perf_counter() > deadline, people)
    print(f"  loop lag, idle              {ms(idle.lag)}")
    print(f"  tap round trip, idle        {ms(idle.handler)}")
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))
    try:
        warm = partial(render_week_chart, summary, people=(Partner(1, "Anna"), Partner(2, "Ben")))
        await asyncio.get_running_loop().run_in_executor(pool, warm)
        for label, executor in (("chart in a thread", None), ("chart in a process", pool)):
            async with db.transaction() as session:
                await session.execute(text("DELETE FROM weekly_digests"))
            await _digest_run(db, sizes, people, label, executor)
    finally:
        pool.shutdown()


async def _digest_run(
    db: Database, sizes: Sizes, people: list[int], label: str, executor: Executor | None
) -> None:
    """The digest job's own entry point, sending through the bot's TelegramSender to the
    fake Bot API (its own process), unpaced."""
    busy, done = Probe(), asyncio.Event()
    fake = subprocess.Popen(  # noqa: ASYNC220 - started before the timing
        [sys.executable, str(Path(__file__).parent / "fake_server_process.py"), TOKEN, "1",
         str(2 * sizes.digest_couples)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert fake.stdout is not None
        port = int(fake.stdout.readline().split()[1])
        bot: ExtBot[None] = ExtBot(
            TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(64)
        )
        async with bot:
            engine = Deliveries(db, TelegramSender(bot), ManualClock(NOW))
            probe = asyncio.create_task(busy.run(db, done.is_set, people))
            start = time.perf_counter()
            report = await run_digests(
                engine, random.Random(sizes.seed + 3), render_executor=executor
            )
            elapsed = time.perf_counter() - start
            done.set()
            await probe
    finally:
        assert fake.stdin is not None
        fake.stdin.close()
        fake.wait(timeout=30)
    print(
        f"  digest, {label}: {report.sent} of {report.planned} sent in {elapsed:.1f} s"
        f" ({report.sent / elapsed:.1f}/s; {CONCURRENCY} in flight, no send pacing,"
        " TelegramSender to the fake Bot API)"
    )
    print(f"    loop lag, digest running  {ms(busy.lag)}")
    print(f"    tap round trip, digest    {ms(busy.handler)}")


# --- Backends -------------------------------------------------------------------------------


@asynccontextmanager
async def sqlite_database(sizes: Sizes) -> AsyncIterator[tuple[str, float]]:
    folder = Path(tempfile.mkdtemp(prefix="mc_bench_"))
    path = folder / "bench.db"
    url = f"sqlite+aiosqlite:///{path}"
    try:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        await engine.dispose()
        start = time.perf_counter()
        await asyncio.to_thread(load_sqlite, path, sizes)
        load = time.perf_counter() - start
        size = (await asyncio.to_thread(path.stat)).st_size
        print(f"  database file {size / 2**30:.2f} GB")
        yield url, load
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def postgres_database(server_url: str, sizes: Sizes) -> AsyncIterator[tuple[str, float]]:
    """A database of our own on the server, dropped afterwards whatever happens."""
    name = f"mc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    url = make_url(server_url).set(database=name)
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine(url.render_as_string(hide_password=False))
        await upgrade_to_head(engine)
        await engine.dispose()
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        start = time.perf_counter()
        await load_postgres(dsn, sizes)
        load = time.perf_counter() - start
        async with admin.connect() as connection:
            size = (await connection.execute(text(f"SELECT pg_database_size('{name}')"))).scalar()
        print(f"  database size {int(size or 0) / 2**30:.2f} GB")
        yield url.render_as_string(hide_password=False), load
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def run_backend(label: str, database: Any, sizes: Sizes) -> None:
    print(f"\n== {label} ==")
    async with database as (url, load_seconds):
        nudges = 2 * sizes.couples * sizes.nudge_days
        print(
            f"  data: {sizes.couples:,} couples, {2 * sizes.couples:,} people, "
            f"{sizes.events:,} events over {HISTORY.days // 7} weeks, {nudges:,} nudges; "
            f"loaded in {load_seconds:.0f} s"
        )
        db = Database.from_url(url)
        try:
            summaries = await measure_summaries(db, sizes)
            measure_chart(summaries)
            await measure_digest(db, sizes, summaries[0])
        finally:
            await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--couples", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--nudge-days", type=int, default=14)
    parser.add_argument(
        "--digest-couples", type=int, default=300, help="couples due for a digest at once"
    )
    parser.add_argument("--samples", type=int, default=200, help="couples to time")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = Sizes(
        couples=args.couples,
        events=args.events,
        nudge_days=args.nudge_days,
        digest_couples=min(args.digest_couples, args.couples),
        samples=args.samples,
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; now = {NOW:%a %d %b %Y %H:%M} UTC"
    )
    if not args.no_sqlite:
        await run_backend("SQLite", sqlite_database(sizes), sizes)
    if args.postgres:
        await run_backend("PostgreSQL", postgres_database(args.postgres, sizes), sizes)


if __name__ == "__main__":
    asyncio.run(main())
