"""Tap round trips: the real bot answering a burst of button presses, beside a bare PTB app.

What it measures. N paired couples (2N people, default 3000) each press, in one burst:

1. a moment button (``v1:m:hug`` on a ``/moment`` menu): the handler stores an event in
   its unit of work, answers the callback and edits the menu into a thank-you;
2. separately, "Done" (``v1:n:<id>:done``) on a sent nudge (seeded in the database and
   shown in their chat): the answer is stored, the callback answered, the nudge edited.

The bot is ``bot.app.build_application(run_jobs=False)`` with a ``ManualClock`` on a real
migrated database (SQLite, and PostgreSQL with ``--postgres URL``), long-polling the fake
Bot API, which runs in its own process (``bench/fake_server_process.py``) so that its CPU
does not count against the bot. Latencies are on the fake's clock: press queued →
``answerCallbackQuery`` received, and → ``editMessageText`` received; presses/s is N over
the first press queued → last reaction received. Bot CPU is this process's CPU time during
the burst (with SQLite's driver thread; not the PostgreSQL server's). Next to it, in the
same run: a **bare PTB app** on the same transport (``bot.aiohttp_request.AiohttpRequest``)
and the same fake server, which answers and edits with no database: the floor.

Pacing: the bot is built as in production (its ``SendRateLimiter`` paces only ``send*``,
and these presses send nothing: answers and edits are not paced). The code of dd8f396
(``--code DIR``) paced every request with a chat id, edits included, at 30/s through PTB's
``AIORateLimiter``; that limiter is taken off here, or 3000 edits would take 100 s: the
comparison is of the handlers and the transport, not of the pacing.

    python bench/bench_taps.py [--couples 1500] [--postgres URL] [--code DIR] [--compare DIR]

``--code DIR`` imports ``bot``, ``storage``, ``domain``… from another checkout (the same
harness measuring old handlers); ``--compare DIR`` also runs that, in a subprocess after
this run, and prints both side by side with the ratios.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--couples", type=int, default=1500)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well")
    parser.add_argument("--code", help="import the bot's packages from this checkout")
    parser.add_argument("--compare", help="also run with --code DIR and print both")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


ARGS = _arguments() if __name__ == "__main__" else None
sys.path.insert(0, str(Path(ARGS.code).resolve() if ARGS and ARGS.code else HERE.parent))

import asyncio  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import bindparam, update  # noqa: E402
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler  # noqa: E402

from bench._setup import NOW, fill_couples, migrated, sqlite_url  # noqa: E402
from bot.aiohttp_request import AiohttpRequest  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.values.clock import ManualClock  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.models import Nudge  # noqa: E402
from tests.conftest import throwaway_postgres_database  # noqa: E402

TOKEN = "123456789:BENCHtokenBENCHtokenBENCHtoken"
FIRST_ID = 1_000_001
WARM_UP = 100  # presses before the measured bursts: first-use costs are not the point


class Fake:
    """The fake Bot API in its own process, driven over its standard input and output."""

    def __init__(self, people: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "fake_server_process.py"), TOKEN, str(FIRST_ID),
             str(people)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline().split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/bot"

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        reply: dict[str, Any] = json.loads(self.process.stdout.readline())
        return reply

    async def burst(self, presses: list[tuple[int, int, str]], *, edits: bool) -> dict[str, Any]:
        """Queue the presses at once; wait for every answer (and edit); bot CPU included."""
        cpu = time.process_time()
        await asyncio.to_thread(self._ask, {"press": presses})
        result = await asyncio.to_thread(self._ask, {"wait": 120, "edits": edits})
        result["cpu"] = time.process_time() - cpu
        result["presses"] = len(presses)
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _keyboard(text: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]])


async def _show(bot: Bot, messages: list[tuple[int, str, InlineKeyboardMarkup]]) -> list[int]:
    """Put messages with buttons in people's chats, as the bot (set-up, not measured)."""
    gate = asyncio.Semaphore(32)

    async def one(chat_id: int, text: str, markup: InlineKeyboardMarkup) -> int:
        async with gate:
            return (await bot.send_message(chat_id, text, reply_markup=markup)).message_id

    return list(await asyncio.gather(*(one(*m) for m in messages)))


async def _sent_nudges(db: Database, people: list[int]) -> list[int]:
    """One sent "morning hug" nudge per person, waiting for an answer."""
    async with db.transaction() as session:
        from sqlalchemy import select

        from storage.models import User

        couples = dict((await session.execute(select(User.id, User.couple_id))).all())
        rows = [
            Nudge(
                user_id=person,
                couple_id=couples[person],
                ritual="morning_hug",
                local_date=NOW.date(),
                due_at=NOW - timedelta(minutes=5),
                window_end_at=NOW + timedelta(hours=2),
                status="sent",
                attempt=1,
                phrasing=0,
                snoozed=False,
                sent_at=NOW - timedelta(minutes=1),
            )
            for person in people
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


def _bot_app(url: str, db: Database, fake: Fake) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = Settings(
        telegram_bot_token=TOKEN,
        database_url=url,
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.base_url.replace("/bot", "/file/bot"),
    )
    kwargs: dict[str, Any] = {"clock": ManualClock(NOW), "rng": random.Random(7), "run_jobs": False}
    app = build_application(settings, db, **kwargs)
    if "limiter" not in inspect.signature(build_application).parameters:
        # dd8f396 paced edits too, at 30/s overall (PTB's AIORateLimiter): see the docstring.
        app.bot._rate_limiter = None
    return app


def _bare_app(fake: Fake) -> Application[Any, Any, Any, Any, Any, Any]:
    """The floor: PTB on the same transport, answering and editing, nothing else."""

    async def tapped(update: Update, _: object) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("Thank you 💞")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .request(AiohttpRequest(connection_pool_size=64))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(CallbackQueryHandler(tapped))
    return app


async def _polling(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)


async def _stop(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def _backend(url: str, fake: Fake, people: list[int]) -> dict[str, dict[str, Any]]:
    db = await migrated(url)
    await fill_couples(db, len(people) // 2)
    nudge_ids = await _sent_nudges(db, people)
    setup = Bot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(64))
    async with setup:
        warm = await _show(setup, [(p, "How did you connect?", _keyboard("🤗", "v1:m:hug"))
                                   for p in people[:WARM_UP]])  # fmt: skip
        menus = await _show(setup, [(p, "How did you connect?", _keyboard("🤗", "v1:m:hug"))
                                    for p in people])  # fmt: skip
        shown = await _show(setup, [(p, "☀️ A morning hug today?",
                                     _keyboard("✅ Done", f"v1:n:{n}:done"))
                                    for p, n in zip(people, nudge_ids, strict=True)])  # fmt: skip
        bare = await _show(setup, [(p, "Tap me", _keyboard("🤗", "bare")) for p in people])
    async with db.transaction() as session:  # the nudges' message ids, as the engine records
        connection = await session.connection()
        await connection.execute(
            update(Nudge)
            .where(Nudge.id == bindparam("b_id"))
            .values(message_id=bindparam("b_message")),
            [{"b_id": n, "b_message": m} for n, m in zip(nudge_ids, shown, strict=True)],
        )
    results: dict[str, dict[str, Any]] = {}
    app = _bot_app(url, db, fake)
    await _polling(app)
    try:
        await fake.burst([(p, m, "v1:m:hug") for p, m in zip(people, warm, strict=False)],
                         edits=True)  # fmt: skip
        results["moment tap"] = await fake.burst(
            [(p, m, "v1:m:hug") for p, m in zip(people, menus, strict=True)], edits=True
        )
        results["nudge Done"] = await fake.burst(
            [(p, m, f"v1:n:{n}:done") for p, m, n in zip(people, shown, nudge_ids, strict=True)],
            edits=True,
        )
    finally:
        await _stop(app)
        await db.dispose()
    app = _bare_app(fake)
    await _polling(app)
    try:
        results["bare PTB"] = await fake.burst(
            [(p, m, "bare") for p, m in zip(people, bare, strict=True)], edits=True
        )
    finally:
        await _stop(app)
    return results


def _summary(result: dict[str, Any]) -> dict[str, float]:
    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1e3 if values else 0

    answers, edits = result["answers"], result["edits"]
    return {
        "presses/s": result["presses"] / result["span"],
        "cpu ms/press": result["cpu"] / result["presses"] * 1e3,
        "answer p50": pct(answers, 50), "answer p99": pct(answers, 99),
        "edit p50": pct(edits, 50), "edit p99": pct(edits, 99),
        "missing": result["missing"],
    }  # fmt: skip


def _print(label: str, backend: str, rows: dict[str, dict[str, float]]) -> None:
    for kind, s in rows.items():
        print(f"[{backend}] {label:>8} {kind:>11}: {s['presses/s']:6,.0f} presses/s; bot CPU "
              f"{s['cpu ms/press']:.2f} ms/press; answer p50 {s['answer p50']:6.0f} ms, p99 "
              f"{s['answer p99']:6.0f} ms; edit p50 {s['edit p50']:6.0f} ms, p99 "
              f"{s['edit p99']:6.0f} ms" + (f"; {s['missing']:.0f} MISSING" if s["missing"]
                                            else ""))  # fmt: skip
    bare = rows["bare PTB"]
    for kind in ("moment tap", "nudge Done"):
        print(
            f"[{backend}] {label:>8} {kind:>11} / bare PTB: presses/s "
            f"{rows[kind]['presses/s'] / bare['presses/s']:.2f}x, edit p50 "
            f"{rows[kind]['edit p50'] / bare['edit p50']:.2f}x"
        )


async def main(args: argparse.Namespace) -> dict[str, dict[str, dict[str, float]]]:
    people = list(range(FIRST_ID, FIRST_ID + 2 * args.couples))
    fake = Fake(len(people))
    out: dict[str, dict[str, dict[str, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            raw = await _backend(sqlite_url(Path(folder), "taps.db"), fake, people)
            out["sqlite"] = {kind: _summary(r) for kind, r in raw.items()}
        if args.postgres:
            async with throwaway_postgres_database(args.postgres) as url:
                raw = await _backend(url, fake, people)
                out["postgres"] = {kind: _summary(r) for kind, r in raw.items()}
    finally:
        fake.close()
    return out


def _compare(args: argparse.Namespace, ours: dict[str, dict[str, dict[str, float]]]) -> None:
    command = [sys.executable, __file__, "--code", args.compare, "--couples", str(args.couples),
               "--json"] + (["--postgres", args.postgres] if args.postgres else [])  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    for backend, rows in theirs.items():
        _print("old", backend, rows)
        for kind in ("moment tap", "nudge Done"):
            new, old = ours[backend][kind], rows[kind]
            print(f"[{backend}] new / old {kind:>11}: presses/s "
                  f"{new['presses/s'] / old['presses/s']:.2f}x, CPU/press "
                  f"{new['cpu ms/press'] / old['cpu ms/press']:.2f}x, edit p50 "
                  f"{new['edit p50'] / old['edit p50']:.2f}x, p99 "
                  f"{new['edit p99'] / old['edit p99']:.2f}x")  # fmt: skip


if __name__ == "__main__":
    assert ARGS is not None
    results = asyncio.run(main(ARGS))
    if ARGS.json:
        print(json.dumps(results))
    else:
        label = "old" if ARGS.code else "new"
        for backend, rows in results.items():
            _print(label, backend, rows)
        if ARGS.compare:
            _compare(ARGS, results)
