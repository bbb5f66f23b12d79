"""Typed configuration from the environment or a ``.env`` file (pydantic-settings)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# BotFather tokens look like "123456789:AAH...": a numeric bot id, a colon, a 30+ char secret.
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: What Telegram accepts as a webhook's secret_token.
SECRET_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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
    log_format: Literal["text", "json"] = "text"
    #: polling: the bot asks Telegram for updates; webhook: Telegram POSTs them to WEBHOOK_URL.
    mode: Literal["polling", "webhook"] = "polling"
    #: The public HTTPS address Telegram POSTs updates to; its path is the route served.
    webhook_url: str | None = Field(default=None, validate_default=True)
    #: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; anything else gets 403.
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    #: How many connections Telegram may open to one webhook at once (1-100).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    #: Where the web server listens (the webhook, /healthz and /metrics).
    web_host: str = "0.0.0.0"  # a container's port is reached from outside it
    web_port: int = Field(default=8080, ge=1, le=65535)
    #: Polling mode: serve /healthz and /metrics on this port (unset: no web server).
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    #: Each planned nudge is sent with its ritual's chance (issue #12); False: always sent.
    nudge_randomization: bool = True
    #: The Mini App's public HTTPS address (its page, e.g. https://bot.example.com/app/).
    web_app_url: str | None = None
    #: In polling mode, the port the Mini App is served on (None: not served); in webhook
    #: mode the Mini App is served by the webhook's own server, on ``web_port``.
    web_app_port: int | None = Field(default=None, ge=0, le=65535)

    @field_validator("web_app_url", mode="before")
    @classmethod
    def _web_app_https(cls, value: object) -> object:
        if value == "":
            return None
        if isinstance(value, str) and not value.startswith("https://"):
            raise ValueError("must be an https:// address: Telegram opens Mini Apps over HTTPS")
        return value

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

    @field_validator("webhook_url", "webhook_secret")
    @classmethod
    def _required_for_webhooks(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.data.get("mode") == "webhook":
            raise ValueError("missing — webhook mode needs it (see README, 'Polling or webhook')")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_telegram_accepts(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 letters, digits, '_' or '-' (Telegram's rule)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the bot's public address, like https://bot.example.com/tg")
        return value

    @field_validator("log_level", "log_format", "mode", mode="before")
    @classmethod
    def _case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @classmethod
    def database_only(cls) -> DatabaseSettings:
        """For tools (Alembic) that need the database but not the token."""
        return DatabaseSettings()


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///microconnect.db"
