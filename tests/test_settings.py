"""Start-up refuses a bad configuration in one clear line, and never shows the token."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.log_setup import RedactSecrets
from bot.settings import Settings

REPO = Path(__file__).resolve().parent.parent
GOOD_TOKEN = "123456789:AAHsecretsecretsecretsecretsecret12"


def _run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env={**clean, "PYTHONPATH": str(REPO), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_token_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = _run_bot({}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "microconnect: cannot start: TELEGRAM_BOT_TOKEN: "
        "missing — set it in the environment or .env"
    ]


def test_malformed_token_is_rejected_without_echoing_it(tmp_path: Path) -> None:
    result = _run_bot({"TELEGRAM_BOT_TOKEN": "not-a-token-but-secret-words"}, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "secret-words" not in result.stderr + result.stdout


def test_unreachable_database_is_a_clear_message(tmp_path: Path) -> None:
    result = _run_bot(
        {
            "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
            "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none",
        },
        tmp_path,
    )
    assert result.returncode == 3
    assert "cannot prepare the database" in result.stderr
    assert "Traceback" not in result.stderr
    assert GOOD_TOKEN not in result.stderr + result.stdout


def test_settings_come_from_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={GOOD_TOKEN}\nLOG_LEVEL=debug\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.telegram_bot_token.get_secret_value() == GOOD_TOKEN
    assert settings.log_level == "DEBUG"
    assert settings.database_url == "sqlite+aiosqlite:///microconnect.db"
    assert GOOD_TOKEN not in repr(settings)


def test_log_records_never_contain_the_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    handler.addFilter(RedactSecrets(GOOD_TOKEN))
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe failed", GOOD_TOKEN)
        try:
            raise RuntimeError(f"boom at /bot{GOOD_TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    formatted = [logging.Formatter().format(r) for r in records]
    assert len(formatted) == 2
    assert all(GOOD_TOKEN not in text and "<redacted>" in text for text in formatted)


def test_the_readme_examples_token_is_accepted() -> None:
    """The README's run command must work as written: its example token passes validation."""
    examples = set(re.findall(r"TELEGRAM_BOT_TOKEN=(\S+)", (REPO / "README.md").read_text()))
    examples -= {"..."}
    assert examples
    for token in examples:
        settings = Settings(telegram_bot_token=token)
        assert settings.telegram_bot_token.get_secret_value() == token
    # ...and a refused token is told the same shape the README shows.
    with pytest.raises(ValidationError, match="123456789:AAH-your-token-from-BotFather"):
        Settings(telegram_bot_token="123456:ABC")


def test_webhook_mode_without_its_secret_is_one_line(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
        "MODE": "webhook",
        "WEBHOOK_URL": "https://bot.example.com/telegram",
    }
    result = _run_bot(env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "microconnect: cannot start: WEBHOOK_SECRET: Value error, missing — webhook mode "
        "needs it (see README, 'Polling or webhook')"
    ]


def test_polling_needs_no_webhook_settings_and_a_bad_secret_is_refused() -> None:
    assert Settings(telegram_bot_token=GOOD_TOKEN).mode == "polling"
    with pytest.raises(ValidationError, match="webhook_secret"):
        Settings(
            telegram_bot_token=GOOD_TOKEN,
            mode="webhook",
            webhook_url="https://bot.example.com/telegram",
            webhook_secret="spaces are not allowed",
        )
