""" "Our history" counted: days connected take both partners, rituals most first, no streak."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.values.calendar import CALENDAR_WEEKS, couple_story, first_calendar_day
from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.weekly_summary import EventRecord

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 26)  # a Thursday
ANNA, BEN = 1, 2


def at(day: date, hour: int, actor: int, kind: MomentKind = MomentKind.HUG) -> EventRecord:
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN).astimezone(UTC)
    return EventRecord(actor, kind, moment, EventSource.MOMENT)


def test_twelve_whole_weeks_ending_this_sunday() -> None:
    first = first_calendar_day(TODAY)
    assert first.weekday() == 0 and first == date(2026, 9, 7)
    result = couple_story(
        [], asker_id=ANNA, tz=BERLIN, today=TODAY, paired_on=first, all_time_total=0
    )
    assert len(result.days) == CALENDAR_WEEKS * 7
    assert result.days[-1].day == date(2026, 11, 29)


def test_a_day_is_connected_only_when_both_reached_out_in_their_own_zone() -> None:
    monday = date(2026, 11, 23)
    result = couple_story(
        [
            at(monday, 8, ANNA),
            at(monday, 23, BEN),  # 23:00 in Berlin is 22:00 UTC: still Monday here
            at(monday + timedelta(days=1), 9, ANNA),
            at(monday + timedelta(days=1), 10, ANNA),  # twice alone is not together
        ],
        asker_id=ANNA,
        tz=BERLIN,
        today=TODAY,
        paired_on=date(2026, 9, 1),
        all_time_total=4,
    )
    assert result.days_connected == 1
    tuesday = next(d for d in result.days if d.day == monday + timedelta(days=1))
    assert (tuesday.asker, tuesday.partner, tuesday.connected) == (2, 0, False)


def test_a_missed_day_takes_nothing_away_and_the_count_is_all_time() -> None:
    days = [TODAY - timedelta(days=n) for n in (1, 3)]  # a gap between
    result = couple_story(
        [e for day in days for e in (at(day, 9, ANNA), at(day, 10, BEN))],
        asker_id=ANNA,
        tz=BERLIN,
        today=TODAY,
        paired_on=date(2026, 9, 1),
        all_time_total=250,
    )
    assert result.days_connected == 2 and result.all_time_total == 250


def test_rituals_most_first_ties_in_ritual_order_and_none_never_done() -> None:
    monday = date(2026, 11, 23)
    result = couple_story(
        [
            at(monday, 9, ANNA, MomentKind.GOODNIGHT),
            at(monday, 9, BEN, MomentKind.GOODNIGHT),
            at(monday, 9, ANNA, MomentKind.APPRECIATION),
            at(monday, 9, BEN, MomentKind.HUG),
            at(monday, 9, BEN, MomentKind.SMILE),  # not a ritual's moment
        ],
        asker_id=ANNA,
        tz=BERLIN,
        today=TODAY,
        paired_on=date(2026, 9, 1),
        all_time_total=5,
    )
    assert [(r.ritual, r.moments) for r in result.top_rituals] == [
        (Ritual.BEDTIME, 2),
        (Ritual.MORNING_HUG, 1),
        (Ritual.DINNER_APPRECIATION, 1),
    ]
