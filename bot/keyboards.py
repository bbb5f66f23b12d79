"""The keyboards people tap; labels come from ``messages``, data from ``bot.callback_data``."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)

from bot import callback_data as cd
from domain.values.timezones import COMMON_ZONES
from messages import texts, webapp
from messages.i18n import NAMES, city
from messages.rituals import MOMENTS


def button(label: str, data: cd.CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.pack())


def one_button(label: str, data: cd.CallbackData) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(label, data)]])


def open_space(url: str) -> InlineKeyboardButton:
    """ "📱 Open our space": the Mini App, signed in as the person who taps it."""
    return InlineKeyboardButton(webapp.BUTTON_OPEN_SPACE, web_app=WebAppInfo(url))


def invite() -> InlineKeyboardMarkup:
    return one_button(texts.BUTTON_INVITE, cd.Invite())


def _main_menu_rows() -> list[list[KeyboardButton | str]]:
    """Read when sent, so the labels are in the person's language."""
    return [[texts.BUTTON_LOG_MOMENT, texts.BUTTON_THINKING], [texts.BUTTON_HELP]]


def main_menu() -> ReplyKeyboardMarkup:
    """Always at hand once paired: the two things people do most."""
    return ReplyKeyboardMarkup(_main_menu_rows(), resize_keyboard=True, is_persistent=True)


def share_location(*, paired: bool) -> ReplyKeyboardMarkup:
    """ "📍 Share my location" under the text field while we ask for a time zone.

    Paired people keep their everyday buttons below it, so whichever way they answer
    (a tap, a city, the location) their menu never goes missing; for the others it is
    one-time and goes away once they answer.
    """
    location: list[KeyboardButton | str] = [
        KeyboardButton(texts.BUTTON_SHARE_LOCATION, request_location=True)
    ]
    rows: list[list[KeyboardButton | str]] = [location]
    if paired:
        rows += _main_menu_rows()
    return ReplyKeyboardMarkup(
        rows, resize_keyboard=True, one_time_keyboard=not paired, is_persistent=paired
    )


def after_timezone(*, paired: bool) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """Once the zone is set: the everyday menu back for paired people, nothing for others."""
    return main_menu() if paired else ReplyKeyboardRemove()


def timezones() -> InlineKeyboardMarkup:
    buttons = [button(city(zone), cd.Timezone(zone)) for zone in COMMON_ZONES]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(texts.BUTTON_OTHER_ZONE, cd.Timezone(cd.OTHER_ZONE))])
    return InlineKeyboardMarkup(rows)


def pair_confirm(code: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.BUTTON_YES_PAIR, cd.PairYes(code)),
                button(texts.BUTTON_NO_PAIR, cd.PairNo()),
            ]
        ]
    )


def moments() -> InlineKeyboardMarkup:
    buttons = [button(entry.button, cd.Moment(entry.kind)) for entry in MOMENTS]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def love_back(event_id: int, *, with_thanks: bool = False) -> InlineKeyboardMarkup:
    """ "❤️ Send love back" under a "thinking of you"; a note gets "❤️ Thank you" too."""
    buttons = [button(texts.BUTTON_LOVE_BACK, cd.LoveBack(event_id))]
    if with_thanks:
        buttons.append(button(texts.BUTTON_THANK_YOU, cd.Thanks(event_id)))
    return InlineKeyboardMarkup([buttons])


def thank_you(event_id: int) -> InlineKeyboardMarkup:
    return one_button(texts.BUTTON_THANK_YOU, cd.Thanks(event_id))


def tell(partner: str, event_id: int) -> InlineKeyboardMarkup:
    return one_button(texts.tell_button(partner), cd.Tell(event_id))


def skip_note(event_id: int) -> InlineKeyboardMarkup:
    return one_button(texts.BUTTON_SKIP, cd.SkipNote(event_id))


def relay_offer(offer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.BUTTON_OFFER_YES, cd.OfferYes(offer_id)),
                button(texts.BUTTON_OFFER_NO, cd.OfferNo(offer_id)),
            ]
        ]
    )


def languages(current: str) -> InlineKeyboardMarkup:
    """One button per shipped language, each in its own words; the current one ticked."""
    buttons = [
        button(f"✓ {name}" if code == current else name, cd.Language(code))
        for code, name in NAMES.items()
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def confirm(data: cd.CallbackData, label: str) -> InlineKeyboardMarkup:
    """A careful yes/no: the safe choice is the second, friendlier button."""
    return InlineKeyboardMarkup([[button(label, data)], [button(texts.BUTTON_CANCEL, cd.Cancel())]])


def confirm_unpair(couple_id: int, nonce: str) -> InlineKeyboardMarkup:
    """End the pairing keeping one's own history, or deleting it; or keep things as they are."""
    keep = cd.Unpair(couple_id, nonce, cd.History.KEEP)
    delete = cd.Unpair(couple_id, nonce, cd.History.DELETE)
    return InlineKeyboardMarkup(
        [
            [button(texts.BUTTON_UNPAIR_KEEP, keep)],
            [button(texts.BUTTON_UNPAIR_DELETE, delete)],
            [button(texts.BUTTON_CANCEL, cd.Cancel())],
        ]
    )
