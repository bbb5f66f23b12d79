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
        event(BEN, K.THINKING_OF_YOU, local(BERLIN, WEEK + timedelta(days=2), 12), event_id=1),
        event(ANNA, K.LOVE_BACK, local(BERLIN, WEEK + timedelta(days=2), 12), answers=1),
        *spread((2, 3), start=PREVIOUS_WEEK),
    ]
    sent = local(BERLIN, WEEK + timedelta(days=1), 8)
    nudges = [nudge(ANNA, sent, after_minutes=m) for m in (5, 12, 20, 3, 15)]
    nudges += [nudge(BEN, sent, declined=True), nudge(BEN, sent)]
    return summary_for(events, nudges, all_time_total=128)


def test_a_good_week_reads_warmly_with_exact_figures() -> None:
    text = render_summary(busy_week(), asker_name="Anna", partner_name="Ben")
    assert text.splitlines()[0] == "💞 <b>Your week together</b> · 10\u2009–\u200916 Nov"
    assert "🤗 8 hugs (5 last week)" in text
    assert "💭 1 “thinking of you”\n" in text
    assert "❤️ 1 reply with love" in text  # its own kind, not a second "thinking of you"
    assert "💋 1 kiss" in text
    assert "<b>11 moments together</b> — up from 5 last week 🎉" in text
    assert "📅 4 of 7 days with a moment from each of you (2 last week)" in text
    assert "💬 Your “thinking of you” got a reply this week 💞" in text
    assert "Together you acted on 5 of 7 nudges, usually within 12 minutes." in text
    assert "💞 128 moments together since you paired on 1 Jan" in text
    assert text.count("11 ") == 1  # the week's total is said once
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
    assert "🌸 14 other little moments" in text  # 11 display kinds: 4 lines + 7 kinds folded
    assert_kind(text)


# --- never a score between the two of them ------------------------------------------------


@pytest.mark.parametrize(("anna", "ben"), [(4, 4), (4, 1), (6, 1), (3, 0), (0, 2), (1, 7)])
@pytest.mark.parametrize("last_week", [False, True])
def test_the_words_never_compare_the_partners(anna: int, ben: int, last_week: bool) -> None:
    """However lopsided the week, both read the very same words, and no name in them."""
    events = spread((anna, ben))
    anna_text = render_summary(
        summary_for(events, asker=ANNA, partner=BEN, all_time_total=30),
        asker_name="Anna",
        partner_name="Ben",
        last_week=last_week,
    )
    ben_text = render_summary(
        summary_for(events, asker=BEN, partner=ANNA, all_time_total=30),
        asker_name="Ben",
        partner_name="Anna",
        last_week=last_week,
    )
    assert anna_text == ben_text
    assert "Anna" not in anna_text and "Ben" not in anna_text
    assert "a lot" not in anna_text and "thank you" not in anna_text
    assert ("You both reached out" in anna_text) == (anna > 0 and ben > 0)
    assert_kind(anna_text)


# --- replies to a "thinking of you" ---------------------------------------------------------


def bids(answered: int, unanswered: int) -> list[EventRecord]:
    """Thinking-of-yous from Anna, the first ``answered`` of them loved back by Ben."""
    events = []
    for n in range(answered + unanswered):
        sent = local(BERLIN, WEEK + timedelta(days=n % 7), 9 + n // 7)
        events.append(event(ANNA, K.THINKING_OF_YOU, sent, event_id=100 + n))
        if n < answered:
            when = sent + timedelta(hours=8)
            events.append(event(BEN, K.LOVE_BACK, when, answers=100 + n))
    return events


@pytest.mark.parametrize(
    ("answered", "unanswered", "line"),
    [
        (5, 1, "💬 5 of your 6 “thinking of you”s got a reply this week 💞"),
        (3, 0, "💬 All 3 of your “thinking of you”s got a reply this week 💞"),
        (1, 0, "💬 Your “thinking of you” got a reply this week 💞"),
        (0, 1, "💭 A “thinking of you” went out this week — a little reach toward each other 🌿"),
        (0, 2, "💭 2 “thinking of you”s went out this week — little reaches toward each other 🌿"),
    ],
)
def test_replies_to_thinking_of_you_are_told_about_us(
    answered: int, unanswered: int, line: str
) -> None:
    summary = summary_for([*bids(answered, unanswered), *spread((1, 1))], all_time_total=50)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert line in text
    assert "teamwork" not in text  # one line about reaching out is enough
    assert_kind(text)
    past = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert line.replace("this week", "last week") in past


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
    assert "💞 57 moments together since you paired on 1 Jan" in text
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
    assert text.splitlines()[0] == "💞 <b>Last week (3\u2009–\u20099 Nov)</b>"
    assert "up from 2 the week before 🎉" in text
    assert "🌱 <b>For this week:</b>" in text
    assert "this week —" not in text


def test_a_quiet_last_week_in_the_past_tense() -> None:
    summary = summary_for([], week_start=PREVIOUS_WEEK, all_time_total=40)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert text.splitlines()[0] == "🍃 <b>Last week (3\u2009–\u20099 Nov)</b>"
    assert "Last week was a quiet one — life gets busy" in text


def test_a_quiet_last_week_and_the_count_since_pairing_read_true_together() -> None:
    """Not "a quiet one" and then "6 moments together so far" as if they were last week's."""
    summary = summary_for(
        [], week_start=PREVIOUS_WEEK, all_time_total=6, later_total=6, now_utc=local(BERLIN, WEEK)
    )
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert "Last week was a quiet one" in text
    assert "💞 6 moments together since you paired on 1 Jan — all of them this week 💛" in text
    summary = summary_for([], week_start=PREVIOUS_WEEK, all_time_total=40, later_total=6)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert "💞 40 moments together since you paired on 1 Jan — 6 of them this week 💛" in text


def test_a_last_week_from_before_the_pairing_says_so() -> None:
    paired = local(BERLIN, WEEK + timedelta(days=3), 10)
    summary = summary_for(
        [], week_start=PREVIOUS_WEEK, paired_at=paired, all_time_total=6, later_total=6
    )
    text = render_summary(summary, asker_name="Anna", partner_name="Ben", last_week=True)
    assert text.splitlines()[0] == "🌱 <b>Last week (3\u2009–\u20099 Nov)</b>"
    assert "You paired here on 13 Nov, so your weeks together start from there 💞" in text
    assert "Since then: 6 moments together 💛" in text
    assert "quiet" not in text
    assert_kind(text)


def test_a_first_week_says_its_total_once() -> None:
    summary = summary_for(spread((4, 2)))
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "<b>6 moments together</b> — a lovely start 🌱" in text
    assert "since you paired" not in text and "so far" not in text
    assert text.count("moments together") == 1


def test_days_are_counted_from_the_pairing_day() -> None:
    """Paired on Thursday: by Friday that is 2 days, not 5."""
    thursday = local(BERLIN, WEEK + timedelta(days=3), 10)
    events = [
        event(ANNA, K.HUG, local(BERLIN, WEEK + timedelta(days=4), 9)),
        event(BEN, K.HUG, local(BERLIN, WEEK + timedelta(days=4), 10)),
    ]
    friday = local(BERLIN, WEEK + timedelta(days=4), 20)
    summary = summary_for(events, paired_at=thursday, now_utc=friday)
    text = render_summary(summary, asker_name="Anna", partner_name="Ben")
    assert "📅 1 of 2 days since you paired so far with a moment from each of you" in text
    done = summary_for(events, paired_at=thursday)
    text = render_summary(done, asker_name="Anna", partner_name="Ben")
    assert "📅 1 of 4 days since you paired with a moment from each of you" in text


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
    nudges = [nudge(ANNA, local(BERLIN, WEEK, 8), after_minutes=minutes)] * 3
    text = render_summary(
        summary_for(spread((1, 1)), nudges, all_time_total=9), asker_name="Anna", partner_name="Ben"
    )
    assert f"acted on 3 of 3 nudges, usually {wording}." in text


@pytest.mark.parametrize("answered", [1, 2])
def test_no_usual_time_from_one_or_two_answers(answered: int) -> None:
    nudges = [nudge(ANNA, local(BERLIN, WEEK, 8), after_minutes=3)] * answered
    nudges += [nudge(BEN, local(BERLIN, WEEK, 8))]
    text = render_summary(
        summary_for(spread((1, 1)), nudges, all_time_total=9), asker_name="Anna", partner_name="Ben"
    )
    assert f"⏰ Together you acted on {answered} of {answered + 1} nudges." in text
    assert "usually" not in text


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
    summary = summary_for([], all_time_total=0)
    text = render_summary(summary, asker_name="<i>A</i>", partner_name="Tom & <Jerry>")
    assert "tell Tom &amp; &lt;Jerry&gt; they're on your mind" in text
    caption = chart_caption(summary, colour_names=("<A>", "B&B"))
    assert "&lt;A&gt;" in caption and "B&amp;B" in caption
    assert_kind(text)


def test_the_caption_describes_what_the_chart_draws() -> None:
    lonely = summary_for(spread((2, 0)))  # no day with a moment from each: no heart drawn
    caption = chart_caption(lonely, colour_names=("Anna", "Ben"))
    assert (
        caption == "📊 Your week day by day (10\u2009–\u200916 Nov): "
        "a bar for each of you, 🟦 Anna and 🟧 Ben."
    )
    hearts = summary_for(spread((2, 2)))
    caption = chart_caption(hearts, colour_names=("Anna", "Ben"))
    assert caption.endswith("🟧 Ben. ♥ marks a day with a moment from each of you.")
    assert "line" not in caption  # no line is drawn


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (date(2025, 11, 3), "3\u2009–\u20099 Nov"),
        (date(2025, 10, 27), "27 Oct\u2009–\u20092 Nov"),
        (date(2025, 12, 29), "29 Dec\u2009–\u20094 Jan"),
    ],
)
def test_week_range(monday: date, expected: str) -> None:
    assert format_week_range(monday) == expected


def test_small_strings_are_kind_and_present() -> None:
    for text in (NOT_PAIRED_WEEKLY,):
        assert text and not BLAME_WORDS.search(text)
    summary = summary_for(spread((1, 1)))
    assert chart_caption(summary, colour_names=("Anna", "Ben"), last_week=True).startswith(
        "📊 Last week"
    )


def test_source_does_not_change_the_count() -> None:
    when = local(BERLIN, WEEK, 9)
    events = [event(ANNA, K.HUG, when, source) for source in EventSource]
    assert summary_for(events).count(K.HUG).this_week == 3
