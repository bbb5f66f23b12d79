"""Sharing both ways: "💞 Tell Bob", "❤️ Thank you", what "✨ Something else" was, free text
offered to the partner, and ``/history``."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, edit, message, original_text, query_of, say, stale
from bot.handlers.moments import logged_text, tell_markup
from bot.unit_of_work import Reply
from domain import history, sharing
from domain.moments import NOTE_MAX_LENGTH, NoteTooLong
from domain.sharing import Described, KeptPrivate, OfferTooLong
from domain.values.conversation import AwaitingMomentNote
from domain.values.kinds import MomentKind
from domain.values.results import NotPaired, Stale
from messages import history as history_words
from messages import texts

log = logging.getLogger(__name__)


async def tell_tapped(update: Update, context: BotContext) -> list[Reply]:
    """ "💞 Tell Bob": the partner hears about the moment once; the button goes away."""
    query = query_of(update)
    data = cd.Tell.parse(query.data)
    if data is None:
        return stale(query)
    result = await sharing.tell_partner(context.work, data.event_id)
    if isinstance(result, Stale):
        return stale(query)
    partner = result.partner.first_name
    if result.duplicate:
        return [answer(query, texts.plain(texts.ALREADY_TOLD, partner=partner))]
    return [
        answer(query, texts.plain(texts.TOLD, partner=partner)),
        edit(query, original_text(query) + texts.fmt(texts.TOLD_SUFFIX, partner=partner)),
    ]


async def thanks_tapped(update: Update, context: BotContext) -> list[Reply]:
    """ "❤️ Thank you" for a received note: one thank-you back; the buttons go away."""
    query = query_of(update)
    data = cd.Thanks.parse(query.data)
    if data is None:
        return stale(query)
    result = await sharing.thank(context.work, data.event_id)
    if isinstance(result, Stale) or result.duplicate:
        return stale(query)
    return [
        answer(query, texts.plain(texts.THANKS_SENT, partner=result.partner.first_name)),
        edit(query, original_text(query) + texts.THANKS_DONE_SUFFIX),
    ]


async def skip_tapped(update: Update, context: BotContext) -> list[Reply]:
    """ "Skip": the "something else" stays logged without words."""
    query = query_of(update)
    data = cd.SkipNote.parse(query.data)
    if data is None:
        return stale(query)
    result = await sharing.skip_description(context.work, data.event_id)
    if isinstance(result, Stale):
        return stale(query)
    return [
        answer(query),
        edit(query, logged_text(MomentKind.OTHER), **tell_markup(result.partner, result.event_id)),
    ]


async def moment_note_typed(
    update: Update, context: BotContext, awaiting: AwaitingMomentNote
) -> list[Reply] | None:
    """The words for a "something else"; ``None`` when that moment is gone (read the text
    as any other then)."""
    text = message(update).text or ""
    try:
        result = await sharing.describe_moment(context.work, awaiting, text)
    except NoteTooLong:
        return [say(update, texts.fmt(texts.MOMENT_NOTE_TOO_LONG, limit=NOTE_MAX_LENGTH))]
    if isinstance(result, Stale):
        return None
    return [
        say(
            update,
            logged_text(MomentKind.OTHER, result.note),
            **tell_markup(result.partner, result.event_id),
        ),
        _without_skip(context, result),
    ]


def _without_skip(context: BotContext, described: Described) -> Reply:
    """The question's "Skip" button goes away; if Telegram can't (too old), no matter."""
    chat_id = context.work.me.id

    async def tidy() -> None:
        try:
            await context.bot.edit_message_reply_markup(
                chat_id, described.message_id, reply_markup=None
            )
        except TelegramError as error:
            log.info("could not tidy the 'Skip' button away: %s", error)

    return tidy


async def offer_text(update: Update, context: BotContext, text: str) -> list[Reply] | None:
    """Free text the bot didn't understand, from a paired person: "Send this to Bob? 💌".

    ``None`` for someone unpaired (the friendly "didn't catch that" is theirs).
    """
    result = await sharing.offer_relay(context.work, text)
    if isinstance(result, NotPaired):
        return None
    partner = result.partner.first_name
    if isinstance(result, OfferTooLong):
        return [
            say(update, texts.fmt(texts.OFFER_TOO_LONG, partner=partner, limit=NOTE_MAX_LENGTH))
        ]
    return [
        say(
            update,
            texts.fmt(texts.OFFER_ASK, partner=partner),
            reply_markup=keyboards.relay_offer(result.offer_id),
        )
    ]


async def offer_yes(update: Update, context: BotContext) -> list[Reply]:
    """Yes: the words go to the partner as a "thinking of you" note, once."""
    query = query_of(update)
    data = cd.OfferYes.parse(query.data)
    if data is None:
        return stale(query)
    result = await sharing.answer_offer(context.work, data.offer_id, send=True)
    if isinstance(result, Stale | KeptPrivate):
        return stale(query)
    sent = texts.fmt(texts.THINKING_SENT, partner=result.partner.first_name)
    return [answer(query), edit(query, sent)]


async def offer_no(update: Update, context: BotContext) -> list[Reply]:
    """No: the words are dropped; nothing is sent."""
    query = query_of(update)
    data = cd.OfferNo.parse(query.data)
    if data is None:
        return stale(query)
    result = await sharing.answer_offer(context.work, data.offer_id, send=False)
    if isinstance(result, Stale):
        return stale(query)
    return [answer(query), edit(query, texts.OFFER_KEPT)]


async def history_command(update: Update, context: BotContext) -> list[Reply]:
    """``/history``: the latest moments and notes of both partners, newest first."""
    result = await history.recent(context.work)
    if isinstance(result, NotPaired):
        return [say(update, history_words.NOT_PAIRED, reply_markup=keyboards.invite())]
    return [say(update, history_words.render_history(result))]
