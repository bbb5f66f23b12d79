"""Taps on scheduled nudges, and the words typed after "✍️ Write my own"."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import message, original_text, user_id
from bot.handlers.moments import relay_thinking, send_to_partner
from bot.nudge_sender import NUDGE
from domain import nudge_answers
from domain.kinds import NudgeAction, Ritual
from domain.moments import NOTE_MAX_LENGTH, NoteTooLong
from domain.nudge_answers import Answered
from domain.results import Stale
from messages import nudges as copy
from messages import texts


async def nudge_tapped(update: Update, context: BotContext) -> None:
    """A nudge button: store the answer, then show the outcome in place of the buttons."""
    query = update.callback_query
    assert query is not None
    nudge_id, _, action = callbacks.argument(query.data).partition(":")
    if not nudge_id.isdigit() or action not in NudgeAction.__members__.values():
        await query.answer(texts.STALE_BUTTON)
        return
    result = await nudge_answers.answer(
        context.db, query.from_user.id, int(nudge_id), action, context.now()
    )
    if isinstance(result, Stale):
        await query.answer(texts.STALE_BUTTON)
        return
    if result.later_not_possible:
        await query.answer(copy.LATER_NOT_POSSIBLE, show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(_outcome(original_text(query), result))
    if result.relayed is not None:
        await relay_thinking(context, result.relayed)


def _outcome(original: str, result: Answered) -> str:
    outcome = texts.fmt(copy.OUTCOME[NudgeAction(result.action)], partner=result.partner.first_name)
    return f"{original}\n\n{outcome}"


async def written_for_nudge(update: Update, context: BotContext, awaiting: str) -> None:
    """Relay the typed words: a "thinking of you" at midday, an appreciation at dinner."""
    text = message(update).text or ""
    try:
        result = await nudge_answers.relay_written(
            context.db, user_id(update), awaiting, text, context.now()
        )
    except NoteTooLong:
        await message(update).reply_text(
            texts.fmt(texts.THINKING_NOTE_TOO_LONG, limit=NOTE_MAX_LENGTH)
        )
        return
    if isinstance(result, Stale):
        await message(update).reply_text(texts.DIDNT_UNDERSTAND)
        return
    relayed = result.relayed
    if result.ritual is Ritual.DINNER_APPRECIATION:
        await send_to_partner(
            context,
            relayed,
            texts.fmt(
                copy.APPRECIATION_RECEIVED, name=relayed.sender.first_name, note=relayed.note
            ),
        )
        await message(update).reply_text(
            texts.fmt(copy.APPRECIATION_SENT, partner=relayed.partner.first_name)
        )
        return
    await relay_thinking(context, relayed)
    await message(update).reply_text(
        texts.fmt(texts.THINKING_SENT, partner=relayed.partner.first_name)
    )


PATTERN = callbacks.pattern(NUDGE)
