"""Sending nudges with python-telegram-bot, translating Telegram's errors for the dispatcher."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.error import RetryAfter as TelegramRetryAfter

from bot import callbacks
from bot.aiohttp_request import NotSent
from bot.handlers.weekly import week_keyboard
from bot.rate_limiter import already_paced
from domain.kinds import NUDGE_ACTIONS, Ritual
from messages import nudges as copy
from messages import texts
from scheduling.sender import (
    MaybeDelivered,
    NotDelivered,
    OutgoingNudge,
    RecipientBlocked,
    RetryLater,
)
from storage import users
from storage.database import Database

NUDGE = "n"
SUNDAY = 6
log = logging.getLogger(__name__)


def nudge_keyboard(nudge: OutgoingNudge) -> InlineKeyboardMarkup:
    labels = copy.CATALOGUE[nudge.ritual].labels
    buttons = [
        InlineKeyboardButton(
            labels[action], callback_data=callbacks.make(NUDGE, f"{nudge.nudge_id}:{action}")
        )
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


class TelegramNudgeSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_nudge(self, nudge: OutgoingNudge) -> int:
        text = copy.nudge_text(nudge.ritual, nudge.phrasing, nudge.partner_name)
        try:
            message = await self.bot.send_message(
                nudge.user_id,
                text,
                reply_markup=nudge_keyboard(nudge),
                **already_paced(self.bot),  # the dispatcher acquired for this chat
            )
        except Forbidden as error:
            raise RecipientBlocked(str(error)) from error
        except TelegramRetryAfter as error:
            raise RetryLater(_seconds(error.retry_after)) from error
        except NotSent as error:  # the connection never opened: safe to send again
            raise NotDelivered(str(error)) from error
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise RecipientBlocked(str(error)) from error
            raise
        except (TimedOut, NetworkError) as error:  # it may have reached Telegram
            raise MaybeDelivered(str(error)) from error
        return message.message_id


def _seconds(retry_after: int | timedelta) -> float:
    """PTB 22 gives an int today and a timedelta in future releases."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


async def tell_partner_unreachable(
    bot: Bot, db: Database, user_id: int, partner_id: int | None
) -> None:
    """Once, kindly: the partner learns reminders paused, never that anything was ignored."""
    if partner_id is None:
        return
    async with db.transaction() as session:
        person = await users.get(session, user_id)
    name = person.first_name if person else ""
    try:
        await bot.send_message(partner_id, texts.fmt(copy.PARTNER_UNREACHABLE, name=name))
    except TelegramError:
        log.info("could not tell partner %s that %s is unreachable", partner_id, user_id)
