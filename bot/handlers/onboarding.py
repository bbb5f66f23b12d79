"""First contact: the welcome, and where in the world someone is."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, ask_timezone, edit, query_of, say, stale
from bot.handlers.pairing import pair_preview
from bot.unit_of_work import Reply
from domain import accounts
from domain.values.timezones import resolve_timezone
from messages import texts


async def start(update: Update, context: BotContext) -> list[Reply]:
    """``/start``: a warm hello; ``/start <code>`` (a deep link) goes straight to pairing."""
    if context.args:
        return await pair_preview(update, context, context.args[0])
    profile = await accounts.profile(context.work)
    if profile.partner is not None:
        welcome = texts.fmt(
            texts.WELCOME_BACK_PAIRED,
            name=profile.me.first_name,
            partner=profile.partner.first_name,
        )
        return [say(update, welcome, reply_markup=keyboards.main_menu())]
    replies = [
        say(
            update,
            texts.fmt(texts.WELCOME, name=profile.me.first_name),
            reply_markup=keyboards.invite(),
        )
    ]
    if profile.me.timezone is None:
        accounts.ask_timezone(context.work)
        replies.append(ask_timezone(context, profile.me.user_id))
    return replies


async def timezone_command(update: Update, context: BotContext) -> list[Reply]:
    """``/timezone <place>``: change it any time; no argument offers the buttons again."""
    if not context.args:
        accounts.ask_timezone(context.work)
        return [ask_timezone(context, context.work.me.id)]
    return typed_timezone(update, context, " ".join(context.args))


def typed_timezone(update: Update, context: BotContext, text: str) -> list[Reply]:
    zone = resolve_timezone(text)
    if zone is None:
        return [say(update, texts.fmt(texts.TIMEZONE_UNKNOWN, text=text[:64]))]
    accounts.set_timezone(context.work, zone)
    return [say(update, _timezone_set_text(zone, context.work.now))]


async def timezone_button(update: Update, context: BotContext) -> list[Reply]:
    """A tap on one of the zone buttons (or "somewhere else")."""
    query = query_of(update)
    data = cd.Timezone.parse(query.data)
    if data is None:
        return stale(query)
    if data.zone == cd.OTHER_ZONE:
        accounts.ask_timezone(context.work)
        return [answer(query), edit(query, texts.ASK_TIMEZONE_TYPED)]
    zone = resolve_timezone(data.zone)
    if zone is None:
        return [answer(query), edit(query, texts.STALE_BUTTON)]
    accounts.set_timezone(context.work, zone)
    return [answer(query), edit(query, _timezone_set_text(zone, context.work.now))]


def _timezone_set_text(zone: str, now: datetime) -> str:
    local = now.astimezone(ZoneInfo(zone))
    return texts.fmt(texts.TIMEZONE_SET, zone=zone, local_time=texts.local_time_label(local))
