"""Logging a moment, and "thinking of you" relayed between partners."""

from __future__ import annotations

import logging
import random

from telegram import Update
from telegram.error import Forbidden

from bot import callbacks, keyboards
from bot.context import BotContext
from bot.handlers.common import message, original_text, register, user_id
from domain import moments
from domain.kinds import MomentKind
from domain.moments import NOTE_MAX_LENGTH, NoteTooLong, Relayed
from domain.results import NotPaired, Stale
from messages import texts
from messages.rituals import MOMENTS_BY_KIND

log = logging.getLogger(__name__)


async def moment_menu(update: Update, context: BotContext) -> None:
    """``/moment`` or "Log a moment": the seed's micro-connections as buttons."""
    profile = await register(update, context)
    if profile.couple_id is None:
        await message(update).reply_text(texts.NOT_PAIRED, reply_markup=keyboards.invite())
        return
    await message(update).reply_text(texts.MOMENT_MENU, reply_markup=keyboards.moments())


async def moment_tapped(update: Update, context: BotContext) -> None:
    """One tap on a moment button stores one event; the menu turns into a thank-you."""
    query = update.callback_query
    assert query is not None and query.message is not None
    try:
        kind = MomentKind(callbacks.argument(query.data))
    except ValueError:
        await query.answer(texts.STALE_BUTTON)
        return
    result = await moments.log_moment(
        context.db,
        query.from_user.id,
        kind,
        context.now(),
        dedupe_key=f"m:{query.message.message_id}",
    )
    if isinstance(result, NotPaired):
        await query.answer(texts.STALE_BUTTON)
        return
    if result.duplicate:
        await query.answer(texts.MOMENT_ALREADY_LOGGED)
        return
    await query.answer()
    await query.edit_message_text(random.choice(MOMENTS_BY_KIND[kind].confirmations))


async def thinking_of_you(update: Update, context: BotContext) -> None:
    """``/thinking [note]`` or the button: relay "💭 <name> is thinking of you" right away."""
    await register(update, context)
    await thinking_note_received(update, context, " ".join(context.args or ()))


async def thinking_note_received(update: Update, context: BotContext, note: str) -> None:
    """Relay a "thinking of you", with the note typed along (``/thinking …`` or "✍️ Write my own").

    A note that is too long is refused before anything is stored or sent.
    """
    try:
        result = await moments.send_thinking_of_you(
            context.db, user_id(update), context.now(), note=note
        )
    except NoteTooLong:
        await message(update).reply_text(
            texts.fmt(texts.THINKING_NOTE_TOO_LONG, limit=NOTE_MAX_LENGTH)
        )
        return
    if isinstance(result, NotPaired):
        await message(update).reply_text(texts.NOT_PAIRED, reply_markup=keyboards.invite())
        return
    await relay_thinking(context, result)
    await message(update).reply_text(
        texts.fmt(texts.THINKING_SENT, partner=result.partner.first_name)
    )


async def relay_thinking(context: BotContext, relayed: Relayed) -> None:
    """The partner's side of a "thinking of you", with the button to send love back."""
    if relayed.note:
        text = texts.fmt(
            texts.THINKING_RECEIVED_NOTE, name=relayed.sender.first_name, note=relayed.note
        )
    else:
        text = texts.fmt(texts.THINKING_RECEIVED, name=relayed.sender.first_name)
    await send_to_partner(context, relayed, text, keyboards.love_back(relayed.event_id))


async def love_back(update: Update, context: BotContext) -> None:
    """ "❤️ Send love back": relayed once to the sender; the button then goes away."""
    query = update.callback_query
    assert query is not None and query.message is not None
    try:
        event_id = int(callbacks.argument(query.data))
    except ValueError:
        await query.answer(texts.STALE_BUTTON)
        return
    result = await moments.send_love_back(context.db, query.from_user.id, event_id, context.now())
    if isinstance(result, Stale):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer(texts.fmt(texts.LOVE_BACK_SENT, partner=result.partner.first_name))
    await query.edit_message_text(original_text(query) + texts.LOVE_BACK_DONE_SUFFIX)
    await send_to_partner(
        context, result, texts.fmt(texts.LOVE_BACK_RECEIVED, name=result.sender.first_name)
    )


async def send_to_partner(
    context: BotContext, relayed: Relayed, text: str, reply_markup: object = None
) -> None:
    try:
        await context.bot.send_message(
            relayed.partner.user_id,
            text,
            reply_markup=reply_markup,  # type: ignore[arg-type]
        )
    except Forbidden:
        # The partner blocked the bot; the moment is stored all the same.
        log.info("partner %s unreachable (blocked the bot)", relayed.partner.user_id)
