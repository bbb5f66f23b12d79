"""A first time zone for someone who never said where they are, from their language.

Only a starting point, always shown with a one-tap change: a language spoken mostly in
one zone gives that zone; a region tag ("en-US", "pt-BR") narrows it; anything else is UTC,
which is at least honest about being a guess.
"""

from __future__ import annotations

from typing import Final

#: Whoever writes this language most likely lives in this zone.
_BY_LANGUAGE: Final[dict[str, str]] = {
    "de": "Europe/Berlin", "fr": "Europe/Paris", "es": "Europe/Madrid", "it": "Europe/Rome",
    "pt": "Europe/Lisbon", "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw",
    "cs": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest",
    "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "el": "Europe/Athens",
    "sv": "Europe/Stockholm", "da": "Europe/Copenhagen", "nb": "Europe/Oslo",
    "fi": "Europe/Helsinki", "et": "Europe/Tallinn", "lv": "Europe/Riga",
    "lt": "Europe/Vilnius", "uk": "Europe/Kyiv", "be": "Europe/Minsk", "ru": "Europe/Moscow",
    "tr": "Europe/Istanbul", "he": "Asia/Jerusalem", "fa": "Asia/Tehran",
    "ar": "Asia/Riyadh", "hi": "Asia/Kolkata", "id": "Asia/Jakarta", "ms": "Asia/Kuala_Lumpur",
    "th": "Asia/Bangkok", "vi": "Asia/Ho_Chi_Minh", "zh": "Asia/Shanghai", "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul", "uz": "Asia/Tashkent", "kk": "Asia/Almaty",
}  # fmt: skip

#: Language and region together, where the language alone spans oceans.
_BY_REGION: Final[dict[str, str]] = {
    "en-gb": "Europe/London", "en-ie": "Europe/Dublin", "en-us": "America/New_York",
    "en-ca": "America/Toronto", "en-au": "Australia/Sydney", "en-nz": "Pacific/Auckland",
    "en-in": "Asia/Kolkata", "pt-br": "America/Sao_Paulo", "es-mx": "America/Mexico_City",
    "es-ar": "America/Argentina/Buenos_Aires", "es-co": "America/Bogota",
    "fr-ca": "America/Toronto", "zh-tw": "Asia/Taipei", "zh-hk": "Asia/Hong_Kong",
}  # fmt: skip

FALLBACK: Final = "UTC"


def guess_zone(language_code: str | None) -> str:
    """The zone to start with for Telegram's ``language_code`` (an IETF tag, or None)."""
    tag = (language_code or "").strip().casefold().replace("_", "-")
    if tag in _BY_REGION:
        return _BY_REGION[tag]
    return _BY_LANGUAGE.get(tag.partition("-")[0], FALLBACK)
