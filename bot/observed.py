"""One log line and the metrics for every update: its type, how it ended, how long it took.

PTB lets an application class be swapped in (``ApplicationBuilder.application_class``);
this one wraps :meth:`Application.process_update`, which both polling and the webhook
go through, so the two modes are observed the same way. The unit of work says how an
update ended (:func:`note`); an error handled by PTB's error handlers makes it ``failed``.
The line holds ids, types and timings only: never a text, a name or a note.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Update
from telegram.constants import UpdateType
from telegram.error import TelegramError
from telegram.ext import Application, ExtBot, Job

from bot.context import BotContext
from scheduling.metrics import TELEGRAM_ERRORS, UPDATE_SECONDS, UPDATES

log = logging.getLogger("microconnect.updates")

#: handled: its unit of work committed; repeat: its update_id was handled before;
#: stranger: a button from someone the bot does not know; ignored: no handler took it;
#: failed: a handler raised (nothing of it committed, or its reply did not go out).
UpdateOutcome = Literal["handled", "repeat", "stranger", "throttled", "ignored", "failed"]


@dataclass
class _Current:
    outcome: UpdateOutcome = "ignored"


_current: ContextVar[_Current | None] = ContextVar("update_outcome", default=None)


def note(outcome: UpdateOutcome) -> None:
    """Record how the update being processed ended (called from its unit of work)."""
    current = _current.get()
    if current is not None and current.outcome != "failed":
        current.outcome = outcome


def update_type(update: Update) -> str:
    """The update's kind ("message", "callback_query"…): a closed set, fine as a label."""
    return next((kind for kind in UpdateType if getattr(update, kind, None) is not None), "other")


class ObservedApplication(
    Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
):
    """PTB's Application, counting and logging each update it processes."""

    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            await self.process(update)
        else:
            await super().process_update(update)

    async def process(self, update: Update) -> UpdateOutcome:
        """Handle ``update`` through the handlers; returns how it ended (for the webhook)."""
        kind = update_type(update)
        current = _Current()
        token = _current.set(current)
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            _current.reset(token)
        elapsed = time.perf_counter() - started
        UPDATES.labels(kind, current.outcome).inc()
        UPDATE_SECONDS.labels(kind).observe(elapsed)
        log.info(
            "update %d %s %s in %.1f ms",
            update.update_id,
            kind,
            current.outcome,
            elapsed * 1000,
            extra={
                "update_id": update.update_id,
                "update_type": kind,
                "outcome": current.outcome,
                "latency_ms": round(elapsed * 1000, 2),
            },
        )
        return current.outcome

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Job[BotContext] | None = None,
        coroutine: Any = None,
    ) -> bool:
        current = _current.get()
        if update is not None and current is not None:
            current.outcome = "failed"
        if isinstance(error, TelegramError):
            TELEGRAM_ERRORS.labels(type(error).__name__).inc()
        return await super().process_error(update, error, job, coroutine)
