"""Start-up against a Telegram that is not there yet, or refuses the token: a real process."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from tests.fake_telegram import FakeTelegram

REPO = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAHsecretsecretsecretsecretsecret12"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_bot(port: int, tmp_path: Path, token: str = TOKEN) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env={
            **clean,
            "PYTHONPATH": str(REPO),
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "TELEGRAM_FILE_BASE_URL": f"http://127.0.0.1:{port}/file/bot",
        },
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )


async def _line_with(process: asyncio.subprocess.Process, text: str, seen: list[str]) -> None:
    assert process.stderr is not None
    while True:
        raw = await process.stderr.readline()
        if not raw:
            raise AssertionError(f"the bot exited before saying {text!r}: {seen}")
        seen.append(raw.decode())
        if text in seen[-1]:
            return


async def test_telegram_unreachable_is_one_line_then_the_bot_waits_and_starts(
    tmp_path: Path,
) -> None:
    port = _free_port()  # nothing listens there yet
    process = await _start_bot(port, tmp_path)
    seen: list[str] = []
    try:
        async with asyncio.timeout(30):
            await _line_with(process, "Telegram is not reachable", seen)
        assert process.returncode is None, "the bot gave up instead of waiting"
        async with FakeTelegram(token=TOKEN, port=port) as fake:
            async with asyncio.timeout(60):
                await _line_with(process, "polling Telegram for updates", seen)
                await fake.wait_for_poller(timeout=30)
    finally:
        process.terminate()
        await process.wait()
    logged = "".join(seen)
    assert logged.count("Telegram is not reachable") == 1
    assert "Traceback" not in logged
    assert TOKEN not in logged


async def test_a_refused_token_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    port = _free_port()
    async with FakeTelegram(token="123456789:AAHsomeoneelsestokenxxxxxxxxxxxx", port=port):
        process = await _start_bot(port, tmp_path)
        assert process.stderr is not None
        async with asyncio.timeout(60):
            errors = (await process.stderr.read()).decode()
            await process.wait()
    assert process.returncode == 2
    assert "Telegram refused the token" in errors
    assert "Traceback" not in errors and TOKEN not in errors


async def test_a_second_process_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    """SQLite has one writer: the second bot on the same file says so in one line, exit
    code 4; once the first is gone (even SIGKILLed) the file is free again."""
    port = _free_port()
    async with FakeTelegram(token=TOKEN, port=port) as fake:
        first = await _start_bot(port, tmp_path)
        try:
            async with asyncio.timeout(60):
                await _line_with(first, "polling Telegram for updates", [])
                await fake.wait_for_poller(timeout=30)
            second = await _start_bot(port, tmp_path)
            assert second.stderr is not None
            async with asyncio.timeout(60):
                errors = (await second.stderr.read()).decode()
                await second.wait()
            assert second.returncode == 4
            assert errors.count("\n") == 1, errors
            assert "another bot process is using this SQLite database" in errors
            assert first.returncode is None, "the first bot must keep running"
        finally:
            first.kill()
            await first.wait()
        third = await _start_bot(port, tmp_path)
        try:
            async with asyncio.timeout(60):
                await _line_with(third, "polling Telegram for updates", [])
        finally:
            third.terminate()
            await third.wait()
