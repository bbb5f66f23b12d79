"""Logging that can never leak the bot token, nor where someone shared their location."""

from __future__ import annotations

import json as json_module
import logging
import re
from typing import Any

# "latitude": -23.55 / latitude=-23.55 / 'longitude': -46.63, as a library may log a payload.
_COORDINATE = re.compile(r"""(["']?(?:latitude|longitude)["']?\s*[:=]\s*)-?\d+(?:\.\d+)?""")


class RedactSecrets(logging.Filter):
    """Replaces the token wherever it appears, e.g. in a request URL that a library logs;
    and the coordinates of a shared location (PTB logs whole updates at DEBUG)."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "<redacted>")
            record.msg, record.args = message, None
        if "itude" in message:  # a shared location, in a debug dump of an update
            message = _COORDINATE.sub(r"\1<redacted>", message)
            record.msg, record.args = message, None
        if record.exc_info and record.exc_text is None and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self._secrets):
                for secret in self._secrets:
                    text = text.replace(secret, "<redacted>")
                record.exc_text = text
        return True


#: The fields a log call may add with ``extra=`` that belong in a JSON line.
JSON_EXTRAS = ("update_id", "update_type", "outcome", "latency_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``LOG_FORMAT=json``), for log collectors.

    The standard library's formatting with a tiny ``format``: time, level, logger, message,
    the per-update fields (``JSON_EXTRAS``) and the traceback, if any. structlog would do it
    too, but the bot logs through the standard library everywhere (PTB, uvicorn, SQLAlchemy
    all do), so this keeps one pipeline, and the redaction filter stays the one filter.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in JSON_EXTRAS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json_module.dumps(line, ensure_ascii=False)


def configure(level: str, *secrets: str, json: bool = False) -> None:
    """Logging for the whole process: ``secrets`` (the token, the webhook's) never print."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactSecrets(*secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # A line every ten seconds for the dispatch tick would drown what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # font lookups, line by line
    # At DEBUG, PTB logs every update and request, and at INFO and below the database
    # drivers log every query with its parameters: names, messages and notes people wrote.
    # Those never belong in a log, whatever the level asked for.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # uvicorn's start-up chatter too (its access log is off: the line per update is ours).
    for driver in ("sqlalchemy.engine", "aiosqlite", "asyncpg", "uvicorn.error"):
        logging.getLogger(driver).setLevel(logging.WARNING)
