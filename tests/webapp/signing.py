"""Signing ``initData`` the way Telegram does, for tests (the bot only ever checks it)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import urlencode

from bot.webapp.init_data import data_check_string, secret_key


def signed_init_data(
    bot_token: str,
    user_id: int,
    first_name: str,
    signed_at: datetime,
    *,
    language_code: str | None = "en",
    extra: dict[str, str] | None = None,
) -> str:
    """A query string like the one Telegram hands a Mini App, signed for ``bot_token``."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(
            {"id": user_id, "first_name": first_name}
            | ({"language_code": language_code} if language_code else {}),
            separators=(",", ":"),
        ),
        "auth_date": str(int(signed_at.timestamp())),
        **(extra or {}),
    }
    digest = hmac.new(
        secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()
    return urlencode({**fields, "hash": digest})
