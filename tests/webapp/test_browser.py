"""The Mini App in headless Chromium (Debian's, driven by Playwright): opened with a signed
``#tgWebAppData`` as Telegram opens it, in a light and a dark theme at phone size.

Screenshots and first-paint times go to ``test-output/miniapp/`` (or ``$MINIAPP_OUTPUT``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from messages.i18n import speaking
from messages.weekly import format_week_range
from storage.models import ConnectionEvent, RitualSetting
from tests.e2e.conftest import pair
from tests.fake_telegram import FakeUser
from tests.webapp.conftest import WEB_APP_URL, Space

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: .ci/run installs chromium")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install -y chromium): browser tests skipped",
        allow_module_level=True,
    )

from playwright.async_api import (  # noqa: E402
    Browser,
    Page,
    Route,
    ViewportSize,
    async_playwright,
)

TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
STUB = Path(__file__).with_name("telegram_stub.js")
NOT_LOCAL = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
OUTPUT = Path(os.environ.get("MINIAPP_OUTPUT", "test-output/miniapp"))
PHONE: ViewportSize = {"width": 360, "height": 740}
#: Telegram's own default palettes (what its clients send as themeParams).
THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#181818",
    },
}
FIRST_PAINT = """new Promise((resolve) => {
  const seen = performance.getEntriesByName("first-contentful-paint");
  if (seen.length) return resolve(seen[0].startTime);
  new PerformanceObserver((list) => {
    const paint = list.getEntriesByName("first-contentful-paint")[0];
    if (paint) resolve(paint.startTime);
  }).observe({ type: "paint", buffered: true });
})"""
#: "Well under a second" on this machine, with everything else running too.
FIRST_PAINT_BUDGET_MS = 1000


@pytest.fixture
def output() -> Path:
    """Where the screenshots and first-paint times are kept after the run."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def keep(path: Path, text: str) -> None:
    path.write_text(text)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        await browser.close()


async def open_space(
    browser: Browser, s: Space, user: FakeUser, theme: str, locale: str | None = None
) -> tuple[Page, list[str]]:
    """The page as Telegram opens it for ``user``; what went wrong is listed (requests to
    anywhere else, script errors, anything the browser complains of, such as the page's
    content security policy)."""
    context = await browser.new_context(viewport=PHONE, color_scheme=theme, locale=locale)  # type: ignore[arg-type]
    page = await context.new_page()
    trouble: list[str] = []
    page.on("pageerror", lambda error: trouble.append(f"error: {error}"))
    page.on(
        "console",
        lambda m: trouble.append(f"console: {m.text}") if m.type in ("error", "warning") else None,
    )

    async def outside_only(route: Route) -> None:
        url = route.request.url
        if url == TELEGRAM_SCRIPT:
            await route.fulfill(path=STUB, content_type="application/javascript")
        else:
            trouble.append(f"request: {url}")
            await route.abort()

    # Only what leaves this machine is intercepted, so the page loads as it would.
    await page.route(NOT_LOCAL, outside_only)
    fragment = (
        f"tgWebAppData={quote(s.init_data(user), safe='')}&tgWebAppVersion=8.0"
        f"&tgWebAppPlatform=android&tgWebAppThemeParams={quote(json.dumps(THEMES[theme]))}"
    )
    await page.goto(f"{s.base_url}#{fragment}")
    await page.wait_for_selector("body[data-ready=week]")
    return page, trouble


async def first_paint_ms(page: Page) -> float:
    """When the page first showed something (Chromium's first-contentful-paint), in ms."""
    return float(await page.evaluate(FIRST_PAINT))


async def show(page: Page, tab: str) -> None:
    await page.get_by_role("tab", name=tab).click()
    page_id = {"Our week": "week"}.get(tab.split(" ", 1)[1], tab.split(" ", 1)[1].lower())
    await page.wait_for_selector(f"body[data-ready={page_id}]")


async def a_couple_with_a_week(s: Space) -> tuple[FakeUser, FakeUser]:
    alice, bob = s.h.user(1001, "Alice"), s.h.user(1002, "Bob")
    await pair(s.h, alice, bob)
    for n, kind in enumerate(("hug", "appreciation", "hug")):
        await s.call(
            "POST", "api/moments", as_user=alice, json={"kind": kind, "tap": f"seed-{n:04}"}
        )
    await bob.send("/thinking see you tonight")
    await s.h.settled()
    return alice, bob


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_each_page_shows_the_couple_at_phone_size(
    space: Space, browser: Browser, theme: str, database_url: str, output: Path
) -> None:
    alice, _ = await a_couple_with_a_week(space)
    # First paint when opened, then opened again twice (the machine is shared and noisy:
    # the best of three is what the page costs); first, the baseline: a one-line page with
    # an emoji, in the same browser, the same way.
    blank = await browser.new_page(viewport=PHONE)
    floors = []
    for _ in range(3):
        await blank.goto("data:text/html;charset=utf-8,<p>Hello 💞</p>")
        floors.append(await first_paint_ms(blank))
    await blank.close()
    page, trouble = await open_space(browser, space, alice, theme)
    paints = [await first_paint_ms(page)]
    for _ in range(2):
        await page.reload()
        await page.wait_for_selector("body[data-ready=week]")
        paints.append(await first_paint_ms(page))
    backend = "postgres" if database_url.startswith("postgresql") else "sqlite"
    shots = []

    async def shoot(name: str) -> None:
        path = output / f"{name}-{theme}-{backend}.png"
        await page.screenshot(path=str(path), full_page=True)
        shots.append(str(path))

    # Our week: the chat's figures, a bar per partner and day.
    _, week = await space.call("GET", "api/week", as_user=alice)
    cards = await page.locator("#week-cards").inner_text()
    assert f"{week['total']}\nmoments so far" in cards and week["total"] == 4
    assert await page.locator("#week-chart rect.bar-me").count() == 7
    legend = await page.locator("#week-legend").inner_text()
    assert legend.split() == ["Alice", "Bob"]  # no week before, so no line for it
    assert await page.locator("#week-words").inner_text() == week["words"].strip()
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(33, 33, 33)"}[theme]
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing sticks out sideways at 360 px"
    await shoot("week")
    await page.get_by_role("button", name="Earlier week").click()
    # The earlier week's title is the chat's own week range (Babel's, with its thin spaces).
    earlier = format_week_range(date(2026, 11, 16))
    await page.wait_for_selector(f"#week-title:has-text('{earlier}')")
    assert "0\nmoments" in await page.locator("#week-cards").inner_text()
    await page.get_by_role("button", name="Later week").click()
    await page.wait_for_selector("#week-title:has-text('This week')")

    await show(page, "🗓️ History")
    assert "4\nmoments since you paired" in await page.locator("#history-cards").inner_text()
    assert await page.locator("#heatmap rect.cell.both").count() == 1
    assert "🤗 Morning hug — 2" in await page.locator("#top-rituals").inner_text()
    await shoot("history")

    await show(page, "💞 Moments")
    timeline = await page.locator("#timeline").inner_text()
    assert "Bob · Thinking of you" in timeline and "see you tonight" in timeline
    await shoot("moments")

    await show(page, "⚙️ Settings")
    assert await page.get_by_label("Sunday-evening reflection").is_checked()
    await shoot("settings")
    assert trouble == [], "no request leaves but for Telegram's script; no errors"
    figures = (
        f"first paint {paints[0]:.0f} ms when opened, best of three {min(paints):.0f} ms "
        f"(a one-line page in the same browser: {floors[0]:.0f} ms, best {min(floors):.0f} ms)"
    )
    keep(output / f"first-paint-{theme}-{backend}.txt", figures + "\n")
    print(f"\n{theme}, {backend}: {figures}; screenshots: {', '.join(shots)}")
    assert min(paints) < FIRST_PAINT_BUDGET_MS


async def test_a_new_couple_opens_their_space_logs_a_moment_and_moves_midday(
    space: Space, browser: Browser
) -> None:
    """Done means: pair in the chat, tap "📱 Open our space", see this week's moments,
    change the midday window in the page, and get the chat's confirmation."""
    alice, bob = space.h.user(1001, "Alice"), space.h.user(1002, "Bob")
    await pair(space.h, alice, bob)
    await alice.send("/start")
    line = await alice.wait_for(lambda m: any(b.web_app_url for row in m.buttons for b in row))
    assert line.buttons[0][0].text == "📱 Open our space"
    assert line.buttons[0][0].web_app_url == WEB_APP_URL  # Telegram opens it; here, we do

    page, trouble = await open_space(browser, space, alice, "light")
    await show(page, "💞 Moments")
    await page.get_by_role("button", name="🤗 Hug before leaving").click()
    await page.wait_for_selector("#timeline li:has-text('You · Hug before leaving')")
    assert "logged" in (await page.locator("#status").inner_text()).lower()
    async with space.h.db.transaction() as session:
        kinds = (await session.scalars(select(ConnectionEvent.kind))).all()
    assert kinds == ["hug"]
    await show(page, "📊 Our week")
    assert "1\nmoment so far" in await page.locator("#week-cards").inner_text()  # singular
    await alice.send("/week")
    reflection = await alice.wait_for(lambda m: "Your week together" in m.body)
    assert await page.locator("#week-words").inner_text() in reflection.body  # the same words

    await show(page, "⚙️ Settings")
    await page.get_by_label("💭 Midday “thinking of you” from").fill("12:30")
    await page.get_by_label("💭 Midday “thinking of you” until").fill("13:15")
    await page.wait_for_selector("#status:has-text('between 12:30 and 13:15')")
    # Each field saves at once, so the chat confirms each step, the last one last.
    said = await alice.wait_for(lambda m: "Saved from your space" in m.body and "13:15" in m.body)
    assert "between 12:30 and 13:15" in said.body
    async with space.h.db.transaction() as session:
        windows = (await session.scalars(select(RitualSetting.window))).all()
    assert windows == ["12:30-13:15"]
    await page.get_by_label("Sunday-evening reflection").uncheck()
    await alice.wait_for(lambda m: "Saved from your space" in m.body and "Sunday" in m.body)
    assert trouble == []


async def test_the_page_reads_in_the_persons_language(
    space: Space, browser: Browser, output: Path
) -> None:
    """Olga's Telegram is in Russian: tabs, cards, weekday names and settings read in
    Russian, and the page says so to the browser (``<html lang="ru">``)."""
    alice, _ = await a_couple_with_a_week(space)
    alice.language_code = "ru"  # she never chose, so her app's language is the page's
    page, trouble = await open_space(browser, space, alice, "light", locale="ru-RU")
    assert await page.evaluate("document.documentElement.lang") == "ru"
    assert await page.get_by_role("tab", name="🗓️ История").is_visible()
    with speaking("ru"):
        this_week = "Эта неделя · " + format_week_range(date(2026, 11, 23))
    assert await page.locator("#week-title").inner_text() == this_week
    cards = await page.locator("#week-cards").inner_text()
    assert "4\nмомента пока (неделей раньше: 0)" in cards
    assert await page.locator("#week-chart text").first.text_content() == "пн"
    await page.screenshot(path=str(output / "week-light-ru.png"), full_page=True)
    await page.get_by_role("tab", name="⚙️ Настройки").click()
    await page.wait_for_selector("body[data-ready=settings]")
    assert await page.get_by_label("Итог недели в воскресенье вечером").is_checked()
    assert await page.locator("#pause-days option").first.inner_text() == "1 день"
    await page.screenshot(path=str(output / "settings-light-ru.png"), full_page=True)
    assert trouble == []
