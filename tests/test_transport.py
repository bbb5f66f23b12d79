"""The aiohttp transport through PTB's real ``Bot``: what its errors promise about delivery.

``NotSent`` must mean "Telegram cannot have seen it" (safe to send again); every other
failure is plain ``NetworkError``/``TimedOut``, "fate unknown", and never ``NotSent``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import date

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.aiohttp_request import AiohttpRequest, NotSent, _timeout
from bot.telegram_sender import TelegramSender
from domain.values.kinds import Ritual
from scheduling.sender import Outcome, OutgoingNudge
from tests.fake_telegram import FakeTelegram

TOKEN = "123456:TEST-token"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, request=AiohttpRequest()) as client:
        yield client


def closed_port() -> int:
    """A local port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_notsent_is_a_ptb_network_error() -> None:
    assert issubclass(NotSent, NetworkError)
    assert NotSent.__mro__[1] is NetworkError
    assert not issubclass(NotSent, TimedOut)


async def test_a_refused_connection_is_notsent() -> None:
    request = AiohttpRequest(connect_timeout=2.0)
    await request.initialize()
    try:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/bot", request=request)
        with pytest.raises(NotSent, match="ClientConnectorError"):
            await bot.send_message(1001, "never leaves")
    finally:
        await request.shutdown()


async def test_a_stopped_server_is_notsent(fake: FakeTelegram) -> None:
    alice = fake.user(1001, "Alice")
    async with Bot(TOKEN, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        await bot.send_message(alice.id, "while it runs")
    await fake.stop()
    request = AiohttpRequest()  # a fresh pool: a reused keep-alive socket fails differently
    await request.initialize()
    try:
        bot = Bot(TOKEN, base_url=fake.base_url, request=request)
        with pytest.raises(NotSent):
            await bot.send_message(alice.id, "after it stopped")
    finally:
        await request.shutdown()
    assert [r.params["text"] for r in fake.requests_for("sendMessage")] == ["while it runs"]


async def test_a_connection_dropped_after_the_request_is_fate_unknown(
    fake: FakeTelegram, bot: Bot
) -> None:
    alice = fake.user(1001, "Alice")
    fake.drop_next("sendMessage", chat_id=alice.id)

    with pytest.raises(NetworkError) as raised:
        await bot.send_message(alice.id, "did it arrive?")

    assert not isinstance(raised.value, NotSent | TimedOut)
    (seen,) = fake.requests_for("sendMessage")  # Telegram saw it: a retry could duplicate it
    assert seen.dropped and not seen.ok
    assert (seen.chat_id, seen.params["text"]) == (alice.id, "did it arrive?")
    await bot.send_message(alice.id, "the fault is used up")
    assert alice.inbox_texts == ["the fault is used up"]


async def test_drop_next_only_hits_its_chat(fake: FakeTelegram, bot: Bot) -> None:
    alice, bob = fake.user(1001, "Alice"), fake.user(1002, "Bob")
    fake.drop_next("sendMessage", chat_id=alice.id, times=2)
    await bot.send_message(bob.id, "unaffected")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(alice.id, "lost")
    await bot.send_message(alice.id, "arrives")
    assert (alice.inbox_texts, bob.inbox_texts) == (["arrives"], ["unaffected"])


async def test_no_answer_after_the_request_is_timed_out_not_notsent() -> None:
    """The server accepts and reads the request, then never answers: fate unknown."""
    received = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.readuntil(b"\r\n\r\n")
        received.set()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        with pytest.raises(TimedOut) as raised:
            await bot.send_message(1001, "hello?")
        assert not isinstance(raised.value, NotSent)
        assert received.is_set()
    finally:
        await request.shutdown()
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


def test_per_call_timeouts_read_ptbs_public_default_marker() -> None:
    """PTB passes ``BaseRequest.DEFAULT_NONE`` for "not given": the transport's own value."""
    assert _timeout(BaseRequest.DEFAULT_NONE, 5.0) == 5.0
    assert _timeout(None, 5.0) is None
    assert _timeout(2, 5.0) == 2.0
    with pytest.raises(TypeError):
        _timeout("soon", 5.0)


async def test_the_nudge_sender_retries_only_what_never_left(fake: FakeTelegram, bot: Bot) -> None:
    """NotSent is "not delivered" (retry); a dropped connection is "maybe delivered"."""
    alice = fake.user(1001, "Alice")
    nudge = OutgoingNudge(1, alice.id, Ritual.MORNING_HUG, 0, date(2025, 3, 3), "Bob")
    fake.drop_next("sendMessage", chat_id=alice.id)
    assert (await TelegramSender(bot).send(nudge)).outcome is Outcome.MAYBE

    request = AiohttpRequest()
    await request.initialize()
    try:
        nowhere = Bot(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/bot", request=request)
        assert (await TelegramSender(nowhere).send(nudge)).outcome is Outcome.NOT_SENT
    finally:
        await request.shutdown()


def test_what_telegram_sends_is_storable_text() -> None:
    """NUL (PostgreSQL refuses it) goes and a lone surrogate (no UTF-8 for it) becomes
    U+FFFD, in keys and values at any depth; a well-formed answer comes back as it was."""
    odd = rb'{"ok": true, "result": [{"text": "a\u0000b\ud800c", "from": {"n\u0000": "\udc00"}}]}'
    assert AiohttpRequest.parse_json_payload(odd)["result"] == [
        {"text": "ab\ufffdc", "from": {"n": "\ufffd"}}
    ]
    fine = '{"ok": true, "result": {"text": "😀 \\ud83d\\ude00 \\\\u0000"}}'.encode()
    assert AiohttpRequest.parse_json_payload(fine) == BaseRequest.parse_json_payload(fine)
    assert AiohttpRequest.parse_json_payload(fine)["result"]["text"] == "😀 😀 \\u0000"
