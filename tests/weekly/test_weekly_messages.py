"""The weekly reflection's wording: warm, honest, phone-sized, the same figures for both."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.weekly_summary import EventRecord, WeeklySummary
from messages.weekly import (
    NOT_PAIRED_WEEKLY,
    SUGGESTIONS,
    chart_caption,
    format_week_range,
    render_summary,
    suggestion_for,
)
from tests.weekly.factories import (
    ANNA,
    BEN,
    BERLIN,
    PREVIOUS_WEEK,
    WEEK,
    event,
    local,
    nudge,
    summary_for,
)

K = MomentKind
BLAME_WORDS = re.compile(
    r"\b(fail\w*|broke|broken|lost|streak|only|should|must|lazy|behind|worse|worst|"
    r"didn't|did not|never|blame|neglect\w*|disappoint\w*|missed|less than|not enough)\b",
    re.IGNORECASE,
)
MAX_LINES = 15


def spread(who_counts: tuple[int, int], start: date = WEEK, kind: K = K.HUG) -> list[EventRecord]:
    """Anna's and Ben's moments, one per day round-robin from Monday."""
    events = []
    for who, count in zip((ANNA, BEN), who_counts, strict=True):
        events += [
            event(who, kind, local(BERLIN, start + timedelta(days=i % 7), 9)) for i in range(count)
        ]
    return events


def both_views(summary_anna: WeeklySummary, summary_ben: WeeklySummary) -> tuple[str, str]:
    """What Anna and Ben each read."""
    return (
        render_summary(summary_anna, asker_name="Anna", partner_name="Ben"),
        render_summary(summary_ben, asker_name="Ben", partner_name="Anna"),
    )


def numbers(text: str) -> list[str]:
    """Every figure in a message, in order."""
    return re.findall(r"\d[\d,]*", text)


def assert_kind(text: str) -> None:
    """Never blaming, never long, only the HTML Telegram understands."""
    assert not BLAME_WORDS.search(text), BLAME_WORDS.search(text)
    assert len(text.splitlines()) <= MAX_LINES
    assert set(re.findall(r"</?(\w+)", text)) <= {"b"}


# --- the usual week ------------------------------------------------------------------------


def busy_week() -> WeeklySummary:
    events = [
        *spread((4, 4)),
        event(ANNA, K.KISS, local(BERLIN, WEEK, 8)),
        event(BEN, K.THINKING_OF_YOU, local(BERLIN, WEEK + timedelta(days=2), 12)),
        event(ANNA, K.LOVE_BACK, local(BERLIN, WEEK + timedelta(days=2), 12)),
        *spread((2, 3), start=PREVIOUS_WEEK),
    ]
    sent = local(BERLIN, WEEK + timedelta(days=1), 8)
    nudges = [nudge(ANNA, sent, after_minutes=m) for m in (5, 12, 20, 3, 15)]
    nudges += [nudge(BEN, sent, declined=True), nudge(BEN, sent)]
    return summary_for(events, nudges, all_time_total=128)


def test_a_good_week_reads_warmly_with_exact_figures() -> None:
    text = render_summary(busy_week(), asker_name="Anna", partner_name="Ben")
    assert text.splitlines()[0] == "💞 <b>Your week together</b> · 10–16 Nov"
    assert "🤗 8 hugs (5 last week)" in text
    assert "💭 2 “thinking of you” messages" in text
    assert "💋 1 kiss" in text
    assert "<b>11 moments together</b> — up from 5 last week 🎉" in text
    assert "📅 4 of 7 days with a moment from each of you (2 last week)" in text
    assert "🤝 You both reached out" in text
    assert "Together you acted on 5 of 7 nudges, usually within 12 minutes." in text
    assert "💞 128 moments together so far" in text
    assert_kind(text)


def test_a_quieter_week_is_met_with_kindness() -> None:
    summary = summary_for(
        [*spread((2, 1)), *spread((6, 6), start=PREVIOUS_WEEK)], all_time_total=90
    )
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "<b>3 moments together</b> (12 last week) — some weeks are fuller than others" in text
    assert_kind(text)


def test_a_steady_week() -> None:
    summary = summary_for([*spread((2, 2)), *spread((2, 2), start=PREVIOUS_WEEK)])
    assert "steady, just like last week" in render_summary(
        summary, asker_name="Anna", partner_name="Ben"
    )


def test_many_kinds_fold_into_one_line_to_stay_short() -> None:
    when = local(BERLIN, WEEK, 9)
    summary = summary_for([event(ANNA, kind, when) for kind in K] * 2, all_time_total=60)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "🌸 12 other little moments" in text  # 10 display kinds: 4 lines + 6 kinds folded
    assert_kind(text)


# --- balance -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anna", "ben", "anna_reads", "ben_reads"),
    [
        (4, 4, "🤝 You both reached out", "🤝 You both reached out"),
        (4, 2, "🤝 You both reached out", "🤝 You both reached out"),  # 2x but only 2 apart
        (7, 4, "🤝 You both reached out", "🤝 You both reached out"),  # 3 apart but < 2x
        (
            6,
            1,
            "💐 You reached out a lot this week — lovely. Ben may be having a full week; "
            "a small check-in could help.",
            "💐 Anna reached out a lot this week — a “thank you” might feel good.",
        ),
        (
            3,
            0,
            "💐 You reached out a lot this week — lovely.",
            "💐 Anna reached out a lot this week",
        ),
        (
            0,
            2,
            "💐 Ben reached out this week — a “thank you” might feel good.",
            "💐 You reached out this week — lovely. Anna may be having a full week",
        ),
    ],
)
def test_balance_is_phrased_for_whoever_reads_it(
    anna: int, ben: int, anna_reads: str, ben_reads: str
) -> None:
    events = spread((anna, ben))
    anna_text, ben_text = both_views(
        summary_for(events, asker=ANNA, partner=BEN, all_time_total=30),
        summary_for(events, asker=BEN, partner=ANNA, all_time_total=30),
    )
    assert anna_reads in anna_text
    assert ben_reads in ben_text
    for text in (anna_text, ben_text):
        assert_kind(text)
        assert "reached out" in text


def test_balance_in_the_past_tense() -> None:
    summary = summary_for(spread((1, 7)), all_time_total=30)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert "💐 Ben reached out a lot last week — a “thank you” might feel good." in text
    summary = summary_for(spread((7, 1)), all_time_total=30)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert "Ben may have had a full week" in text


# --- both partners -------------------------------------------------------------------------


def test_both_partners_read_the_same_figures() -> None:
    events = [*spread((6, 1)), *spread((2, 5), start=PREVIOUS_WEEK)]
    nudges = [
        nudge(ANNA, local(BERLIN, WEEK, 8), after_minutes=9),
        nudge(BEN, local(BERLIN, WEEK, 8)),
    ]
    anna_text, ben_text = both_views(
        summary_for(events, nudges, asker=ANNA, partner=BEN, all_time_total=77),
        summary_for(events, nudges, asker=BEN, partner=ANNA, all_time_total=77),
    )
    assert numbers(anna_text) == numbers(ben_text)
    assert anna_text.splitlines()[-1] == ben_text.splitlines()[-1]  # the same suggestion


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([ANNA, BEN]),
            st.sampled_from(list(K)),
            st.integers(min_value=-7, max_value=6),
            st.integers(min_value=0, max_value=23),
        ),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=400),
    st.booleans(),
)
def test_any_history_renders_kindly_and_equally(
    raw: list[tuple[object, K, int, int]], extra: int, last_week: bool
) -> None:
    events = [
        event(who, kind, local(BERLIN, WEEK + timedelta(days=offset), hour))  # type: ignore[arg-type]
        for who, kind, offset, hour in raw
    ]
    all_time = len(events) + extra
    anna = summary_for(events, asker=ANNA, partner=BEN, all_time_total=all_time)
    ben = summary_for(events, asker=BEN, partner=ANNA, all_time_total=all_time)
    anna_text = render_summary(anna, asker_name="Anna", partner_name="Ben", last_week=last_week)
    ben_text = render_summary(ben, asker_name="Ben", partner_name="Anna", last_week=last_week)
    assert numbers(anna_text) == numbers(ben_text)
    assert_kind(anna_text)
    assert_kind(ben_text)


# --- special weeks -------------------------------------------------------------------------


def test_a_brand_new_couple_gets_encouragement_not_zeros() -> None:
    text = render_summary(summary_for([], all_time_total=0), asker_name="Anna", partner_name="Ben")
    assert "first week" in text
    assert "Ben" in text
    assert not re.search(r"\b0\b", text)
    assert text.count("🌱 <b>") == 1
    assert_kind(text)


def test_first_active_week_is_a_lovely_start_without_comparison() -> None:
    summary = summary_for(spread((2, 1)))
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "a lovely start 🌱" in text
    assert "last week)" not in text


def test_an_empty_week_after_active_weeks_is_gentle_with_one_suggestion() -> None:
    summary = summary_for(spread((3, 3), start=PREVIOUS_WEEK), all_time_total=57)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "life gets busy, and that's okay" in text
    assert "Last week, you shared 6 moments 💛" in text
    assert "💞 57 moments together so far" in text
    assert text.count("🌱 <b>") == 1
    assert "0 " not in text
    assert_kind(text)


def test_an_empty_fortnight_after_active_weeks() -> None:
    summary = summary_for([], all_time_total=57)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "A quiet week" in text
    assert "Nothing logged this week — life gets busy, and that's okay." in text
    assert "you shared" not in text


def test_last_week_is_told_in_the_past_tense() -> None:
    events = [*spread((3, 2), start=PREVIOUS_WEEK), *spread((1, 1), start=date(2025, 10, 27))]
    summary = summary_for(events, week_start=PREVIOUS_WEEK, all_time_total=40)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert text.splitlines()[0] == "💞 <b>Last week (3–9 Nov)</b>"
    assert "up from 2 the week before 🎉" in text
    assert "🌱 <b>For this week:</b>" in text
    assert "this week —" not in text


def test_a_quiet_last_week_in_the_past_tense() -> None:
    summary = summary_for([], week_start=PREVIOUS_WEEK, all_time_total=40)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert text.splitlines()[0] == "🍃 <b>Last week (3–9 Nov)</b>"
    assert "Last week was a quiet one — life gets busy" in text


def test_a_week_in_progress_says_so_far_and_is_patient() -> None:
    wednesday = local(BERLIN, WEEK + timedelta(days=2), 18)
    events = [*spread((2, 1)), *spread((6, 6), start=PREVIOUS_WEEK)]
    summary = summary_for(events, all_time_total=90, now_utc=wednesday)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "(so far)" in text.splitlines()[0]
    assert "📅 1 of 3 days so far with a moment from each of you" in text
    assert "the week isn't over, no rush" in text
    assert "🤗 3 hugs\n" in text  # no per-kind comparison of half a week with a whole one
    assert "For next week" not in text


def test_the_first_day_of_a_week() -> None:
    monday = local(BERLIN, WEEK, 21)
    summary = summary_for(spread((1, 1)), all_time_total=30, now_utc=monday)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "📅 A moment from each of you today 💛" in text
    assert "of 1 days" not in text


def test_nothing_yet_on_a_monday_is_not_a_quiet_week() -> None:
    monday = local(BERLIN, WEEK, 9)
    summary = summary_for(spread((3, 3), start=PREVIOUS_WEEK), all_time_total=20, now_utc=monday)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "Nothing logged yet this week" in text
    assert "quiet" not in text


# --- nudges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "wording"),
    [(0.4, "within a minute"), (12, "within 12 minutes"), (150, "within about 2 hours")],
)
def test_nudge_reaction_time_wording(minutes: float, wording: str) -> None:
    nudges = [nudge(ANNA, local(BERLIN, WEEK, 8), after_minutes=minutes)]
    text = render_summary(
        summary_for(spread((1, 1)), nudges, all_time_total=9), asker_name="Anna", partner_name="Ben"
    )
    assert f"acted on 1 of 1 nudges, usually {wording}." in text


def test_unanswered_nudges_are_not_shamed() -> None:
    nudges = [
        nudge(BEN, local(BERLIN, WEEK, 8), declined=True),
        nudge(ANNA, local(BERLIN, WEEK, 8)),
    ]
    text = render_summary(
        summary_for(spread((1, 1)), nudges, all_time_total=9), asker_name="Anna", partner_name="Ben"
    )
    assert "⏰ 2 gentle nudges came by — take them whenever one fits." in text
    assert "0 of" not in text


def test_no_nudge_line_without_nudges() -> None:
    text = render_summary(summary_for(spread((1, 1))), asker_name="Anna", partner_name="Ben")
    assert "⏰" not in text


# --- suggestion ----------------------------------------------------------------------------


def test_the_suggestion_follows_the_weakest_ritual() -> None:
    when = local(BERLIN, WEEK, 9)
    kinds = (K.HUG, K.THINKING_OF_YOU, K.APPRECIATION, K.KISS)  # no goodnight this week
    summary = summary_for([event(ANNA, kind, when) for kind in kinds] + spread((0, 1)))
    assert summary.weakest_ritual is Ritual.BEDTIME
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert text.splitlines()[-1] == (
        f"🌱 <b>For next week:</b> {suggestion_for(Ritual.BEDTIME, WEEK)}"
    )


def test_suggestions_rotate_by_week_and_use_the_seeds_words() -> None:
    weeks = [WEEK + timedelta(weeks=n) for n in range(3)]
    for ritual, phrasings in SUGGESTIONS.items():
        assert len(phrasings) >= 3
        assert {suggestion_for(ritual, week) for week in weeks} == set(phrasings)
        assert suggestion_for(ritual, WEEK) == suggestion_for(ritual, WEEK)
    assert "10-second hug" in " ".join(SUGGESTIONS[Ritual.MORNING_HUG])
    assert "six-second kiss" in " ".join(SUGGESTIONS[Ritual.SIX_SECOND_KISS])
    assert "Thanks for taking care of that." in " ".join(SUGGESTIONS[Ritual.DINNER_APPRECIATION])


# --- names, dates and the small strings ------------------------------------------------------


def test_names_are_escaped() -> None:
    summary = summary_for(spread((0, 5)), all_time_total=9)
    text = render_summary(summary, asker_name="<i>A</i>", partner_name="Tom & <Jerry>")
    assert "Tom &amp; &lt;Jerry&gt; reached out a lot" in text
    caption = chart_caption(summary, asker_name="<A>", partner_name="B&B")
    assert "&lt;A&gt;" in caption and "B&amp;B" in caption
    assert_kind(text)


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (date(2025, 11, 3), "3–9 Nov"),
        (date(2025, 10, 27), "27 Oct – 2 Nov"),
        (date(2025, 12, 29), "29 Dec – 4 Jan"),
    ],
)
def test_week_range(monday: date, expected: str) -> None:
    assert format_week_range(monday) == expected


def test_small_strings_are_kind_and_present() -> None:
    for text in (NOT_PAIRED_WEEKLY,):
        assert text and not BLAME_WORDS.search(text)
    summary = summary_for(spread((1, 1)))
    assert chart_caption(summary, asker_name="Anna", partner_name="Ben", last_week=True).startswith(
        "📊 Last week"
    )


def test_source_does_not_change_the_count() -> None:
    when = local(BERLIN, WEEK, 9)
    events = [event(ANNA, K.HUG, when, source) for source in EventSource]
    assert summary_for(events).count(K.HUG).this_week == 3
