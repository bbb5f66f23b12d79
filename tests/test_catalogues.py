"""Every sentence in every shipped language: present, translated, with the same
placeholders and HTML, and compiled the way the bot compiles it (from the .po files).

When this fails after you added or changed a sentence: ``python -m messages.catalogues``,
then translate the empty and fuzzy entries it reports.
"""

from __future__ import annotations

import importlib
import re
import string
from collections import Counter
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog, Message

from messages import catalogues, i18n
from messages.i18n import LANGUAGES, SOURCE, speaking

TRANSLATED = [language for language in LANGUAGES if language != SOURCE]
#: The modules whose UPPER_CASE strings are read in the active language.
MODULES = ("texts", "settings", "nudges", "history", "weekly", "language", "rituals", "webapp")
_TAG = re.compile(r"</?[a-z]+[^>]*>")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogues.template()


def _ids(catalogue: Catalog) -> set[tuple[str, ...]]:
    return {_sources(m) for m in catalogue if m.id}


def _sources(message: Message) -> tuple[str, ...]:
    """The English singular (and plural), whatever shape Babel keeps them in."""
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _forms(message: Message) -> Iterator[str]:
    string = message.string
    yield from (string or "",) if isinstance(string, str) or string is None else string


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _tags(text: str) -> Counter[str]:
    return Counter(_TAG.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_sentence_is_in_every_catalogue_and_translated(
    language: str, template: Catalog
) -> None:
    catalogue = catalogues.read(language)
    assert _ids(template) - _ids(catalogue) == set(), "run python -m messages.catalogues"
    assert _ids(catalogue) - _ids(template) == set(), "stale sentences: run the update"
    assert catalogues.untranslated(catalogue) == [], "empty or fuzzy translations"
    assert not catalogue.fuzzy, "the header is marked fuzzy"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_html(language: str) -> None:
    catalogue = catalogues.read(language)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        sources = _sources(message)
        forms = list(_forms(message))
        if len(sources) > 1:
            assert len(forms) == catalogue.num_plurals, message.id
        wanted = set().union(*(_placeholders(s) for s in sources))
        for form in forms:
            # A plural's singular may say "A" where other forms say "{n}"; nothing new.
            if not _placeholders(form) <= wanted:
                problems.append((message.id, form))
            if _tags(form) != _tags(sources[-1]):
                problems.append((message.id, form))
        if _placeholders(forms[-1]) != _placeholders(sources[-1]):
            problems.append((message.id, forms[-1]))
    assert problems == []


def test_every_sentence_constant_is_marked_for_the_catalogue(template: Catalog) -> None:
    """A sentence added without ``N_`` would stay English in every language."""
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    unmarked = []
    for name in MODULES:
        module = importlib.import_module(f"messages.{name}")
        for attribute, value in vars(module).items():
            if (
                attribute.isupper()
                and type(value) is str
                and any(ch.isalpha() for ch in value)
                and not value.startswith("/")
                and value not in known
            ):
                unmarked.append(f"messages.{name}.{attribute}")
    assert unmarked == []


def test_the_bot_compiles_the_catalogues_from_the_po_files() -> None:
    from messages import texts

    expected = {"en": "📝 Log a moment", "ru": "📝 Записать момент"}
    expected |= {"es": "📝 Anotar un momento", "de": "📝 Moment notieren"}
    for language, label in expected.items():
        with speaking(language):
            shown = texts.BUTTON_LOG_MOMENT
        assert shown == label
    shown = texts.BUTTON_LOG_MOMENT
    assert shown == "📝 Log a moment"  # outside, English again


def test_plurals_follow_each_language_s_rules() -> None:
    said = {}
    for language in LANGUAGES:
        with speaking(language):
            said[language] = [
                i18n.ngettext("{n} moment", "{n} moments", n).format(n=n) for n in (1, 3, 5, 21)
            ]
    assert said["ru"] == ["1 момент", "3 момента", "5 моментов", "21 момент"]
    assert said["en"] == ["1 moment", "3 moments", "5 moments", "21 moments"]
    assert said["de"] == ["1 Moment", "3 Momente", "5 Momente", "21 Momente"]
    assert said["es"][:2] == ["1 momento", "3 momentos"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bot_profile_fits_telegram_s_limits(language: str) -> None:
    from messages import language as language_words
    from messages import settings, texts

    with speaking(language):
        assert len(texts.DESCRIPTION) <= 512
        assert len(texts.SHORT_DESCRIPTION) <= 120
        for _, description in (*texts.COMMANDS, *settings.COMMANDS, language_words.COMMAND):
            assert 1 <= len(i18n._(description)) <= 256


def test_a_person_s_language_is_their_choice_then_telegram_s_then_english() -> None:
    assert i18n.choose("de", "ru") == "de"
    assert i18n.choose(None, "ru") == "ru"
    assert i18n.choose(None, "es-419") == "es"
    assert i18n.choose(None, "pt-br") == "en"  # not shipped yet
    assert i18n.choose(None, None) == "en"


def test_the_catalogues_ship_with_the_package() -> None:
    """A non-editable install (``pip install .``) must carry every .po file."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["messages"]
    shipped = {p for pattern in patterns for p in (root / "messages").glob(pattern)}
    assert {i18n.catalogue_path(language) for language in TRANSLATED} <= shipped
