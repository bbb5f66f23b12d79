"""One settings change from the Mini App: parsed and validated by the chat's own functions,
made by the chat's own use cases, and confirmed in the chat with the chat's own words.

A change is ``{"change": ..., ...}``; anything that cannot be used raises
:class:`Refused` with the words the chat would have said, and nothing is changed (the
caller's unit of work rolls back). The confirmation is owed through the outbox in the same
unit of work, so the chat hears of exactly the changes that were saved.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.webapp.views import plain
from domain import accounts, nudge_settings, weekly
from domain.values import preferences
from domain.values.kinds import Delivery, Ritual
from domain.values.preferences import NudgeSettings
from domain.values.timeparse import TimeParseError, parse_clock, parse_pause_days, parse_window
from domain.values.timezones import Zone, understand_timezone
from domain.work import Work
from messages import settings as words
from messages import texts, webapp
from messages import weekly as weekly_words


class Refused(ValueError):
    """A change the bot cannot make; ``text`` (plain) says why, kindly."""

    def __init__(self, text_html: str) -> None:
        super().__init__(plain(text_html))
        self.text = plain(text_html)


def _string(change: dict[str, Any], key: str) -> str:
    value = change.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise Refused(webapp.BAD_REQUEST)
    return value.strip()


def _flag(change: dict[str, Any], key: str) -> bool:
    value = change.get(key)
    if not isinstance(value, bool):
        raise Refused(webapp.BAD_REQUEST)
    return value


def _ritual(change: dict[str, Any]) -> Ritual:
    try:
        return Ritual(_string(change, "ritual"))
    except ValueError as error:
        raise Refused(webapp.BAD_REQUEST) from error


async def apply(work: Work, change: dict[str, Any]) -> tuple[NudgeSettings, str]:
    """Make ``change``; the new settings and what the chat now says about it (HTML)."""
    match change.get("change"):
        case "window":
            ritual, typed = _ritual(change), _string(change, "value")
            try:
                window = parse_window(typed, allow_midnight=ritual is Ritual.BEDTIME)
            except TimeParseError as error:
                raise Refused(words.window_invalid(ritual, error.reason, typed)) from error
            settings = await nudge_settings.set_window(work, ritual, window)
            return settings, words.window_set(ritual, settings)
        case "bedtime":
            typed = _string(change, "value")
            try:
                bedtime = parse_clock(typed)
            except TimeParseError as error:
                raise Refused(words.bedtime_invalid(error.reason, typed)) from error
            settings = await nudge_settings.set_bedtime(work, bedtime)
            return settings, words.bedtime_set(settings)
        case "ritual":
            ritual, enabled = _ritual(change), _flag(change, "enabled")
            settings = await nudge_settings.set_enabled(work, ritual, enabled)
            return settings, words.toggled(ritual, enabled, settings)
        case "quiet":
            typed = _string(change, "value")
            if typed.lower() == preferences.QUIET_OFF:
                settings = await nudge_settings.set_quiet(work, None)
            else:
                try:
                    window = parse_window(typed, allow_midnight=True)
                except TimeParseError as error:
                    raise Refused(words.quiet_invalid(error.reason, typed)) from error
                settings = await nudge_settings.set_quiet(work, window)
            return settings, words.quiet_set(settings)
        case "pause":
            typed = _string(change, "days")
            try:
                days = parse_pause_days(typed)
            except TimeParseError as error:
                raise Refused(words.pause_invalid(error.reason, typed)) from error
            settings = await nudge_settings.pause(work, days)
            assert settings.paused_through is not None
            return settings, words.paused(settings.paused_through, settings.timezone)
        case "resume":
            was_paused = await nudge_settings.resume(work)
            said = words.RESUMED if was_paused else words.NOT_PAUSED
            return await nudge_settings.load_settings(work), said
        case "digest":
            on = _flag(change, "enabled")
            weekly.set_digest_enabled(work, on)
            said = weekly_words.DIGEST_ON if on else weekly_words.DIGEST_OFF
            return await nudge_settings.load_settings(work), said
        case "relays_wait":
            wait = _flag(change, "enabled")
            settings = await nudge_settings.set_relays_wait(work, wait)
            return settings, words.ANSWER_RELAYS_WAIT if wait else words.ANSWER_RELAYS_SILENT
        case "timezone":
            typed = _string(change, "value")
            understood = await asyncio.to_thread(understand_timezone, typed, work.now)
            if not isinstance(understood, Zone):
                raise Refused(texts.timezone_refused(typed, understood))
            accounts.set_timezone(work, understood.name)
            return await nudge_settings.load_settings(work), texts.timezone_set(
                understood.name, work.now
            )
    raise Refused(webapp.BAD_REQUEST)


async def confirm_in_chat(work: Work, said_html: str) -> None:
    """Owe the person the chat's own words about the change (sent after the commit)."""
    # ``said_html`` is the chat's own HTML, already escaped where a person typed it.
    text = webapp.SAVED_FROM_SPACE.format(text=said_html)
    await work.owe(work.me.id, Delivery.SETTING_SAVED, {"text": text})
