"""Help, the friendly fallbacks, and the one place errors are handled."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.context import BotContext
from bot.handlers.common import message, query_of, say, send, stale
from bot.handlers.nudges import written_for_nudge
from bot.handlers.onboarding import typed_timezone
from bot.handlers.sharing import moment_note_typed, offer_text
from bot.handlers.weekly import weekly_question
from bot.unit_of_work import Reply
from domain.values import conversation
from domain.values.conversation import AwaitingMomentNote, AwaitingTimezone, AwaitingWords
from domain.values.intent import match_weekly_question
from messages import texts
from messages.i18n import choose, speaking

log = logging.getLogger(__name__)


async def help_command(update: Update, context: BotContext) -> list[Reply]:
    """``/help`` or the Help button: everything in one short, warm list."""
    return [say(update, texts.HELP)]


async def text_message(update: Update, context: BotContext) -> list[Reply]:
    """Free text: the weekly question, the answer to a question we asked, or — in a paired
    chat — words offered to the partner ("Send this to Bob? 💌"); else a pointer to /help.

    A recognised question always wins over a pending prompt (which stays open), unless the
    text is a reply to one of the bot's messages while a prompt is open: that answers it,
    whatever it says.
    """
    text = message(update).text or ""
    awaiting = conversation.load(context.work.me.awaiting, context.work.now)
    question = match_weekly_question(text)
    if question is not None and (awaiting is None or not _replies_to_the_bot(update)):
        return await weekly_question(update, context, question.weeks_ago)
    match awaiting:
        case AwaitingTimezone():
            return await typed_timezone(update, context, text)
        case AwaitingWords() as words:
            return await written_for_nudge(update, context, words)
        case AwaitingMomentNote() as note:
            noted = await moment_note_typed(update, context, note)
            if noted is not None:
                return noted
    offered = await offer_text(update, context, text)
    return offered if offered is not None else [say(update, texts.DIDNT_UNDERSTAND)]


def _replies_to_the_bot(update: Update) -> bool:
    """A reply to a prompt (``ForceReply`` makes one): the text answers it."""
    replied = message(update).reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.is_bot


async def unknown_command(update: Update, context: BotContext) -> list[Reply]:
    return [say(update, texts.DIDNT_UNDERSTAND)]


async def stale_button(update: Update, context: BotContext) -> list[Reply]:
    """Any button we no longer understand: answered, and nothing changes."""
    return stale(query_of(update))


_IN_CHAT = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR})


def in_a_group(update: Update, context: BotContext) -> list[Reply]:
    """A group: one kind pointer when someone speaks to the bot (a command, an @mention, a
    reply to one of its messages); the group's own chat is none of its business."""
    said = message(update)
    text = (said.text or "").casefold()
    to_bot = said.reply_to_message is not None and (
        said.reply_to_message.from_user is not None
        and said.reply_to_message.from_user.id == context.bot.id
    )
    me = f"@{context.bot.username}".casefold()
    command, _, _ = text.partition(" ")
    for_me = command.startswith("/") and command.partition("@")[2] in ("", me[1:])
    if for_me or me in text or to_bot:
        return [say(update, texts.PRIVATE_ONLY)]
    return []


def joined_a_group(update: Update, context: BotContext) -> list[Reply]:
    """Added to a group: the same pointer, once; a channel or a farewell: nothing."""
    change = update.my_chat_member
    assert change is not None and update.effective_chat is not None
    was_in = change.old_chat_member.status in _IN_CHAT
    if update.effective_chat.type == ChatType.CHANNEL or was_in:
        return []
    if change.new_chat_member.status not in _IN_CHAT:
        return []
    return [send(context, update.effective_chat.id, texts.PRIVATE_ONLY)]


def edited(update: Update, context: BotContext) -> list[Reply]:
    """An edited text: what it first said was already acted on (relayed, stored), and acting
    again would double it; so a kind word instead."""
    return [say(update, texts.EDIT_NOT_FOLLOWED)]


def not_text(update: Update, context: BotContext) -> list[Reply]:
    """A photo, sticker, voice message...: a kind word on what the bot can read."""
    return [say(update, texts.NOT_TEXT)]


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
