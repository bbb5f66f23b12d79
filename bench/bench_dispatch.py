"""Dispatch pipeline: nudges per second through the real PTB sender to a fake Bot API server.

Prints (1) throughput with the rate limiter off, against a baseline measured in the same run
(the naive loop: one nudge at a time), and (2) with the limiter on, the proof that no second
had more than 30 sends and no chat got two within a second — as the fake server saw them.

    python bench/bench_dispatch.py [--nudges 3000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, update
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from bench._setup import NOW, fill_couples, migrated, sqlite_url
from bot.aiohttp_request import AiohttpRequest
from bot.telegram_sender import TelegramSender
from domain.values.clock import ManualClock
from domain.values.kinds import Ritual
from scheduling.delivery import Deliveries
from scheduling.rate_limit import SendRateLimiter
from scheduling.sources import NudgeSource
from storage.database import Database
from storage.models import Nudge, User
from tests.conftest import throwaway_postgres_database
from tests.fake_telegram import FakeTelegram

TOKEN = "123456789:BENCHtokenBENCHtokenBENCHtoken"


async def _due_nudges(db: Database, user_ids: list[int], per_user: int = 1) -> None:
    async with db.transaction() as session:
        await session.execute(update(User).values(timezone="UTC"))
        couples = {u.id: u.couple_id for u in await session.scalars(select(User))}
        rows = []
        for k in range(per_user):
            for user_id in user_ids:
                rows.append(
                    Nudge(
                        user_id=user_id,
                        couple_id=couples[user_id],
                        ritual=list(Ritual)[k].value,
                        local_date=NOW.date(),
                        due_at=NOW - timedelta(minutes=1),
                        window_end_at=NOW + timedelta(hours=2),
                        status="planned",
                        attempt=0,
                        phrasing=0,
                        snoozed=False,
                    )
                )
        session.add_all(rows)


FIRST_ID = 1_000_001
CONCURRENCY = 32


async def _run(
    url: str,
    base_url: str,
    people: int,
    *,
    concurrency: int,
    limiter: SendRateLimiter | None,
    per_user: int = 1,
    request: BaseRequest | None = None,
) -> tuple[int, float, float]:
    db = await migrated(url)
    await fill_couples(db, people // 2)
    ids = list(range(FIRST_ID, FIRST_ID + people))
    await _due_nudges(db, ids, per_user)
    bot: ExtBot[None] = ExtBot(TOKEN, base_url=base_url, request=request or AiohttpRequest(64))
    async with bot:
        engine = Deliveries(
            db,
            TelegramSender(bot),
            ManualClock(NOW),
            page=500,
            concurrency=concurrency,
            limiter=limiter,
        )
        wall, cpu = time.perf_counter(), time.process_time()
        report = await engine.deliver(NudgeSource())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await db.dispose()
    return report.sent, wall, cpu


def _limits_kept(fake: FakeTelegram, start: int) -> tuple[int, float]:
    sends = [r for r in fake.requests[start:] if r.method == "sendMessage" and r.error_code is None]
    times = sorted(r.received_at for r in sends)
    busiest, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        busiest = max(busiest, i - j + 1)
    last: dict[int, float] = {}
    closest = float("inf")
    for r in sorted(sends, key=lambda r: r.received_at):
        assert r.chat_id is not None
        if r.chat_id in last:
            closest = min(closest, r.received_at - last[r.chat_id])
        last[r.chat_id] = r.received_at
    return busiest, closest


async def _throughput(backend: str, urls: list[str], base_url: str, nudges: int) -> None:
    results = {}
    variants = (
        # What a typical PTB bot does: await send_message in a loop, default httpx transport.
        ("baseline: PTB default, one by one", 1, HTTPXRequest(connection_pool_size=8)),
        ("delivery engine: aiohttp, concurrent", CONCURRENCY, AiohttpRequest(64)),
    )
    for url, (label, concurrency, request) in zip(urls, variants, strict=True):
        results[label] = await _run(
            url, base_url, nudges, concurrency=concurrency, limiter=None, request=request
        )
        sent, wall, cpu = results[label]
        print(
            f"[{backend}] {label:>34}: {sent} nudges in {wall:.2f} s = {sent / wall:,.0f}/s "
            f"wall; bot CPU {cpu:.2f} s = {sent / cpu:,.0f} nudges per CPU-second (one core)"
        )
    (_, base), (_, ours) = results.items()
    wall_ratio = (ours[0] / ours[1]) / (base[0] / base[1])
    cpu_ratio = (base[2] / base[0]) / (ours[2] / ours[0])
    print(
        f"[{backend}] ratio engine / baseline: wall {wall_ratio:.2f}x, "
        f"CPU per nudge {cpu_ratio:.2f}x less"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nudges", type=int, default=3000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well")
    args = parser.parse_args()
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before any timing
        [
            sys.executable,
            str(Path(__file__).parent / "fake_server_process.py"),
            TOKEN,
            str(FIRST_ID),
            str(args.nudges),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        base_url = f"http://127.0.0.1:{port}/bot"
        with tempfile.TemporaryDirectory() as folder:
            await _throughput(
                "sqlite",
                [sqlite_url(Path(folder), f"t{i}.db") for i in (1, 2)],
                base_url,
                args.nudges,
            )
            if args.postgres:
                async with (
                    throwaway_postgres_database(args.postgres) as one,
                    throwaway_postgres_database(args.postgres) as two,
                ):
                    await _throughput("postgres", [one, two], base_url, args.nudges)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    # Rate limiter on: 100 chats x 3 nudges each, as the (in-process) fake server sees them.
    with tempfile.TemporaryDirectory() as folder:
        async with FakeTelegram(token=TOKEN) as fake:
            for user_id in range(FIRST_ID, FIRST_ID + 100):
                fake.user(user_id, "P")
            sent, wall, _ = await _run(
                sqlite_url(Path(folder), "limited.db"),
                fake.base_url,
                100,
                concurrency=32,
                limiter=SendRateLimiter(),
                per_user=3,
            )
            busiest, closest = _limits_kept(fake, 0)
    print(
        f"[limiter on] {sent} nudges to 100 chats in {wall:.1f} s; busiest second: "
        f"{busiest} sends (limit 30); closest two sends to one chat: {closest:.3f} s "
        "(limit 1.000)"
    )
    assert busiest <= 30 and closest >= 1.0, ("rate limits broken", busiest, closest)


if __name__ == "__main__":
    asyncio.run(main())
