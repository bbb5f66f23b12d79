"""First contact: the welcome, and where in the world someone is."""

from __future__ import annotations

import asyncio

from telegram import ForceReply, InlineKeyboardMarkup, Update

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import (
    answer,
    ask_timezone,
    edit,
    message,
    original_text,
    query_of,
    say,
    send,
    stale,
)
from bot.handlers.pairing import pair_preview
from bot.unit_of_work import Reply
from domain import accounts
from domain.values.timezones import Zone, resolve_timezone, understand_timezone, zone_at
from messages import texts, webapp


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
        replies = [say(update, welcome, reply_markup=keyboards.main_menu())]
        url = context.services.web_app_url
        if url is not None:  # the everyday keyboard stays: the space gets a line of its own
            space = InlineKeyboardMarkup([[keyboards.open_space(url)]])
            replies.append(say(update, webapp.START_SPACE, reply_markup=space))
        return replies
    replies = [
        say(
            update,
            texts.fmt(texts.WELCOME, name=profile.me.first_name),
            reply_markup=keyboards.invite(),
        )
    ]
    if profile.me.timezone is None:
        accounts.ask_timezone(context.work)
        replies += ask_timezone(context, profile.me.user_id, paired=False)
    return replies


async def timezone_command(update: Update, context: BotContext) -> list[Reply]:
    """``/timezone <place>``: change it any time; no argument offers the buttons again."""
    if not context.args:
        accounts.ask_timezone(context.work)
        return ask_timezone(context, context.work.me.id, paired=_paired(context))
    return await typed_timezone(update, context, " ".join(context.args))


async def typed_timezone(update: Update, context: BotContext, text: str) -> list[Reply]:
    """A place or zone, typed: kept when we are sure, otherwise a kind word on what to type.

    Understood in a worker thread: the first answer builds the city index (well under a
    second), and the event loop keeps serving everyone else meanwhile.
    """
    understood = await asyncio.to_thread(understand_timezone, text, context.work.now)
    if not isinstance(understood, Zone):
        return [say(update, texts.timezone_refused(text[:64], understood))]
    accounts.set_timezone(context.work, understood.name)
    return [
        say(
            update,
            texts.timezone_set(understood.name, context.work.now),
            reply_markup=keyboards.after_timezone(paired=_paired(context)),
        )
    ]


async def shared_location(update: Update, context: BotContext) -> list[Reply]:
    """A shared location ("📍 Share my location"): the zone there, set like a typed one.

    Whenever it comes, asked or not: sharing a location with this bot can only mean
    "this is where I am", and the reply says which zone it set. The coordinates are
    looked up offline and forgotten: never stored, never logged.
    """
    location = message(update).location
    assert location is not None  # the handler's filter
    zone = await asyncio.to_thread(zone_at, location.latitude, location.longitude)
    if zone is None:
        return [say(update, texts.LOCATION_NO_ZONE)]
    accounts.set_timezone(context.work, zone.name)
    text = f"{texts.timezone_set(zone.name, context.work.now)}\n{texts.TIMEZONE_FROM_LOCATION}"
    return [say(update, text, reply_markup=keyboards.after_timezone(paired=_paired(context)))]


async def timezone_button(update: Update, context: BotContext) -> list[Reply]:
    """A tap on one of the zone buttons (or "somewhere else")."""
    query = query_of(update)
    data = cd.Timezone.parse(query.data)
    if data is None:
        return stale(query)
    if data.zone == cd.OTHER_ZONE:
        accounts.ask_timezone(context.work)
        typed = ForceReply(input_field_placeholder=texts.TIMEZONE_PLACEHOLDER)
        return [
            answer(query),
            edit(query, original_text(query)),  # the buttons go; the question stays
            send(context, query.from_user.id, texts.ASK_TIMEZONE_TYPED, reply_markup=typed),
        ]
    zone = resolve_timezone(data.zone, context.work.now)  # a zone name: no index needed
    if zone is None:
        return [answer(query), edit(query, texts.STALE_BUTTON)]
    accounts.set_timezone(context.work, zone)
    return [answer(query), edit(query, texts.timezone_set(zone, context.work.now))]


def _paired(context: BotContext) -> bool:
    return context.work.me.couple_id is not None
