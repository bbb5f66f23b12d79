"""SIGTERM, as a deploy or ``docker stop`` sends it, to a real bot process (polling and
webhook): it finishes what is in flight, claims nothing new, exits 0 within seconds with
no traceback — and the next process picks up the rest, so nothing is lost or doubled.

The bot runs as ``python -m bot`` (the subprocess helpers of ``test_crash``); people send
``/start`` while a batch of nudges goes out, and the signal comes in the middle of both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.models import Nudge, NudgeStatus
from tests.e2e.conftest import TOKEN, WEBHOOK_SECRET
from tests.e2e.test_crash import FIRST, LEASE_SECONDS, ROOT, _is_nudge, _seed, _sent_to, _until
from tests.fake_telegram import FakeTelegram

NUDGED, NEWCOMERS = 200, 30
NEWCOMER = 50_000
#: What "exits within a few seconds" means here (the machine is shared and slow).
STOP_WITHIN = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def _bot(
    fake: FakeTelegram, database_url: str, log: Path, mode: str, port: int
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": database_url,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_LEVEL": "INFO",
        "MODE": mode,
        "WEB_HOST": "127.0.0.1",
    }
    if mode == "webhook":
        env |= {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEB_PORT": str(port),
        }
    else:
        env["METRICS_PORT"] = str(port)
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=output, stderr=output
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(STOP_WITHIN):
                    await process.wait()
            except TimeoutError:
                process.kill()
        await process.wait()


async def _healthy(port: int) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    except httpx.TransportError:
        return False


def _welcomed(fake: FakeTelegram, user_id: int) -> int:
    return sum(1 for m in fake.user(user_id, "N").chat if "where in the world" in m.body)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_sigterm_finishes_what_is_in_flight_and_exits_0(
    database_url: str, tmp_path: Path, mode: str
) -> None:
    db = Database.from_url(database_url)
    await upgrade_to_head(db.engine)
    await _seed(db, NUDGED, datetime.now(UTC))
    log, port = tmp_path / "bot.log", _free_port()
    try:
        async with FakeTelegram(token=TOKEN) as fake:
            for n in range(NUDGED):
                fake.user(FIRST + n, f"P{n}")
            newcomers = [fake.user(NEWCOMER + n, f"N{n}") for n in range(NEWCOMERS)]
            async with _bot(fake, database_url, log, mode, port) as bot:
                await _until(lambda: _healthy(port), 60, f"the bot never got healthy; see {log}")
                if mode == "webhook":
                    assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram"
                for person in newcomers:
                    await person.send("/start")
                await _until(
                    lambda: (
                        sum(_sent_to(fake, _is_nudge).values()) >= 20
                        and _welcomed(fake, NEWCOMER) == 1
                    ),
                    30,
                    f"nothing went out; see {log}",
                )
                bot.send_signal(signal.SIGTERM)
                async with asyncio.timeout(STOP_WITHIN):
                    code = await bot.wait()
            output = log.read_text()
            assert code == 0, output
            for trouble in ("Traceback", "Unclosed", "Event loop is closed", "Task was destroyed"):
                assert trouble not in output, output
            async with db.transaction() as session:
                sending = await session.scalar(
                    select(func.count()).where(Nudge.status == NudgeStatus.SENDING)
                )
                stopped_with = (
                    await session.execute(select(Nudge.status, func.count()).group_by(Nudge.status))
                ).all()
            assert sending == 0, f"claims left behind: {stopped_with}"
            assert dict(stopped_with).get(NudgeStatus.PLANNED, 0) > 0, "all sent: stop earlier"

            async def done() -> bool:
                async with db.transaction() as session:
                    open_rows = await session.scalar(
                        select(func.count()).where(Nudge.status.in_(NudgeStatus.OPEN))
                    )
                everyone = all(_welcomed(fake, p.id) for p in newcomers)
                return open_rows == 0 and everyone and fake.quiet

            async with _bot(fake, database_url, log, mode, port):
                await _until(done, 60, f"the next process did not finish the rest; see {log}")
            async with db.transaction() as session:
                statuses = dict(
                    (
                        await session.execute(
                            select(Nudge.status, func.count()).group_by(Nudge.status)
                        )
                    ).all()
                )
        assert statuses == {NudgeStatus.SENT: NUDGED}, "a graceful stop leaves no maybe"
        assert all(n == 1 for n in _sent_to(fake, _is_nudge).values())
        assert [_welcomed(fake, p.id) for p in newcomers] == [1] * NEWCOMERS
    finally:
        await db.dispose()
