"""Help, the friendly fallbacks, and the one place errors are handled."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import message, query_of, say, stale
from bot.handlers.nudges import written_for_nudge
from bot.handlers.onboarding import typed_timezone
from bot.handlers.sharing import moment_note_typed, offer_text
from bot.handlers.weekly import weekly_question
from bot.unit_of_work import Reply
from domain.values import conversation
from domain.values.conversation import AwaitingMomentNote, AwaitingTimezone, AwaitingWords
from domain.values.intent import match_weekly_question
from domain.work import AlreadyHandled, claim_update
from messages import texts
from messages.i18n import choose, speaking

log = logging.getLogger(__name__)


async def help_command(update: Update, context: BotContext) -> list[Reply]:
    """``/help`` or the Help button: everything in one short, warm list."""
    return [say(update, texts.HELP)]


async def text_message(update: Update, context: BotContext) -> list[Reply]:
    """Free text: the answer to a question we asked, the weekly question, or — in a paired
    chat — words offered to the partner ("Send this to Bob? 💌"); else a pointer to /help.

    The weekly question wins over a pending "What happened?" (the moment stays logged)."""
    text = message(update).text or ""
    question = match_weekly_question(text)
    match conversation.load(context.work.me.awaiting):
        case AwaitingTimezone():
            return await typed_timezone(update, context, text)
        case AwaitingWords() as awaiting:
            return await written_for_nudge(update, context, awaiting)
        case AwaitingMomentNote() as awaiting if question is None:
            noted = await moment_note_typed(update, context, awaiting)
            if noted is not None:
                return noted
    if question is not None:
        return await weekly_question(update, context, question.weeks_ago)
    offered = await offer_text(update, context, text)
    return offered if offered is not None else [say(update, texts.DIDNT_UNDERSTAND)]


async def unknown_command(update: Update, context: BotContext) -> list[Reply]:
    return [say(update, texts.DIDNT_UNDERSTAND)]


async def stale_button(update: Update, context: BotContext) -> list[Reply]:
    """Any button we no longer understand: answered, and nothing changes."""
    return stale(query_of(update))


async def not_private(update: Update, context: BotContext) -> None:
    """A group or channel: nobody is registered there; one kind pointer, once per update."""
    try:
        await claim_update(context.services.db, update.update_id, context.services.clock())
    except AlreadyHandled:
        return
    user = update.effective_user
    with speaking(choose(None, user.language_code if user else None)):
        await message(update).reply_text(texts.PRIVATE_ONLY)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure once, and tell the person something kind (never the details)."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    try:
        with speaking(choose(None, user.language_code if user else None)):
            sorry = texts.SOMETHING_WENT_WRONG
        if update.callback_query is not None:
            await update.callback_query.answer(sorry, show_alert=True)
        elif user is not None:
            await context.bot.send_message(user.id, sorry)
    except Exception:  # the error handler must never raise
        log.warning("could not tell the person about the error", exc_info=True)
