"""Logging a moment, and "thinking of you" relayed between partners (through the outbox)."""

from __future__ import annotations

import random
from typing import Any

from telegram import Update

from bot import callback_data as cd
from bot import keyboards
from bot.context import BotContext
from bot.handlers.common import answer, edit, original_text, query_of, say, stale
from bot.unit_of_work import Reply
from domain import moments
from domain.moments import NOTE_MAX_LENGTH, NoteTooLong
from domain.values.kinds import MomentKind
from domain.values.results import NotPaired, Person, Stale
from messages import texts
from messages.rituals import MOMENTS_BY_KIND


async def moment_menu(update: Update, context: BotContext) -> list[Reply]:
    """``/moment`` or "Log a moment": the seed's micro-connections as buttons."""
    if context.work.me.couple_id is None:
        return [say(update, texts.NOT_PAIRED, reply_markup=keyboards.invite())]
    return [say(update, texts.MOMENT_MENU, reply_markup=keyboards.moments())]


async def moment_tapped(update: Update, context: BotContext) -> list[Reply]:
    """One tap on a moment button stores one event; the menu turns into a thank-you."""
    query = query_of(update)
    data = cd.Moment.parse(query.data)
    if data is None or data.kind not in MOMENTS_BY_KIND or query.message is None:
        return stale(query)
    message_id = query.message.message_id
    result = await moments.log_moment(
        context.work, data.kind, dedupe_key=f"m:{message_id}", prompt_message_id=message_id
    )
    if isinstance(result, NotPaired):
        return stale(query)
    if result.duplicate or result.event_id is None:
        return [answer(query, texts.MOMENT_ALREADY_LOGGED)]
    event_id = result.event_id
    if result.asks_what_happened:
        return [
            answer(query),
            edit(query, texts.MOMENT_WHAT_HAPPENED, reply_markup=keyboards.skip_note(event_id)),
        ]
    return [
        answer(query),
        edit(query, logged_text(data.kind), **tell_markup(result.partner, event_id)),
    ]


def logged_text(kind: MomentKind, note: str | None = None) -> str:
    """One of the moment's thank-yous (rotated), with the words typed for it, if any."""
    thanks = random.choice(MOMENTS_BY_KIND[kind].confirmations)
    return thanks + texts.fmt(texts.MOMENT_NOTE, note=note) if note else thanks


def tell_markup(partner: Person | None, event_id: int) -> dict[str, Any]:
    """ "💞 Tell Bob" under a logged moment: sharing is one tap, and never the default."""
    if partner is None:
        return {}
    return {"reply_markup": keyboards.tell(partner.first_name, event_id)}


async def thinking_of_you(update: Update, context: BotContext) -> list[Reply]:
    """``/thinking [note]`` or the button: "💭 <name> is thinking of you", relayed at once."""
    return await thinking_note(update, context, " ".join(context.args or ()))


async def thinking_note(update: Update, context: BotContext, note: str) -> list[Reply]:
    """Store the "thinking of you" and owe the partner its relay, with the note typed along.

    A note that is too long is refused before anything is stored or sent.
    """
    try:
        result = await moments.send_thinking_of_you(context.work, note=note)
    except NoteTooLong:
        return [say(update, texts.fmt(texts.THINKING_NOTE_TOO_LONG, limit=NOTE_MAX_LENGTH))]
    if isinstance(result, NotPaired):
        return [say(update, texts.NOT_PAIRED, reply_markup=keyboards.invite())]
    sent = texts.SENT_WHILE_ASLEEP if result.asleep else texts.THINKING_SENT
    return [say(update, texts.fmt(sent, partner=result.partner.first_name))]


async def love_back(update: Update, context: BotContext) -> list[Reply]:
    """ "❤️ Send love back": relayed once to the sender; the button then goes away."""
    query = query_of(update)
    data = cd.LoveBack.parse(query.data)
    if data is None:
        return stale(query)
    result = await moments.send_love_back(context.work, data.event_id)
    if isinstance(result, Stale):
        return stale(query)
    return [
        answer(
            query,
            texts.fmt(
                texts.SENT_WHILE_ASLEEP if result.asleep else texts.LOVE_BACK_SENT,
                partner=result.partner.first_name,
            ),
        ),
        edit(query, original_text(query) + texts.LOVE_BACK_DONE_SUFFIX),
    ]
