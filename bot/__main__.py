"""``microconnect`` / ``python -m bot``: check the settings, migrate, then take updates by
polling (the default) or by webhook (``--webhook`` or ``MODE=webhook``)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from bot import log_setup
from bot.aiohttp_request import AiohttpRequest
from bot.app import build_application
from bot.settings import Settings
from bot.web.runner import run
from storage.database import Database, create_engine
from storage.migrate import upgrade_to_head
from storage.single_process import AlreadyRunning, hold_sqlite_file

log = logging.getLogger("microconnect")


def load_settings(argv: Sequence[str] = ()) -> Settings:
    """Settings, or a one-line explanation and exit code 2 (never a traceback, never the token).

    ``--webhook`` is ``MODE=webhook``; everything else comes from the environment.
    """
    overrides: dict[str, Any] = {"mode": "webhook"} if "--webhook" in argv else {}
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = "; ".join(
            f"{'_'.join(str(p) for p in e['loc']).upper()}: "
            + (
                "missing — set it in the environment or .env"
                if e["type"] == "missing"
                else e["msg"]
            )
            for e in error.errors()
        )
        print(f"microconnect: cannot start: {problems}", file=sys.stderr)
        raise SystemExit(2) from None


async def wait_for_telegram(settings: Settings) -> None:
    """Return once Telegram answers; while it does not, one clear line and quiet retries.

    A wrong token is not something waiting fixes: one line, and exit code 2.
    """
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        request=AiohttpRequest(connection_pool_size=1),
    )
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(NetworkError),  # TimedOut and NotSent too
        wait=wait_exponential(multiplier=1, min=1, max=60),
        before_sleep=_say_once_that_telegram_is_unreachable(),
    )
    try:
        async for attempt in retrying:
            with attempt:
                async with bot:  # initialize() asks getMe
                    pass
    except InvalidToken:
        print("microconnect: cannot start: Telegram refused the token", file=sys.stderr)
        raise SystemExit(2) from None
    if retrying.statistics.get("attempt_number", 1) > 1:
        log.warning("Telegram is reachable again; starting")


def _say_once_that_telegram_is_unreachable() -> Callable[[RetryCallState], None]:
    said = False

    def before_sleep(state: RetryCallState) -> None:
        nonlocal said
        if not said and state.outcome is not None:
            said = True
            error = state.outcome.exception()
            log.warning(
                "Telegram is not reachable (%s); trying again with back-off, up to a minute apart",
                type(error).__name__,
            )

    return before_sleep


async def prepare_database(url: str) -> None:
    """Bring the schema up to date on a short-lived engine (polling runs on another loop)."""
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def main() -> None:
    settings = load_settings(sys.argv[1:])
    secret = settings.webhook_secret
    log_setup.configure(
        settings.log_level,
        settings.telegram_bot_token.get_secret_value(),
        *([secret.get_secret_value()] if secret else []),
        json=settings.log_format == "json",
    )
    try:
        hold_sqlite_file(settings.database_url)  # held until the process exits
    except AlreadyRunning as error:
        print(
            f"microconnect: cannot start: another bot process is using this SQLite database "
            f"(it holds {error}); run one process per SQLite file, or PostgreSQL for several",
            file=sys.stderr,
        )
        raise SystemExit(4) from None
    try:
        asyncio.run(prepare_database(settings.database_url))
    except Exception as error:  # e.g. the database is unreachable
        print(
            f"microconnect: cannot prepare the database ({type(error).__name__}: {error}). "
            "Check DATABASE_URL, or run `alembic upgrade head` to see the details.",
            file=sys.stderr,
        )
        raise SystemExit(3) from None
    log.info("database schema is up to date")
    asyncio.run(wait_for_telegram(settings))
    log.info("starting in %s mode", settings.mode)
    application = build_application(settings, Database.from_url(settings.database_url))
    # Telegram going away later is retried by PTB itself, with back-off.
    asyncio.run(run(application, settings))


if __name__ == "__main__":
    main()
