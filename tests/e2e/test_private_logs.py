"""What people write never reaches the logs, even with LOG_LEVEL=DEBUG, by polling or by
webhook, as text or JSON; nor does the token or the webhook's secret."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot import log_setup
from tests.e2e.conftest import TOKEN, WEBHOOK_SECRET, Harness, WebhookHarness
from tests.e2e.support import pair_up, say, tap

ALICE, BOB = 1001, 1002
#: The loggers ``log_setup.configure`` sets ("" is the root).
TOUCHED: tuple[str, ...] = (
    *("", "telegram", "sqlalchemy.engine", "aiosqlite", "asyncpg"),
    *("httpx", "httpcore", "apscheduler", "matplotlib", "uvicorn.error"),
)


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """``log_setup.configure`` changes process-wide logging; later tests get theirs back."""
    root = logging.getLogger()
    handlers, levels = root.handlers[:], {n: logging.getLogger(n).level for n in TOUCHED}
    yield
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


SECRET_NOTE = "our-secret-picnic-spot-by-the-river"


async def test_a_whole_journey_at_debug_logs_no_note_no_text_no_token(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    log_setup.configure("DEBUG", TOKEN)  # what LOG_LEVEL=DEBUG does: a handler on stderr
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await alice.send(f"/thinking {SECRET_NOTE}")
    await bob.wait_for(lambda m: SECRET_NOTE in m.body)
    menu = await say(bob, "/moment")
    await tap(bob, "🙏 Appreciation", message_id=menu.message_id)
    await say(alice, "how are we doing this week?")
    await h.settled()
    logging.getLogger("tests").debug("end of the journey")
    logged = capsys.readouterr().err
    assert "end of the journey" in logged, "the check would prove nothing"
    assert SECRET_NOTE not in logged
    assert "how are we doing this week" not in logged
    assert TOKEN not in logged


async def test_json_logs_by_webhook_have_a_line_per_update_and_nothing_private(
    webhook_harness: WebhookHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    # What LOG_FORMAT=json LOG_LEVEL=DEBUG MODE=webhook does.
    log_setup.configure("DEBUG", TOKEN, WEBHOOK_SECRET, json=True)
    h = webhook_harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await pair_up(h, alice, bob)
    await alice.send(f"/thinking {SECRET_NOTE}")
    await bob.wait_for(lambda m: SECRET_NOTE in m.body)
    await say(alice, "how are we doing this week?")
    await h.settled()
    logged = capsys.readouterr().err
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    updates = [line for line in lines if line["logger"] == "microconnect.updates"]
    assert len(updates) >= 6, "a line per update"
    assert {line["update_type"] for line in updates} == {"message", "callback_query"}
    assert {line["outcome"] for line in updates} == {"handled"}
    assert all(line["latency_ms"] >= 0 for line in updates)
    for secret in (SECRET_NOTE, "how are we doing this week", TOKEN, WEBHOOK_SECRET):
        assert secret not in logged
