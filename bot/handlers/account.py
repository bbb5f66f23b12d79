"""Leaving a couple, and being forgotten — both after a clear confirmation."""

from __future__ import annotations

from functools import partial

from telegram import ReplyKeyboardRemove, Update
from telegram.constants import ChatMemberStatus

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, edit, query_of, say, send, stale
from bot.unit_of_work import Reply
from domain import accounts
from domain.accounts import HistoryDeleted
from domain.values.confirmation import Action
from domain.values.results import Person
from messages import texts


async def unpair_command(update: Update, context: BotContext) -> list[Reply]:
    """``/unpair``: asks first; the answer button names this very couple."""
    profile = await accounts.profile(context.work)
    if profile.partner is None or profile.couple_id is None:
        former = await accounts.former_couple(context.work)
        if former is None:
            return [say(update, texts.NOT_PAIRED_NOTHING_TO_END)]
        # Left by the partner, or kept at the time: "delete it" is still on offer.
        nonce = accounts.offer_confirmation(context.work, Action.UNPAIR)
        data = cd.Unpair(former.couple_id, nonce, cd.History.DELETE)
        question = texts.fmt(
            texts.DELETE_FORMER_HISTORY, partner=former.partner_first_name or texts.A_FORMER_PARTNER
        )
        confirm = keyboards.confirm(data, texts.BUTTON_DELETE_FORMER_HISTORY)
        return [say(update, question, reply_markup=confirm)]
    nonce = accounts.offer_confirmation(context.work, Action.UNPAIR)
    confirm = keyboards.confirm_unpair(profile.couple_id, nonce)
    question = texts.fmt(texts.UNPAIR_CONFIRM, partner=profile.partner.first_name)
    return [say(update, question, reply_markup=confirm)]


async def unpair_confirmed(update: Update, context: BotContext) -> list[Reply]:
    """ "Yes, end it" (keeping or deleting one's own history): only the live prompt's button."""
    query = query_of(update)
    data = cd.Unpair.parse(query.data)
    if data is None:
        return stale(query)
    result = await accounts.unpair(
        context.work,
        data.couple_id,
        data.nonce,
        delete_history=data.history is cd.History.DELETE,
    )
    if result is HistoryDeleted.DELETED:
        return [answer(query), edit(query, texts.UNPAIR_HISTORY_DELETED)]
    if not isinstance(result, Person):
        return stale(query)
    done = texts.fmt(texts.UNPAIR_DONE, partner=result.first_name)
    if data.history is cd.History.DELETE:
        done = f"{done}\n{texts.UNPAIR_HISTORY_DELETED}"
    return [answer(query), *_close_confirmation(context, query.from_user.id, update, done)]


async def forget_command(update: Update, context: BotContext) -> list[Reply]:
    """``/forget_me``: says exactly what will go, then waits for a yes."""
    profile = await accounts.profile(context.work)
    and_pairing = (
        texts.fmt(texts.FORGET_AND_PAIRING, partner=profile.partner.first_name)
        if profile.partner
        else ""
    )
    return [
        say(
            update,
            texts.FORGET_CONFIRM.format(and_pairing=and_pairing),
            reply_markup=keyboards.confirm(
                cd.Forget(accounts.offer_confirmation(context.work, Action.FORGET)),
                texts.BUTTON_FORGET_CONFIRM,
            ),
        )
    ]


async def forget_confirmed(update: Update, context: BotContext) -> list[Reply]:
    query = query_of(update)
    data = cd.Forget.parse(query.data)
    if data is None:
        return stale(query)
    if not isinstance(await accounts.forget(context.work, data.nonce), Person | None):
        return stale(query)  # a double tap, or a button from before: nobody left to forget
    return [
        answer(query),
        *_close_confirmation(context, query.from_user.id, update, texts.FORGET_DONE),
    ]


async def cancel(update: Update, context: BotContext) -> list[Reply]:
    """ "Keep things as they are": any pending confirmation is withdrawn."""
    query = query_of(update)
    accounts.withdraw_confirmation(context.work)
    return [answer(query), edit(query, texts.CANCELLED)]


async def blocked_or_unblocked(update: Update, context: BotContext) -> list[Reply]:
    """The person blocked the bot (nothing more goes to them) or came back (it does again)."""
    change = update.my_chat_member
    assert change is not None
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        await accounts.blocked_the_bot(context.work)
    elif change.new_chat_member.status == ChatMemberStatus.MEMBER:
        accounts.unblocked_the_bot(context.work)
    return []


def _close_confirmation(
    context: BotContext, chat_id: int, update: Update, text: str
) -> list[Reply]:
    """Retire the yes/no buttons and put the everyday keyboard away: it no longer applies."""
    return [
        partial(query_of(update).edit_message_reply_markup, None),
        send(context, chat_id, text, reply_markup=ReplyKeyboardRemove()),
    ]
