"""Turning what people type ("Berlin", "new york", "Europe/Paris") into an IANA zone."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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

# Well-known cities that are not themselves the name of a zone.
_CITY_ALIASES: dict[str, str] = {
    "nyc": "America/New_York",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "austin": "America/Chicago",
    "minneapolis": "America/Chicago",
    "montreal": "America/Toronto",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "edinburgh": "Europe/London",
    "manchester": "Europe/London",
    "st petersburg": "Europe/Moscow",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "saigon": "Asia/Ho_Chi_Minh",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "cape town": "Africa/Johannesburg",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    "utc": "UTC",
    "gmt": "Etc/GMT",
}


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


@cache
def _zone_index() -> dict[str, str]:
    """Exact zone names and their city parts ("new york" -> "America/New_York")."""
    index: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/")) or "/" not in name:
            continue
        index.setdefault(_normalise(name.rsplit("/", 1)[-1]), name)
    for name in available_timezones():
        index[_normalise(name)] = name
    index.update(_CITY_ALIASES)
    return index


def resolve_timezone(text: str) -> str | None:
    """The IANA name for what was typed, or ``None`` when we cannot be sure."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 64:
        return None
    key = _normalise(cleaned)
    zone = _zone_index().get(key)
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return zone


def city_label(zone: str) -> str:
    """ "America/New_York" -> "New York": how a zone reads on a button."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
