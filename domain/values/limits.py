"""Fair limits per person: token buckets, so one partner can never flood the other.

Two buckets per person, kept in the database (``rate_buckets``) so every bot process
shares them: ``ACT`` for every update someone sends (commands, texts, taps), and
``RELAY`` for everything that reaches the partner (relays, notes, shares, thanks). A
bucket holds ``capacity`` tokens, one comes back every ``refill``; an action takes one.
A burst is fine, a flood is not: 200 "thinking of you" in a minute reach the partner as
``RELAY.capacity`` plus one per ``refill`` — eight — and the sender is told kindly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    capacity: int
    refill: timedelta  # one token back every ``refill``

    def tokens_at(self, tokens: float, since: datetime, now: datetime) -> float:
        """The tokens held at ``now``, having held ``tokens`` at ``since``."""
        elapsed = max((now - since).total_seconds(), 0.0)
        return min(float(self.capacity), tokens + elapsed / self.refill.total_seconds())


ACT: Final = Bucket("act", capacity=30, refill=timedelta(seconds=2))
RELAY: Final = Bucket("relay", capacity=5, refill=timedelta(seconds=20))
