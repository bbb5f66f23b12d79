"""End-to-end harness: the real PTB Application, long-polling a fake Bot API over HTTP
(or, ``webhook_harness``, receiving its updates by webhook from that fake).

The bot is configured exactly as an operator would do it — through ``Settings`` with the
Bot API base URLs pointed at the fake server — on a real migrated database. Time is a
``ManualClock`` and nudge jobs are ticked by the test, so nothing waits on the wall clock.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.context import BotApplication
from bot.settings import Settings
from bot.web.runner import register_webhook, web_server
from domain.values.clock import ManualClock
from scheduling.rate_limit import SendRateLimiter
from scheduling.service import NudgeService
from storage.database import Database
from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.models import Nudge, NudgeStatus
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

    async def run_jobs_until(
        self, end: datetime, step: timedelta, each_tick: Callable[[], None] | None = None
    ) -> None:
        """Move the clock to ``end``, running the scheduler's jobs as its tick would.

        Each move is ``step`` long, or shorter when a nudge or outbox row falls due sooner:
        the clock then stops exactly at its due time, as the real 10-second tick would
        catch it. So a test can step in hours and still see every nudge go out on time.
        ``each_tick`` runs after every tick (to note when something arrived).
        """
        while self.clock() < end:
            target = min(self.clock() + step, end)
            due = await self._next_due()
            if due is not None and self.clock() < due < target:
                target = due
            self.clock.set(target)
            await self.nudges.run_all()
            if each_tick is not None:
                each_tick()

    async def _next_due(self) -> datetime | None:
        now = self.clock()
        async with self.db.transaction() as session:
            nudge = await session.scalar(
                select(func.min(Nudge.due_at)).where(
                    Nudge.status == NudgeStatus.PLANNED, Nudge.due_at > now
                )
            )
            row = await session.scalar(
                select(func.min(OutboxMessage.due_at)).where(
                    OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at > now
                )
            )
        found = [moment for moment in (nudge, row) if moment is not None]
        return min(found) if found else None

    async def settled(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has finished with every update it was given, and with the
        outbox pass those updates started: only then can a test say "nothing was sent"."""
        async with asyncio.timeout(timeout):
            await self.fake.wait_until_quiet(timeout)
            await self.app.update_queue.join()  # PTB marks each update done after handling
            await self.nudges.settled()


@pytest.fixture
async def harness(
    database_url: str, db: Database, clock: ManualClock, request: pytest.FixtureRequest
) -> AsyncIterator[Harness]:
    # Today's behaviour (every planned nudge sent), unless a test asks for the randomized
    # nudges of issue #12 (``@pytest.mark.randomized``).
    randomized = request.node.get_closest_marker("randomized") is not None
    async with running_bot(database_url, db, clock, nudge_randomization=randomized) as harness:
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


WEBHOOK_SECRET = "test-webhook-secret_0123456789"


@dataclass
class WebhookHarness(Harness):
    """The same bot, taking updates by webhook: the fake POSTs them over real HTTP."""

    base_url: str = ""  # where the bot's web server listens (/healthz, /metrics)
    settings: Settings | None = None


@asynccontextmanager
async def webhook_bot(
    fake: FakeTelegram, database_url: str, db: Database, clock: ManualClock
) -> AsyncIterator[WebhookHarness]:
    """The bot in webhook mode in this process: uvicorn on a free port, as the runner
    starts it (``bot.web.runner``), with the webhook registered on the fake."""
    listening = socket.create_server(("127.0.0.1", 0))
    port = int(listening.getsockname()[1])
    settings = Settings(
        telegram_bot_token=TOKEN,
        database_url=database_url,
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
        mode="webhook",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=WEBHOOK_SECRET,
        web_host="127.0.0.1",
        web_port=port,
    )
    quick = SendRateLimiter(per_chat_interval=0)
    app = build_application(
        settings, db, clock=clock, rng=random.Random(7), run_jobs=False, limiter=quick
    )
    served = web_server(app, settings, listening=listening)
    assert served is not None
    server, _ = served
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        serving = asyncio.create_task(server.serve([listening]))
        harness = WebhookHarness(
            fake, app, db, clock, base_url=f"http://127.0.0.1:{port}", settings=settings
        )
        try:
            await register_webhook(app.bot, settings)
            yield harness
        finally:
            server.should_exit = True
            await serving
            await harness.nudges.close()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)


@pytest.fixture
async def webhook_harness(
    database_url: str, db: Database, clock: ManualClock
) -> AsyncIterator[WebhookHarness]:
    async with FakeTelegram(token=TOKEN) as fake, webhook_bot(fake, database_url, db, clock) as h:
        yield h
