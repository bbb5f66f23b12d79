"""Small helpers every handler uses: what was pressed or typed, and the replies to make.

Replies are deferred calls (:data:`bot.unit_of_work.Reply`): a handler returns them and the
unit of work makes them after its commit, so Telegram is never called while a
transaction holds locks, and never for an update whose effects did not commit.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from telegram import CallbackQuery, Message, Update

from bot import keyboards
from bot.context import BotContext
from bot.unit_of_work import Reply
from messages import texts


def message(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def query_of(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


def say(update: Update, text: str, **options: Any) -> Reply:
    """Answer the person's message in their chat."""
    return partial(message(update).reply_text, text, **options)


def send(context: BotContext, chat_id: int, text: str, **options: Any) -> Reply:
    return partial(context.bot.send_message, chat_id, text, **options)


def answer(query: CallbackQuery, text: str | None = None, **options: Any) -> Reply:
    """Answer a button press (the little toast, or nothing)."""
    return partial(query.answer, text, **options)


def edit(query: CallbackQuery, text: str, **options: Any) -> Reply:
    """Rewrite the message whose button was pressed."""
    return partial(query.edit_message_text, text, **options)


def ask_timezone(
    context: BotContext, chat_id: int, *, paired: bool, guessed: str | None = None
) -> list[Reply]:
    """Offer common zones as buttons and "📍 Share my location" under the text field.

    A message has one keyboard, so a short first line brings the location button and the
    question itself, last in the chat, the zone buttons (the caller has set the person
    awaiting a place). ``guessed``: the zone set meanwhile, named below the question.
    """
    question = texts.ASK_TIMEZONE
    if guessed is not None:
        question += "\n\n" + texts.timezone_guessed(guessed, context.services.clock())
    return [
        send(
            context,
            chat_id,
            texts.ASK_LOCATION,
            reply_markup=keyboards.share_location(paired=paired),
        ),
        send(context, chat_id, question, reply_markup=keyboards.timezones()),
    ]


def original_text(query: CallbackQuery) -> str:
    """The message as the person saw it (HTML), so an outcome can be added below it."""
    message = query.message
    return message.text_html if isinstance(message, Message) and message.text else ""


def stale(query: CallbackQuery) -> list[Reply]:
    """A button that no longer means anything: answered gently, and nothing changed."""
    return [answer(query, texts.STALE_BUTTON)]
