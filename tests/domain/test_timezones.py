"""Time zones the way people type them: cities in any spelling, offsets, abbreviations."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.values.places import normalise
from domain.values.timezones import (
    Ambiguous,
    NotWholeHour,
    SeveralZones,
    Zone,
    understand_timezone,
    zone_at,
    zone_label,
)
from messages import texts

NOW = datetime(2025, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("São Paulo", "America/Sao_Paulo"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("  sao-paulo ", "America/Sao_Paulo"),
        ("São Paulo, Brazil", "America/Sao_Paulo"),
        ("Zürich", "Europe/Zurich"),
        ("Zurich", "Europe/Zurich"),
        ("New York", "America/New_York"),
        ("nyc", "America/New_York"),
        ("NYC", "America/New_York"),
        ("Big Apple", "America/New_York"),
        ("la", "America/Los_Angeles"),
        ("sf", "America/Los_Angeles"),
        ("München", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("Frankfurt", "Europe/Berlin"),
        ("Bombay", "Asia/Kolkata"),
        ("Kiev", "Europe/Kyiv"),  # an old spelling: the current zone name, not the alias
        ("Canberra", "Australia/Sydney"),  # a capital, not a zone of its own
        ("St. Petersburg", "Europe/Moscow"),  # the most populous one wins the name
        ("Birmingham", "Europe/London"),
        ("Vaduz", "Europe/Vaduz"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("america/new york", "America/New_York"),
        ("Japan", "Asia/Tokyo"),  # a country with one zone
        ("Lebanon", "Asia/Beirut"),  # the country, not Lebanon, Pennsylvania
        ("EST", "America/New_York"),  # an abbreviation: the zone with daylight saving
        ("pdt", "America/Los_Angeles"),
        ("CET", "Europe/Berlin"),
    ],
)
def test_places_and_names_people_type(typed: str, zone: str) -> None:
    assert understand_timezone(typed, NOW) == Zone(zone, fixed=False)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("UTC+2", "Etc/GMT-2"),  # Etc names count the other way
        ("utc + 2", "Etc/GMT-2"),
        ("GMT-5", "Etc/GMT+5"),
        ("GMT−5", "Etc/GMT+5"),  # a typographic minus
        ("+03:00", "Etc/GMT-3"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
        ("UTC", "UTC"),
        ("GMT", "UTC"),
        ("UTC+0", "UTC"),
        ("Etc/GMT-2", "Etc/GMT-2"),
    ],
)
def test_fixed_offsets_are_kept_as_etc_zones(typed: str, zone: str) -> None:
    understood = understand_timezone(typed, NOW)
    assert understood == Zone(zone, fixed=True)
    ZoneInfo(zone)  # loadable


def test_an_offset_without_a_zone_suggests_cities_at_that_offset() -> None:
    assert understand_timezone("+05:30", NOW) == NotWholeHour("UTC+5:30", ("Colombo", "Kolkata"))
    assert understand_timezone("UTC+5:45", NOW) == NotWholeHour("UTC+5:45", ("Kathmandu",))


@pytest.mark.parametrize("typed", ["UTC+15", "GMT-13", "UTC+2:75", "+99"])
def test_offsets_that_do_not_exist_are_not_understood(typed: str) -> None:
    assert understand_timezone(typed, NOW) is None


def test_ambiguous_abbreviations_are_refused_with_the_places_they_could_mean() -> None:
    ist = understand_timezone("IST", NOW)
    assert ist == Ambiguous((("India", "Mumbai"), ("Ireland", "Dublin"), ("Israel", "Jerusalem")))
    assert isinstance(understand_timezone("cst", NOW), Ambiguous)
    assert isinstance(understand_timezone("BST", NOW), Ambiguous)
    # Every city suggested is one we then understand.
    for where, city in ist.places:
        assert isinstance(understand_timezone(city, NOW), Zone), where


def test_a_country_with_several_zones_asks_for_a_city() -> None:
    assert understand_timezone("Brazil", NOW) == SeveralZones()
    assert understand_timezone("Mexico", NOW) == SeveralZones()  # not Mexico, Pampanga


@pytest.mark.parametrize(
    "typed", ["", "   ", "Narnia", "<b>Paris</b>", "<script>alert(1)</script>", "x" * 65]
)
def test_what_we_cannot_be_sure_of_is_not_understood(typed: str) -> None:
    assert understand_timezone(typed, NOW) is None


def test_normalisation() -> None:
    assert normalise("  São   PAULO! ") == "sao paulo"
    assert normalise("Zürich") == normalise("Zurich") == "zurich"
    assert normalise("St. Petersburg") == "saint petersburg"
    assert normalise("Straße") == "strasse"


def test_the_reply_escapes_what_was_typed() -> None:
    reply = texts.timezone_refused("<b>Paris</b>", None)
    assert "&lt;b&gt;Paris&lt;/b&gt;" in reply and "<b>Paris" not in reply
    ambiguous = understand_timezone("IST", NOW)
    assert isinstance(ambiguous, Ambiguous)
    assert texts.timezone_refused("IST", ambiguous) == (
        "“IST” means different clocks in different places: did you mean India, Ireland or "
        "Israel? Type a city near you (like <i>Mumbai</i>, <i>Dublin</i> or <i>Jerusalem</i>) "
        "and I'll get it exactly right."
    )


def test_fixed_zones_read_as_utc_offsets_with_a_note() -> None:
    assert zone_label("Etc/GMT-2") == "UTC+2"
    assert zone_label("Etc/GMT+5") == "UTC-5"
    assert zone_label("UTC") == "UTC"
    assert zone_label("Europe/Paris") == "Europe/Paris"
    assert texts.timezone_set("Etc/GMT-2", NOW) == (
        "Got it — your time zone is <b>UTC+2</b> (it's 11:00 there now). 🕰\n"
        + texts.TIMEZONE_FIXED_NOTE
    )
    assert "daylight saving" not in texts.timezone_set("Europe/Paris", NOW)


def test_a_point_on_earth_gives_its_zone_offline() -> None:
    assert zone_at(-23.5505, -46.6333) == Zone("America/Sao_Paulo")  # São Paulo
    assert zone_at(47.3769, 8.5417) == Zone("Europe/Zurich")
    assert zone_at(0.0, -30.0) == Zone("Etc/GMT+2", fixed=True)  # the open Atlantic
    assert zone_at(91.0, 0.0) is None
