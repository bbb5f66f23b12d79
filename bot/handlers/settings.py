"""Nudge settings: the /settings menu, its buttons, and the typed commands for power users.

Thin on purpose: parse what was typed (``domain.values.timeparse``), change it
(``domain.nudge_settings``), and reply with words from ``messages.settings``. A value that
cannot be used changes nothing. Every button acts on the presser's own settings only.
"""

from __future__ import annotations

from typing import Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import callback_data as cd
from bot import keyboards
from bot.callback_data import SettingsAction as Action
from bot.context import BotContext
from bot.handlers.common import answer, ask_timezone, query_of, say, stale
from bot.unit_of_work import Handler, Reply
from domain import accounts, nudge_settings, weekly
from domain.values import preferences
from domain.values.kinds import Ritual
from domain.values.preferences import MENU_PAUSE_DAYS, NudgeSettings
from domain.values.timeparse import TimeParseError, parse_clock, parse_pause_days, parse_window
from messages import language as language_words
from messages import settings as words
from messages.i18n import active


# --- Keyboards ----------------------------------------------------------------------------
def _button(label: str, action: Action, ritual: Ritual | None = None) -> InlineKeyboardButton:
    return keyboards.button(label, cd.Settings(action, ritual))


def menu_keyboard(settings: NudgeSettings, space: str | None = None) -> InlineKeyboardMarkup:
    """The menu's buttons; with the Mini App's ``space`` address, "📱 Open our space" too."""
    pause_or_resume = (
        _button(words.BUTTON_RESUME, Action.RESUME)
        if settings.paused_until is not None
        else _button(words.BUTTON_PAUSE, Action.PAUSE)
    )
    digest = (
        _button(words.BUTTON_DIGEST_OFF, Action.DIGEST_OFF)
        if settings.sunday_digest
        else _button(words.BUTTON_DIGEST_ON, Action.DIGEST_ON)
    )
    relays = (
        _button(words.BUTTON_RELAYS_SILENT, Action.RELAYS_SILENT)
        if settings.relays_wait
        else _button(words.BUTTON_RELAYS_WAIT, Action.RELAYS_WAIT)
    )
    rows = [
        [
            _button(words.BUTTON_TIMEZONE, Action.TIMEZONE),
            _button(words.BUTTON_RITUALS, Action.RITUALS),
        ],
        [pause_or_resume, digest],
        [relays, _button(language_words.BUTTON_LANGUAGE, Action.LANGUAGE)],
    ]
    if space is not None:
        rows.append([keyboards.open_space(space)])
    return InlineKeyboardMarkup(rows)


def rituals_keyboard(settings: NudgeSettings) -> InlineKeyboardMarkup:
    """One toggle per ritual; each button says what it will do, so a double tap is harmless."""
    rows = [
        [
            _button(
                words.ritual_button(pref.ritual, pref.enabled),
                Action.TURN_OFF if pref.enabled else Action.TURN_ON,
                pref.ritual,
            )
        ]
        for pref in settings.rituals
    ]
    rows.append([_button(words.BUTTON_BACK, Action.MENU)])
    return InlineKeyboardMarkup(rows)


# --- Commands -----------------------------------------------------------------------------
def _typed(context: BotContext) -> str:
    return " ".join(context.args or ()).strip()


async def settings_command(update: Update, context: BotContext) -> list[Reply]:
    """``/settings``: a compact summary with the buttons that change it."""
    settings = await nudge_settings.load_settings(context.work)
    space = context.services.web_app_url
    return [say(update, words.summary(settings), reply_markup=menu_keyboard(settings, space))]


async def rituals_command(update: Update, context: BotContext) -> list[Reply]:
    """``/rituals``: switch each ritual's nudge on or off."""
    settings = await nudge_settings.load_settings(context.work)
    return [say(update, words.rituals_view(settings), reply_markup=rituals_keyboard(settings))]


async def _window_command(update: Update, context: BotContext, ritual: Ritual) -> list[Reply]:
    typed = _typed(context)
    if not typed:
        current = await nudge_settings.load_settings(context.work)
        return [say(update, words.window_current(ritual, current))]
    try:
        window = parse_window(typed)
    except TimeParseError as error:
        return [say(update, words.window_invalid(ritual, error.reason, typed))]
    settings = await nudge_settings.set_window(context.work, ritual, window)
    return [say(update, words.window_set(ritual, settings))]


async def morning_command(update: Update, context: BotContext) -> list[Reply]:
    """``/morning 07:00-08:00``"""
    return await _window_command(update, context, Ritual.MORNING_HUG)


async def midday_command(update: Update, context: BotContext) -> list[Reply]:
    """``/midday 12:00-14:00``"""
    return await _window_command(update, context, Ritual.MIDDAY_THINKING)


async def dinner_command(update: Update, context: BotContext) -> list[Reply]:
    """``/dinner 18:30-20:00``"""
    return await _window_command(update, context, Ritual.DINNER_APPRECIATION)


async def kiss_command(update: Update, context: BotContext) -> list[Reply]:
    """``/kiss 17:30-19:00`` (the six-second kiss is off until turned on in /rituals)."""
    return await _window_command(update, context, Ritual.SIX_SECOND_KISS)


async def bedtime_command(update: Update, context: BotContext) -> list[Reply]:
    """``/bedtime 22:30``: bedtime nudges come within 15 minutes of it."""
    typed = _typed(context)
    if not typed:
        return [
            say(update, words.bedtime_current(await nudge_settings.load_settings(context.work)))
        ]
    try:
        bedtime = parse_clock(typed)
    except TimeParseError as error:
        return [say(update, words.bedtime_invalid(error.reason, typed))]
    settings = await nudge_settings.set_bedtime(context.work, bedtime)
    return [say(update, words.bedtime_set(settings))]


async def quiet_command(update: Update, context: BotContext) -> list[Reply]:
    """``/quiet 22:30-07:00`` (may cross midnight) or ``/quiet off``."""
    typed = _typed(context)
    if not typed:
        return [say(update, words.quiet_current(await nudge_settings.load_settings(context.work)))]
    if typed.lower() == preferences.QUIET_OFF:
        window = None
    else:
        try:
            window = parse_window(typed, allow_midnight=True)
        except TimeParseError as error:
            return [say(update, words.quiet_invalid(error.reason, typed))]
    settings = await nudge_settings.set_quiet(context.work, window)
    return [say(update, words.quiet_set(settings))]


async def pause_command(update: Update, context: BotContext) -> list[Reply]:
    """``/pause <days>``: nothing is sent for 1 to 30 whole days."""
    typed = _typed(context)
    if not typed:
        return [say(update, words.pause_current(await nudge_settings.load_settings(context.work)))]
    try:
        days = parse_pause_days(typed)
    except TimeParseError as error:
        return [say(update, words.pause_invalid(error.reason, typed))]
    settings = await nudge_settings.pause(context.work, days)
    assert settings.paused_through is not None
    return [say(update, words.paused(settings.paused_through, settings.timezone))]


async def resume_command(update: Update, context: BotContext) -> list[Reply]:
    """``/resume``: nudges come again from the next one."""
    was_paused = await nudge_settings.resume(context.work)
    return [say(update, words.RESUMED if was_paused else words.NOT_PAUSED)]


# --- Buttons ------------------------------------------------------------------------------
async def settings_button(update: Update, context: BotContext) -> list[Reply]:
    """Every settings button; re-validated, and always answered."""
    query = query_of(update)
    data = cd.Settings.parse(query.data)
    if data is None:
        return stale(query)
    work, space = context.work, context.services.web_app_url
    match data.action:
        case Action.MENU:
            return _show(query, space, await nudge_settings.load_settings(work))
        case Action.RITUALS:
            settings = await nudge_settings.load_settings(work)
            return [
                answer(query),
                _edit(query, words.rituals_view(settings), rituals_keyboard(settings)),
            ]
        case Action.TIMEZONE:
            accounts.ask_timezone(work)
            return [
                answer(query),
                *ask_timezone(context, work.me.id, paired=work.me.couple_id is not None),
            ]
        case Action.TURN_ON | Action.TURN_OFF:
            if data.ritual is None:
                return stale(query)
            enabled = data.action is Action.TURN_ON
            settings = await nudge_settings.set_enabled(work, data.ritual, enabled)
            return [
                answer(query, words.toggled(data.ritual, enabled, settings)),
                _edit(query, words.rituals_view(settings), rituals_keyboard(settings)),
            ]
        case Action.PAUSE:
            settings = await nudge_settings.pause(work, MENU_PAUSE_DAYS)
            day = settings.paused_through
            toast = (
                None if day is None else words.ANSWER_PAUSED.format(day=words.short_day_label(day))
            )
            return _show(query, space, settings, toast)
        case Action.RESUME:
            await nudge_settings.resume(work)
            return _show(
                query, space, await nudge_settings.load_settings(work), words.ANSWER_RESUMED
            )
        case Action.RELAYS_WAIT | Action.RELAYS_SILENT:
            # Named by the state it sets, like the digest: a double tap is harmless.
            wait = data.action is Action.RELAYS_WAIT
            settings = await nudge_settings.set_relays_wait(work, wait)
            toast = words.ANSWER_RELAYS_WAIT if wait else words.ANSWER_RELAYS_SILENT
            return _show(query, space, settings, toast)
        case Action.LANGUAGE:
            return [
                answer(query),
                _edit(query, language_words.current(), keyboards.languages(active())),
            ]
        case Action.DIGEST_ON | Action.DIGEST_OFF:
            # The button names the state it sets, so a double tap or an old menu is harmless.
            on = data.action is Action.DIGEST_ON
            weekly.set_digest_enabled(work, on)
            settings = await nudge_settings.load_settings(work)
            return _show(
                query, space, settings, words.ANSWER_DIGEST_ON if on else words.ANSWER_DIGEST_OFF
            )


def _show(
    query: CallbackQuery, space: str | None, settings: NudgeSettings, toast: str | None = None
) -> list[Reply]:
    keyboard = menu_keyboard(settings, space)
    return [answer(query, toast), _edit(query, words.summary(settings), keyboard)]


def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup) -> Reply:
    """Redraw the menu in place; a double tap that changes nothing is not an error."""

    async def redraw() -> None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    return redraw


#: The typed commands, for ``register_handlers``' ``commands`` dict (``/timezone`` is onboarding's).
COMMANDS: Final[dict[str, Handler]] = {
    "settings": settings_command,
    "rituals": rituals_command,
    "morning": morning_command,
    "midday": midday_command,
    "dinner": dinner_command,
    "bedtime": bedtime_command,
    "kiss": kiss_command,
    "quiet": quiet_command,
    "pause": pause_command,
    "resume": resume_command,
}
