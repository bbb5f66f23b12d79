"""Recognise "how are we doing this week?" typed as plain text, offline and deterministically.

A small grammar over normalised tokens, not a model: every accepted phrasing is visible
here and testable, and ordinary chat ("I'm doing the dishes", "how are you") never matches.
Typos are forgiven token by token, and only towards the few words the grammar uses, so a
slip like "dong" becomes "doing" without letting unrelated words drift into a match.
Ordinary conversation must never trigger the summary, so when in doubt a rule is left out.

Russian, Spanish and German have their own short grammars (``_SPOKEN``), tried for everyone
whatever language they chose: a couple may speak two languages between them. These are
exact phrasings (after folding case, accents and punctuation), without typo correction.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class WeeklyQuestion:
    """A request for the weekly reflection: 0 = this week, 1 = last week."""

    weeks_ago: int


#: Longer messages are conversations, not a question for the bot.
MAX_LENGTH: Final = 80

#: Chat shorthand, expanded before anything else ("how r we doing this wk").
_ALIASES: Final[dict[str, str]] = {
    "r": "are",
    "wk": "week",
    "wks": "week",
    "u": "you",
    "ur": "your",
    "hows": "how is",
    "hw": "how",
    "hwo": "how",
    "doin": "doing",
    "goin": "going",
    "summ": "summary",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "lst": "last",
    "weeks": "week",
    "ar": "are",
}

#: The only words a typo may be corrected towards: the grammar's own vocabulary.
_VOCABULARY: Final = (
    "how", "are", "we", "doing", "going", "did", "do", "does", "our", "week", "weekly",
    "summary", "recap", "report", "reflection", "last", "this", "previous", "was", "were",
    "been", "have", "is", "overview", "so", "far", "please",
)  # fmt: skip

_FILLER_BEFORE: Final = (
    r"(?:(?:hey|hi|hello|so|ok|okay|well|and|bot|microconnect|please|quick question)\s+)*"
    r"(?:(?:can|could) (?:i|we) (?:get|see|have)\s+|(?:can|could) you\s+)?"
    r"(?:(?:show|give|send|tell) (?:me|us)\s+|(?:show|send)\s+)?"
)
_FILLER_AFTER: Final = r"(?:\s+(?:please|then|now|so far|lately|overall|bot))*"

_THIS: Final = r"(?:this week|this week so far|so far this week|the week so far|this past week)"
_LAST: Final = r"(?:last week|the last week|previous week|the previous week|the week before)"
_NOUN: Final = r"(?:summary|recap|report|reflection|overview|check in)"
_OUR: Final = r"(?:(?:our|the|my|a)\s+)?"

#: (pattern, weeks_ago). Order matters only for readability: the patterns are disjoint.
_RULES: Final[tuple[tuple[str, int], ...]] = (
    # how are we doing / how are we going (this week)
    (rf"how (?:are|is) we(?: (?:doing|going))?(?: {_THIS})?", 0),
    (rf"how (?:are|is) we (?:doing|going) compared (?:to|with) {_LAST}", 0),
    (rf"how (?:have|has) we been(?: doing)?(?: {_THIS})?", 0),
    (rf"how (?:did|do|does) we do {_THIS}", 0),
    (rf"how (?:did|do|does) we do {_LAST}", 1),
    (rf"how (?:were|was) we(?: doing)? {_LAST}", 1),
    # how's our week / how was our week (going)
    (r"how (?:is|was) our week(?: (?:going|been|looking))?", 0),
    (r"how (?:has|have) our week been", 0),
    (r"how did our week go", 0),
    (rf"how (?:was|did) (?:our )?{_LAST}(?: go)?", 1),
    # weekly summary / summary of last week / last week's summary
    (rf"{_OUR}(?:weekly|week|this week) {_NOUN}", 0),
    (rf"{_OUR}(?:summary|recap)", 0),  # bare "report"/"check in" mean other things
    (rf"{_OUR}{_NOUN} (?:of|for) (?:this|the|our) week(?: so far)?", 0),
    (rf"{_OUR}{_NOUN} (?:of|for) {_LAST}", 1),
    (rf"{_OUR}(?:last|previous) week {_NOUN}", 1),
)

_COMPILED: Final = tuple(
    (re.compile(rf"{_FILLER_BEFORE}{pattern}{_FILLER_AFTER}"), weeks_ago)
    for pattern, weeks_ago in _RULES
)


# --- Other languages -----------------------------------------------------------------------
_RU_THIS: Final = r"(?:на этой неделе|за эту неделю|на неделе|в эти дни|сейчас)"
_RU_LAST: Final = r"(?:на прошлой неделе|за прошлую неделю)"
_RU_NOUN: Final = r"(?:итоги|итог|сводка|сводку|отчет|обзор)"
_ES_THIS: Final = r"(?:esta semana|en esta semana|de momento|hasta ahora)"
_ES_LAST: Final = r"(?:la semana pasada|la ultima semana|la semana anterior)"
_ES_NOUN: Final = r"(?:resumen|balance|reflexion|repaso)"
_DE_THIS: Final = r"(?:diese woche|in dieser woche|bisher|so weit|gerade)"
_DE_LAST: Final = r"(?:letzte woche|in der letzten woche|vorige woche|letzten woche)"
_DE_NOUN: Final = r"(?:ruckblick|zusammenfassung|bericht|uberblick|bilanz)"

#: (filler before, filler after, rules) per language; the rules are (pattern, weeks_ago).
_SPOKEN: Final[tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...]] = (
    (
        r"(?:(?:привет|слушай|ну|а|и|бот|так|скажи|покажи|пожалуйста)\s+)*",
        r"(?:\s+(?:пожалуйста|бот|вообще|то))*",
        (
            (rf"как (?:у нас|наши) дела(?: {_RU_THIS})?", 0),
            (rf"как дела у нас(?: {_RU_THIS})?", 0),
            (rf"как (?:мы|у нас)(?: справляемся| поживаем| живем| идем)?(?: {_RU_THIS})?", 0),
            (r"как (?:проходит|прошла|идет) (?:наша |эта )?неделя", 0),
            (rf"(?:наши |наш |наша )?{_RU_NOUN} (?:недели|за неделю|этой недели|нашей недели)", 0),
            (r"(?:наш )?(?:недельный|еженедельный) (?:итог|отчет|обзор)", 0),
            (rf"как (?:у нас )?(?:были )?дела {_RU_LAST}", 1),
            (rf"как (?:мы )?(?:справились|провели|прожили) (?:прошлую неделю|{_RU_LAST})", 1),
            (r"как (?:прошла|была) (?:наша )?прошлая неделя", 1),
            (rf"{_RU_NOUN} (?:прошлой недели|за прошлую неделю)", 1),
        ),
    ),
    (
        r"(?:(?:hola|oye|bueno|y|bot|vale|a ver|dime|por favor)\s+)*",
        r"(?:\s+(?:por favor|bot|juntos))*",
        (
            (rf"(?:como|que tal) (?:vamos|estamos|nos va|lo llevamos)(?: {_ES_THIS})?", 0),
            (r"(?:como|que tal) (?:va|esta yendo|ha ido|fue) (?:nuestra|la|esta) semana", 0),
            (
                rf"(?:el |nuestro )?{_ES_NOUN} (?:semanal|de la semana|de esta semana"
                r"|de nuestra semana)",
                0,
            ),
            (r"(?:nuestro |el )?resumen", 0),
            (rf"(?:como|que tal) (?:nos fue|fuimos|estuvimos|lo hicimos) {_ES_LAST}", 1),
            (rf"(?:como|que tal) (?:fue|estuvo|ha ido) {_ES_LAST}", 1),
            (r"(?:como|que tal) (?:fue|estuvo) nuestra semana pasada", 1),
            (rf"(?:el )?{_ES_NOUN} de {_ES_LAST}", 1),
        ),
    ),
    (
        r"(?:(?:hallo|hey|hi|na|und|also|so|bot|zeig mir|sag mal|bitte)\s+)*",
        r"(?:\s+(?:bitte|bot|denn|so))*",
        (
            (rf"wie (?:lauft|laeuft|ist|war) (?:unsere|die|diese) woche(?: {_DE_THIS})?", 0),
            (rf"wie (?:geht es|gehts|gehts) uns(?: {_DE_THIS})?", 0),
            (rf"wie (?:machen|schlagen) wir uns(?: {_DE_THIS})?", 0),
            (rf"wie stehen wir(?: {_DE_THIS})?", 0),
            (rf"(?:unser |der )?(?:wochen{_DE_NOUN}|{_DE_NOUN} der woche)", 0),
            (rf"(?:unser |der )?{_DE_NOUN} (?:dieser|unserer) woche", 0),
            (rf"wie (?:war|lief) (?:unsere |die )?{_DE_LAST}", 1),
            (rf"wie (?:war|lief) es {_DE_LAST}", 1),
            (rf"wie (?:ging es|gings) uns {_DE_LAST}", 1),
            (rf"(?:der )?{_DE_NOUN} (?:der letzten|der vorigen|fur die letzte) woche", 1),
        ),
    ),
)

_SPOKEN_COMPILED: Final = tuple(
    (re.compile(rf"{before}{pattern}{after}"), weeks_ago)
    for before, after, rules in _SPOKEN
    for pattern, weeks_ago in rules
)


def match_weekly_question(text: str) -> WeeklyQuestion | None:
    """The weekly question ``text`` asks, or None when it is ordinary conversation."""
    if len(text) > MAX_LENGTH:
        return None
    normalized = normalize(text)
    for pattern, weeks_ago in _COMPILED:
        if pattern.fullmatch(normalized):
            return WeeklyQuestion(weeks_ago=weeks_ago)
    folded = fold(text)
    for pattern, weeks_ago in _SPOKEN_COMPILED:
        if pattern.fullmatch(folded):
            return WeeklyQuestion(weeks_ago=weeks_ago)
    return None


def fold(text: str) -> str:
    """Words in any script, lower case, Latin accents dropped ("läuft" → "lauft", "¿cómo?"
    → "como"), "ё" as "е", apostrophes gone ("geht's" → "gehts"), punctuation as spaces."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    folded = re.sub(r"[’'`´]", "", folded)
    kept = []
    for ch in folded:
        base = unicodedata.normalize("NFKD", ch)[0]
        kept.append(base if base.isascii() and ch.isalpha() else ch)
    return " ".join(re.findall(r"\w+", "".join(kept)))


def normalize(text: str) -> str:
    """Lower-case words only, shorthand expanded and typos fixed: what the grammar reads."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"[’'`´]s\b", "s", folded)  # "how's" -> "hows", "week's" -> "weeks"
    words = re.findall(r"[a-z]+", folded)
    expanded = " ".join(_ALIASES.get(word, word) for word in words).split()
    return " ".join(_correct(word) for word in expanded)


def _correct(word: str) -> str:
    """Snap a near-miss onto the grammar's vocabulary, keeping its first letter.

    Typos rarely hit the first letter, while real words one edit away from the vocabulary
    usually differ there ("your"/"our", "show"/"how"): matching on it keeps "how was your
    week" (a question for the partner) from turning into "how was our week".
    """
    if word in _VOCABULARY or len(word) < 4:
        return word
    candidates = [known for known in _VOCABULARY if known[0] == word[0]]
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return close[0] if close else word
