"""What the nudges do, in warm plain words: the weekly reflection's lines of issue #12.

Never a score: "about 1.7× as often (somewhere between 1.2× and 2.4×)", or, when a ritual
has become a habit, an offer to nudge less. Only said with ≥ 3 weeks of decision points and
when the estimate is clear; an unclear one is simply not mentioned.
"""

from __future__ import annotations

from typing import Final

from domain.values.kinds import Ritual
from domain.values.weekly_summary import NudgeEffect

#: (when, what you did, what you do), per ritual.
_ACTS: Final[dict[Ritual, tuple[str, str, str]]] = {
    Ritual.MIDDAY_THINKING: ("at midday", "reached out", "reach out"),
    Ritual.MORNING_HUG: ("in the morning", "hugged", "hug"),
    Ritual.DINNER_APPRECIATION: ("at dinner", "shared an appreciation", "share an appreciation"),
    Ritual.BEDTIME: ("at bedtime", "kept your bedtime ritual", "keep your bedtime ritual"),
    Ritual.SIX_SECOND_KISS: ("when you come home", "shared the kiss", "share the kiss"),
}

BUTTON_FEWER: Final = "Yes, fewer"
FEWER_DONE: Final = "Done — I'll nudge you {when} less often from now on 🌿"
FEWER_AT_FLOOR: Final = "I'm already nudging you {when} only now and then 🌿"
#: What /settings says beside a ritual nudged less because it has become a habit.
SETTINGS_HABIT: Final = "nudging less because you do this on your own 💛"
SETTINGS_IGNORED: Final = "nudging less, since these nudges mostly went unanswered"
SETTINGS_ASKED: Final = "nudging less, as you asked"


def _times(value: float) -> str:
    return f"{value:.1f}×"


def effect_line(effect: NudgeEffect) -> str | None:
    """The reflection's sentence about one ritual's nudges, or None when nothing is clear."""
    when, did, do = _ACTS[effect.ritual]
    stored = effect.effect
    if stored.clearly_helps and stored.ratio is not None:
        ratio = stored.ratio
        return (
            f"💡 On days I nudged you {when} you {did} about {_times(ratio.estimate)} as often "
            f"(somewhere between {_times(ratio.low)} and {_times(ratio.high)})."
        )
    if stored.is_habit:
        if effect.can_lower:
            return f"💛 You {do} {when} whether I nudge you or not — shall I nudge less?"
        return f"💛 You {do} {when} whether I nudge you or not, so I mostly leave it to you."
    return None


def lines_for(effects: tuple[NudgeEffect, ...]) -> list[str]:
    return [line for effect in effects if (line := effect_line(effect)) is not None]


def offers_fewer(effects: tuple[NudgeEffect, ...]) -> list[Ritual]:
    """The rituals whose line asks "shall I nudge less?" (each gets a "Yes, fewer")."""
    return [e.ritual for e in effects if e.can_lower and e.effect.is_habit]


def fewer_done(ritual: Ritual) -> str:
    return FEWER_DONE.format(when=_ACTS[ritual][0])


def fewer_at_floor(ritual: Ritual) -> str:
    return FEWER_AT_FLOOR.format(when=_ACTS[ritual][0])


def fewer_button(ritual: Ritual, *, several: bool) -> str:
    return f"{BUTTON_FEWER} {_ACTS[ritual][0]}" if several else BUTTON_FEWER


def settings_note(reason: str | None) -> str | None:
    """Why a ritual comes less often, for /settings; None when its chance never changed."""
    return {"habit": SETTINGS_HABIT, "ignored": SETTINGS_IGNORED, "asked": SETTINGS_ASKED}.get(
        reason or ""
    )
