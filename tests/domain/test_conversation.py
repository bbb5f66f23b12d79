"""Conversation state survives the database round trip; damaged or expired values read as
nothing, so an unanswered question never swallows what the person types hours later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.values import conversation
from domain.values.conversation import (
    PROMPT_LIFETIME,
    Awaiting,
    AwaitingMomentNote,
    AwaitingTimezone,
    AwaitingWords,
)

ASKED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "awaiting",
    [AwaitingTimezone(), AwaitingWords(7), AwaitingMomentNote(2**63 - 1, 2**63 - 1)],
)
def test_round_trip_fits_the_column(awaiting: Awaiting) -> None:
    stored = conversation.store(awaiting, ASKED)
    assert stored is not None and len(stored) <= 64  # users.awaiting is String(64)
    assert conversation.load(stored, ASKED + PROMPT_LIFETIME) == awaiting


@pytest.mark.parametrize("awaiting", [AwaitingTimezone(), AwaitingWords(7)])
def test_an_unanswered_prompt_expires(awaiting: Awaiting) -> None:
    stored = conversation.store(awaiting, ASKED)
    assert conversation.load(stored, ASKED + PROMPT_LIFETIME + timedelta(seconds=1)) is None
    assert conversation.load(stored, ASKED - timedelta(minutes=1)) is None  # a clock jump


@pytest.mark.parametrize(
    "stored",
    ["note:", "note:1", "note:1:", "note:x:2", "note:1:2:3", "note:١:2", "note:1:" + "9" * 20],
)
def test_damaged_values_read_as_nothing(stored: str) -> None:
    stamp = f"@{int(ASKED.timestamp())}"
    assert conversation.load(stored + stamp, ASKED) is None
    assert conversation.load(stored, ASKED) is None


def test_values_from_before_prompts_expired_read_as_nothing() -> None:
    assert conversation.load("timezone", ASKED) is None
    assert conversation.load("nudge:7", ASKED) is None
