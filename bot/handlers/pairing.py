"""Inviting a partner and saying yes to an invitation."""

from __future__ import annotations

from telegram import Update
from telegram.helpers import create_deep_linked_url

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, ask_timezone, edit, query_of, say, send, stale
from bot.unit_of_work import Reply
from domain import accounts, pairing
from domain.pairing import Refused
from domain.values.results import PairProblem, Stale
from messages import texts
from messages.i18n import choose, speaking

_PROBLEM_TEXTS: dict[PairProblem, str] = {
    PairProblem.UNKNOWN_CODE: texts.PAIR_UNKNOWN_CODE,
    PairProblem.EXPIRED: texts.PAIR_EXPIRED,
    PairProblem.USED: texts.PAIR_USED,
    PairProblem.OWN_CODE: texts.PAIR_OWN_CODE,
    PairProblem.INVITER_IS_PAIRED: texts.PAIR_INVITER_IS_PAIRED,
    PairProblem.TOO_MANY_TRIES: texts.PAIR_TOO_MANY_TRIES,
}


def problem_text(refused: Refused) -> str:
    if refused.problem is PairProblem.YOU_ARE_PAIRED:
        if refused.partner is None:
            return texts.PAIR_YOU_ARE_PAIRED_NO_NAME
        return texts.fmt(texts.PAIR_YOU_ARE_PAIRED, partner=refused.partner.first_name)
    return _PROBLEM_TEXTS[refused.problem]


async def invite_command(update: Update, context: BotContext) -> list[Reply]:
    """``/invite`` or the "Invite my partner" button: a fresh link and code to forward."""
    chat_id = context.work.me.id
    result = await pairing.create_invite(context.work)
    if isinstance(result, Refused):
        return [send(context, chat_id, problem_text(result))]
    link = create_deep_linked_url(context.bot.username, result.code)
    invitation = texts.fmt(texts.INVITE_CREATED, link=link, code=result.display_code)
    return [send(context, chat_id, invitation)]


async def invite_button(update: Update, context: BotContext) -> list[Reply]:
    return [answer(query_of(update)), *await invite_command(update, context)]


async def pair_command(update: Update, context: BotContext) -> list[Reply]:
    """``/pair <code>``: the typed alternative to opening the link."""
    if not context.args:
        return [say(update, texts.PAIR_USAGE)]
    return await pair_preview(update, context, "".join(context.args))


async def pair_preview(update: Update, context: BotContext, typed_code: str) -> list[Reply]:
    """ "Pair with Alice?" — or a kind word about why that code will not work."""
    result = await pairing.preview(context.work, typed_code)
    if isinstance(result, Refused):
        return [say(update, problem_text(result))]
    return [
        say(
            update,
            texts.fmt(texts.PAIR_PREVIEW, name=result.inviter.first_name),
            reply_markup=keyboards.pair_confirm(result.code),
        )
    ]


async def pair_yes(update: Update, context: BotContext) -> list[Reply]:
    """The invited partner said yes: both get a warm confirmation and the everyday buttons."""
    query = query_of(update)
    data = cd.PairYes.parse(query.data)
    if data is None:
        return stale(query)
    result = await pairing.accept(context.work, data.code)
    if result is Stale.STALE:  # a double tap: the first yes paired them and said so
        return stale(query)
    if isinstance(result, Refused):
        return [answer(query), edit(query, problem_text(result))]
    replies = [
        answer(query),
        edit(query, texts.fmt(texts.PAIR_ACCEPTED, name=result.inviter.first_name)),
    ]
    for me, partner in ((result.partner, result.inviter), (result.inviter, result.partner)):
        with speaking(choose(me.language, None)):  # each in their own language
            paired = texts.fmt(texts.PAIRED_YOU, partner=partner.first_name)
            menu = keyboards.main_menu()
        replies.append(send(context, me.user_id, paired, reply_markup=menu))
    # Nudges need a zone: whoever skipped the question gets a guess, and can change it.
    zone = await accounts.guess_timezone(context.work, result.partner.user_id)
    if zone is not None:  # the one saying yes is asked again, the guess shown below
        accounts.ask_timezone(context.work)
        replies += ask_timezone(context, result.partner.user_id, paired=True, guessed=zone)
    zone = await accounts.guess_timezone(context.work, result.inviter.user_id)
    if zone is not None:
        guessed = texts.timezone_guessed(zone, context.work.now)
        replies.append(
            send(context, result.inviter.user_id, guessed, reply_markup=keyboards.timezones())
        )
    return replies


async def pair_no(update: Update, context: BotContext) -> list[Reply]:
    query = query_of(update)
    return [answer(query), edit(query, texts.PAIR_DECLINED)]
