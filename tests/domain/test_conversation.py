"""Conversation state survives the database round trip; damaged values read as nothing."""

from __future__ import annotations

import pytest

from domain.values import conversation
from domain.values.conversation import (
    Awaiting,
    AwaitingMomentNote,
    AwaitingTimezone,
    AwaitingWords,
)


@pytest.mark.parametrize(
    "awaiting",
    [AwaitingTimezone(), AwaitingWords(7), AwaitingMomentNote(2**63 - 1, 2**63 - 1)],
)
def test_round_trip_fits_the_column(awaiting: Awaiting) -> None:
    stored = conversation.store(awaiting)
    assert stored is not None and len(stored) <= 64  # users.awaiting is String(64)
    assert conversation.load(stored) == awaiting


@pytest.mark.parametrize(
    "stored",
    ["note:", "note:1", "note:1:", "note:x:2", "note:1:2:3", "note:١:2", "note:1:" + "9" * 20],
)
def test_damaged_values_read_as_nothing(stored: str) -> None:
    assert conversation.load(stored) is None
