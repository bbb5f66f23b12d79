"""One command for a new sentence: ``python -m messages.catalogues``.

It extracts every marked sentence of ``messages/`` (``N_``, ``_``, ``ngettext``) with Babel,
and updates each language's ``.po`` file: new sentences appear with an empty translation,
changed ones are kept as fuzzy suggestions, gone ones are dropped. Then translate the
empty and fuzzy entries (remove the ``#, fuzzy`` line); ``tests/test_catalogues.py`` fails
until every sentence is translated with the same placeholders and HTML tags. Nothing is
compiled by hand: the bot compiles the ``.po`` files in memory when it starts speaking.

``python -m messages.catalogues --check`` only reports what is missing (exit code 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from messages.i18n import LANGUAGES, SOURCE, catalogue_path

PACKAGE = Path(__file__).parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "NP_": (1, 2)}


def template() -> Catalog:
    """Every sentence the source marks, as Babel extracts it."""
    catalogue = Catalog(project="microconnect", domain="messages")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        if not message or message == ("", ""):
            continue
        catalogue.add(
            message,
            None,
            [(f"messages/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalogue


def read(language: str) -> Catalog:
    path = catalogue_path(language)
    if not path.exists():
        return Catalog(locale=language, domain="messages", project="microconnect")
    with path.open("rb") as source:
        return read_po(source, locale=language, domain="messages")


def update() -> None:
    source = template()
    for language in LANGUAGES:
        if language == SOURCE:
            continue
        catalogue = read(language)
        catalogue.update(source, no_fuzzy_matching=False, update_header_comment=False)
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalogue, width=100, omit_header=False, ignore_obsolete=True)
        todo = untranslated(catalogue)
        print(f"{language}: {len(catalogue)} sentences, {len(todo)} to translate", file=sys.stderr)


def untranslated(catalogue: Catalog) -> list[str]:
    """Ids that are fuzzy, or empty in any plural form."""
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            missing.append(msgid)
    return missing


def main(argv: list[str]) -> int:
    if "--check" in argv:
        source = {m.id if isinstance(m.id, str) else m.id[0] for m in template() if m.id}
        problems = 0
        for language in LANGUAGES[1:]:
            catalogue = read(language)
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
            for msgid in sorted(source - have) + untranslated(catalogue):
                print(f"{language}: {msgid[:70]!r}")
                problems += 1
        return 1 if problems else 0
    update()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
