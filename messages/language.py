"""What /language says: which language I write in, and the choice of another."""

from __future__ import annotations

from typing import Final

from messages.i18n import LANGUAGES, N_, NAMES, _, active, translate_constants
from messages.texts import fmt

#: The /settings row that opens the choice.
BUTTON_LANGUAGE: Final = N_("🌐 Language")
LANGUAGE_CURRENT: Final = N_(
    "🌐 I write to you in <b>{name}</b>. Tap another language whenever you like — "
    "your partner keeps their own."
)
#: Said in the newly chosen language.
LANGUAGE_SET: Final = N_("Done — from now on I'll write to you in <b>{name}</b> 🌿")
LANGUAGE_UNKNOWN: Final = N_(
    "I don't speak “{text}” yet 🙂 I can write in {names}. Nothing was changed."
)
#: The command menu's line for /language.
COMMAND: Final = ("language", N_("Choose the language I write in"))


def current() -> str:
    return _(LANGUAGE_CURRENT).format(name=NAMES[active()])


def chosen() -> str:
    return _(LANGUAGE_SET).format(name=NAMES[active()])


def unknown(typed: str) -> str:
    names = ", ".join(NAMES[code] for code in LANGUAGES)
    return fmt(_(LANGUAGE_UNKNOWN), text=typed[:40], names=names)


translate_constants(__name__)
