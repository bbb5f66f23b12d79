"""The Mini App's API over real HTTP: signed in by Telegram's initData only, and only ever
the caller's own couple; what it changes is what the chat says and shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import WEB_APP_SERVER
from domain.values.clock import ManualClock
from storage.database import Database
from storage.models import ConnectionEvent, RitualSetting
from tests.e2e.conftest import TOKEN, pair, running_bot
from tests.fake_telegram import FakeUser
from tests.webapp.conftest import WEB_APP_URL, Space
from tests.webapp.signing import signed_init_data

READS = ["api/week", "api/week?weeks_ago=1", "api/history", "api/moments", "api/settings"]
WRITES = [
    ("api/moments", {"kind": "hug", "tap": "tap-0000001"}),
    ("api/settings", {"change": "window", "ritual": "midday_thinking", "value": "12:30-13:30"}),
]


async def two_couples(s: Space) -> tuple[FakeUser, FakeUser, FakeUser, FakeUser]:
    alice, bob = s.h.user(1001, "Alice"), s.h.user(1002, "Bob")
    carol, dan = s.h.user(2001, "Carol"), s.h.user(2002, "Dan")
    await pair(s.h, alice, bob)
    await pair(s.h, carol, dan)
    await s.h.settled()
    return alice, bob, carol, dan


async def events_stored(s: Space) -> int:
    async with s.h.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(ConnectionEvent)) or 0)


async def test_every_endpoint_refuses_without_valid_init_data(space: Space) -> None:
    alice, *_ = await two_couples(space)
    now = space.h.clock()
    refused = [
        None,  # no header at all
        "tma ",
        "Bearer " + space.init_data(alice),  # right data, wrong scheme
        "tma " + space.init_data(alice).replace("Alice", "Eve"),  # tampered
        "tma " + signed_init_data("987654321:OTHERtokenOTHERtokenOTHER00", alice.id, "A", now),
        "tma " + signed_init_data(TOKEN, alice.id, "Alice", now - timedelta(hours=2)),
        "tma " + space.init_data(alice) + "&user=%7B%22id%22%3A1001%7D",  # duplicated key
    ]
    before = await events_stored(space)
    for authorization in refused:
        for path in READS:
            status, body = await space.call("GET", path, authorization=authorization)
            assert status == 401, (path, authorization)
            assert set(body) == {"error"} and "Telegram" in body["error"]
        for path, change in WRITES:
            status, _ = await space.call("POST", path, authorization=authorization, json=change)
            assert status == 401, (path, authorization)
    assert await events_stored(space) == before
    async with space.h.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(RitualSetting)) == 0
    await space.h.settled()
    assert not [m for m in alice.history if "Saved from your space" in m.body]


async def test_someone_the_bot_does_not_know_is_asked_to_say_start(space: Space) -> None:
    stranger = space.h.user(3001, "Zoe")
    for path in READS:
        status, body = await space.call("GET", path, as_user=stranger)
        assert status == 403 and "/start" in body["error"]


async def test_nobody_sees_another_couples_moments_whatever_they_ask(space: Space) -> None:
    alice, _bob, carol, dan = await two_couples(space)
    await space.call(
        "POST", "api/moments", as_user=carol, json={"kind": "kiss", "tap": "carol-tap-1"}
    )
    await carol.send("/thinking Carol's secret note")
    await space.call(
        "POST", "api/moments", as_user=alice, json={"kind": "hug", "tap": "alice-tap-1"}
    )
    await space.h.settled()
    others = f"user_id={carol.id}&couple_id=2&partner_id={dan.id}"
    for path in READS:
        joiner = "&" if "?" in path else "?"
        status, body = await space.call("GET", f"{path}{joiner}{others}", as_user=alice)
        assert status == 200, path
        shown = str(body)
        assert "Carol" not in shown and "Dan" not in shown and "secret" not in shown, path
    _, moments = await space.call("GET", "api/moments", as_user=alice)
    assert [(e["who"], e["label"]) for e in moments["entries"]] == [("You", "Hug before leaving")]
    _, week = await space.call("GET", "api/week", as_user=alice)
    assert week["names"] == {"me": "Alice", "partner": "Bob"} and week["total"] == 1
    _, history = await space.call("GET", "api/history", as_user=alice)
    assert history["all_time_total"] == 1
    _, carols = await space.call("GET", "api/week", as_user=carol)
    assert carols["total"] == 2  # her kiss and her "thinking of you", never Alice's hug


async def test_the_week_shows_the_chats_own_reflection(space: Space) -> None:
    alice, bob, *_ = await two_couples(space)
    for tap in ("a-tap-0001", "a-tap-0002"):
        await space.call("POST", "api/moments", as_user=alice, json={"kind": "hug", "tap": tap})
    await bob.send("/thinking")
    await space.h.settled()
    status, week = await space.call("GET", "api/week", as_user=alice)
    assert status == 200
    assert week["total"] == 3 and week["days_connected"] == 1
    today = [d for d in week["daily"] if d["me"] or d["partner"]]
    assert today == [{"day": "2026-11-26", "me": 2, "partner": 1}]
    await alice.send("/week")
    reflection = await alice.wait_for(lambda m: "moments" in m.body and m.photo is not None)
    assert week["words"] in reflection.body  # the very words (and so figures) of the chat
    assert "📱 Open our space" in [b.text for row in reflection.buttons for b in row]
    _, earlier = await space.call("GET", "api/week?weeks_ago=1", as_user=alice)
    assert earlier["total"] == 0 and earlier["weeks_ago"] == 1
    status, _ = await space.call("GET", "api/week?weeks_ago=-1", as_user=alice)
    assert status == 422


async def test_a_moment_sent_twice_is_logged_once(space: Space) -> None:
    alice, *_ = await two_couples(space)
    tap = {"kind": "smile", "tap": "same-tap-123"}
    first = await space.call("POST", "api/moments", as_user=alice, json=tap)
    again = await space.call("POST", "api/moments", as_user=alice, json=tap)
    assert first[0] == again[0] == 200
    assert first[1]["duplicate"] is False and again[1]["duplicate"] is True
    assert await events_stored(space) == 1
    status, _ = await space.call(
        "POST", "api/moments", as_user=alice, json={"kind": "nonsense", "tap": "other-tap-1"}
    )
    assert status == 422 and await events_stored(space) == 1


async def test_a_setting_changed_in_the_space_is_confirmed_and_shown_in_the_chat(
    space: Space,
) -> None:
    alice, *_ = await two_couples(space)
    change = {"change": "window", "ritual": "midday_thinking", "value": "12:30-13:30"}
    status, body = await space.call("POST", "api/settings", as_user=alice, json=change)
    assert status == 200
    midday = next(r for r in body["rituals"] if r["ritual"] == "midday_thinking")
    assert midday["window"] == {"start": "12:30", "end": "13:30"}
    confirmation = await alice.wait_for(lambda m: "Saved from your space" in m.body)
    assert "between 12:30 and 13:30" in confirmation.body
    await alice.send("/settings")
    menu = await alice.wait_for(lambda m: "📱 Open our space" in str(m.describe()))
    assert "12:30–13:30" in menu.body
    _, shown = await space.call("GET", "api/settings", as_user=alice)
    assert "12:30–13:30" in shown["summary"]


@pytest.mark.parametrize(
    "change",
    [
        {"change": "window", "ritual": "midday_thinking", "value": "25:00-26:00"},
        {"change": "window", "ritual": "midday_thinking", "value": "14:00-12:00"},
        {"change": "bedtime", "value": "soon"},
        {"change": "pause", "days": "45"},
        {"change": "timezone", "value": "Atlantis of the Moon"},
        {"change": "ritual", "ritual": "nap", "enabled": True},
        {"change": "digest", "enabled": "yes"},
        {"change": "everything"},
    ],
)
async def test_a_bad_setting_changes_nothing_and_says_why(space: Space, change: object) -> None:
    alice, *_ = await two_couples(space)
    _, before = await space.call("GET", "api/settings", as_user=alice)
    status, body = await space.call("POST", "api/settings", as_user=alice, json=change)
    assert status == 422 and body["error"]
    assert "changed" in body["error"] or "Atlantis" in body["error"]  # the chat's own words
    _, after = await space.call("GET", "api/settings", as_user=alice)
    assert after == before
    await space.h.settled()
    assert not [m for m in alice.history if "Saved from your space" in m.body]


async def test_the_space_is_one_tap_away_once_paired(space: Space) -> None:
    alice, *_ = await two_couples(space)
    menu = space.h.fake.menu_buttons[None]
    assert menu["type"] == "web_app" and menu["web_app"]["url"] == WEB_APP_URL
    await alice.send("/start")
    line = await alice.wait_for(lambda m: any(b.web_app_url for row in m.buttons for b in row))
    assert [(b.text, b.web_app_url) for row in line.buttons for b in row] == [
        ("📱 Open our space", WEB_APP_URL)
    ]
    async with space.http.get(space.base_url) as page:
        assert page.status == 200 and "telegram-web-app.js" in await page.text()


async def test_without_a_web_app_url_nothing_points_to_it(
    database_url: str, db: Database, clock: ManualClock
) -> None:
    async with running_bot(database_url, db, clock) as h:
        alice, bob = h.user(1001, "Alice"), h.user(1002, "Bob")
        await pair(h, alice, bob)
        for command in ("/start", "/settings"):
            await alice.send(command)
        await h.settled()
        assert h.fake.menu_buttons == {}
        assert not [b for m in alice.history for row in m.buttons for b in row if b.web_app_url]
        assert WEB_APP_SERVER not in h.app.bot_data


async def test_the_space_speaks_each_partners_own_language(space: Space) -> None:
    """The page's words follow the chat's choice: /language first, else Telegram's
    language_code as the page is opened; counts use the language's plural rules."""
    alice, bob, *_ = await two_couples(space)
    await alice.send("/language русский")
    await alice.wait_for(lambda m: "Готово" in m.body)
    bob.language_code = "de"  # Bob's Telegram app is now in German; he never chose
    for n, kind in enumerate(("hug", "appreciation")):
        await space.call(
            "POST", "api/moments", as_user=alice, json={"kind": kind, "tap": f"t-{n:06}"}
        )

    status, words = await space.call("GET", "api/words", as_user=alice)
    assert status == 200 and words["lang"] == "ru"
    assert words["words"]["tab_history"] == "🗓️ История"
    assert words["days"][0] == "пн" and words["pause_days"][:5] == [
        "1 день",
        "2 дня",
        "3 дня",
        "4 дня",
        "5 дней",
    ]
    _, week = await space.call("GET", "api/week", as_user=alice)
    assert week["cards"][0] == {"value": "2", "label": "момента пока (неделей раньше: 0)"}
    assert "Ваша неделя вдвоём" in week["words"]
    _, moments = await space.call("GET", "api/moments", as_user=alice)
    assert {e["who"] for e in moments["entries"]} == {"Ты"}

    status, words = await space.call("GET", "api/words", as_user=bob)
    assert status == 200 and words["lang"] == "de"
    assert words["words"]["tab_settings"] == "⚙️ Einstellungen"
    _, story = await space.call("GET", "api/history", as_user=bob)
    assert story["cards"][0] == {"value": "2", "label": "Momente, seit ihr hier verbunden seid"}
    refused, body = await space.call("GET", "api/week?weeks_ago=x", as_user=bob)
    assert (
        refused == 422
        and body["error"] == "Das sah nicht ganz richtig aus, deshalb hat sich nichts geändert."
    )
