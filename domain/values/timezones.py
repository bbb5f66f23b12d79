"""Turning what people type ("São Paulo", "nyc", "UTC+2", "EST") into an IANA zone.

In order: a zone name ("Europe/Paris"); a fixed offset ("UTC+2", "GMT-5", "+05:30"); a
time-zone abbreviation ("EST"; the ambiguous ones, like "IST", are refused with the places
they could mean); then a place from GeoNames (:mod:`domain.values.places`): a city in any
common spelling, or a country with a single zone. Nothing is ever returned that
``zoneinfo`` cannot load.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.values.places import find_place, normalise

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

#: Offered as buttons during onboarding: a spread of the world's busiest zones.
COMMON_ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)

_LONGEST_ANSWER: Final = 64


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone we are sure of; ``fixed`` when it never moves for daylight saving."""

    name: str
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """An abbreviation used in several places: (where, a city there) for each."""

    places: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class NotWholeHour:
    """A fixed offset with no IANA zone of its own ("UTC+5:30"): a city is better."""

    offset: str
    cities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeveralZones:
    """A country that spans several zones ("Brazil"): which city?"""


Understood = Zone | Ambiguous | NotWholeHour | SeveralZones

# Abbreviations people use for a zone with daylight saving: its summer and winter names
# both lead to the zone whose clocks they describe. (Not "CT" or "PT": Connecticut and
# Portugal.)
_ABBREVIATIONS: Final[dict[str, str]] = {
    "et": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "cdt": "America/Chicago",
    "mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "akst": "America/Anchorage",
    "akdt": "America/Anchorage",
    "hst": "Pacific/Honolulu",
    "ndt": "America/St_Johns",
    "nst": "America/St_Johns",
    "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "msk": "Europe/Moscow",
    "sast": "Africa/Johannesburg",
    "eat": "Africa/Nairobi",
    "wat": "Africa/Lagos",
    "pkt": "Asia/Karachi",
    "hkt": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore",
    "wib": "Asia/Jakarta",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "awst": "Australia/Perth",
    "aedt": "Australia/Sydney",
    "acdt": "Australia/Adelaide",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
    "brt": "America/Sao_Paulo",
}

# Abbreviations that mean different clocks in different places: we ask instead of guessing.
_AMBIGUOUS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "ist": (("India", "Mumbai"), ("Ireland", "Dublin"), ("Israel", "Jerusalem")),
    "cst": (("the central US", "Chicago"), ("China", "Shanghai"), ("Cuba", "Havana")),
    "bst": (("the UK", "London"), ("Bangladesh", "Dhaka")),
    "ast": (("Atlantic Canada", "Halifax"), ("Arabia", "Riyadh")),
    "mst": (("Colorado", "Denver"), ("Arizona", "Phoenix")),
    "aest": (("New South Wales", "Sydney"), ("Queensland", "Brisbane")),
    "acst": (("South Australia", "Adelaide"), ("the Northern Territory", "Darwin")),
    "gst": (("the Gulf", "Dubai"), ("South Georgia", "Grytviken")),
    "sst": (("Samoa", "Pago Pago"), ("Singapore", "Singapore")),
}

# Small aliases of well-known cities that GeoNames does not list as alternate names.
_ALIASES: Final[dict[str, str]] = {
    "sf": "san francisco",
    "dc": "washington",
    "kl": "kuala lumpur",
    "hk": "hong kong",
}

_OFFSET = re.compile(
    r"^(?:utc|gmt|z)?\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?:(?::|h|\.)?(?P<minutes>\d{2}))?$"
)
_BARE_UTC: Final = frozenset({"utc", "gmt", "z", "zulu", "utc 0", "gmt 0", "utc+0", "gmt+0"})


def understand_timezone(text: str, at: datetime) -> Understood | None:
    """What ``text`` names as a time zone, or None when we cannot tell (``at``: now, for
    the examples offered with an offset that has no zone of its own)."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _LONGEST_ANSWER:
        return None
    zone = _exact_names().get(cleaned.replace(" ", "_").casefold())
    if zone is not None:
        return Zone(zone, fixed=is_fixed(zone))
    fixed = _fixed_offset(cleaned, at)
    if fixed is not None:
        return fixed
    key = normalise(cleaned)
    if key in _AMBIGUOUS:
        return Ambiguous(_AMBIGUOUS[key])
    if key in _ABBREVIATIONS:
        return Zone(_ABBREVIATIONS[key])
    found = _place(key)
    if found is None and "," in cleaned:  # "São Paulo, Brazil"
        found = _place(normalise(cleaned.split(",", 1)[0]))
    if found is None and key in _zone_names():  # a zone's own city: "Busingen"
        found = Zone(_zone_names()[key])
    return found


def resolve_timezone(text: str, at: datetime) -> str | None:
    """The IANA name for what was typed, or ``None`` when we cannot be sure."""
    understood = understand_timezone(text, at)
    return understood.name if isinstance(understood, Zone) else None


def is_fixed(zone: str) -> bool:
    """A zone that never changes its offset by design (UTC, ``Etc/GMT-2``)."""
    return zone == "UTC" or zone.startswith("Etc/")


def zone_label(zone: str) -> str:
    """How a zone is shown: ``Etc/GMT-2`` reads "UTC+2" (Etc names invert the sign)."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", zone)
    if match is None:
        return "UTC" if is_fixed(zone) else zone
    sign = "-" if match.group(1) == "+" else "+"
    return f"UTC{sign}{int(match.group(2))}"


def city_label(zone: str) -> str:
    """ "America/New_York" -> "New York": how a zone reads on a button."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


_finder_lock = threading.Lock()


def zone_at(latitude: float, longitude: float) -> Zone | None:
    """The zone of a point on Earth, from polygons shipped with ``timezonefinder`` (no
    network). Nothing here keeps or logs the point."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    with _finder_lock:  # one finder, shared; its file reads are not thread-safe
        name = _finder().timezone_at(lat=latitude, lng=longitude)
    if name is None or not _loads(name):
        return None
    return Zone(name, fixed=is_fixed(name))


@cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder  # ~0.1 s and ~4 MB: only when first needed

    return TimezoneFinder()


def _place(key: str) -> Zone | SeveralZones | None:
    place = find_place(_ALIASES.get(key, key))
    if place is None:
        return None
    if place.zone is None:
        return SeveralZones()
    return Zone(place.zone)


def _fixed_offset(text: str, at: datetime) -> Zone | NotWholeHour | None:
    compact = " ".join(text.casefold().split())
    if compact in _BARE_UTC:
        return Zone("UTC", fixed=True)
    match = _OFFSET.match(compact.replace(" ", ""))
    if match is None:
        return None
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    east = match["sign"] == "+"
    if minutes >= 60 or not (hours <= 12 or (east and hours <= 14)):
        return None
    if minutes:
        offset = f"UTC{'+' if east else '-'}{hours}:{minutes:02d}"
        return NotWholeHour(offset, _cities_at(timedelta(hours=hours, minutes=minutes), east, at))
    if hours == 0:
        return Zone("UTC", fixed=True)
    # Etc names count the other way: UTC+2 is "Etc/GMT-2".
    zone = f"Etc/GMT{'-' if east else '+'}{hours}"
    return Zone(zone, fixed=True) if _loads(zone) else None


def _cities_at(offset: timedelta, east: bool, at: datetime) -> tuple[str, ...]:
    """A few cities whose clocks are at this offset right now (for the suggestion)."""
    wanted = offset if east else -offset
    found = sorted(
        city_label(zone)
        for zone in _zone_names().values()
        if zone.count("/") == 1
        and zone.split("/")[0] in {"Asia", "America", "Australia", "Pacific", "Africa"}
        and at.astimezone(ZoneInfo(zone)).utcoffset() == wanted
    )
    return tuple(dict.fromkeys(found))[:3]


def _regional_zones() -> list[str]:
    """Zones named after a place ("Europe/Paris"): not "EST" (a fixed offset under a
    daylight-saving name), "Japan" (the country, found as a place), or "Etc/GMT-2"."""
    links = _links()
    return sorted(
        name
        for name in available_timezones()
        if "/" in name
        and name not in links
        and not name.startswith(("Etc/", "SystemV/", "US/", "Canada/"))
    )


def _links() -> set[str]:
    """Old names kept as aliases ("Europe/Kiev", "Asia/Calcutta"), from tzdata's index."""
    try:
        index = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return set()
    return {line.split()[2] for line in index.splitlines() if line.startswith("L ")}


@cache
def _exact_names() -> dict[str, str]:
    """Zone names as written, in any case ("etc/gmt-2", "europe/paris")."""
    return {name.casefold(): name for name in available_timezones() if "/" in name}


@cache
def _zone_names() -> dict[str, str]:
    """Zone names and their city parts, normalised ("new york" -> "America/New_York")."""
    names = _regional_zones()
    index: dict[str, str] = {}
    for name in names:
        index.setdefault(normalise(name.rsplit("/", 1)[-1]), name)
    for name in names:
        index[normalise(name)] = name
    return index


def _loads(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
