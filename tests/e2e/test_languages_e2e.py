"""Each partner in their own language, end to end (issue #14).

Olga's Telegram is in Russian, Jonas's in German. Each reads the onboarding, the pairing,
the nudges, the other's "thinking of you" and the weekly reflection in their own language,
because everything the bot sends on its own is written at send time in the *receiver's*
language. ``/language`` switches Jonas to Spanish, and the next message he gets (Olga's
relay) is in Spanish while Olga's replies stay Russian.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot import callback_data as cd
from domain.values.kinds import Ritual
from messages.i18n import LANGUAGES, speaking
from messages.nudges import CATALOGUE, nudge_text
from scheduling.digest import run_digests
from storage.models import User
from tests.e2e.conftest import Harness
from tests.fake_telegram import BotMessage, FakeUser

THURSDAY = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 09:00 Moscow, 07:00 Berlin


def _nudges(person: FakeUser) -> list[BotMessage]:
    return [
        m
        for m in person.chat
        if any(cd.Nudge.parse(b.callback_data) is not None for row in m.buttons for b in row)
    ]


def _phrasings(language: str, partner: str) -> set[str]:
    """Every nudge sentence in ``language`` (as plain text: names carry no HTML)."""
    with speaking(language):
        return {
            nudge_text(ritual, index, partner)
            for ritual in Ritual
            for index in range(len(CATALOGUE[ritual].phrasings))
        }


async def _pair_in_their_languages(h: Harness) -> tuple[FakeUser, FakeUser]:
    olga = h.fake.user(2001, "Olga", language_code="ru")
    jonas = h.fake.user(2002, "Jonas", language_code="de")

    await olga.send("/start")
    welcome = await olga.wait_for(lambda m: "Я microconnect" in m.body)
    assert welcome.body.startswith("Привет, Olga 👋")
    where = await olga.wait_for(lambda m: "где ты сейчас" in m.body)
    assert {"Лондон", "Нью-Йорк", "Токио"} <= {b.text for row in where.buttons for b in row}
    await olga.send("/timezone Москва")
    # The city index is built on first use (a second or so on a busy machine).
    await olga.wait_for(lambda m: "твой часовой пояс" in m.body, timeout=20)

    await olga.send("/invite")
    invite = await olga.wait_for(lambda m: "Вот твоё приглашение" in m.body)
    code = invite.body.split("?start=")[1].split()[0]
    await jonas.send(f"/start {code}")
    preview = await jonas.wait_for(lambda m: "Mit Olga verbinden?" in m.body)
    assert "ein kleiner Helfer für Paare" in preview.body
    await jonas.press("💞 Ja, verbinde uns", message_id=preview.message_id)
    await olga.wait_for(lambda m: "Теперь вы с Jonas — пара" in m.body)
    await jonas.wait_for(lambda m: "Du und Olga seid jetzt verbunden" in m.body)
    await jonas.send("/timezone Berlin")
    await jonas.wait_for(lambda m: "deine Zeitzone ist" in m.body)
    return olga, jonas


async def test_each_partner_reads_everything_in_their_own_language(harness: Harness) -> None:
    h = harness
    h.clock.set(THURSDAY)
    olga, jonas = await _pair_in_their_languages(h)

    # The everyday buttons are in Russian; Olga's tap relays to Jonas in German.
    assert olga.reply_keyboard is not None
    assert ["📝 Записать момент", "💭 Думаю о тебе"] in olga.reply_keyboard
    await olga.choose("💭 Думаю о тебе")
    await olga.wait_for(lambda m: m.body == "Отправлено 💌 Jonas увидит, что ты мысленно рядом.")
    relay = await jonas.wait_for(lambda m: m.body == "💭 Olga denkt an dich.")
    await jonas.press("❤️ Liebe zurückschicken", message_id=relay.message_id)
    await olga.wait_for(lambda m: m.body == "❤️ Jonas шлёт тебе любовь в ответ.")

    # A day of nudges: each in the receiver's language, naming the other.
    await h.run_jobs_until(THURSDAY + timedelta(hours=17), timedelta(hours=1))
    await h.settled()
    olgas, jonass = _nudges(olga), _nudges(jonas)
    assert olgas and jonass
    assert {m.body for m in olgas} <= _phrasings("ru", "Jonas")
    assert {m.body for m in jonass} <= _phrasings("de", "Olga")

    # The weekly reflection, asked in each one's words, with its chart.
    await olga.send("как у нас дела на этой неделе?")
    week = await olga.wait_for(lambda m: m.photo is not None, timeout=10)
    assert "Ваша неделя вдвоём" in week.body and "Ваша неделя по дням" in week.body
    await jonas.send("Wie läuft unsere Woche?")
    week = await jonas.wait_for(lambda m: m.photo is not None, timeout=10)
    assert "Eure gemeinsame Woche" in week.body and "Eure Woche Tag für Tag" in week.body

    # The Sunday digest comes to each in their own language.
    h.clock.set(datetime(2026, 11, 29, 14, 0, tzinfo=UTC))
    rng = random.Random(3)
    while h.clock() < datetime(2026, 11, 29, 19, 0, tzinfo=UTC):
        await run_digests(h.nudges.deliveries, rng)
        h.clock.advance(timedelta(minutes=10))
    await h.settled()
    assert any(m.body.startswith("🌙 Небольшой воскресный взгляд") for m in olga.chat)
    assert any(m.body.startswith("🌙 Ein kleiner Sonntagsblick") for m in jonas.chat)


async def test_language_switches_one_partner_and_the_next_message_follows(
    harness: Harness,
) -> None:
    h = harness
    h.clock.set(THURSDAY)
    olga, jonas = await _pair_in_their_languages(h)

    await jonas.send("/language")
    menu = await jonas.wait_for(lambda m: "Ich schreibe dir auf 🇩🇪 Deutsch" in m.body)
    await jonas.press("🇪🇸 Español", message_id=menu.message_id)
    edited = await jonas.wait_for_edit(menu.message_id)
    assert edited.body.startswith("Hecho — desde ahora te escribo en 🇪🇸 Español")
    async with h.db.transaction() as session:
        stored = await session.get(User, jonas.id)
        assert stored is not None and stored.language == "es"

    # The next relay is in his new language; Olga's own replies stay Russian.
    await olga.send("/thinking")
    await olga.wait_for(lambda m: m.body.startswith("Отправлено 💌"))
    await jonas.wait_for(lambda m: m.body == "💭 Olga está pensando en ti.")
    await jonas.send("/help")
    await jonas.wait_for(lambda m: m.body.startswith("Lo que sé hacer 💛"))

    # The choice wins over Telegram's language_code, and survives a typo'd choice.
    await jonas.send("/language klingon")
    await jonas.wait_for(lambda m: "Todavía no hablo «klingon»" in m.body)
    await jonas.send("/language deutsch")
    await jonas.wait_for(
        lambda m: m.body == "Erledigt — ab jetzt schreibe ich dir auf 🇩🇪 Deutsch 🌿"
    )


async def test_the_command_menu_and_profile_are_published_in_every_language(
    harness: Harness,
) -> None:
    fake = harness.fake
    everyone = {c["command"]: c["description"] for c in fake.commands_for()}
    assert everyone["week"] == "How are we doing this week?" and "language" in everyone
    said = {
        "ru": "Как у нас дела на этой неделе?",
        "es": "¿Cómo vamos esta semana?",
        "de": "Wie läuft unsere Woche?",
    }
    for code, question in said.items():
        menu = {c["command"]: c["description"] for c in fake.commands_for(language_code=code)}
        assert menu.keys() == everyone.keys() and menu["week"] == question
        assert fake.bot_text("description", code) != fake.bot_text("description")
        assert "💞" in fake.bot_text("short_description", code)
    assert fake.bot_text("short_description").startswith("Small daily moments for couples")
    assert fake.bot_text("description", "pt") == fake.bot_text("description")  # fallback
    assert set(said) | {"en"} == set(LANGUAGES)
