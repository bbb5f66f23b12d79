"""Nudge settings: the /settings menu, its buttons, and the typed commands for power users.

Thin on purpose: parse what was typed (``scheduling.timeparse``), change it
(``domain.nudge_settings``), and reply with words from ``messages.settings``. A value that
cannot be used changes nothing. Every button acts on the presser's own settings only.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import ask_timezone, message, register, user_id
from domain import nudge_settings, weekly
from domain.kinds import Ritual
from domain.nudge_settings import MENU_PAUSE_DAYS, NudgeSettings
from messages import settings as words
from messages import texts
from scheduling.timeparse import TimeParseError, parse_clock, parse_pause_days, parse_window

#: Callback action of every settings button: ``v1:set:<what>[:<ritual>]``.
SETTINGS: Final = "set"
MENU: Final = "menu"
TIMEZONE: Final = "tz"
RITUALS: Final = "rit"
TURN_ON: Final = "on"
TURN_OFF: Final = "off"
PAUSE: Final = "pause"
RESUME: Final = "resume"
DIGEST_ON: Final = "digon"
DIGEST_OFF: Final = "digoff"


# --- Keyboards ----------------------------------------------------------------------------
def _button(label: str, what: str, ritual: Ritual | None = None) -> InlineKeyboardButton:
    argument = what if ritual is None else f"{what}:{ritual.value}"
    return InlineKeyboardButton(label, callback_data=callbacks.make(SETTINGS, argument))


def menu_keyboard(settings: NudgeSettings) -> InlineKeyboardMarkup:
    pause_or_resume = (
        _button(words.BUTTON_RESUME, RESUME)
        if settings.paused_until is not None
        else _button(words.BUTTON_PAUSE, PAUSE)
    )
    digest = (
        _button(words.BUTTON_DIGEST_OFF, DIGEST_OFF)
        if settings.sunday_digest
        else _button(words.BUTTON_DIGEST_ON, DIGEST_ON)
    )
    return InlineKeyboardMarkup(
        [
            [_button(words.BUTTON_TIMEZONE, TIMEZONE), _button(words.BUTTON_RITUALS, RITUALS)],
            [pause_or_resume, digest],
        ]
    )


def rituals_keyboard(settings: NudgeSettings) -> InlineKeyboardMarkup:
    """One toggle per ritual; each button says what it will do, so a double tap is harmless."""
    rows = [
        [
            _button(
                words.ritual_button(pref.ritual, pref.enabled),
                TURN_OFF if pref.enabled else TURN_ON,
                pref.ritual,
            )
        ]
        for pref in settings.rituals
    ]
    rows.append([_button(words.BUTTON_BACK, MENU)])
    return InlineKeyboardMarkup(rows)


# --- Commands -----------------------------------------------------------------------------
def _typed(context: BotContext) -> str:
    return " ".join(context.args or ()).strip()


async def _current(update: Update, context: BotContext) -> NudgeSettings:
    settings = await nudge_settings.load_settings(context.db, user_id(update), context.now())
    assert settings is not None  # the command registered the person just before
    return settings


async def settings_command(update: Update, context: BotContext) -> None:
    """``/settings``: a compact summary with the buttons that change it."""
    await register(update, context)
    settings = await _current(update, context)
    await message(update).reply_text(words.summary(settings), reply_markup=menu_keyboard(settings))


async def rituals_command(update: Update, context: BotContext) -> None:
    """``/rituals``: switch each ritual's nudge on or off."""
    await register(update, context)
    settings = await _current(update, context)
    await message(update).reply_text(
        words.rituals_view(settings), reply_markup=rituals_keyboard(settings)
    )


async def _window_command(update: Update, context: BotContext, ritual: Ritual) -> None:
    await register(update, context)
    typed = _typed(context)
    if not typed:
        await message(update).reply_text(
            words.window_current(ritual, await _current(update, context))
        )
        return
    try:
        window = parse_window(typed)
    except TimeParseError as error:
        await message(update).reply_text(words.window_invalid(ritual, error.reason, typed))
        return
    settings = await nudge_settings.set_window(
        context.db, user_id(update), ritual, window, context.now()
    )
    await message(update).reply_text(words.window_set(ritual, settings))


async def morning_command(update: Update, context: BotContext) -> None:
    """``/morning 07:00-08:00``"""
    await _window_command(update, context, Ritual.MORNING_HUG)


async def midday_command(update: Update, context: BotContext) -> None:
    """``/midday 12:00-14:00``"""
    await _window_command(update, context, Ritual.MIDDAY_THINKING)


async def dinner_command(update: Update, context: BotContext) -> None:
    """``/dinner 18:30-20:00``"""
    await _window_command(update, context, Ritual.DINNER_APPRECIATION)


async def kiss_command(update: Update, context: BotContext) -> None:
    """``/kiss 17:30-19:00`` (the six-second kiss is off until turned on in /rituals)."""
    await _window_command(update, context, Ritual.SIX_SECOND_KISS)


async def bedtime_command(update: Update, context: BotContext) -> None:
    """``/bedtime 22:30``: bedtime nudges come within 15 minutes of it."""
    await register(update, context)
    typed = _typed(context)
    if not typed:
        await message(update).reply_text(words.bedtime_current(await _current(update, context)))
        return
    try:
        bedtime = parse_clock(typed)
    except TimeParseError as error:
        await message(update).reply_text(words.bedtime_invalid(error.reason, typed))
        return
    settings = await nudge_settings.set_bedtime(context.db, user_id(update), bedtime, context.now())
    await message(update).reply_text(words.bedtime_set(settings))


async def quiet_command(update: Update, context: BotContext) -> None:
    """``/quiet 22:30-07:00`` (may cross midnight) or ``/quiet off``."""
    await register(update, context)
    typed = _typed(context)
    if not typed:
        await message(update).reply_text(words.quiet_current(await _current(update, context)))
        return
    if typed.lower() == nudge_settings.QUIET_OFF:
        window = None
    else:
        try:
            window = parse_window(typed, allow_midnight=True)
        except TimeParseError as error:
            await message(update).reply_text(words.quiet_invalid(error.reason, typed))
            return
    settings = await nudge_settings.set_quiet(context.db, user_id(update), window, context.now())
    await message(update).reply_text(words.quiet_set(settings))


async def pause_command(update: Update, context: BotContext) -> None:
    """``/pause <days>``: nothing is sent for 1 to 30 whole days."""
    profile = await register(update, context)
    typed = _typed(context)
    if not typed:
        await message(update).reply_text(words.pause_current(await _current(update, context)))
        return
    try:
        days = parse_pause_days(typed)
    except TimeParseError as error:
        await message(update).reply_text(words.pause_invalid(error.reason, typed))
        return
    until = await nudge_settings.pause(context.db, user_id(update), days, context.now())
    last_day = nudge_settings.last_paused_day(until, profile.me.timezone)
    await message(update).reply_text(words.paused(last_day, profile.me.timezone))


async def resume_command(update: Update, context: BotContext) -> None:
    """``/resume``: nudges come again from the next one."""
    await register(update, context)
    was_paused = await nudge_settings.resume(context.db, user_id(update), context.now())
    await message(update).reply_text(words.RESUMED if was_paused else words.NOT_PAUSED)


# --- Buttons ------------------------------------------------------------------------------
async def settings_button(update: Update, context: BotContext) -> None:
    """Every settings button; re-validated, and always answered."""
    query = update.callback_query
    assert query is not None
    what, _, argument = callbacks.argument(query.data).partition(":")
    presser = query.from_user.id
    now = context.now()
    try:
        if what == MENU:
            await _show(query, await nudge_settings.load_settings(context.db, presser, now))
        elif what == RITUALS:
            await _show_rituals(query, await nudge_settings.load_settings(context.db, presser, now))
        elif what == TIMEZONE:
            if await nudge_settings.load_settings(context.db, presser, now) is None:
                await query.answer(words.ANSWER_UNKNOWN_PERSON)
                return
            await query.answer()
            await ask_timezone(context, presser)
        elif what in (TURN_ON, TURN_OFF):
            await _switch(query, context, argument, enabled=what == TURN_ON)
        elif what == PAUSE:
            await nudge_settings.pause(context.db, presser, MENU_PAUSE_DAYS, now)
            settings = await nudge_settings.load_settings(context.db, presser, now)
            day = settings.paused_through if settings is not None else None
            answer = (
                None if day is None else words.ANSWER_PAUSED.format(day=words.short_day_label(day))
            )
            await _show(query, settings, answer=answer)
        elif what == RESUME:
            await nudge_settings.resume(context.db, presser, now)
            settings = await nudge_settings.load_settings(context.db, presser, now)
            await _show(query, settings, answer=words.ANSWER_RESUMED)
        elif what in (DIGEST_ON, DIGEST_OFF):
            # The button names the state it sets, so a double tap or an old menu is harmless.
            if not await weekly.set_digest_enabled(context.db, presser, what == DIGEST_ON):
                raise LookupError(presser)
            settings = await nudge_settings.load_settings(context.db, presser, now)
            answer = words.ANSWER_DIGEST_ON if what == DIGEST_ON else words.ANSWER_DIGEST_OFF
            await _show(query, settings, answer=answer)
        else:
            await query.answer(texts.STALE_BUTTON)
    except LookupError:  # a button from before /forget_me
        await query.answer(words.ANSWER_UNKNOWN_PERSON)


async def _switch(
    query: CallbackQuery, context: BotContext, argument: str, *, enabled: bool
) -> None:
    try:
        ritual = Ritual(argument)
    except ValueError:
        await query.answer(texts.STALE_BUTTON)
        return
    settings = await nudge_settings.set_enabled(
        context.db, query.from_user.id, ritual, enabled, context.now()
    )
    await query.answer(words.toggled(ritual, enabled))
    await _edit(query, words.rituals_view(settings), rituals_keyboard(settings))


async def _show(
    query: CallbackQuery, settings: NudgeSettings | None, *, answer: str | None = None
) -> None:
    if settings is None:
        await query.answer(words.ANSWER_UNKNOWN_PERSON)
        return
    await query.answer(answer)
    await _edit(query, words.summary(settings), menu_keyboard(settings))


async def _show_rituals(query: CallbackQuery, settings: NudgeSettings | None) -> None:
    if settings is None:
        await query.answer(words.ANSWER_UNKNOWN_PERSON)
        return
    await query.answer()
    await _edit(query, words.rituals_view(settings), rituals_keyboard(settings))


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Redraw the menu in place; a double tap that changes nothing is not an error."""
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


#: The typed commands, for ``register_handlers``' ``commands`` dict (``/timezone`` is onboarding's).
COMMANDS: Final[dict[str, Callable[[Update, BotContext], Coroutine[Any, Any, None]]]] = {
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
