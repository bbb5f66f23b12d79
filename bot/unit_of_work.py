"""The one wrapper every handler goes through: one update, one unit of work.

A handler parses the update, calls one use case on ``context.work`` and returns its
replies as deferred calls (``functools.partial`` of PTB methods). This wrapper opens the
transaction, claims the ``update_id`` and registers the person, runs the handler, commits,
and only then talks to Telegram: first the replies, then the outbox (relays and notices the
update wrote). A repeated update is dropped before the handler runs, so it changes nothing
and sends nothing; an update that fails half-way leaves nothing behind.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any, Final

from telegram import Update
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from bot.context import BotContext
from bot.observed import note
from domain.limits import Throttled, first_refusal
from domain.work import AlreadyHandled, Stranger, claim_update, unit_of_work
from messages import texts
from messages.i18n import choose, speaking
from storage.database import unavailable

#: One call to Telegram, made after the commit.
Reply = Callable[[], Awaitable[object]]
#: A handler: parse, call one use case on ``context.work``, return the replies to make.
Handler = Callable[[Update, BotContext], Awaitable[Sequence[Reply]]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

#: How long an update waits for the database before the person is told something went wrong.
PATIENCE: Final = timedelta(minutes=10)


def in_unit_of_work(handler: Handler) -> Callback:
    @functools.wraps(handler)
    async def run(update: Update, context: BotContext) -> None:
        user = update.effective_user
        assert user is not None, "only updates from a person are handled in a unit of work"
        services = context.services
        retrying = AsyncRetrying(
            retry=retry_if_exception(unavailable),
            wait=wait_exponential(multiplier=0.2, max=5),
            stop=stop_after_delay(PATIENCE),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    async with unit_of_work(
                        services.db,
                        user_id=user.id,
                        first_name=user.first_name,
                        now=services.clock(),
                        update_id=update.update_id,
                        # A message registers its sender; a button or a (un)block needs a
                        # known person.
                        register=update.callback_query is None and update.my_chat_member is None,
                        rng=None if services.nudges is None else services.nudges.rng,
                        randomize=services.nudges is None or services.nudges.randomize,
                        language_code=user.language_code,
                    ) as work:
                        context.work = work
                        # Every reply is written in the person's language (their choice, else
                        # Telegram's); a handler that changes it speaks the new one itself.
                        language = choose(work.me.language, work.me.telegram_language)
                        query = update.callback_query
                        if query is not None and (query.message is None or not query.data):
                            # The bot sends no inline-mode messages and no button without
                            # data: such a press is forged (and PTB would route empty data to
                            # every handler).
                            replies: Sequence[Reply] = [
                                functools.partial(query.answer, texts.STALE_BUTTON)
                            ]
                        else:
                            with speaking(language):
                                replies = await handler(update, context)
        except AlreadyHandled:
            note("repeat")
            return
        except Stranger:  # a button from someone unknown, or forgotten a moment ago
            note("stranger")
            if update.callback_query is not None:
                with speaking(choose(None, user.language_code)):
                    await update.callback_query.answer(texts.SAY_START_FIRST)
            return
        except Throttled as limited:
            note("throttled")
            tell = await first_refusal(services.db, user.id, limited.bucket)
            with speaking(choose(None, user.language_code)):
                await _slow_down(update, tell)
            return
        finally:
            context.work = None
        if work.owed and services.nudges is not None:
            services.nudges.wake()
        note("handled")  # committed: replying may still fail, and then it is "failed"
        with speaking(language):  # replies drawn after the commit (the weekly chart) too
            for reply in replies:
                await reply()

    return run


#: A reply to an update that concerns nobody we keep (a group, a photo): no person, no work.
PersonlessHandler = Callable[[Update, BotContext], Sequence[Reply]]


def once_per_update(handler: PersonlessHandler) -> Callback:
    """Replies for an update that stores nothing: nobody is registered, and the update is
    claimed in the inbox only when there is something to say, so a repeat stays silent."""

    @functools.wraps(handler)
    async def run(update: Update, context: BotContext) -> None:
        user = update.effective_user
        with speaking(choose(None, user.language_code if user else None)):
            replies = handler(update, context)
            if not replies:
                note("ignored")
                return
            try:
                await claim_update(context.services.db, update.update_id, context.services.clock())
            except AlreadyHandled:
                note("repeat")
                return
            note("handled")
            for reply in replies:
                await reply()

    return run


async def _slow_down(update: Update, tell: bool) -> None:
    """Too much at once: said kindly the first time, then quietly (a tap is still answered)."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.SLOW_DOWN if tell else None)
    elif tell and update.effective_message is not None:
        await update.effective_message.reply_text(texts.SLOW_DOWN)
