"""PostgreSQL unreachable for a while (a test-owned proxy cut, never the shared server):
the bot keeps running, says so once, and after it is back everything is done once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import make_url, select

from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.models import ConnectionEvent
from tests.conftest import POSTGRES_URL, throwaway_postgres_database
from tests.e2e.conftest import Harness, pair
from tests.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL is not set"),
]

DOWN = "the database is not answering"
BACK = "the database is back"
OUTAGE_SECONDS = 5


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    assert POSTGRES_URL
    server = make_url(POSTGRES_URL)
    async with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        yield proxy


@pytest.fixture
async def database_url(proxy: TcpProxy) -> AsyncIterator[str]:
    """The harness's database, reached through the proxy (overrides tests/conftest.py)."""
    assert POSTGRES_URL
    async with throwaway_postgres_database(POSTGRES_URL) as url:
        yield (
            make_url(url)
            .set(host="127.0.0.1", port=proxy.port)
            .render_as_string(hide_password=False)
        )


async def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
    try:
        async with asyncio.timeout(timeout):
            while True:
                if condition():
                    return
                await asyncio.sleep(0.01)  # a polling interval, not a wait for timing
    except TimeoutError:
        raise AssertionError(what) from None


async def test_an_outage_is_logged_once_and_nothing_is_lost(
    harness: Harness, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    alice, bob = h.user(1, "Alice"), h.user(2, "Bob")
    await pair(h, alice, bob)
    await h.settled()
    caplog.set_level(logging.INFO)

    def said(text: str) -> int:
        return sum(text in r.getMessage() for r in caplog.records)

    proxy.cut()
    await alice.send("/thinking miss your laugh")
    await _until(lambda: said(DOWN) >= 1, 30, "the outage was never noticed")
    # The periodic jobs tick on during the outage: quietly, without a traceback each time.
    for _ in range(3):
        await h.nudges.tick(h.nudges.dispatch)
        await h.nudges.tick(h.nudges.plan)
    await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself, not a wait for an effect
    assert proxy.refused >= 3, "the bot stopped trying"
    assert not any("Sent 💌" in (m.text or "") for m in alice.history)
    proxy.restore()

    await alice.wait_for(lambda m: "Sent 💌" in (m.text or ""), timeout=30)
    await bob.wait_for(lambda m: "miss your laugh" in (m.text or ""), timeout=30)
    await h.settled()
    await h.nudges.tick(h.nudges.dispatch)
    await h.settled()

    assert said(DOWN) == 1, [r.getMessage() for r in caplog.records if DOWN in r.getMessage()]
    assert said(BACK) == 1
    assert not [r for r in caplog.records if r.exc_info], "no traceback for an outage"
    relays = [m for m in bob.history if "miss your laugh" in (m.text or "")]
    assert len(relays) == 1
    assert sum("Sent 💌" in (m.text or "") for m in alice.history) == 1
    async with h.db.transaction() as session:
        notes = list(await session.scalars(select(ConnectionEvent.note)))
        outbox = list(await session.scalars(select(OutboxMessage.status)))
    assert notes.count("miss your laugh") == 1
    assert outbox.count(OutboxStatus.SENT) == len(outbox) >= 1
