"""How a nudge looks in Telegram: its callback prefix and its buttons (sent by
``bot/telegram_sender.py``, answered by ``bot/handlers/nudges.py``)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data as cd
from bot.handlers.weekly import week_keyboard
from domain.values.kinds import NUDGE_ACTIONS, Ritual
from messages import nudges as copy
from scheduling.sender import OutgoingNudge

SUNDAY = 6


def nudge_keyboard(nudge: OutgoingNudge) -> InlineKeyboardMarkup:
    labels = copy.CATALOGUE[nudge.ritual].labels
    buttons = [
        InlineKeyboardButton(labels[action], callback_data=cd.Nudge(nudge.nudge_id, action).pack())
        for action in NUDGE_ACTIONS[nudge.ritual]
    ]
    # Two short buttons share a row; a long one gets its own.
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        if rows and len(rows[-1]) == 1 and len(rows[-1][0].text) + len(button.text) <= 28:
            rows[-1].append(button)
        else:
            rows.append([button])
    if nudge.ritual is Ritual.BEDTIME and nudge.local_date.weekday() == SUNDAY:
        # The end of the week: an easy way to look back at it together.
        rows.extend(list(row) for row in week_keyboard().inline_keyboard)
    return InlineKeyboardMarkup(rows)
