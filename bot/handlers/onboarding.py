"""First contact: the welcome, and where in the world someone is."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot import callbacks, keyboards
from bot.context import BotContext
from bot.handlers.common import ask_timezone, message, register, user_id
from bot.handlers.pairing import show_pair_preview
from domain import accounts
from domain.timezones import resolve_timezone
from messages import texts


async def start(update: Update, context: BotContext) -> None:
    """``/start``: a warm hello; ``/start <code>`` (a deep link) goes straight to pairing."""
    profile = await register(update, context)
    if context.args:
        await show_pair_preview(update, context, context.args[0])
        return
    if profile.partner is not None:
        await message(update).reply_text(
            texts.fmt(
                texts.WELCOME_BACK_PAIRED,
                name=profile.me.first_name,
                partner=profile.partner.first_name,
            ),
            reply_markup=keyboards.main_menu(),
        )
        return
    await message(update).reply_text(
        texts.fmt(texts.WELCOME, name=profile.me.first_name), reply_markup=keyboards.invite()
    )
    if profile.me.timezone is None:
        await ask_timezone(context, user_id(update))


async def timezone_command(update: Update, context: BotContext) -> None:
    """``/timezone <place>``: change it any time; no argument offers the buttons again."""
    await register(update, context)
    if not context.args:
        await ask_timezone(context, user_id(update))
        return
    await apply_typed_timezone(update, context, " ".join(context.args))


async def apply_typed_timezone(update: Update, context: BotContext, text: str) -> None:
    zone = resolve_timezone(text)
    if zone is None:
        await message(update).reply_text(texts.fmt(texts.TIMEZONE_UNKNOWN, text=text[:64]))
        return
    await accounts.set_timezone(context.db, user_id(update), zone)
    await message(update).reply_text(_timezone_set_text(zone, context.now()))


async def timezone_button(update: Update, context: BotContext) -> None:
    """A tap on one of the zone buttons (or "somewhere else")."""
    query = update.callback_query
    assert query is not None
    zone = callbacks.argument(query.data)
    await query.answer()
    if zone == callbacks.TIMEZONE_OTHER:
        await accounts.set_awaiting(context.db, query.from_user.id, accounts.AWAITING_TIMEZONE)
        await query.edit_message_text(texts.ASK_TIMEZONE_TYPED)
        return
    resolved = resolve_timezone(zone)
    if resolved is None:
        await query.edit_message_text(texts.STALE_BUTTON)
        return
    await register(update, context)
    await accounts.set_timezone(context.db, query.from_user.id, resolved)
    await query.edit_message_text(_timezone_set_text(resolved, context.now()))


def _timezone_set_text(zone: str, now: datetime) -> str:
    local = now.astimezone(ZoneInfo(zone))
    return texts.fmt(texts.TIMEZONE_SET, zone=zone, local_time=texts.local_time_label(local))
