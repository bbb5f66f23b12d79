"""Small helpers every handler uses: who is talking, and how to reply."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update

from bot import keyboards
from bot.context import BotContext
from domain import accounts
from domain.accounts import Profile
from messages import texts


async def register(update: Update, context: BotContext) -> Profile:
    """Remember the person behind this message (their name may have changed)."""
    user = update.effective_user
    assert user is not None
    return await accounts.register(context.db, user.id, user.first_name, context.now())


def message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def ask_timezone(context: BotContext, chat_id: int) -> None:
    """Offer common zones as buttons; the next typed text is read as a place."""
    await accounts.set_awaiting(context.db, chat_id, accounts.AWAITING_TIMEZONE)
    await context.bot.send_message(chat_id, texts.ASK_TIMEZONE, reply_markup=keyboards.timezones())


def original_text(query: CallbackQuery) -> str:
    """The message as the person saw it (HTML), so an outcome can be added below it."""
    message = query.message
    return message.text_html if isinstance(message, Message) and message.text else ""
