"""``/language`` and its buttons: each partner chooses the language I write to them in.

The choice is stored (``users.language``) and wins over Telegram's ``language_code``; the
reply is already in the new language, and so is everything after it, relays and nudges
included (they are rendered in the receiver's language when they are sent).
"""

from __future__ import annotations

from telegram import ReplyKeyboardMarkup, Update

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, edit, query_of, say
from bot.unit_of_work import Reply
from domain import accounts
from messages import language as words
from messages.i18n import LANGUAGES, NAMES, active, speaking


async def language_command(update: Update, context: BotContext) -> list[Reply]:
    """``/language``: the current one and a button per language; ``/language de`` sets it."""
    typed = " ".join(context.args or ()).strip()
    if not typed:
        return [say(update, words.current(), reply_markup=keyboards.languages(active()))]
    code = _understood(typed)
    if code is None:
        return [say(update, words.unknown(typed), reply_markup=keyboards.languages(active()))]
    accounts.set_language(context.work, code)
    with speaking(code):
        return [say(update, words.chosen(), reply_markup=_menu(context))]


async def language_tapped(update: Update, context: BotContext) -> list[Reply]:
    """A language button: stored, and the message rewritten in that language."""
    query = query_of(update)
    data = cd.Language.parse(query.data)
    if data is None or data.code not in LANGUAGES:
        return [answer(query)]
    accounts.set_language(context.work, data.code)
    with speaking(data.code):
        replies = [answer(query), edit(query, words.chosen())]
        if context.work.me.couple_id is not None:  # the everyday buttons, in the new words
            replies.append(say(update, words.current(), reply_markup=keyboards.main_menu()))
        return replies


def _menu(context: BotContext) -> ReplyKeyboardMarkup | None:
    return keyboards.main_menu() if context.work.me.couple_id is not None else None


def _understood(typed: str) -> str | None:
    """ "de", "Deutsch", "german", "русский": the code of a shipped language, or None."""
    folded = typed.casefold()
    for code, name in NAMES.items():
        if folded in (code, name.split(" ", 1)[-1].casefold(), _ENGLISH_NAMES[code]):
            return code
    return None


_ENGLISH_NAMES = {"en": "english", "ru": "russian", "es": "spanish", "de": "german"}
