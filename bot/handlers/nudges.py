"""Taps on scheduled nudges, and the words typed after "✍️ Write my own"."""

from __future__ import annotations

from telegram import ForceReply, Update

from bot import callback_data as cd
from bot.context import BotContext
from bot.handlers.common import answer, edit, original_text, query_of, say, send, stale
from bot.unit_of_work import Reply
from domain import nudge_answers
from domain.moments import NOTE_MAX_LENGTH, NoteTooLong
from domain.nudge_answers import Answered
from domain.values.conversation import AwaitingWords
from domain.values.kinds import NudgeAction, Ritual
from domain.values.results import Stale
from messages import nudges as copy
from messages import texts


async def nudge_tapped(update: Update, context: BotContext) -> list[Reply]:
    """A nudge button: store the answer, then show the outcome in place of the buttons."""
    query = query_of(update)
    data = cd.Nudge.parse(query.data)
    if data is None:
        return stale(query)
    result = await nudge_answers.answer(context.work, data.nudge_id, data.action)
    if isinstance(result, Stale):
        return stale(query)
    if result.later_not_possible:
        return [answer(query, copy.LATER_NOT_POSSIBLE, show_alert=True)]
    replies = [answer(query), edit(query, _outcome(original_text(query), result))]
    if result.action is NudgeAction.WRITE_OWN:
        partner = result.partner.first_name
        hint = texts.plain(copy.WRITE_OWN_PLACEHOLDER, partner=partner)[:64]
        prompt = ForceReply(input_field_placeholder=hint)
        words = texts.fmt(copy.WRITE_OWN_PROMPT, partner=partner)
        replies.append(send(context, query.from_user.id, words, reply_markup=prompt))
    return replies


def _outcome(original: str, result: Answered) -> str:
    template = copy.OUTCOME[result.action]
    if result.relayed is not None and result.relayed.asleep:
        template = texts.SENT_WHILE_ASLEEP
    outcome = texts.fmt(template, partner=result.partner.first_name)
    return f"{original}\n\n{outcome}"


async def written_for_nudge(
    update: Update, context: BotContext, awaiting: AwaitingWords
) -> list[Reply]:
    """Relay the typed words: a "thinking of you" at midday, an appreciation at dinner."""
    try:
        result = await nudge_answers.relay_written(context.work, awaiting, message_text(update))
    except NoteTooLong:
        return [say(update, texts.fmt(texts.THINKING_NOTE_TOO_LONG, limit=NOTE_MAX_LENGTH))]
    if isinstance(result, Stale):
        return [say(update, texts.DIDNT_UNDERSTAND)]
    partner = result.relayed.partner.first_name
    if result.relayed.asleep:
        return [say(update, texts.fmt(texts.SENT_WHILE_ASLEEP, partner=partner))]
    if result.ritual is Ritual.DINNER_APPRECIATION:
        return [say(update, texts.fmt(copy.APPRECIATION_SENT, partner=partner))]
    return [say(update, texts.fmt(texts.THINKING_SENT, partner=partner))]


def message_text(update: Update) -> str:
    assert update.effective_message is not None
    return update.effective_message.text or ""
