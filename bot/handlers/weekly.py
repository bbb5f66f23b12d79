"""“How are we doing this week?”: the reflection as a chart with words, asked or on Sundays.

Three ways in — ``/week``, a question typed in one's own words, the "📊 Our week" button —
all end in :func:`reflection_parts`, so everyone gets the same message whichever door they
used; the Sunday digest (sent by ``bot/telegram_sender.py``) is the same message with a
greeting.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import partial
from typing import Final

from telegram import Bot, InlineKeyboardMarkup, InputFile, Update

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, query_of, say, stale
from bot.unit_of_work import Reply
from domain import weekly
from domain.values.results import NotPaired
from domain.values.weekly_summary import Reflection, colour_order
from messages import nudge_effects as effect_words
from messages import weekly as words
from messages import weekly_chart

log = logging.getLogger(__name__)

#: Telegram's caption limit, counted in UTF-16 code units of the visible text.
CAPTION_LIMIT: Final = 1024
CHART_FILENAME: Final = "our-week.png"
_LAST_WEEK_WORDS: Final = frozenset({"last", "previous", "prev", "1"})
_TAG: Final = re.compile(r"<[^>]+>")


def week_keyboard(weeks_ago: int = 0) -> InlineKeyboardMarkup:
    """The "📊 Our week" button, for any message that wants to offer the reflection."""
    return keyboards.one_button(words.BUTTON_OUR_WEEK, cd.Week(weeks_ago))


async def week_command(update: Update, context: BotContext) -> list[Reply]:
    """``/week`` for this week, ``/week last`` for the one before."""
    args = [arg.casefold() for arg in context.args or ()]
    return await weekly_question(update, context, 1 if args and args[0] in _LAST_WEEK_WORDS else 0)


async def weekly_question(update: Update, context: BotContext, weeks_ago: int) -> list[Reply]:
    """The week asked for (by command, typed question, or button), for the asker."""
    work = context.work
    reflection = await weekly.weekly_reflection(work.session, work.me.id, work.now, weeks_ago)
    chat_id = work.me.id
    if isinstance(reflection, NotPaired):
        return [
            partial(
                context.bot.send_message,
                chat_id,
                words.NOT_PAIRED_WEEKLY,
                reply_markup=keyboards.invite(),
            )
        ]
    url = context.services.web_app_url
    space = None if url is None else InlineKeyboardMarkup([[keyboards.open_space(url)]])
    return [partial(send_reflection, context.bot, chat_id, reflection, space)]


async def week_button(update: Update, context: BotContext) -> list[Reply]:
    """The "📊 Our week" button: answered at once, then the reflection for the presser."""
    query = query_of(update)
    data = cd.Week.parse(query.data)
    if data is None or data.weeks_ago not in (0, 1):
        return stale(query)
    return [answer(query), *await weekly_question(update, context, data.weeks_ago)]


@dataclass(frozen=True, slots=True)
class Part:
    """One message of a reflection: a photo with a caption, or plain words."""

    text: str
    photo: bytes | None = None
    markup: InlineKeyboardMarkup | None = None


def fewer_keyboard(reflection: Reflection) -> InlineKeyboardMarkup | None:
    """One "Yes, fewer" per ritual the reflection offers to nudge less."""
    rituals = effect_words.offers_fewer(reflection.nudge_effects)
    if not rituals:
        return None
    several = len(rituals) > 1
    return InlineKeyboardMarkup(
        [
            [keyboards.button(effect_words.fewer_button(r, several=several), cd.Fewer(r))]
            for r in rituals
        ]
    )


async def fewer_button(update: Update, context: BotContext) -> list[Reply]:
    """ "Yes, fewer" under the reflection: that ritual's nudges come less often."""
    query = query_of(update)
    data = cd.Fewer.parse(query.data)
    if data is None:
        return stale(query)
    lowered = await weekly.nudge_less(context.work, data.ritual)
    if lowered is None:
        return [answer(query, effect_words.fewer_at_floor(data.ritual))]
    return [answer(query), say(update, effect_words.fewer_done(data.ritual))]


def reflection_parts(reflection: Reflection, *, digest: bool = False) -> list[Part]:
    """The chart with the words as its caption when they fit, else the chart then the words.

    The chart's colour key joins the caption only when there is room for it; without a
    chart (a brand-new or quiet fortnight) the words go alone.
    """
    summary, (asker, partner) = reflection.summary, reflection.names
    text = words.render_summary(
        summary, asker_name=asker, partner_name=partner, last_week=reflection.last_week
    )
    effect_lines = effect_words.lines_for(reflection.nudge_effects)
    if effect_lines:
        text = "\n\n".join([text, *effect_lines])
    markup = fewer_keyboard(reflection)
    if digest:
        text = f"{words.DIGEST_INTRO}\n\n{text}\n\n{words.DIGEST_FOOTER}"
    png = reflection.chart_png
    if png is None:
        return [Part(text, markup=markup)]
    first, second = colour_order(reflection.people)
    key = words.chart_caption(
        summary, colour_names=(first.first_name, second.first_name), last_week=reflection.last_week
    )
    for caption in (f"{text}\n\n{key}", text):
        if visible_length(caption) <= CAPTION_LIMIT:
            return [Part(caption, png, markup)]
    return [Part(key, png), Part(text, markup=markup)]


async def send_part(
    bot: Bot, chat_id: int, part: Part, markup: InlineKeyboardMarkup | None = None
) -> None:
    """One message; the PNG is uploaded from memory under a friendly file name."""
    buttons = _joined(part.markup, markup)
    if part.photo is None:
        await bot.send_message(chat_id, part.text, reply_markup=buttons)
    else:
        photo = InputFile(part.photo, filename=CHART_FILENAME)
        await bot.send_photo(chat_id, photo, caption=part.text, reply_markup=buttons)


def _joined(*markups: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The part's own buttons ("Yes, fewer") above the ones added to it ("📱 Open our space")."""
    rows = [row for markup in markups if markup is not None for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(rows) if rows else None


async def send_reflection(
    bot: Bot, chat_id: int, reflection: Reflection, space: InlineKeyboardMarkup | None = None
) -> None:
    """Answer someone who asked: one message, or two when the words outgrow a caption;
    the last one carries ``space`` ("📱 Open our space"), if any.

    The chart is drawn here, after the update's transaction, off the event loop.
    """
    parts = reflection_parts(await weekly_chart.with_chart(reflection))
    for index, part in enumerate(parts):
        await send_part(bot, chat_id, part, space if index == len(parts) - 1 else None)


def visible_length(text_html: str) -> int:
    """Length Telegram checks a caption against: visible text, in UTF-16 code units."""
    visible = html.unescape(_TAG.sub("", text_html))
    return len(visible.encode("utf-16-le")) // 2


async def digest_command(update: Update, context: BotContext) -> list[Reply]:
    """``/digest on`` or ``/digest off``; plain ``/digest`` says how it is set."""
    choice = (context.args or [""])[0].casefold()
    if choice in ("on", "off"):
        weekly.set_digest_enabled(context.work, choice == "on")
        return [say(update, words.DIGEST_ON if choice == "on" else words.DIGEST_OFF)]
    enabled = weekly.digest_enabled(context.work)
    return [say(update, words.DIGEST_STATUS_ON if enabled else words.DIGEST_STATUS_OFF)]
