"""The PTB rate limiter through the real ``ExtBot``, our transport, and the fake Bot API.

Gaps are read from ``RecordedRequest.received_at`` (when the fake got each call), so they
are what Telegram would see.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.app import build_application
from bot.rate_limiter import PACED, TelegramRateLimiter
from bot.settings import Settings
from scheduling.rate_limit import SendRateLimiter
from storage.database import Database
from tests.fake_telegram import FakeTelegram, FakeUser

TOKEN = "123456789:TESTtokenTESTtokenTESTtoken00"
INTERVAL = 0.3

Bot = ExtBot[Mapping[str, object]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    limiter = TelegramRateLimiter(SendRateLimiter(per_chat_interval=INTERVAL))
    client: Bot = ExtBot(
        TOKEN, base_url=fake.base_url, request=AiohttpRequest(), rate_limiter=limiter
    )
    async with client:
        yield client


@pytest.fixture
def alice(fake: FakeTelegram) -> FakeUser:
    return fake.user(1001, "Alice")


def received(fake: FakeTelegram, chat_id: int) -> list[float]:
    return [r.received_at for r in fake.requests_for("sendMessage") if r.chat_id == chat_id]


async def test_messages_to_one_chat_arrive_an_interval_apart(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    await asyncio.gather(*(bot.send_message(alice.id, f"#{n}") for n in range(3)))
    first, second, third = received(fake, alice.id)
    assert second - first >= INTERVAL - 0.01
    assert third - second >= INTERVAL - 0.01
    assert sorted(text or "" for text in alice.inbox_texts) == ["#0", "#1", "#2"]


async def test_a_waiting_chat_does_not_delay_replies_to_others(
    fake: FakeTelegram, alice: FakeUser
) -> None:
    others = [fake.user(2000 + n, f"Friend {n}") for n in range(10)]
    limiter = TelegramRateLimiter(SendRateLimiter(per_second=1000, per_chat_interval=1.0))
    bot: Bot = ExtBot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(), rate_limiter=limiter)
    async with bot:
        await bot.send_message(alice.id, "first")
        waiting = asyncio.create_task(bot.send_message(alice.id, "second, a second later"))
        await asyncio.sleep(0)

        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(friend.id, "hi") for friend in others))
        assert time.monotonic() - started < 0.8  # not queued behind Alice's 1 s
        assert not waiting.done()
        await waiting
    last_friend = max(r.received_at for r in fake.requests_for("sendMessage")[1:-1])
    first, second = received(fake, alice.id)
    assert last_friend < second and second - first >= 0.99


async def test_button_answers_and_edits_are_not_paced(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Hug", callback_data="hug")]])
    sent = await bot.send_message(alice.id, "A hug?", reply_markup=markup)
    query = await alice.press("Hug")

    started = time.monotonic()
    await bot.answer_callback_query(query["id"], text="🤗")
    await bot.edit_message_text("Hugged", alice.id, sent.message_id)
    assert time.monotonic() - started < INTERVAL / 2  # Alice's interval is still running

    assert (await alice.next_callback_answer()).text == "🤗"
    assert alice.message(sent.message_id).text == "Hugged"


async def test_already_paced_messages_skip_the_wait(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    await bot.send_message(alice.id, "paced by the caller", rate_limit_args=PACED)
    await bot.send_message(alice.id, "and again", rate_limit_args={"paced": True})
    first, second = received(fake, alice.id)
    assert second - first < INTERVAL / 2


async def test_a_429_reaches_the_caller_without_a_retry(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    fake.fail_next("sendMessage", error_code=429, retry_after=5)
    started = time.monotonic()
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "too many")
    assert time.monotonic() - started < 1  # no sleeping for retry_after
    assert len(fake.requests_for("sendMessage")) == 1


async def test_the_application_paces_everything_with_one_limiter(
    fake: FakeTelegram, db: Database
) -> None:
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
    )
    app = build_application(settings, db, run_jobs=False)
    ptb_limiter = app.bot.rate_limiter
    assert isinstance(ptb_limiter, TelegramRateLimiter)
    assert app.bot_data["services"].nudges.deliveries.limiter is ptb_limiter.limiter
