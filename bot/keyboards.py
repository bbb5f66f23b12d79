"""The keyboards people tap; labels come from ``messages``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot import callbacks
from domain.timezones import COMMON_ZONES, city_label
from messages import texts
from messages.rituals import MOMENTS


def invite() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_INVITE, callback_data=callbacks.make(callbacks.INVITE)
                )
            ]
        ]
    )


def main_menu() -> ReplyKeyboardMarkup:
    """Always at hand once paired: the two things people do most."""
    return ReplyKeyboardMarkup(
        [[texts.BUTTON_LOG_MOMENT, texts.BUTTON_THINKING], [texts.BUTTON_HELP]],
        resize_keyboard=True,
        is_persistent=True,
    )


def timezones() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            city_label(zone), callback_data=callbacks.make(callbacks.TIMEZONE, zone)
        )
        for zone in COMMON_ZONES
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                texts.BUTTON_OTHER_ZONE,
                callback_data=callbacks.make(callbacks.TIMEZONE, callbacks.TIMEZONE_OTHER),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def pair_confirm(code: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_YES_PAIR, callback_data=callbacks.make(callbacks.PAIR_YES, code)
                ),
                InlineKeyboardButton(
                    texts.BUTTON_NO_PAIR, callback_data=callbacks.make(callbacks.PAIR_NO)
                ),
            ]
        ]
    )


def moments() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            entry.button, callback_data=callbacks.make(callbacks.MOMENT, entry.kind)
        )
        for entry in MOMENTS
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def love_back(event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_LOVE_BACK,
                    callback_data=callbacks.make(callbacks.LOVE_BACK, event_id),
                )
            ]
        ]
    )


def confirm(action: str, argument: str | int | None, label: str) -> InlineKeyboardMarkup:
    """A careful yes/no: the safe choice is the second, friendlier button."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=callbacks.make(action, argument))],
            [
                InlineKeyboardButton(
                    texts.BUTTON_CANCEL, callback_data=callbacks.make(callbacks.CANCEL)
                )
            ],
        ]
    )
