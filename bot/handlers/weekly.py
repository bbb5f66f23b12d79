"""“How are we doing this week?”: the reflection as a chart with words, asked or on Sundays.

Three ways in — ``/week``, a question typed in one's own words, the "📊 Our week" button —
all end in :func:`reflection_parts`, so everyone gets the same message whichever door they
used; the Sunday digest (``TelegramDigestSender``) is the same message with a greeting.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter

from bot import callbacks, keyboards
from bot.aiohttp_request import NotSent
from bot.context import BotContext
from bot.handlers.common import message, register, user_id
from bot.rate_limiter import already_paced
from domain import weekly
from domain.results import NotPaired
from domain.weekly import Reflection
from messages import texts
from messages import weekly as words
from scheduling.sender import MaybeDelivered, NotDelivered, RecipientBlocked, RetryLater

log = logging.getLogger(__name__)

#: Callback action of the "📊 Our week" button: ``v1:wk[:<weeks ago>]``.
WEEK: Final = "wk"
PATTERN: Final = callbacks.pattern(WEEK)
#: Telegram's caption limit, counted in UTF-16 code units of the visible text.
CAPTION_LIMIT: Final = 1024
CHART_FILENAME: Final = "our-week.png"
_LAST_WEEK_WORDS: Final = frozenset({"last", "previous", "prev", "1"})
_TAG: Final = re.compile(r"<[^>]+>")


def week_keyboard(weeks_ago: int = 0) -> InlineKeyboardMarkup:
    """The "📊 Our week" button, for any message that wants to offer the reflection."""
    argument = weeks_ago or None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    words.BUTTON_OUR_WEEK, callback_data=callbacks.make(WEEK, argument)
                )
            ]
        ]
    )


async def week_command(update: Update, context: BotContext) -> None:
    """``/week`` for this week, ``/week last`` for the one before."""
    await register(update, context)
    args = [arg.casefold() for arg in context.args or ()]
    weeks_ago = 1 if args and args[0] in _LAST_WEEK_WORDS else 0
    await reply_with_week(context, user_id(update), weeks_ago)


async def weekly_question(update: Update, context: BotContext, weeks_ago: int) -> None:
    """A weekly question typed as text (the caller has registered the person already)."""
    await reply_with_week(context, user_id(update), weeks_ago)


async def week_button(update: Update, context: BotContext) -> None:
    """The "📊 Our week" button: answered at once, then the reflection for the presser."""
    query = update.callback_query
    assert query is not None
    argument = callbacks.argument(query.data)
    if argument not in ("", "1"):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await reply_with_week(context, query.from_user.id, int(argument or 0))


async def reply_with_week(context: BotContext, chat_id: int, weeks_ago: int) -> None:
    """Look the week up and send it; someone unpaired gets the kind explanation instead."""
    try:
        reflection = await weekly.weekly_reflection(context.db, chat_id, context.now(), weeks_ago)
    except Exception:
        log.exception("could not build the weekly reflection for %s", chat_id)
        await context.bot.send_message(chat_id, words.WEEKLY_UNAVAILABLE)
        return
    if isinstance(reflection, NotPaired):
        await context.bot.send_message(
            chat_id, words.NOT_PAIRED_WEEKLY, reply_markup=keyboards.invite()
        )
        return
    await send_reflection(context.bot, chat_id, reflection)


@dataclass(frozen=True, slots=True)
class Part:
    """One message of a reflection: a photo with a caption, or plain words."""

    text: str
    photo: bytes | None = None


def reflection_parts(reflection: Reflection, *, digest: bool = False) -> list[Part]:
    """The chart with the words as its caption when they fit, else the chart then the words.

    The chart's colour key joins the caption only when there is room for it; without a
    chart (a brand-new or quiet fortnight) the words go alone.
    """
    summary, (asker, partner) = reflection.summary, reflection.names
    text = words.render_summary(
        summary, asker_name=asker, partner_name=partner, last_week=reflection.last_week
    )
    if digest:
        text = f"{words.DIGEST_INTRO}\n\n{text}\n\n{words.DIGEST_FOOTER}"
    png = reflection.chart_png
    if png is None:
        return [Part(text)]
    key = words.chart_caption(
        summary, asker_name=asker, partner_name=partner, last_week=reflection.last_week
    )
    for caption in (f"{text}\n\n{key}", text):
        if visible_length(caption) <= CAPTION_LIMIT:
            return [Part(caption, png)]
    return [Part(key, png), Part(text)]


async def send_part(bot: Bot, chat_id: int, part: Part, *, paced: bool = False) -> None:
    """One message; the PNG is uploaded from memory under a friendly file name.

    ``paced``: the caller already acquired the rate limiter for this chat.
    """
    extra = already_paced(bot) if paced else {}
    if part.photo is None:
        await bot.send_message(chat_id, part.text, **extra)
    else:
        photo = InputFile(part.photo, filename=CHART_FILENAME)
        await bot.send_photo(chat_id, photo, caption=part.text, **extra)


async def send_reflection(bot: Bot, chat_id: int, reflection: Reflection) -> None:
    """Answer someone who asked: one message, or two when the words outgrow a caption."""
    for part in reflection_parts(reflection):
        await send_part(bot, chat_id, part)


def visible_length(text_html: str) -> int:
    """Length Telegram checks a caption against: visible text, in UTF-16 code units."""
    visible = html.unescape(_TAG.sub("", text_html))
    return len(visible.encode("utf-16-le")) // 2


async def digest_command(update: Update, context: BotContext) -> None:
    """``/digest on`` or ``/digest off``; plain ``/digest`` says how it is set."""
    await register(update, context)
    who = user_id(update)
    choice = (context.args or [""])[0].casefold()
    if choice in ("on", "off"):
        await weekly.set_digest_enabled(context.db, who, choice == "on")
        await message(update).reply_text(words.DIGEST_ON if choice == "on" else words.DIGEST_OFF)
        return
    enabled = await weekly.digest_enabled(context.db, who)
    await message(update).reply_text(
        words.DIGEST_STATUS_OFF if enabled is False else words.DIGEST_STATUS_ON
    )


class TelegramDigestSender:
    """Sends the Sunday digest with PTB, translating Telegram's errors for the scheduler."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_digest(self, reflection: Reflection) -> None:
        chat_id = reflection.asker.user_id
        for index, part in enumerate(reflection_parts(reflection, digest=True)):
            try:
                # The digest job acquired for the first part; a second waits its turn.
                await send_part(self.bot, chat_id, part, paced=index == 0)
            except TelegramError as error:
                if index > 0:  # the chart is on their screen: better half once than twice
                    raise MaybeDelivered(str(error)) from error
                translated = _translated(error)
                if translated is error:
                    raise
                raise translated from error


def _translated(error: TelegramError) -> Exception:
    """Telegram's error as the scheduler's vocabulary (the same mapping as for nudges)."""
    if isinstance(error, Forbidden):
        return RecipientBlocked(str(error))
    if isinstance(error, TelegramRetryAfter):
        return RetryLater(_seconds(error.retry_after))
    if isinstance(error, NotSent):  # the connection never opened: safe to send again
        return NotDelivered(str(error))
    if isinstance(error, BadRequest):
        if "chat not found" in error.message.lower():
            return RecipientBlocked(str(error))
        return error
    if isinstance(error, NetworkError):  # TimedOut too: it may have reached Telegram
        return MaybeDelivered(str(error))
    return error


def _seconds(retry_after: int | timedelta) -> float:
    """PTB 22 gives an int today and a timedelta in later releases."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
