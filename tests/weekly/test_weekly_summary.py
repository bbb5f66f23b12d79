"""Exact figures of summarize_week on constructed histories."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.weekly_summary import (
    DISPLAY_KINDS,
    EventRecord,
    Partner,
    WeeklySummary,
    week_bounds,
    week_start_for,
)
from tests.weekly.factories import (
    ANNA,
    BEN,
    BERLIN,
    NEW_YORK,
    PREVIOUS_WEEK,
    TOKYO,
    WEEK,
    event,
    local,
    nudge,
    summary_for,
)

K = MomentKind


def day(offset: int, start: date = WEEK) -> date:
    """Monday + offset days."""
    return start + timedelta(days=offset)


# --- week bounds ---------------------------------------------------------------------------


def test_week_bounds_are_local_midnights_in_utc() -> None:
    start, end = week_bounds(WEEK, TOKYO)
    assert start == datetime(2025, 11, 9, 15, 0, tzinfo=UTC)  # Mon 00:00 JST
    assert end == datetime(2025, 11, 16, 15, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=168)


def test_dst_autumn_week_has_169_hours_in_berlin() -> None:
    start, end = week_bounds(date(2025, 10, 20), BERLIN)  # clocks go back on Sun 26 Oct
    assert start == datetime(2025, 10, 19, 22, 0, tzinfo=UTC)  # 00:00 CEST
    assert end == datetime(2025, 10, 26, 23, 0, tzinfo=UTC)  # 00:00 CET
    assert end - start == timedelta(hours=169)


def test_dst_spring_week_has_167_hours_in_berlin() -> None:
    start, end = week_bounds(date(2026, 3, 23), BERLIN)  # clocks go forward on Sun 29 Mar
    assert end - start == timedelta(hours=167)


def test_week_bounds_refuse_a_non_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        week_bounds(date(2025, 11, 11), BERLIN)


@pytest.mark.parametrize(
    ("now_utc", "tz", "weeks_ago", "expected"),
    [
        (datetime(2025, 11, 12, 10, tzinfo=UTC), BERLIN, 0, WEEK),
        (datetime(2025, 11, 12, 10, tzinfo=UTC), BERLIN, 1, PREVIOUS_WEEK),
        # Sunday 16 Nov 15:30 UTC is already Monday 17 Nov 00:30 in Tokyo.
        (datetime(2025, 11, 16, 15, 30, tzinfo=UTC), TOKYO, 0, date(2025, 11, 17)),
        (datetime(2025, 11, 16, 15, 30, tzinfo=UTC), BERLIN, 0, WEEK),
        # Monday 17 Nov 03:00 UTC is still Sunday evening in New York.
        (datetime(2025, 11, 17, 3, 0, tzinfo=UTC), NEW_YORK, 0, WEEK),
        (datetime(2025, 11, 10, 0, 0, tzinfo=UTC), ZoneInfo("UTC"), 0, WEEK),
    ],
)
def test_week_start_for_uses_the_local_calendar(
    now_utc: datetime, tz: ZoneInfo, weeks_ago: int, expected: date
) -> None:
    assert week_start_for(now_utc, tz, weeks_ago=weeks_ago) == expected


def test_week_start_for_rejects_naive_time_and_negative_weeks() -> None:
    with pytest.raises(ValueError):
        week_start_for(datetime(2025, 11, 12, 10), BERLIN)
    with pytest.raises(ValueError):
        week_start_for(datetime(2025, 11, 12, 10, tzinfo=UTC), BERLIN, weeks_ago=-1)


# --- counts ------------------------------------------------------------------------------


def lively_fortnight() -> list[EventRecord]:
    """This week: 9 events, 3 connected days; last week: 4 events, 1 connected day."""
    return [
        # Monday: both -> connected
        event(ANNA, K.HUG, local(BERLIN, day(0), 8)),
        event(BEN, K.KISS, local(BERLIN, day(0), 8, 5)),
        # Tuesday: only Anna (twice) -> NOT connected
        event(ANNA, K.THINKING_OF_YOU, local(BERLIN, day(1), 12)),
        event(ANNA, K.APPRECIATION, local(BERLIN, day(1), 19)),
        # Wednesday: both -> connected; love back is its own kind
        event(BEN, K.THINKING_OF_YOU, local(BERLIN, day(2), 12), EventSource.RELAY),
        event(ANNA, K.LOVE_BACK, local(BERLIN, day(2), 12, 3), EventSource.RELAY),
        # Sunday: both -> connected
        event(ANNA, K.GOODNIGHT, local(BERLIN, day(6), 22), EventSource.NUDGE),
        event(BEN, K.GOODNIGHT, local(BERLIN, day(6), 22, 1)),
        event(BEN, K.SMILE, local(BERLIN, day(6), 9)),
        # last week
        event(ANNA, K.HUG, local(BERLIN, day(0, PREVIOUS_WEEK), 8)),
        event(BEN, K.HUG, local(BERLIN, day(0, PREVIOUS_WEEK), 9)),
        event(BEN, K.KISS, local(BERLIN, day(3, PREVIOUS_WEEK), 9)),
        event(BEN, K.OTHER, local(BERLIN, day(4, PREVIOUS_WEEK), 9)),
        # two weeks ago and next week: ignored
        event(ANNA, K.HUG, local(BERLIN, date(2025, 10, 30), 9)),
        event(ANNA, K.HUG, local(BERLIN, date(2025, 11, 17), 9)),
        # someone else entirely: ignored
        EventRecord(99, K.HUG, local(BERLIN, day(2), 9), EventSource.MOMENT),
    ]


def test_counts_per_kind_total_and_last_week() -> None:
    summary = summary_for(lively_fortnight(), all_time_total=40)
    this_week = {row.kind: row.this_week for row in summary.kinds if row.this_week}
    last_week = {row.kind: row.last_week for row in summary.kinds if row.last_week}
    assert this_week == {
        K.HUG: 1,
        K.KISS: 1,
        K.THINKING_OF_YOU: 2,
        K.LOVE_BACK: 1,
        K.APPRECIATION: 1,
        K.GOODNIGHT: 2,
        K.SMILE: 1,
    }
    assert last_week == {K.HUG: 2, K.KISS: 1, K.OTHER: 1}
    assert summary.count(K.LOVE_BACK).this_week == 1  # a reply, not another "thinking of you"
    assert [row.kind for row in summary.kinds] == list(DISPLAY_KINDS)
    assert (summary.total, summary.total_last_week) == (9, 4)
    assert summary.all_time_total == 40


def test_days_connected_needs_both_partners_on_the_same_local_day() -> None:
    summary = summary_for(lively_fortnight())
    assert summary.days_connected == 3  # Mon, Wed, Sun; Tuesday was Anna alone
    assert [d.connected for d in summary.daily] == [True, False, True, False, False, False, True]
    assert summary.days_connected_last_week == 1


def test_per_partner_and_per_day_counts() -> None:
    summary = summary_for(lively_fortnight())
    assert (summary.asker_count, summary.partner_count) == (5, 4)
    assert [(d.asker, d.partner) for d in summary.daily] == [
        (1, 1), (2, 0), (1, 1), (0, 0), (0, 0), (0, 0), (1, 2),
    ]  # fmt: skip
    assert [d.day for d in summary.daily] == [day(i) for i in range(7)]


def test_the_week_before_day_by_day_for_the_mini_apps_line() -> None:
    summary = summary_for(lively_fortnight())
    assert [d.total for d in summary.daily_last_week] == [2, 0, 0, 1, 1, 0, 0]
    assert [d.day for d in summary.daily_last_week] == [day(i, PREVIOUS_WEEK) for i in range(7)]


def test_flags_for_an_active_couple() -> None:
    summary = summary_for(lively_fortnight(), all_time_total=40)
    assert not summary.is_empty
    assert not summary.is_first_week
    assert summary.days_elapsed == 7
    assert not summary.in_progress


def test_all_time_total_never_falls_below_what_is_in_view() -> None:
    assert summary_for(lively_fortnight(), all_time_total=0).all_time_total == 13


# --- time zones --------------------------------------------------------------------------


def test_tokyo_sunday_2330_is_this_week_and_monday_0030_is_next() -> None:
    sunday_late = local(TOKYO, day(6), 23, 30)
    monday_early = local(TOKYO, day(7), 0, 30)
    assert sunday_late == datetime(2025, 11, 16, 14, 30, tzinfo=UTC)  # still Sunday in UTC too
    events = [event(ANNA, K.HUG, sunday_late), event(BEN, K.HUG, monday_early)]
    summary = summary_for(events, tz=TOKYO)
    assert summary.total == 1
    assert summary.daily[6].asker == 1
    next_week = summary_for(events, tz=TOKYO, week_start=day(7))
    assert (next_week.total, next_week.total_last_week) == (1, 1)
    assert next_week.daily[0].partner == 1


def test_monday_0030_tokyo_is_sunday_in_utc_yet_belongs_to_monday() -> None:
    monday_early = local(TOKYO, WEEK, 0, 30)
    assert monday_early.weekday() == 6  # Sunday 15:30 UTC
    summary = summary_for([event(ANNA, K.HUG, monday_early)], tz=TOKYO)
    assert summary.daily[0].asker == 1
    assert summary.total_last_week == 0


def test_dst_week_counts_the_extra_hour_and_the_last_local_minutes() -> None:
    monday = date(2025, 10, 20)
    events = [
        event(ANNA, K.HUG, local(BERLIN, monday, 0, 10)),  # first minutes of the week
        event(BEN, K.HUG, local(BERLIN, date(2025, 10, 26), 2, 30)),  # the repeated hour
        event(ANNA, K.KISS, local(BERLIN, date(2025, 10, 26), 23, 30)),  # 22:30 UTC
        event(BEN, K.KISS, local(BERLIN, date(2025, 10, 27), 0, 15)),  # next week
        event(BEN, K.KISS, local(BERLIN, date(2025, 10, 19), 23, 50)),  # previous week
    ]
    summary = summary_for(events, week_start=monday)
    assert summary.total == 3
    assert summary.total_last_week == 1
    assert [d.total for d in summary.daily] == [1, 0, 0, 0, 0, 0, 2]
    assert summary.days_connected == 1  # Sunday 26 Oct: Ben at 02:30, Anna at 23:30


def test_the_askers_zone_defines_the_week_when_partners_live_apart() -> None:
    # Ben, in New York, sends love on Sunday 16 Nov at 20:00 his time: Monday 10:00 in Tokyo.
    ben_sunday_evening = local(NEW_YORK, day(6), 20)
    anna_sunday = local(TOKYO, day(6), 22)  # Sunday 08:00 in New York
    events = [event(BEN, K.THINKING_OF_YOU, ben_sunday_evening), event(ANNA, K.HUG, anna_sunday)]
    anna_view = summary_for(events, asker=ANNA, partner=BEN, tz=TOKYO)
    ben_view = summary_for(events, asker=BEN, partner=ANNA, tz=NEW_YORK)
    assert (anna_view.total, anna_view.days_connected) == (1, 0)
    assert (ben_view.total, ben_view.days_connected) == (2, 1)  # both on his Sunday


# --- nudges ------------------------------------------------------------------------------


def test_nudge_responsiveness_is_couple_wide_with_a_median() -> None:
    sent = local(BERLIN, day(1), 8)
    nudges = [
        nudge(ANNA, sent, after_minutes=4),
        nudge(BEN, sent, after_minutes=12),
        nudge(ANNA, local(BERLIN, day(2), 8), after_minutes=30),
        nudge(BEN, local(BERLIN, day(3), 8), declined=True),  # "Not today": not acted on
        nudge(ANNA, local(BERLIN, day(4), 8)),  # no answer
        nudge(ANNA, local(BERLIN, day(0, PREVIOUS_WEEK), 8), after_minutes=1),  # last week
        nudge(Partner(99, "Someone"), sent, after_minutes=1),  # not this couple
    ]
    stats = summary_for([], nudges).nudges
    assert (stats.sent, stats.acted, stats.declined) == (5, 3, 1)
    assert stats.median_minutes_to_act == 12


def test_declined_nudge_with_a_response_time_is_not_acting() -> None:
    declined = nudge(ANNA, local(BERLIN, day(1), 8), after_minutes=2, declined=True)
    stats = summary_for([], [declined]).nudges
    assert (stats.sent, stats.acted, stats.declined) == (1, 0, 1)
    assert stats.median_minutes_to_act is None


def test_no_usual_response_time_from_fewer_than_three_answers() -> None:
    sent = local(BERLIN, day(1), 8)
    stats = summary_for([], [nudge(ANNA, sent, after_minutes=m) for m in (3, 5)]).nudges
    assert (stats.sent, stats.acted, stats.median_minutes_to_act) == (2, 2, None)
    stats = summary_for([], [nudge(ANNA, sent, after_minutes=m) for m in (3, 5, 40)]).nudges
    assert stats.median_minutes_to_act == 5


def test_median_of_an_even_number_of_answers() -> None:
    sent = local(BERLIN, day(1), 8)
    nudges = [nudge(ANNA, sent, after_minutes=m) for m in (2, 4, 10, 100)]
    assert summary_for([], nudges).nudges.median_minutes_to_act == 7


# --- counted from the pairing on ---------------------------------------------------------


def test_nothing_from_before_the_pairing_is_counted() -> None:
    """Paired on Thursday 10:00: Monday's moments and nudge belong to no couple here."""
    paired = local(BERLIN, day(3), 10)
    events = [
        event(ANNA, K.HUG, local(BERLIN, day(0), 9)),
        event(BEN, K.HUG, local(BERLIN, day(0), 9, 5)),
        event(ANNA, K.KISS, local(BERLIN, day(3), 9)),  # an hour before
        event(ANNA, K.KISS, local(BERLIN, day(3), 11)),
        event(BEN, K.SMILE, local(BERLIN, day(4), 11)),
        event(BEN, K.HUG, local(BERLIN, day(0, PREVIOUS_WEEK), 11)),
    ]
    nudges = [
        nudge(ANNA, local(BERLIN, day(0), 8), after_minutes=2),
        nudge(BEN, local(BERLIN, day(4), 8), after_minutes=6),
    ]
    friday = local(BERLIN, day(4), 20)
    summary = summary_for(events, nudges, paired_at=paired, all_time_total=2, now_utc=friday)
    assert (summary.total, summary.total_last_week) == (2, 0)
    assert summary.days_connected == 0  # Monday's pair of hugs was before them
    assert (summary.days_elapsed, summary.days_counted) == (5, 2)  # Thursday and Friday
    assert summary.paired_mid_week and not summary.before_pairing
    assert summary.paired_on == day(3)
    assert (summary.nudges.sent, summary.nudges.acted) == (1, 1)
    assert summary.is_first_week


def test_a_week_wholly_before_the_pairing() -> None:
    paired = local(BERLIN, day(3), 10)
    summary = summary_for(
        [event(ANNA, K.HUG, local(BERLIN, day(4)))],
        week_start=PREVIOUS_WEEK,
        paired_at=paired,
        all_time_total=1,
        later_total=1,
    )
    assert summary.before_pairing and summary.days_counted == 0
    assert (summary.total, summary.all_time_total, summary.later_total) == (0, 1, 1)


# --- replies to a "thinking of you" ---------------------------------------------------------


def test_a_thinking_of_you_is_answered_by_love_back_or_a_moment_within_three_hours() -> None:
    noon = local(BERLIN, day(1), 12)
    events = [
        # 1: answered by Ben's love back the next morning (it names this very message)
        event(ANNA, K.THINKING_OF_YOU, noon, event_id=1),
        event(BEN, K.LOVE_BACK, noon + timedelta(hours=20), event_id=2, answers=1),
        # 3: answered by Anna's own hug 2.5 hours later
        event(BEN, K.THINKING_OF_YOU, local(BERLIN, day(3), 9), event_id=3),
        event(ANNA, K.HUG, local(BERLIN, day(3), 11, 30), event_id=4),
        # 5: only Ben's own follow-up, and Anna's moment 4 hours later: no reply
        event(BEN, K.THINKING_OF_YOU, local(BERLIN, day(4), 9), event_id=5),
        event(BEN, K.KISS, local(BERLIN, day(4), 9, 30), event_id=6),
        event(ANNA, K.HUG, local(BERLIN, day(4), 13, 1), event_id=7),
        # 8: Sunday night, answered after midnight (the events read reach a day past the end)
        event(ANNA, K.THINKING_OF_YOU, local(BERLIN, day(6), 23), event_id=8),
        event(BEN, K.LOVE_BACK, local(BERLIN, day(7), 7), event_id=9, answers=8),
        # 10: a love-back to a message from last week is counted with last week, not here
        event(BEN, K.LOVE_BACK, local(BERLIN, day(2), 8), event_id=10, answers=99),
    ]
    summary = summary_for(events)
    assert (summary.bids.sent, summary.bids.answered) == (4, 3)
    assert summary.count(K.LOVE_BACK).this_week == 2  # the Monday-after one is next week's


def test_a_love_back_from_the_sender_themselves_is_no_reply() -> None:
    noon = local(BERLIN, day(1), 12)
    events = [
        event(ANNA, K.THINKING_OF_YOU, noon, event_id=1),
        event(ANNA, K.LOVE_BACK, noon + timedelta(hours=5), event_id=2, answers=1),
    ]
    assert summary_for(events).bids == summary_for(events[:1]).bids
    assert summary_for(events).bids.answered == 0


# --- weakest ritual ----------------------------------------------------------------------


def test_weakest_ritual_is_the_core_ritual_with_fewest_moments() -> None:
    when = local(BERLIN, day(2))
    kinds = [K.HUG, K.HUG, K.THINKING_OF_YOU, K.APPRECIATION, K.GOODNIGHT, K.KISS, K.KISS]
    summary = summary_for(
        [event(ANNA, kind, when) for kind in kinds[:-2]]
        + [
            event(BEN, K.HUG, when),
        ]
    )
    assert summary.weakest_ritual is Ritual.SIX_SECOND_KISS


def test_weakest_ritual_ties_follow_the_fixed_order() -> None:
    when = local(BERLIN, day(2))
    summary = summary_for([event(ANNA, K.HUG, when), event(BEN, K.KISS, when)])
    assert summary.weakest_ritual is Ritual.MIDDAY_THINKING
    assert summary_for([]).weakest_ritual is Ritual.MORNING_HUG


def test_love_back_is_not_a_thinking_of_you() -> None:
    when = local(BERLIN, day(2))
    events = [event(ANNA, kind, when) for kind in (K.HUG, K.APPRECIATION, K.GOODNIGHT, K.KISS)]
    summary = summary_for([*events, event(BEN, K.LOVE_BACK, when)])
    assert summary.count(K.THINKING_OF_YOU).this_week == 0
    assert summary.weakest_ritual is Ritual.MIDDAY_THINKING  # the one ritual nobody did


# --- special weeks -----------------------------------------------------------------------


def test_brand_new_couple_is_empty_and_first_week() -> None:
    summary = summary_for([], all_time_total=0)
    assert summary.is_empty and summary.is_first_week
    assert summary.total == summary.days_connected == 0


def test_first_active_week() -> None:
    summary = summary_for([event(ANNA, K.HUG, local(BERLIN, day(0)))])
    assert summary.is_first_week and not summary.is_empty


def test_empty_fortnight_after_active_weeks_is_empty_but_not_first() -> None:
    summary = summary_for([], all_time_total=57)
    assert summary.is_empty and not summary.is_first_week


def test_week_in_progress_knows_how_many_days_have_begun() -> None:
    wednesday = local(BERLIN, day(2), 9)
    summary = summary_for([], all_time_total=3, now_utc=wednesday)
    assert summary.days_elapsed == 3 and summary.in_progress
    after = summary_for([], all_time_total=3, now_utc=local(BERLIN, day(9)))
    assert after.days_elapsed == 7 and not after.in_progress


def test_inputs_are_validated() -> None:
    with pytest.raises(ValueError, match="two different"):
        summary_for([], asker=ANNA, partner=ANNA)
    naive = EventRecord(ANNA.user_id, K.HUG, datetime(2025, 11, 11, 9), EventSource.MOMENT)
    with pytest.raises(ValueError, match="aware"):
        summary_for([naive])
    with pytest.raises(ValueError, match="Monday"):
        summary_for([], week_start=day(1))


def test_summary_is_immutable() -> None:
    summary = summary_for([])
    with pytest.raises(AttributeError):
        summary.total = 3  # type: ignore[misc]


# --- both partners see the same figures ----------------------------------------------------


def figures(summary: WeeklySummary) -> tuple[object, ...]:
    """Everything that must not depend on who asks."""
    return (
        summary.kinds,
        summary.total,
        summary.total_last_week,
        summary.days_connected,
        summary.days_connected_last_week,
        summary.nudges,
        summary.all_time_total,
        summary.weakest_ritual,
        summary.is_empty,
        summary.is_first_week,
        summary.bids,
        summary.days_counted,
        tuple(d.total for d in summary.daily),
    )


fortnight_events = st.lists(
    st.builds(
        EventRecord,
        actor_id=st.sampled_from([ANNA.user_id, BEN.user_id, 99]),
        kind=st.sampled_from(list(MomentKind)),
        created_at=st.datetimes(
            min_value=datetime(2025, 10, 30),
            max_value=datetime(2025, 11, 19),
            timezones=st.just(UTC),
        ),
        source=st.sampled_from(list(EventSource)),
    ),
    max_size=60,
)


@given(fortnight_events, st.sampled_from([BERLIN, TOKYO, NEW_YORK]))
def test_both_partners_get_the_same_figures(events: list[EventRecord], tz: ZoneInfo) -> None:
    anna = summary_for(events, asker=ANNA, partner=BEN, tz=tz, all_time_total=500)
    ben = summary_for(events, asker=BEN, partner=ANNA, tz=tz, all_time_total=500)
    assert figures(anna) == figures(ben)
    assert (anna.asker_count, anna.partner_count) == (ben.partner_count, ben.asker_count)
    assert [(d.asker, d.partner) for d in anna.daily] == [(d.partner, d.asker) for d in ben.daily]


@given(fortnight_events)
def test_counts_add_up(events: list[EventRecord]) -> None:
    summary = summary_for(events, tz=TOKYO, all_time_total=0)
    assert sum(row.this_week for row in summary.kinds) == summary.total
    assert sum(row.last_week for row in summary.kinds) == summary.total_last_week
    assert summary.asker_count + summary.partner_count == summary.total
    assert summary.bids.answered <= summary.bids.sent == summary.count(K.THINKING_OF_YOU).this_week
    assert summary.days_connected == sum(d.connected for d in summary.daily) <= 7
    assert summary.all_time_total >= summary.total + summary.total_last_week
