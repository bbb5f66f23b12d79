"""The destructive confirmations' buttons carry their prompt's nonce, and nothing older parses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import callback_data as cd
from domain.values import confirmation
from domain.values.confirmation import Action


def test_the_largest_buttons_fit_in_64_bytes_and_round_trip() -> None:
    nonce = confirmation.offer(Action.UNPAIR, datetime(2026, 12, 2, tzinfo=UTC)).nonce
    for history in cd.History:
        button = cd.Unpair(2**63 - 1, nonce, history)
        assert cd.Unpair.parse(button.pack()) == button
    assert cd.Forget.parse(cd.Forget(nonce).pack()) == cd.Forget(nonce)


@pytest.mark.parametrize(
    "data",
    ["v1:forget", "v1:unpair:5", "v1:unpair:5:abc", "v1:unpair:5:abc:maybe", "v1:forget:"],
)
def test_buttons_from_before_the_nonce_or_damaged_ones_are_stale(data: str) -> None:
    assert cd.Forget.parse(data) is None and cd.Unpair.parse(data) is None
