"""``microconnect`` / ``python -m bot``: check the settings, migrate, and poll for updates."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot import log_setup
from bot.app import build_application
from bot.settings import Settings
from storage.database import Database, create_engine
from storage.migrate import upgrade_to_head

log = logging.getLogger("microconnect")


def load_settings() -> Settings:
    """Settings, or a one-line explanation and exit code 2 (never a traceback, never the token)."""
    try:
        return Settings()  # values come from the environment
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


async def prepare_database(url: str) -> None:
    """Bring the schema up to date on a short-lived engine (polling runs on another loop)."""
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def main() -> None:
    settings = load_settings()
    log_setup.configure(settings.log_level, settings.telegram_bot_token.get_secret_value())
    try:
        asyncio.run(prepare_database(settings.database_url))
    except Exception as error:  # e.g. the database is unreachable
        print(
            f"microconnect: cannot prepare the database ({type(error).__name__}: {error}). "
            "Check DATABASE_URL, or run `alembic upgrade head` to see the details.",
            file=sys.stderr,
        )
        raise SystemExit(3) from None
    log.info("database schema is up to date; starting to poll Telegram")
    application = build_application(settings, Database.from_url(settings.database_url))
    application.run_polling(drop_pending_updates=False)


if __name__ == "__main__":
    main()
