"""Everything the bot sends on its own, rendered and sent with PTB; Telegram's errors
translated, once, into the delivery engine's :class:`~scheduling.sender.Outcome`.

The translation is the honest one (see ``scheduling/delivery.py``): only a request that
certainly never left (:class:`~bot.aiohttp_request.NotSent`: the connection never opened)
is "not sent, retry"; any other network failure or time-out may have happened after the
request was written, so it is "maybe delivered" and never retried.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message, ReplyKeyboardRemove
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import keyboards
from bot.aiohttp_request import NotSent
from bot.handlers.weekly import CHART_FILENAME, Part, reflection_parts
from bot.nudge_sender import nudge_keyboard
from bot.rate_limiter import PACED
from domain.values.kinds import Delivery, MomentKind
from messages import nudges as nudge_copy
from messages import texts
from messages.i18n import speaking
from messages.rituals import MOMENTS_BY_KIND
from scheduling.metrics import TELEGRAM_ERRORS
from scheduling.sender import (
    Outcome,
    Outgoing,
    OutgoingDigest,
    OutgoingNotice,
    OutgoingNudge,
    SendResult,
)

log = logging.getLogger(__name__)


def translate(error: TelegramError) -> SendResult:
    """The one translation of a Telegram error into what the engine does about it."""
    detail = f"{type(error).__name__}: {error.message}"
    TELEGRAM_ERRORS.labels(type(error).__name__).inc()
    if isinstance(error, RetryAfter):
        return SendResult(
            Outcome.RETRY_AFTER, retry_after=_seconds(error.retry_after), detail=detail
        )
    if isinstance(error, Forbidden):
        return SendResult(Outcome.BLOCKED, detail=detail)
    if isinstance(error, BadRequest):
        if "chat not found" in error.message.lower():
            return SendResult(Outcome.BLOCKED, detail=detail)
        return SendResult(Outcome.REJECTED, detail=detail)
    if isinstance(error, NotSent):
        return SendResult(Outcome.NOT_SENT, detail=detail)
    if isinstance(error, NetworkError):  # TimedOut too: the request may have been written
        return SendResult(Outcome.MAYBE, detail=detail)
    return SendResult(Outcome.REJECTED, detail=detail)  # Telegram answered: it refused


def _seconds(retry_after: int | timedelta) -> float:
    """PTB 22 gives an int today and a timedelta in later releases."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


Markup = InlineKeyboardMarkup | ReplyKeyboardRemove | None


def render_notice(notice: OutgoingNotice) -> tuple[str, Markup]:
    """The words (and buttons) of an outbox row, from its payload (see ``Delivery``)."""
    p = notice.payload
    match notice.kind:
        case Delivery.THINKING:
            if p.get("note"):
                text = texts.fmt(texts.THINKING_RECEIVED_NOTE, name=p["name"], note=p["note"])
            else:
                text = texts.fmt(texts.THINKING_RECEIVED, name=p["name"])
            return text, keyboards.love_back(int(p["event_id"]), with_thanks=bool(p.get("note")))
        case Delivery.LOVE_BACK:
            return texts.fmt(texts.LOVE_BACK_RECEIVED, name=p["name"]), None
        case Delivery.APPRECIATION:
            text = texts.fmt(nudge_copy.APPRECIATION_RECEIVED, name=p["name"], note=p["note"])
            return text, keyboards.thank_you(int(p["event_id"]))
        case Delivery.SHARED_MOMENT:
            return _shared_moment(p)
        case Delivery.THANKS:
            return texts.fmt(texts.THANKS_RECEIVED, name=p["name"]), None
        case Delivery.PARTNER_LEFT:
            return texts.fmt(texts.UNPAIR_PARTNER_TOLD, name=p["name"]), ReplyKeyboardRemove()
        case Delivery.PARTNER_UNREACHABLE:
            return texts.fmt(nudge_copy.PARTNER_UNREACHABLE, name=p["name"]), None
        case Delivery.SETTING_SAVED:
            return str(p["text"]), None
    raise ValueError(f"no rendering for {notice.kind!r}")


def _shared_moment(p: dict[str, Any]) -> tuple[str, Markup]:
    """ "🤗 Alice is glad about the hug you shared" (a note comes with "❤️ Thank you")."""
    entry = MOMENTS_BY_KIND[MomentKind(p["kind"])]
    if not p.get("note"):
        text = texts.fmt(texts.SHARED_MOMENT, emoji=entry.emoji, name=p["name"], what=entry.shared)
        return text, None
    text = texts.fmt(
        texts.SHARED_MOMENT_NOTE,
        emoji=entry.emoji,
        name=p["name"],
        what=entry.shared,
        note=p["note"],
    )
    return text, keyboards.thank_you(int(p["event_id"]))


class TelegramSender:
    """The delivery engine's :class:`~scheduling.sender.Sender`, with PTB."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        # PTB refuses rate_limit_args on a bot without a rate limiter (benchmarks).
        paced = isinstance(bot, ExtBot) and bot.rate_limiter is not None
        self._paced: dict[str, Any] = {"rate_limit_args": PACED} if paced else {}

    async def send(self, message: Outgoing) -> SendResult:
        if isinstance(message, OutgoingDigest):
            return await self._digest(message)
        try:  # rendering first, in the receiver's language: a bug there means nothing left
            with speaking(message.language):
                text, markup = self._render(message)
        except Exception as error:
            log.exception("could not render %r", message)
            return SendResult(Outcome.REJECTED, detail=repr(error))
        # During the receiver's quiet hours a relay arrives without a sound.
        quietly: dict[str, Any] = (
            {"disable_notification": True}
            if isinstance(message, OutgoingNotice) and message.silent
            else {}
        )
        try:
            sent = await self.bot.send_message(
                message.chat_id, text, reply_markup=markup, **quietly, **self._paced
            )
        except TelegramError as error:
            return translate(error)
        return SendResult(Outcome.SENT, message_id=sent.message_id)

    @staticmethod
    def _render(message: OutgoingNudge | OutgoingNotice) -> tuple[str, Markup]:
        if isinstance(message, OutgoingNudge):
            text = nudge_copy.nudge_text(message.ritual, message.phrasing, message.partner_name)
            return text, nudge_keyboard(message)
        return render_notice(message)

    async def _digest(self, digest: OutgoingDigest) -> SendResult:
        """The chart with its words, or the chart then the words (``reflection_parts``).

        Once the first part is on their screen, a failure of the second is "maybe": the
        digest is never sent twice, and half of it once is better than all of it twice.
        """
        chat_id = digest.chat_id
        with speaking(digest.language):  # the receiver's language, never the sender's
            parts = reflection_parts(digest.reflection, digest=True)
        first: Message | None = None
        for index, part in enumerate(parts):
            try:
                # Only the first part was paced by the engine; PTB paces the second.
                sent = await self._part(chat_id, part, paced=index == 0)
            except TelegramError as error:
                if first is not None:
                    log.info("digest %s half sent (%s): not resent", digest.digest_id, error)
                    return SendResult(Outcome.MAYBE, detail=str(error))
                return translate(error)
            first = first or sent
        assert first is not None
        return SendResult(Outcome.SENT, message_id=first.message_id)

    async def _part(self, chat_id: int, part: Part, *, paced: bool) -> Message:
        args = self._paced if paced else {}
        if part.photo is None:
            return await self.bot.send_message(chat_id, part.text, reply_markup=part.markup, **args)
        photo = InputFile(part.photo, filename=CHART_FILENAME)
        return await self.bot.send_photo(
            chat_id, photo, caption=part.text, reply_markup=part.markup, **args
        )
