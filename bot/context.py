"""What every handler can reach: the database, the clock, the settings — typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from domain.clock import Clock
from scheduling.service import NudgeService
from storage.database import Database


@dataclass
class Services:
    db: Database
    clock: Clock
    nudges: NudgeService | None = None  # set once the bot object exists (it sends them)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with typed access to our services (set once in ``build_application``)."""

    @property
    def services(self) -> Services:
        services = self.application.bot_data["services"]
        assert isinstance(services, Services)
        return services

    @property
    def db(self) -> Database:
        return self.services.db

    def now(self) -> Any:
        return self.services.clock()


BotApplication = Application[
    ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
