"""Schedule memory and start-up: the bot with 100k couples (200k people) in the database.

Each variant runs in a fresh child process that reports its resident memory (VmRSS) before
and after "start-up", and how long start-up took:

* ours: what ``microconnect`` does before it serves — migrate-check, build the Application,
  initialize it against the (fake) Bot API, start the JobQueue — then one full planning pass
  and one dispatch tick, since the schedule lives in the database, not in memory;
* baseline, in the same run: the common approach, one APScheduler cron job per person per
  ritual in an in-memory job store, loaded from the same database at start-up.

    python bench/bench_startup_memory.py [--couples 100000] [--baseline-people 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import NOW, fill_couples, migrated, sqlite_url

TOKEN = "123456789:BENCHtokenBENCHtokenBENCHtoken"
RITUALS_ON = 4


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def child_ours(url: str, base_url: str) -> dict[str, float]:
    import random

    from bot.app import build_application
    from bot.settings import Settings
    from domain.values.clock import ManualClock
    from storage.database import Database
    from storage.migrate import upgrade_to_head

    before = rss_bytes()
    started = time.perf_counter()
    db = Database.from_url(url)
    await upgrade_to_head(db.engine)
    settings = Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=url,
        telegram_api_base_url=base_url,
        telegram_file_base_url=base_url.replace("/bot", "/file/bot"),
    )
    app = build_application(
        settings, db, clock=ManualClock(NOW), rng=random.Random(1), run_jobs=False
    )
    await app.initialize()
    await app.start()
    startup = time.perf_counter() - started
    after_start = rss_bytes()
    service = app.bot_data["services"].nudges
    plan_started = time.perf_counter()
    report = await service.plan()
    plan_seconds = time.perf_counter() - plan_started
    await service.dispatch()
    after_plan = rss_bytes()
    await app.stop()
    await app.shutdown()
    return {
        "rss_before": before,
        "rss_after_start": after_start,
        "rss_after_plan": after_plan,
        "startup_s": startup,
        "plan_s": plan_seconds,
        "planned_people": report.people,
    }


async def child_baseline(url: str, people: int) -> dict[str, float]:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger
    from sqlalchemy import select

    from storage.database import Database
    from storage.models import User

    async def nudge(user_id: int, ritual: str) -> None:  # what each job would call
        return None

    before = rss_bytes()
    started = time.perf_counter()
    db = Database.from_url(url)
    async with db.transaction() as session:
        rows = (
            await session.execute(select(User.id, User.timezone).order_by(User.id).limit(people))
        ).all()
    scheduler = AsyncIOScheduler()
    scheduler.start(paused=True)
    times = ((7, 30, "morning"), (12, 45, "midday"), (19, 0, "dinner"), (22, 0, "bedtime"))
    for user_id, zone in rows:
        for hour, minute, ritual in times:
            scheduler.add_job(
                nudge,
                CronTrigger(hour=hour, minute=minute, timezone=zone),
                args=(user_id, ritual),
                id=f"{user_id}:{ritual}",
            )
    startup = time.perf_counter() - started
    after = rss_bytes()
    scheduler.shutdown(wait=False)
    return {
        "rss_before": before,
        "rss_after_start": after,
        "startup_s": startup,
        "people": len(rows),
    }


def _child(kind: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


async def _fill(url: str, couples: int) -> None:
    db = await migrated(url)
    await fill_couples(db, couples, planned_through=None)
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--couples", type=int, default=100_000)
    parser.add_argument("--baseline-people", type=int, default=50_000)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "ours":
            result = asyncio.run(child_ours(rest[0], rest[1]))
        else:
            result = asyncio.run(child_baseline(rest[0], int(rest[1])))
        print(json.dumps(result))
        return
    sizes = (0, args.couples // 4, args.couples)
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).parent / "fake_server_process.py"),
                TOKEN,
                "1000001",
                "10",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            base_url = f"http://127.0.0.1:{int(server.stdout.readline().split()[1])}/bot"
            runs = {}
            for couples in sizes:
                url = sqlite_url(Path(folder), f"db{couples}.db")
                asyncio.run(_fill(url, couples))
                runs[couples] = _child("ours", url, base_url)
            base = _child("baseline", url, str(args.baseline_people))
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=60)
    zero = runs[0]
    for couples, run in runs.items():
        people = 2 * couples
        grow = run["rss_after_start"] - run["rss_before"]
        planned = run["rss_after_plan"] - run["rss_before"]
        extra = (
            ""
            if not people
            else (
                f" -> {(grow - (zero['rss_after_start'] - zero['rss_before'])) / people:+.1f} "
                "bytes per person"
            )
        )
        print(
            f"ours, {people:>9,} people: start-up {run['startup_s']:.2f} s, RSS growth "
            f"{grow / 2**20:.1f} MiB{extra}; after planning them all "
            f"({run['plan_s']:.1f} s, a background job) and a dispatch tick: "
            f"{planned / 2**20:.1f} MiB"
        )
    people = 2 * args.couples
    base_grow = base["rss_after_start"] - base["rss_before"]
    base_people = base["people"]
    print(
        f"baseline (APScheduler cron job per person per ritual, {RITUALS_ON} rituals), "
        f"{base_people:,} people: start-up {base['startup_s']:.1f} s, RSS growth "
        f"{base_grow / 2**20:.0f} MiB -> {base_grow / base_people:,.0f} bytes per person; "
        f"for {people:,} people: ~{base['startup_s'] * people / base_people:.0f} s, "
        f"~{base_grow / base_people * people / 2**20:,.0f} MiB"
    )
    print(
        f"ratio baseline / ours at {people:,} people: start-up "
        f"{base['startup_s'] * people / base_people / runs[args.couples]['startup_s']:,.0f}x"
    )


if __name__ == "__main__":
    main()
