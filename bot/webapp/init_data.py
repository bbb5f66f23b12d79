"""Telegram's check of a Mini App's ``initData``, exactly as the Bot API documents it.

The page sends ``Telegram.WebApp.initData`` (a query string Telegram signed with a key
derived from the bot's token); the person's id is taken from it and nowhere else.
https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
Written here rather than taken from a library: it is a dozen lines of the standard library,
and the libraries on PyPI accept a duplicated field (``parse_qs``' last one wins).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import parse_qsl

#: How old a signed ``initData`` may be: a page left open longer asks Telegram again.
MAX_AGE: Final = timedelta(hours=1)
#: A little clock skew between Telegram and us is not an attack.
FUTURE_SKEW: Final = timedelta(minutes=5)


class InitDataRejected(ValueError):
    """Not signed by Telegram for this bot, too old, or malformed: nothing is read."""


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """The person who opened the page, as Telegram vouches for them."""

    id: int
    first_name: str
    #: The language of their Telegram app ("ru", "pt-br"), when Telegram says.
    language_code: str | None = None


def secret_key(bot_token: str) -> bytes:
    """HMAC_SHA256(key="WebAppData", msg=bot_token): the key the data is signed with."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    """Every field but ``hash``, as ``key=value`` lines sorted by key."""
    return "\n".join(f"{key}={value}" for key, value in sorted(fields.items()) if key != "hash")


def verified_user(
    init_data: str, bot_token: str, now: datetime, *, max_age: timedelta = MAX_AGE
) -> WebAppUser:
    """The person ``init_data`` was signed for; raises :class:`InitDataRejected` otherwise."""
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as error:
        raise InitDataRejected("not a query string") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRejected("a field appears twice")
    received = fields.get("hash")
    if not received:
        raise InitDataRejected("no hash")
    expected = hmac.new(
        secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, received.lower()):
        raise InitDataRejected("hash does not match")
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        code = user.get("language_code")
        person = WebAppUser(
            int(user["id"]),
            str(user.get("first_name", "")),
            code if isinstance(code, str) and code else None,
        )
    except (KeyError, ValueError, TypeError, OverflowError) as error:
        raise InitDataRejected("no auth_date or user") from error
    if now - signed_at > max_age or signed_at - now > FUTURE_SKEW:
        raise InitDataRejected("expired")
    return person
