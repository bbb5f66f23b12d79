"""Webhook mode: the real bot behind uvicorn, the fake Bot API POSTing updates to it.

The secret header is checked before anything else (403, nothing stored), an update is
answered only after its unit of work committed, a redelivered update changes nothing, and
``/healthz`` and ``/metrics`` say how the bot is doing.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.app import build_application
from bot.settings import Settings
from bot.web.server import SECRET_HEADER, build_web_app
from domain.values.clock import ManualClock
from storage.database import Database
from storage.models import Base
from tests.e2e.conftest import TOKEN, WEBHOOK_SECRET, WebhookHarness
from tests.e2e.support import pair_up, say, snapshot

ALICE, BOB = 1001, 1002


async def _rows(db: Database) -> dict[str, int]:
    """How many rows every table holds: nothing stored means all of them unchanged."""
    async with db.transaction() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _start_update(update_id: int) -> dict[str, Any]:
    user = {"id": ALICE, "is_bot": False, "first_name": "Alice"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "from": user,
            "chat": {"id": ALICE, "type": "private", "first_name": "Alice"},
            "date": 1_700_000_000,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def _metric(base_url: str, name: str, **labels: str) -> float:
    """A sample's value on /metrics, parsed as Prometheus would (0 when absent)."""
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def test_a_conversation_by_webhook_and_the_metrics_count_it(
    webhook_harness: WebhookHarness,
) -> None:
    h = webhook_harness
    assert h.fake.webhook_url.endswith("/telegram")
    assert h.fake.webhook_secret == WEBHOOK_SECRET
    name = "microconnect_updates_total"
    before = await _metric(h.base_url, name, type="message", outcome="handled")
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await alice.send("/thinking picnic")
    await bob.wait_for(lambda m: "picnic" in m.body)
    await h.settled()
    assert await _metric(h.base_url, name, type="message", outcome="handled") >= before + 4
    assert await _metric(h.base_url, name, type="callback_query", outcome="handled") >= 1
    latency = "microconnect_update_seconds_count"
    assert await _metric(h.base_url, latency, type="message") >= 4
    sent = await _metric(h.base_url, "microconnect_deliveries_total", source="outbox")
    assert sent >= 1, "the relay to Bob went through the outbox"
    assert await _metric(h.base_url, "microconnect_outbox_depth") == 0
    assert all(status == 200 for _, status in h.fake.webhook_posts)


@pytest.mark.parametrize("secret", [None, "wrong-secret", WEBHOOK_SECRET + "x"])
async def test_a_post_without_the_right_secret_is_refused_and_nothing_is_stored(
    webhook_harness: WebhookHarness, secret: str | None
) -> None:
    h = webhook_harness
    before = await _rows(h.db)
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{h.base_url}/telegram", json=_start_update(424242), headers=headers
        )
    assert response.status_code == 403
    await h.settled()
    assert await _rows(h.db) == before
    assert h.fake.requests_for("sendMessage") == []


async def test_an_update_posted_twice_has_one_effect(webhook_harness: WebhookHarness) -> None:
    h = webhook_harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await say(alice, "/thinking by the river")
    await bob.wait_for(lambda m: "by the river" in m.body)
    await h.settled()
    update = h.fake.updates[-1]
    before, requests = await snapshot(h), len(h.fake.requests)
    await h.fake.deliver_again(update)  # what Telegram does when an answer was lost
    await h.settled()
    posts = [
        status for update_id, status in h.fake.webhook_posts if update_id == update["update_id"]
    ]
    assert posts == [200, 200]
    assert await snapshot(h) == before
    assert h.fake.requests[requests:] == [], "the copy made the bot call Telegram"
    assert [m.body for m in bob.chat].count(
        next(m.body for m in bob.chat if "river" in m.body)
    ) == 1


async def test_healthz_is_200_while_the_database_answers(webhook_harness: WebhookHarness) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{webhook_harness.base_url}/healthz")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "unreachable",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere",  # the discard port: closed
        "sqlite+aiosqlite:////nonexistent-directory/microconnect.db",
    ],
)
async def test_healthz_is_503_when_the_database_does_not_answer(
    unreachable: str, clock: ManualClock
) -> None:
    settings = Settings(telegram_bot_token=TOKEN, database_url=unreachable)
    db = Database.from_url(unreachable)
    app = build_application(settings, db, clock=clock, rng=random.Random(1), run_jobs=False)
    web = build_web_app(app)
    try:
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            health = await client.get("/healthz")
            metrics = await client.get("/metrics")
    finally:
        await db.dispose()
    assert health.status_code == 503
    assert metrics.status_code == 200, "the counters are served even while the database is down"
    assert list(text_string_to_metric_families(metrics.text))
