"""End-to-end harness: the real PTB Application, long-polling a fake Bot API over HTTP.

The bot is configured exactly as an operator would do it — through ``Settings`` with the
Bot API base URLs pointed at the fake server — on a real migrated database. Time is a
``ManualClock`` and nudge jobs are ticked by the test, so nothing waits on the wall clock.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import build_application
from bot.context import BotApplication
from bot.settings import Settings
from domain.values.clock import ManualClock
from scheduling.rate_limit import SendRateLimiter
from scheduling.service import NudgeService
from storage.database import Database
from tests.fake_telegram import FakeTelegram, FakeUser

TOKEN = "123456789:TESTtokenTESTtokenTESTtoken00"


@dataclass
class Harness:
    fake: FakeTelegram
    app: BotApplication
    db: Database
    clock: ManualClock

    @property
    def nudges(self) -> NudgeService:
        service = self.app.bot_data["services"].nudges
        assert isinstance(service, NudgeService)
        return service

    def user(self, user_id: int, first_name: str) -> FakeUser:
        return self.fake.user(user_id, first_name)

    async def settled(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has finished with every update it was given, and with the
        outbox pass those updates started: only then can a test say "nothing was sent"."""
        async with asyncio.timeout(timeout):
            await self.fake.wait_until_quiet(timeout)
            await self.app.update_queue.join()  # PTB marks each update done after handling
            await self.nudges.settled()


@pytest.fixture
async def harness(database_url: str, db: Database, clock: ManualClock) -> AsyncIterator[Harness]:
    async with running_bot(database_url, db, clock) as harness:
        yield harness


@asynccontextmanager
async def running_bot(
    database_url: str, db: Database, clock: ManualClock, **settings: Any
) -> AsyncIterator[Harness]:
    """The bot as an operator runs it (``settings`` adds to the test's own), until the end."""
    async with FakeTelegram(token=TOKEN) as fake:
        configured = Settings(
            telegram_bot_token=TOKEN,
            database_url=database_url,
            telegram_api_base_url=fake.base_url,
            telegram_file_base_url=fake.file_base_url,
            **settings,
        )
        # Conversations here are about what people see, not pacing (tests/test_rate_limiter
        # and tests/test_ptb_rate_limiter cover that): no 1 s between two replies to a chat.
        quick = SendRateLimiter(per_chat_interval=0)
        app = build_application(
            configured, db, clock=clock, rng=random.Random(7), run_jobs=False, limiter=quick
        )
        async with app:
            # run_polling() calls post_init between initialize() and start(); so do we.
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            harness = Harness(fake, app, db, clock)
            try:
                yield harness
            finally:
                await harness.nudges.close()
                await app.updater.stop()
                await app.stop()
                if app.post_stop is not None:  # as run_polling() does after stop()
                    await app.post_stop(app)


async def pair(h: Harness, first: FakeUser, second: FakeUser) -> None:
    """Walk two people through invite → link → yes, as they would in Telegram."""
    await first.send("/invite")
    invite = await first.wait_for(lambda m: "t.me/" in (m.text or ""))
    code = (invite.text or "").split("?start=")[1].split()[0]
    await second.send(f"/start {code}")
    await second.wait_for(lambda m: "Pair with" in (m.text or ""))
    await second.press("💞 Yes, pair us")
    await first.wait_for(lambda m: "now paired" in (m.text or ""))
    await second.wait_for(lambda m: "now paired" in (m.text or ""))
