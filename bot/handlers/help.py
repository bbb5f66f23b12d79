"""Help, the friendly fallbacks, and the one place errors are handled."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import message, register, user_id
from bot.handlers.moments import thinking_note_received
from bot.handlers.nudges import written_for_nudge
from bot.handlers.onboarding import apply_typed_timezone
from bot.handlers.weekly import weekly_question
from domain import accounts, nudge_answers
from domain.intent import match_weekly_question
from messages import texts

log = logging.getLogger(__name__)


async def help_command(update: Update, context: BotContext) -> None:
    """``/help`` or the Help button: everything in one short, warm list."""
    await register(update, context)
    await message(update).reply_text(texts.HELP)


async def text_message(update: Update, context: BotContext) -> None:
    """Free text: the answer to a question we asked, or a gentle pointer to /help."""
    profile = await register(update, context)
    text = message(update).text or ""
    if profile.awaiting == accounts.AWAITING_TIMEZONE:
        await apply_typed_timezone(update, context, text)
        return
    if profile.awaiting == accounts.AWAITING_THINKING_NOTE:
        await thinking_note_received(update, context, text)
        return
    if profile.awaiting and profile.awaiting.startswith(nudge_answers.AWAITING_PREFIX):
        await written_for_nudge(update, context, profile.awaiting)
        return
    question = match_weekly_question(text)
    if question is not None:
        await weekly_question(update, context, question.weeks_ago)
        return
    await message(update).reply_text(texts.DIDNT_UNDERSTAND)


async def unknown_command(update: Update, context: BotContext) -> None:
    await register(update, context)
    await message(update).reply_text(texts.DIDNT_UNDERSTAND)


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button we no longer understand: answered, and nothing changes."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.STALE_BUTTON)


async def not_private(update: Update, context: BotContext) -> None:
    await message(update).reply_text(texts.PRIVATE_ONLY)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure once, and tell the person something kind (never the details)."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG, show_alert=True)
        elif update.effective_user is not None:
            await context.bot.send_message(user_id(update), texts.SOMETHING_WENT_WRONG)
    except Exception:  # the error handler must never raise
        log.warning("could not tell the person about the error", exc_info=True)
