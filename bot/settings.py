"""Typed configuration from the environment or a ``.env`` file (pydantic-settings)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# BotFather tokens look like "123456789:AAH...": a numeric bot id, a colon, a 30+ char secret.
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Everything an operator can set. The token is a ``SecretStr`` so it never prints."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr = Field(description="The token BotFather gave you.")
    database_url: str = "sqlite+aiosqlite:///microconnect.db"
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    log_level: LogLevel = "INFO"
    #: How long a claimed send may take before another process counts it "maybe delivered".
    outbox_lease_seconds: float = Field(default=120.0, gt=0)
    #: Days the words of a delivered note or relay are kept (README, Privacy).
    note_retention_days: int = Field(default=30, ge=1, le=3650)

    @field_validator("telegram_bot_token")
    @classmethod
    def _looks_like_a_token(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            # Never echo the value: a half-pasted token is still a secret.
            raise ValueError(
                "does not look like a BotFather token (expected the bot's number, a colon "
                "and a secret of 20 or more letters, digits, '-' or '_', like "
                "'123456789:AAH-your-token-from-BotFather')"
            )
        return SecretStr(value.get_secret_value().strip())

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def database_only(cls) -> DatabaseSettings:
        """For tools (Alembic) that need the database but not the token."""
        return DatabaseSettings()


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///microconnect.db"
