"""The wall-clock window: the value every ritual, bedtime and quiet-hours setting is made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Final

DAY_SECONDS: Final = 86_400


@dataclass(frozen=True, slots=True)
class LocalWindow:
    """A wall-clock span ``[start, end)`` in the person's own zone, minute precision.

    ``end < start`` means the window runs past midnight into the next local day
    (quiet hours 23:00-06:30, a bedtime at 23:50±15 min).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value.tzinfo is not None or value.second or value.microsecond:
                raise ValueError(f"window bounds must be naive whole minutes, got {value}")
        if self.start == self.end:
            raise ValueError("a window must not be empty")

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    @property
    def span_seconds(self) -> tuple[int, int]:
        """``(start, end)`` in seconds after local midnight; ``end`` may exceed one day."""
        start = self.start.hour * 3600 + self.start.minute * 60
        end = self.end.hour * 3600 + self.end.minute * 60
        return start, end + DAY_SECONDS if end < start else end

    @property
    def minutes(self) -> int:
        """Length in wall-clock minutes (DST days may make the real span differ)."""
        start, end = self.span_seconds
        return (end - start) // 60

    def contains(self, value: time) -> bool:
        """Whether a wall-clock time falls inside ``[start, end)``, across midnight too."""
        if self.crosses_midnight:
            return value >= self.start or value < self.end
        return self.start <= value < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"
