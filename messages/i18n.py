"""The language every sentence is written in: one active language per update or delivery.

The bot sets the language once (:func:`speaking`) around each update, from the person's
choice or Telegram's ``language_code`` (:func:`choose`), and around each delivery, from the
*receiver's*. Everything in ``messages/`` then reads it from a context variable, so its
functions keep their signatures and callers never pass a language around — the same shape
as aiogram's I18n middleware, and safe with concurrent updates (each task has its own
context).

Sentences are gettext messages with English as the source. A module-level UPPER_CASE
string of a ``messages`` module is marked with :func:`N_` where it is defined and read in
the active language as ``module.NAME`` (:func:`translate_constants`); inside the module,
and for strings in tables, :func:`_` and :func:`ngettext` translate at render time.
Catalogues are the ``.po`` files under ``messages/locales``; they are compiled in memory on
first use (Babel's ``read_po``/``write_mo``), so there is no compile step to forget.
``python -m messages.catalogues`` extracts new sentences into every catalogue.
"""

from __future__ import annotations

import io
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final, TypeVar

from babel.dates import format_interval, format_skeleton, get_day_names, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

#: The source language first; every other one has a catalogue in ``LOCALES``.
SOURCE: Final = "en"
LANGUAGES: Final = ("en", "ru", "es", "de")
#: Each language in its own words, for /language.
NAMES: Final[Mapping[str, str]] = {
    "en": "🇬🇧 English",
    "ru": "🇷🇺 Русский",
    "es": "🇪🇸 Español",
    "de": "🇩🇪 Deutsch",
}
#: Babel's locale for dates and numbers: British English keeps "Sunday 29 November".
_FORMAT_LOCALE: Final[Mapping[str, str]] = {"en": "en_GB"}
LOCALES: Final = Path(__file__).with_name("locales")
DOMAIN: Final = "messages"

_active: ContextVar[str] = ContextVar("microconnect_language", default=SOURCE)


def choose(chosen: str | None, telegram_code: str | None) -> str:
    """The person's stored choice, else Telegram's ``language_code``, else English."""
    for code in (chosen, telegram_code):
        if code:
            base = code.replace("_", "-").split("-")[0].lower()
            if base in LANGUAGES:
                return base
    return SOURCE


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Write everything inside the block in ``language`` (restored afterwards)."""
    token = _active.set(language if language in LANGUAGES else SOURCE)
    try:
        yield
    finally:
        _active.reset(token)


def active() -> str:
    return _active.get()


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language``: fuzzy entries are left out, like msgfmt."""
    if language == SOURCE:
        return NullTranslations()
    path = catalogue_path(language)
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def catalogue_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def N_(message: str) -> str:
    """Marks a sentence for the catalogue; it is translated where it is read."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular/plural pair for the catalogue; :func:`ngettext` picks the form."""
    return singular, plural


def _(message: str) -> str:
    """``message`` in the active language (English when the catalogue lacks it)."""
    if not message:
        return message  # gettext("") is the catalogue's header
    return translations(active()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` under the active language's plural rules (Russian has three)."""
    return translations(active()).ngettext(singular, plural, n)


def every_language(message: str) -> frozenset[str]:
    """``message`` in each shipped language: what a reply-keyboard button may read."""
    return frozenset(translations(language).gettext(message) for language in LANGUAGES)


K = TypeVar("K")


class Translated(Mapping[K, str]):
    """A table of sentences (marked with :func:`N_`), read in the active language."""

    def __init__(self, source: Mapping[K, str]) -> None:
        self.source = dict(source)

    def __getitem__(self, key: K) -> str:
        return _(self.source[key])

    def __iter__(self) -> Iterator[K]:
        return iter(self.source)

    def __len__(self) -> int:
        return len(self.source)


class _TranslatingModule(types.ModuleType):
    """A ``messages`` module whose UPPER_CASE strings read in the active language."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if type(value) is str and name.isupper():
            return _(value)
        return value


def translate_constants(module_name: str) -> None:
    """Call at the end of a ``messages`` module: ``module.NAME`` is then translated.

    Call sites stay ``texts.WELCOME``; a constant bound with ``from … import NAME`` is read
    once, in English, so messages are always read through their module.
    """
    sys.modules[module_name].__class__ = _TranslatingModule


# --- Dates and numbers (Babel's locale data) ----------------------------------------------
def _format_locale() -> str:
    language = active()
    return _FORMAT_LOCALE.get(language, language)


def day_label(day: date) -> str:
    """ "Sunday 29 November", "вс, 29 ноября", "So., 29. November"."""
    return format_skeleton("MMMMEEEEd", day, locale=_format_locale())


def short_day_label(day: date) -> str:
    """ "Thu 26 Nov"."""
    return format_skeleton("MMMEd", day, locale=_format_locale())


def month_day(day: date, *, with_year: bool = False) -> str:
    """ "26 Nov" (or "3 Mar 2025")."""
    return format_skeleton("yMMMd" if with_year else "MMMd", day, locale=_format_locale())


def day_range(first: date, last: date) -> str:
    """ "3–9 Nov", "27 Oct – 2 Nov"."""
    return format_interval(first, last, "MMMd", locale=_format_locale())


def weekdays_short() -> tuple[str, ...]:
    """Monday first: "Mon" … "Sun"."""
    names = get_day_names("abbreviated", context="stand-alone", locale=_format_locale())
    return tuple(str(names[day]) for day in range(7))


def city(zone: str) -> str:
    """A zone's city as the reader writes it: "Lisbon", "Лиссабон", "Lissabon" (CLDR's)."""
    return get_timezone_location(zone, locale=_format_locale(), return_city=True)


def number(value: int) -> str:
    """ "1,234", "1 234", "1.234"."""
    return format_decimal(value, locale=_format_locale())


def decimal(value: float, *, digits: int) -> str:
    """ "1.7", "1,7": always ``digits`` decimals, with the language's decimal sign."""
    return format_decimal(value, format=f"0.{'0' * digits}", locale=_format_locale())
