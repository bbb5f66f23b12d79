"""What every handler can reach: the services, and the update's unit of work — typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from domain.values.clock import Clock
from domain.work import Work
from scheduling.service import NudgeService
from storage.database import Database


@dataclass
class Services:
    db: Database
    clock: Clock
    nudges: NudgeService | None = None  # set once the bot object exists (it sends them)
    #: The Mini App's page (``WEB_APP_URL``); None: no "📱 Open our space" anywhere.
    web_app_url: str | None = None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context (one per update) with typed access to our services and unit of work."""

    _work: Work | None = None

    @property
    def services(self) -> Services:
        services = self.application.bot_data["services"]
        assert isinstance(services, Services)
        return services

    @property
    def work(self) -> Work:
        """The update's unit of work, opened by :func:`bot.unit_of_work.in_unit_of_work`."""
        assert self._work is not None, "handler registered without in_unit_of_work"
        return self._work

    @work.setter
    def work(self, work: Work | None) -> None:
        self._work = work


BotApplication = Application[
    ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
