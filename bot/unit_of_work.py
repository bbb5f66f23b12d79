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
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import Update

from bot.context import BotContext
from domain.work import AlreadyHandled, Stranger, unit_of_work
from messages import texts
from messages.i18n import choose, speaking

log = logging.getLogger(__name__)

#: One call to Telegram, made after the commit.
Reply = Callable[[], Awaitable[object]]
#: A handler: parse, call one use case on ``context.work``, return the replies to make.
Handler = Callable[[Update, BotContext], Awaitable[Sequence[Reply]]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def in_unit_of_work(handler: Handler) -> Callback:
    @functools.wraps(handler)
    async def run(update: Update, context: BotContext) -> None:
        user = update.effective_user
        assert user is not None, "only updates from a person are handled in a unit of work"
        services = context.services
        try:
            async with unit_of_work(
                services.db,
                user_id=user.id,
                first_name=user.first_name,
                now=services.clock(),
                update_id=update.update_id,
                register=update.callback_query is None,
                rng=None if services.nudges is None else services.nudges.rng,
                language_code=user.language_code,
            ) as work:
                context.work = work
                # Every reply is written in the person's language (their choice, else
                # Telegram's); a handler that changes it speaks the new one itself.
                language = choose(work.me.language, work.me.telegram_language)
                with speaking(language):
                    replies = await handler(update, context)
        except AlreadyHandled:
            log.info("update %s was handled before; nothing to do", update.update_id)
            return
        except Stranger:
            assert update.callback_query is not None
            with speaking(choose(None, user.language_code)):
                await update.callback_query.answer(texts.SAY_START_FIRST)
            return
        finally:
            context.work = None
        if work.owed and services.nudges is not None:
            services.nudges.wake()
        with speaking(language):  # replies drawn after the commit (the weekly chart) too
            for reply in replies:
                await reply()

    return run
