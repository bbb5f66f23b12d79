"""What the nudges do, in warm plain words: the weekly reflection's lines of issue #12.

Never a score: "about 1.7× as often (somewhere between 1.2× and 2.4×)", or, when a ritual
has become a habit, an offer to nudge less. Only said with ≥ 3 weeks of decision points and
when the estimate is clear; an unclear one is simply not mentioned.

Each ritual has whole sentences of its own rather than "at midday" + "reached out" glued
together: word order differs between languages, and a translator needs the full sentence.
"""

from __future__ import annotations

from typing import Final

from domain.values.kinds import Ritual
from domain.values.weekly_summary import NudgeEffect
from messages.i18n import N_, Translated, _, decimal, translate_constants

#: When a ritual's nudge comes, for the sentences that name it ("less often {when}").
_WHEN: Final = Translated(
    {
        Ritual.MIDDAY_THINKING: N_("at midday"),
        Ritual.MORNING_HUG: N_("in the morning"),
        Ritual.DINNER_APPRECIATION: N_("at dinner"),
        Ritual.BEDTIME: N_("at bedtime"),
        Ritual.SIX_SECOND_KISS: N_("when you come home"),
    }
)
#: A clear positive effect: ``{ratio}`` times as often, between ``{low}`` and ``{high}``.
_HELPS: Final = Translated(
    {
        Ritual.MIDDAY_THINKING: N_(
            "💡 On days I nudged you at midday you reached out about {ratio} as often "
            "(somewhere between {low} and {high})."
        ),
        Ritual.MORNING_HUG: N_(
            "💡 On days I nudged you in the morning you hugged about {ratio} as often "
            "(somewhere between {low} and {high})."
        ),
        Ritual.DINNER_APPRECIATION: N_(
            "💡 On days I nudged you at dinner you shared an appreciation about {ratio} as "
            "often (somewhere between {low} and {high})."
        ),
        Ritual.BEDTIME: N_(
            "💡 On days I nudged you at bedtime you kept your bedtime ritual about {ratio} as "
            "often (somewhere between {low} and {high})."
        ),
        Ritual.SIX_SECOND_KISS: N_(
            "💡 On days I nudged you when you came home you shared the kiss about {ratio} as "
            "often (somewhere between {low} and {high})."
        ),
    }
)
#: A habit, and the nudge's chance can still come down: the question "Yes, fewer" answers.
_HABIT_ASK: Final = Translated(
    {
        Ritual.MIDDAY_THINKING: N_(
            "💛 You reach out at midday whether I nudge you or not — shall I nudge less?"
        ),
        Ritual.MORNING_HUG: N_(
            "💛 You hug in the morning whether I nudge you or not — shall I nudge less?"
        ),
        Ritual.DINNER_APPRECIATION: N_(
            "💛 You share an appreciation at dinner whether I nudge you or not — "
            "shall I nudge less?"
        ),
        Ritual.BEDTIME: N_(
            "💛 You keep your bedtime ritual whether I nudge you or not — shall I nudge less?"
        ),
        Ritual.SIX_SECOND_KISS: N_(
            "💛 You share the kiss when you come home whether I nudge you or not — "
            "shall I nudge less?"
        ),
    }
)
#: A habit, with the chance already at its floor: nothing to ask.
_HABIT_LEFT: Final = Translated(
    {
        Ritual.MIDDAY_THINKING: N_(
            "💛 You reach out at midday whether I nudge you or not, so I mostly leave it to you."
        ),
        Ritual.MORNING_HUG: N_(
            "💛 You hug in the morning whether I nudge you or not, so I mostly leave it to you."
        ),
        Ritual.DINNER_APPRECIATION: N_(
            "💛 You share an appreciation at dinner whether I nudge you or not, so I mostly "
            "leave it to you."
        ),
        Ritual.BEDTIME: N_(
            "💛 You keep your bedtime ritual whether I nudge you or not, so I mostly leave it "
            "to you."
        ),
        Ritual.SIX_SECOND_KISS: N_(
            "💛 You share the kiss when you come home whether I nudge you or not, so I mostly "
            "leave it to you."
        ),
    }
)

BUTTON_FEWER: Final = N_("Yes, fewer")
# Translators: {when} is one of "at midday", "in the morning", "at dinner", "at bedtime",
# "when you come home".
BUTTON_FEWER_WHEN: Final = N_("Yes, fewer {when}")
# Translators: {when} as in "Yes, fewer {when}".
FEWER_DONE: Final = N_("Done — I'll nudge you {when} less often from now on 🌿")
# Translators: {when} as in "Yes, fewer {when}".
FEWER_AT_FLOOR: Final = N_("I'm already nudging you {when} only now and then 🌿")
#: What /settings says beside a ritual nudged less because it has become a habit.
SETTINGS_HABIT: Final = N_("nudging less because you do this on your own 💛")
SETTINGS_IGNORED: Final = N_("nudging less, since these nudges mostly went unanswered")
SETTINGS_ASKED: Final = N_("nudging less, as you asked")
_SETTINGS_NOTES: Final = Translated(
    {"habit": SETTINGS_HABIT, "ignored": SETTINGS_IGNORED, "asked": SETTINGS_ASKED}
)


def _times(value: float) -> str:
    """ "1.7×", "1,7×": one decimal, in the reader's way of writing it."""
    return f"{decimal(value, digits=1)}×"


def effect_line(effect: NudgeEffect) -> str | None:
    """The reflection's sentence about one ritual's nudges, or None when nothing is clear."""
    stored = effect.effect
    if stored.clearly_helps and stored.ratio is not None:
        ratio = stored.ratio
        return _HELPS[effect.ritual].format(
            ratio=_times(ratio.estimate), low=_times(ratio.low), high=_times(ratio.high)
        )
    if stored.is_habit:
        return (_HABIT_ASK if effect.can_lower else _HABIT_LEFT)[effect.ritual]
    return None


def lines_for(effects: tuple[NudgeEffect, ...]) -> list[str]:
    return [line for effect in effects if (line := effect_line(effect)) is not None]


def offers_fewer(effects: tuple[NudgeEffect, ...]) -> list[Ritual]:
    """The rituals whose line asks "shall I nudge less?" (each gets a "Yes, fewer")."""
    return [e.ritual for e in effects if e.can_lower and e.effect.is_habit]


def fewer_done(ritual: Ritual) -> str:
    return _(FEWER_DONE).format(when=_WHEN[ritual])


def fewer_at_floor(ritual: Ritual) -> str:
    return _(FEWER_AT_FLOOR).format(when=_WHEN[ritual])


def fewer_button(ritual: Ritual, *, several: bool) -> str:
    if several:
        return _(BUTTON_FEWER_WHEN).format(when=_WHEN[ritual])
    return _(BUTTON_FEWER)


def settings_note(reason: str | None) -> str | None:
    """Why a ritual comes less often, for /settings; None when its chance never changed."""
    return _SETTINGS_NOTES.get(reason or "")


translate_constants(__name__)
