"""The couple's story so far, for the Mini App's "Our history": pure counting, no I/O.

A calendar of the last weeks (a day is connected when *both* reached out, as in the weekly
reflection), the count of every moment since the pairing, and the rituals they do most.
Never a streak: a day missed takes nothing away from the days before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.values.kinds import RITUAL_MOMENT, Ritual
from domain.values.weekly_summary import DAYS_IN_WEEK, DayCount, EventRecord

#: How many weeks the calendar shows (about three months, one screen on a phone).
CALENDAR_WEEKS = 12


@dataclass(frozen=True, slots=True)
class RitualCount:
    ritual: Ritual
    moments: int


@dataclass(frozen=True, slots=True)
class CoupleStory:
    """What "Our history" shows; ``days`` runs Monday to Sunday, oldest week first."""

    days: tuple[DayCount, ...]
    today: date
    paired_on: date
    all_time_total: int
    #: The rituals' moments in the calendar's weeks, most first (ties: the Ritual order).
    top_rituals: tuple[RitualCount, ...]

    @property
    def days_connected(self) -> int:
        return sum(day.connected for day in self.days)


def first_calendar_day(today: date, weeks: int = CALENDAR_WEEKS) -> date:
    """The Monday ``weeks - 1`` weeks before this week's."""
    return today - timedelta(days=today.weekday() + DAYS_IN_WEEK * (weeks - 1))


def couple_story(
    events: Sequence[EventRecord],
    *,
    asker_id: int,
    tz: ZoneInfo,
    today: date,
    paired_on: date,
    all_time_total: int,
    weeks: int = CALENDAR_WEEKS,
) -> CoupleStory:
    """Count ``events`` (the couple's, from :func:`first_calendar_day` on) per local day."""
    first = first_calendar_day(today, weeks)
    length = weeks * DAYS_IN_WEEK
    asker, partner = [0] * length, [0] * length
    for event in events:
        index = (event.created_at.astimezone(tz).date() - first).days
        if 0 <= index < length:
            (asker if event.actor_id == asker_id else partner)[index] += 1
    kinds = Counter(event.kind for event in events)
    rituals = sorted(
        (RitualCount(r, kinds[m]) for r, m in RITUAL_MOMENT.items() if kinds[m]),
        key=lambda row: -row.moments,  # sorted() is stable: ties keep the Ritual order
    )
    return CoupleStory(
        days=tuple(
            DayCount(first + timedelta(days=i), asker[i], partner[i]) for i in range(length)
        ),
        today=today,
        paired_on=paired_on,
        all_time_total=all_time_total,
        top_rituals=tuple(rituals),
    )
