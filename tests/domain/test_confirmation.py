"""A destructive confirmation is bound to its prompt: its nonce, its action, a few minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.values import confirmation
from domain.values.confirmation import LIFETIME, Action

OFFERED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_the_offered_nonce_confirms_its_action_for_a_few_minutes() -> None:
    pending = confirmation.offer(Action.FORGET, OFFERED)
    stored = pending.store()
    assert len(stored) <= 64  # users.confirmation is String(64)
    loaded = confirmation.load(stored)
    assert loaded is not None
    assert loaded.confirms(Action.FORGET, pending.nonce, OFFERED + LIFETIME)
    assert not loaded.confirms(Action.FORGET, pending.nonce, OFFERED + LIFETIME * 2)
    assert not loaded.confirms(Action.UNPAIR, pending.nonce, OFFERED)
    assert not loaded.confirms(Action.FORGET, pending.nonce[:-1] + "!", OFFERED)


def test_each_prompt_gets_its_own_nonce() -> None:
    nonces = {confirmation.offer(Action.UNPAIR, OFFERED).nonce for _ in range(50)}
    assert len(nonces) == 50 and all(":" not in n for n in nonces)


@pytest.mark.parametrize("stored", [None, "", "forget", "forget:@1", "delete:abc@1", "forget:a@x"])
def test_damaged_values_confirm_nothing(stored: str | None) -> None:
    pending = confirmation.load(stored)
    assert pending is None or not pending.confirms(
        Action.FORGET, "a", OFFERED + timedelta(seconds=1)
    )
