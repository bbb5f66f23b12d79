"""Time zones the way people type them, tried as a new person would, over the fake Bot API."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from bot.log_setup import RedactSecrets
from storage.models import Base
from tests.e2e.conftest import TOKEN, Harness, pair
from tests.e2e.support import say, snapshot, start, start_with_zone, user_row
from tests.fake_telegram import FakeUser

ALICE, BOB = 1001, 1002
MAIN_KEYBOARD = [["📝 Log a moment", "💭 Thinking of you"], ["❓ Help"]]
# São Paulo, Praça da Sé, to four places: digits that would stand out anywhere they leaked.
SAO_PAULO = (-23.5503, -46.6339)
ADDRESS = re.compile(r"0x[0-9a-f]+")


def location_buttons(user: FakeUser) -> list[dict[str, object]]:
    return [key for row in user.reply_keyboard_buttons or [] for key in row]


async def zone_of(h: Harness, user_id: int) -> str | None:
    row = await user_row(h, user_id)
    assert row is not None
    return row.timezone


async def test_a_new_person_types_their_city_with_or_without_accents(harness: Harness) -> None:
    """Typing "Sao Paulo" or "São Paulo" is the same city; the question offers the location
    button too, and it goes away once answered."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await alice.send("/start")
    await alice.wait_for(lambda m: m.body == "🕰 Let's set your time zone.")
    question = await alice.next_message()
    assert "where in the world" in question.body and "Berlin" in question.button_texts
    assert "📍 Share my location" in question.body
    assert location_buttons(alice) == [{"text": "📍 Share my location", "request_location": True}]

    reply = await say(alice, "Sao Paulo")
    # 09:00 UTC is 06:00 in São Paulo (no daylight saving there since 2019).
    assert reply.body == "Got it — your time zone is America/Sao_Paulo (it's 06:00 there now). 🕰"
    assert reply.removes_keyboard and alice.reply_keyboard is None
    assert await zone_of(h, ALICE) == "America/Sao_Paulo"

    await alice.send("/timezone")
    await alice.wait_for(lambda m: "where in the world" in m.body)
    reply = await say(alice, "São Paulo")
    assert reply.body.startswith("Got it — your time zone is America/Sao_Paulo")
    row = await user_row(h, ALICE)
    assert row is not None and row.timezone == "America/Sao_Paulo" and row.awaiting is None


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("nyc", "America/New_York"), ("Zürich", "Europe/Zurich"), ("EST", "America/New_York")],
)
async def test_nicknames_accents_and_abbreviations(harness: Harness, typed: str, zone: str) -> None:
    alice = harness.user(ALICE, "Alice")
    await start(alice)
    reply = await say(alice, typed)
    assert reply.body.startswith(f"Got it — your time zone is {zone} (it's "), reply.body
    assert await zone_of(harness, ALICE) == zone


async def test_a_fixed_offset_is_kept_with_a_note_about_daylight_saving(harness: Harness) -> None:
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    reply = await say(alice, "UTC+2")
    assert reply.body == (
        "Got it — your time zone is UTC+2 (it's 11:00 there now). 🕰\n"
        "A fixed offset doesn't follow daylight saving: if your clocks change in summer, "
        "type your city instead."
    )
    assert await zone_of(h, ALICE) == "Etc/GMT-2"  # the IANA name counts the other way
    settings = await say(alice, "/settings")
    assert "Time zone: UTC+2" in settings.body


async def test_an_ambiguous_abbreviation_is_refused_with_a_suggestion(harness: Harness) -> None:
    """Typing "IST" (India, Ireland or Israel?): nothing is stored, and the next answer is still
    read as a place."""
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    before = await snapshot(h)
    reply = await say(alice, "IST")
    assert reply.body == (
        "“IST” means different clocks in different places: did you mean India, Ireland or "
        "Israel? Type a city near you (like Mumbai, Dublin or Jerusalem) and I'll get it "
        "exactly right."
    )
    assert await snapshot(h) == before
    assert (await say(alice, "Mumbai")).body.startswith("Got it — your time zone is Asia/Kolkata")


async def test_half_hour_offsets_countries_and_html_get_kind_answers(harness: Harness) -> None:
    h = harness
    alice = h.user(ALICE, "Alice")
    await start(alice)
    before = await snapshot(h)
    reply = await say(alice, "UTC+5:30")
    assert reply.body == (
        "UTC+5:30 isn't a whole hour, so I'd rather follow a real place's clocks: "
        "type a city near you (like Colombo or Kolkata)."
    )
    reply = await say(alice, "Brazil")
    assert reply.body == "“Brazil” has more than one time zone. Which city are you in, or near? 🙂"
    # Typed HTML is shown as typed, never as markup.
    reply = await say(alice, "<b>Paris</b>")
    assert reply.body.startswith("Hmm, I don't know “<b>Paris</b>” as a place or time zone.")
    assert reply.raw_text is not None and "&lt;b&gt;Paris&lt;/b&gt;" in reply.raw_text
    assert await snapshot(h) == before


@contextmanager
def bot_logs() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG, through the filter ``bot.log_setup`` installs."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.addFilter(RedactSecrets(TOKEN))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def every_value_stored(h: Harness) -> str:
    """Every row of every table, as text."""
    dump: list[str] = []
    async with h.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                dump.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(dump)


async def test_sharing_a_location_sets_the_zone_and_keeps_no_coordinates(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    alice = h.user(ALICE, "Alice")
    caplog.set_level(logging.DEBUG)
    with bot_logs() as logs:
        await start(alice)
        await alice.share_location(*SAO_PAULO)
        reply = await alice.next_message()
        await h.settled()
    assert reply.body == (
        "Got it — your time zone is America/Sao_Paulo (it's 06:00 there now). 🕰\n"
        "I only looked up the time zone there; your location isn't kept."
    )
    assert reply.removes_keyboard and alice.reply_keyboard is None
    row = await user_row(h, ALICE)
    assert row is not None and row.timezone == "America/Sao_Paulo" and row.awaiting is None

    stored = await every_value_stored(h)
    assert "America/Sao_Paulo" in stored  # the dump does see the person's row
    for digits in ("23.55", "46.63", "2355", "4663"):
        assert digits not in stored
        assert digits not in logs.getvalue()
        # And our own code never even hands them to logging (PTB's debug dumps aside).
        ours = [r for r in caplog.records if not r.name.startswith(("telegram", "httpx"))]
        # (Memory addresses in a library's debug line, "at 0x7f…2355…", are not coordinates.)
        assert not [r for r in ours if digits in ADDRESS.sub("", r.getMessage())]
    # PTB's debug dump of the update did pass through the logs, redacted.
    assert "latitude" in logs.getvalue() and "<redacted>" in logs.getvalue()


async def test_a_location_shared_any_time_sets_the_zone_and_restores_the_menu(
    harness: Harness,
) -> None:
    """Paired and not asked: a shared location still sets the zone (and says so), and the
    everyday menu stays; asked while paired, the location button sits above the menu."""
    h = harness
    alice, bob = h.user(ALICE, "Alice"), h.user(BOB, "Bob")
    await start_with_zone(alice, "Berlin")
    await start_with_zone(bob, "Berlin")
    await pair(h, alice, bob)
    assert alice.reply_keyboard == MAIN_KEYBOARD

    await alice.send_location(*SAO_PAULO)
    reply = await alice.next_message()
    assert reply.body.startswith("Got it — your time zone is America/Sao_Paulo")
    assert reply.reply_keyboard == MAIN_KEYBOARD
    assert await zone_of(h, ALICE) == "America/Sao_Paulo"

    await alice.send("/timezone")
    await alice.wait_for(lambda m: "where in the world" in m.body)
    assert alice.reply_keyboard == [["📍 Share my location"], *MAIN_KEYBOARD]
    await alice.share_location(47.3769, 8.5417)  # Zürich
    reply = await alice.next_message()
    assert reply.body.startswith("Got it — your time zone is Europe/Zurich")
    assert alice.reply_keyboard == MAIN_KEYBOARD


async def test_a_location_out_at_sea_is_a_fixed_offset(harness: Harness) -> None:
    alice = harness.user(ALICE, "Alice")
    await start(alice)
    await alice.share_location(0.0, -30.0)  # the middle of the Atlantic
    reply = await alice.next_message()
    assert reply.body.startswith("Got it — your time zone is UTC-2 (it's 07:00 there now).")
    assert "daylight saving" in reply.body
