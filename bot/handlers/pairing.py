"""Inviting a partner and saying yes to an invitation."""

from __future__ import annotations

from telegram import Update
from telegram.helpers import create_deep_linked_url

from bot import callbacks, keyboards
from bot.context import BotContext
from bot.handlers.common import ask_timezone, message, register, user_id
from domain import invite_codes, pairing
from domain.results import PairProblem, Person
from messages import texts

_PROBLEM_TEXTS: dict[PairProblem, str] = {
    PairProblem.UNKNOWN_CODE: texts.PAIR_UNKNOWN_CODE,
    PairProblem.EXPIRED: texts.PAIR_EXPIRED,
    PairProblem.USED: texts.PAIR_USED,
    PairProblem.OWN_CODE: texts.PAIR_OWN_CODE,
    PairProblem.INVITER_IS_PAIRED: texts.PAIR_INVITER_IS_PAIRED,
    PairProblem.TOO_MANY_TRIES: texts.PAIR_TOO_MANY_TRIES,
}


def problem_text(problem: PairProblem, partner: Person | None) -> str:
    if problem is PairProblem.YOU_ARE_PAIRED:
        if partner is None:
            return texts.PAIR_YOU_ARE_PAIRED_NO_NAME
        return texts.fmt(texts.PAIR_YOU_ARE_PAIRED, partner=partner.first_name)
    return _PROBLEM_TEXTS[problem]


async def invite_command(update: Update, context: BotContext) -> None:
    """``/invite`` or the "Invite my partner" button: a fresh link and code to forward."""
    profile = await register(update, context)
    result = await pairing.create_invite(context.db, profile.me.user_id, context.now())
    if isinstance(result, PairProblem):
        await context.bot.send_message(profile.me.user_id, problem_text(result, profile.partner))
        return
    link = create_deep_linked_url(context.bot.username, result.code)
    await context.bot.send_message(
        profile.me.user_id,
        texts.fmt(texts.INVITE_CREATED, link=link, code=result.display_code),
    )


async def invite_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await invite_command(update, context)


async def pair_command(update: Update, context: BotContext) -> None:
    """``/pair <code>``: the typed alternative to opening the link."""
    await register(update, context)
    if not context.args:
        await message(update).reply_text(texts.PAIR_USAGE)
        return
    await show_pair_preview(update, context, "".join(context.args))


async def show_pair_preview(update: Update, context: BotContext, typed_code: str) -> None:
    """ "Pair with Alice?" — or a kind word about why that code will not work."""
    result = await pairing.preview(context.db, user_id(update), typed_code, context.now())
    if isinstance(result, PairProblem):
        profile = await register(update, context)
        await message(update).reply_text(problem_text(result, profile.partner))
        return
    code = invite_codes.normalise(typed_code)
    assert code is not None
    await message(update).reply_text(
        texts.fmt(texts.PAIR_PREVIEW, name=result.first_name),
        reply_markup=keyboards.pair_confirm(code),
    )


async def pair_yes(update: Update, context: BotContext) -> None:
    """The invited partner said yes: both get a warm confirmation and the everyday buttons."""
    query = update.callback_query
    assert query is not None
    await register(update, context)
    code = callbacks.argument(query.data)
    result = await pairing.accept(context.db, query.from_user.id, code, context.now())
    if isinstance(result, PairProblem) and await pairing.accepted_by(
        context.db, query.from_user.id, code
    ):
        # A double tap (or an older copy of this preview): the first yes paired them and
        # said so; a refusal now would only confuse.
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    if isinstance(result, PairProblem):
        profile = await register(update, context)
        await query.edit_message_text(problem_text(result, profile.partner))
        return
    await query.edit_message_text(texts.fmt(texts.PAIR_ACCEPTED, name=result.inviter.first_name))
    for me, partner in ((result.partner, result.inviter), (result.inviter, result.partner)):
        await context.bot.send_message(
            me.user_id,
            texts.fmt(texts.PAIRED_YOU, partner=partner.first_name),
            reply_markup=keyboards.main_menu(),
        )
    if result.partner.timezone is None:
        await ask_timezone(context, result.partner.user_id)


async def pair_no(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(texts.PAIR_DECLINED)
