"""Leaving a couple, and being forgotten — both after a clear confirmation."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ReplyKeyboardRemove, Update
from telegram.error import Forbidden

from bot import callbacks, keyboards
from bot.context import BotContext
from bot.handlers.common import message, register
from domain import accounts
from domain.results import Person, Stale
from messages import texts

log = logging.getLogger(__name__)


async def unpair_command(update: Update, context: BotContext) -> None:
    """``/unpair``: asks first; the answer button names this very couple."""
    profile = await register(update, context)
    if profile.partner is None or profile.couple_id is None:
        await message(update).reply_text(texts.NOT_PAIRED_NOTHING_TO_END)
        return
    await message(update).reply_text(
        texts.fmt(texts.UNPAIR_CONFIRM, partner=profile.partner.first_name),
        reply_markup=keyboards.confirm(
            callbacks.UNPAIR, profile.couple_id, texts.BUTTON_UNPAIR_CONFIRM
        ),
    )


async def unpair_confirmed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        couple_id = int(callbacks.argument(query.data))
    except ValueError:
        await query.answer(texts.STALE_BUTTON)
        return
    result = await accounts.unpair(context.db, query.from_user.id, couple_id, context.now())
    if not isinstance(result, Person):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _close_confirmation(
        context, query.from_user.id, query, texts.fmt(texts.UNPAIR_DONE, partner=result.first_name)
    )
    await _tell_partner(context, result, query.from_user.first_name)


async def forget_command(update: Update, context: BotContext) -> None:
    """``/forget_me``: says exactly what will go, then waits for a yes."""
    profile = await register(update, context)
    and_pairing = (
        texts.fmt(texts.FORGET_AND_PAIRING, partner=profile.partner.first_name)
        if profile.partner
        else ""
    )
    await message(update).reply_text(
        texts.FORGET_CONFIRM.format(and_pairing=and_pairing),
        reply_markup=keyboards.confirm(callbacks.FORGET, None, texts.BUTTON_FORGET_CONFIRM),
    )


async def forget_confirmed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    name = query.from_user.first_name
    if not await accounts.exists(context.db, query.from_user.id):
        await query.answer(texts.STALE_BUTTON)
        return
    partner = await accounts.forget(context.db, query.from_user.id, context.now())
    if partner is Stale.STALE:  # a double tap: the first one already did it all
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _close_confirmation(context, query.from_user.id, query, texts.FORGET_DONE)
    if partner is not None:
        await _tell_partner(context, partner, name)


async def cancel(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(texts.CANCELLED)


async def _close_confirmation(
    context: BotContext, chat_id: int, query: CallbackQuery, text: str
) -> None:
    """Retire the yes/no buttons and put the everyday keyboard away: it no longer applies."""
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())


async def _tell_partner(context: BotContext, partner: Person, name: str) -> None:
    try:
        await context.bot.send_message(
            partner.user_id,
            texts.fmt(texts.UNPAIR_PARTNER_TOLD, name=name),
            reply_markup=ReplyKeyboardRemove(),
        )
    except Forbidden:
        log.info("former partner %s unreachable (blocked the bot)", partner.user_id)
