"""How likely a ritual's nudge is sent on a day it is due, and when that chance comes down.

Each planned nudge is a decision point: sent with probability ``p``, bounded to
``[FLOOR, CEILING]`` so the effect of a nudge stays estimable (a point is only informative
when both answers were possible). ``p`` comes down step by step when a nudge has become a
habit (the person acts whether nudged or not) or when nudges go unanswered; it stays when the
nudge clearly helps. Pure: the daily job in ``scheduling/`` feeds it the estimates.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Final

from domain.values.excursion import Effect, Interval

DEFAULT_PROBABILITY: Final = 0.6
FLOOR: Final = 0.2
CEILING: Final = 0.8
#: An effect inside ±this (on the chance of acting) counts as "no difference".
NEAR_ZERO: Final = 0.2
#: Acting this often without a nudge is doing it on one's own.
HABIT_BASE: Final = 0.5
#: Sent nudges of the last days that were acted on less often than this: being ignored.
IGNORED_RATE: Final = 0.2
#: Fewer points than this say too little to change anything.
MIN_POINTS: Final = 5
MIN_SENT: Final = 4
MIN_WITHHELD: Final = 3
#: Acting on this share of un-nudged days is doing it on one's own.
HABIT_RATE: Final = 0.7


class Reason(StrEnum):
    """Why a ritual's chance changed; stored with every change."""

    HABIT = "habit"  # they do it on their own
    IGNORED = "ignored"  # the nudges go unanswered
    ASKED = "asked"  # "Yes, fewer" in the weekly reflection


def probability_of(stored: float | None) -> float:
    """The chance a person's ritual nudge is sent: their stored one, or the default."""
    value = DEFAULT_PROBABILITY if stored is None else stored
    return min(max(value, FLOOR), CEILING)


def draw(probability: float, rng: random.Random) -> bool:
    """The decision point's draw: send (True) or not."""
    return rng.random() < probability


def lowered(probability: float) -> float:
    """Half the chance, down to the floor: 0.6 → 0.3 → 0.2.

    Halving, not a small fixed step, because the evidence that lowers a chance (days of
    ignored nudges, or of doing the ritual anyway) is already strong when it arrives:
    a step of 0.1 every few days kept a disengaged partner nudged almost daily for a month.
    """
    return max(FLOOR, round(probability / 2, 2))


@dataclass(frozen=True, slots=True)
class Recent:
    """A person's recent available decision points for one ritual, as counts."""

    sent: int
    acted_when_sent: int
    withheld: int
    acted_when_withheld: int

    @property
    def points(self) -> int:
        return self.sent + self.withheld


def adapt(probability: float, recent: Recent, everything: Recent | None = None) -> Reason | None:
    """Why to lower this ritual's chance now, or None to keep it.

    ``recent`` counts this ritual's points of the last days; ``everything`` the person's
    points of every ritual over the same days. Two weeks of one person's points cannot make
    their own effect's interval narrow (that is what the weekly reflection reports, after
    three weeks and with everyone's help), so these rules read plain counts:

    * a habit: they act on most days without a nudge, and not less often than with one
      (a nudge cannot add much to acting anyway: the effect is at most ``1 - base``);
    * ignored: the nudges that went out — of this ritual, or of all of them together —
      were mostly not acted on, so they cannot be helping much either. Someone who lets
      every nudge pass is told so by all their rituals at once, long before any single
      ritual has enough points of its own.

    Anything else keeps the chance, a clear positive effect included. At the floor nothing
    changes.
    """
    if probability <= FLOOR:
        return None
    if recent.points >= MIN_POINTS and recent.withheld >= MIN_WITHHELD:
        unprompted = recent.acted_when_withheld / recent.withheld
        prompted = recent.acted_when_sent / recent.sent if recent.sent else unprompted
        if unprompted >= HABIT_RATE and prompted - unprompted < NEAR_ZERO:
            return Reason.HABIT
    if recent.sent and any(_ignored(c) for c in (recent, everything) if c is not None):
        return Reason.IGNORED
    return None


def _ignored(counts: Recent) -> bool:
    """Enough nudges went out, and hardly any was acted on."""
    return counts.sent >= MIN_SENT and counts.acted_when_sent < IGNORED_RATE * counts.sent


#: How long after a decision point its outcome is counted ("within the next few hours").
OUTCOME_WINDOW: Final = timedelta(hours=4)
#: The weekly reflection speaks of a ritual's effect only after this many weeks of points.
WEEKS_TO_SPEAK: Final = 3


@dataclass(frozen=True, slots=True)
class StoredEffect:
    """A person's latest estimate for one ritual, as the weekly reflection reads it."""

    weeks: int  # weeks of decision points it is based on
    effect: Interval
    base: float
    ratio: Interval | None

    @classmethod
    def of(cls, effect: Effect, weeks: int) -> StoredEffect:
        return cls(weeks, effect.effect, effect.base, effect.ratio)

    def to_json(self) -> str:
        ratio = None if self.ratio is None else _triple(self.ratio)
        return json.dumps(
            {"weeks": self.weeks, "effect": _triple(self.effect), "base": self.base, "ratio": ratio}
        )

    @classmethod
    def from_json(cls, text: str | None) -> StoredEffect | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            ratio = None if data["ratio"] is None else Interval(*data["ratio"])
            return cls(int(data["weeks"]), Interval(*data["effect"]), float(data["base"]), ratio)
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def is_habit(self) -> bool:
        """Done as often without a nudge as with one, confidently."""
        return (
            self.base >= HABIT_BASE
            and self.effect.low > -NEAR_ZERO
            and self.effect.high < NEAR_ZERO
        )

    @property
    def clearly_helps(self) -> bool:
        return self.effect.low > 0 and self.ratio is not None


def _triple(interval: Interval) -> list[float]:
    return [round(interval.estimate, 4), round(interval.low, 4), round(interval.high, 4)]
