"""Table-driven tests for recognising the weekly question in plain text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.values.intent import WeeklyQuestion, match_weekly_question

THIS_WEEK = [
    "how are we doing this week",
    "How are we doing this week?",
    "how are we doing?",
    "How are we doing",
    "how are we",
    "How's our week",
    "how’s our week going?",
    "hows our week",
    "How is our week going so far?",
    "how was our week",
    "how has our week been",
    "how did our week go",
    "weekly summary",
    "Weekly summary!",
    "our weekly summary",
    "the weekly recap",
    "week summary",
    "this week's summary",
    "summary",
    "Summary please",
    "summary of this week",
    "summary for the week",
    "show me our weekly summary",
    "can I see the weekly summary?",
    "can you give us the weekly summary please",
    "how r we doing this wk",
    "how r we doin",
    "how are we dong",
    "how are we doign this week",
    "hwo are we doing",
    "how are we doing thsi week",
    "wekly summary",
    "weekly sumary",
    "HOW ARE WE DOING THIS WEEK",
    "  how   are we   doing  ",
    "hey bot, how are we doing so far?",
    "ok so how are we doing this week",
    "how are we going this week",
    "how have we been doing",
    "how did we do this week",
    "how are we doing compared to last week",
    "how are we doing lately",
    "how are we doing 💞",
]

LAST_WEEK = [
    "how did we do last week",
    "How did we do last week?",
    "how did we do the previous week",
    "summary of last week",
    "Summary for last week please",
    "last week's summary",
    "last week summary",
    "last weeks recap",
    "previous week summary",
    "how was last week",
    "how was our last week?",
    "how did last week go",
    "how were we doing last week",
    "how were we last week",
    "how did we do last wk",
    "how did we do lst week",
    "sumary of last week",
]

NOT_A_QUESTION = [
    "I'm doing the dishes",
    "how are you",
    "how are you doing this week",
    "how r u",
    "how are u doing",
    "we are doing great",
    "we're doing fine, thanks",
    "thinking of you",
    "what's the weather this week",
    "what's the weather like this week?",
    "how is the weather",
    "how was your day",
    "how was your week",
    "how is your week going",
    "how did you do on the exam",
    "how did we do it",
    "how do we do this",
    "doing great",
    "this week",
    "last week",
    "week",
    "check in",
    "report",
    "we should do a summary of the meeting",
    "summary of the meeting",
    "I love you",
    "good night",
    "hug",
    "how are we going to pay rent this week",
    "how are we doing the dishes tonight",
    "how are we getting there",
    "did you see the weekly summary of the news",
    "thanks for the summary",
    "",
    "   ",
    "?!",
    "/weekly",
    "how are we doing this week " + "really " * 20,
]


@pytest.mark.parametrize("text", THIS_WEEK)
def test_this_week_questions(text: str) -> None:
    assert match_weekly_question(text) == WeeklyQuestion(weeks_ago=0)


@pytest.mark.parametrize("text", LAST_WEEK)
def test_last_week_questions(text: str) -> None:
    assert match_weekly_question(text) == WeeklyQuestion(weeks_ago=1)


@pytest.mark.parametrize("text", NOT_A_QUESTION)
def test_ordinary_messages_do_not_match(text: str) -> None:
    assert match_weekly_question(text) is None


@given(st.text(max_size=120))
def test_never_raises_on_any_text(text: str) -> None:
    result = match_weekly_question(text)
    assert result is None or result.weeks_ago in (0, 1)


@given(st.sampled_from(THIS_WEEK + LAST_WEEK))
def test_deterministic(text: str) -> None:
    assert match_weekly_question(text) == match_weekly_question(text)


SPOKEN_THIS_WEEK = [
    "как у нас дела на этой неделе",
    "Как у нас дела на этой неделе?",
    "как наши дела?",
    "как мы справляемся",
    "Как проходит наша неделя?",
    "итоги недели",
    "покажи итоги недели, пожалуйста",
    "¿cómo vamos esta semana?",
    "¿Qué tal nos va?",
    "Hola, ¿cómo vamos?",
    "resumen semanal",
    "¿Cómo va nuestra semana?",
    "wie läuft unsere Woche",
    "Wie läuft unsere Woche?",
    "wie laeuft unsere woche bisher",
    "Wie geht's uns diese Woche?",
    "Wochenrückblick bitte",
]
SPOKEN_LAST_WEEK = [
    "как у нас были дела на прошлой неделе?",
    "итоги прошлой недели",
    "Как прошла наша прошлая неделя?",
    "¿Cómo nos fue la semana pasada?",
    "resumen de la semana pasada",
    "Wie war die letzte Woche?",
    "wie lief unsere letzte Woche",
]
SPOKEN_CHAT = [
    "как дела?",
    "как ты?",
    "как жизнь",
    "на этой неделе много работы",
    "¿cómo estás?",
    "qué tal",
    "la semana pasada fue dura",
    "wie geht es dir",
    "wie läuft es",
    "wie war dein Tag",
    "letzte Woche war anstrengend",
]


@pytest.mark.parametrize("text", SPOKEN_THIS_WEEK)
def test_this_week_asked_in_russian_spanish_or_german(text: str) -> None:
    assert match_weekly_question(text) == WeeklyQuestion(weeks_ago=0)


@pytest.mark.parametrize("text", SPOKEN_LAST_WEEK)
def test_last_week_asked_in_russian_spanish_or_german(text: str) -> None:
    assert match_weekly_question(text) == WeeklyQuestion(weeks_ago=1)


@pytest.mark.parametrize("text", SPOKEN_CHAT)
def test_ordinary_chat_in_other_languages_is_not_a_question(text: str) -> None:
    assert match_weekly_question(text) is None
