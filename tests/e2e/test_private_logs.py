"""What people write never reaches the logs, even with LOG_LEVEL=DEBUG, by polling or by
webhook, as text or JSON; nor does the token or the webhook's secret."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot import log_setup
from storage.database import Database
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
SECRET_OFFER = "the-ring-is-in-the-blue-box"
SECRET_MOMENT = "we-danced-in-the-kitchen-at-midnight"


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
    # Free text offered to the partner, and sent.
    offer = await say(alice, SECRET_OFFER)
    await tap(alice, "💌 Yes, send it", message_id=offer.message_id)
    await bob.wait_for(lambda m: SECRET_OFFER in m.body)
    # "✨ Something else", described.
    menu = await say(bob, "/moment")
    await tap(bob, "✨ Something else", message_id=menu.message_id)
    await bob.wait_for_edit(menu.message_id)
    await bob.send(SECRET_MOMENT)
    await bob.wait_for(lambda m: SECRET_MOMENT in m.body)
    # The new flows: a copy of one's data (which holds the notes), then leaving.
    await alice.send("/export")
    export = await alice.wait_for(lambda m: m.document is not None)
    assert SECRET_NOTE.encode() in (export.document or b"")
    ask = await say(bob, "/unpair")
    await tap(bob, "Yes, end it — delete my history", message_id=ask.message_id)
    ask = await alice.wait_for(lambda m: "ended your pairing" in m.body)
    ask = await say(alice, "/forget_me")
    await tap(alice, "Yes, delete everything", message_id=ask.message_id)
    await alice.wait_for(lambda m: "everything about you is deleted" in m.body)
    await h.settled()
    logging.getLogger("tests").debug("end of the journey")
    logged = capsys.readouterr().err
    assert "end of the journey" in logged, "the check would prove nothing"
    for secret in (SECRET_NOTE, SECRET_OFFER, SECRET_MOMENT):
        assert secret not in logged, secret
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


async def test_a_database_error_never_carries_the_words_it_was_given(db: Database) -> None:
    """An error while writing someone's note (logged by the error handler) names the
    statement, never its parameters."""
    with pytest.raises(DBAPIError) as failed:
        async with db.transaction() as session:
            await session.execute(text("SELECT :note FROM no_such_table"), {"note": SECRET_NOTE})
    assert "no_such_table" in str(failed.value)
    assert SECRET_NOTE not in str(failed.value)
