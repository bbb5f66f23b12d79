"""The initData check, against Telegram's documented algorithm."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.webapp.init_data import InitDataRejected, WebAppUser, verified_user
from tests.webapp.signing import signed_init_data

TOKEN = "123456789:TESTtokenTESTtokenTESTtoken00"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_valid_data_names_the_person() -> None:
    data = signed_init_data(TOKEN, 1001, "Alice", NOW - timedelta(minutes=5))
    assert verified_user(data, TOKEN, NOW) == WebAppUser(1001, "Alice", language_code="en")


def test_matches_telegrams_recipe_written_out_by_hand() -> None:
    """The recipe itself, independent of our helpers: secret from "WebAppData", sorted lines."""
    fields = {"auth_date": str(int(NOW.timestamp())), "user": '{"id":7,"first_name":"Sam"}'}
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    check = f"auth_date={fields['auth_date']}\nuser={fields['user']}"
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert verified_user(urlencode({**fields, "hash": digest}), TOKEN, NOW).id == 7


def test_a_tampered_field_is_refused() -> None:
    data = signed_init_data(TOKEN, 1001, "Alice", NOW)
    forged = data.replace("%22id%22%3A1001", "%22id%22%3A2002")
    assert forged != data
    with pytest.raises(InitDataRejected):
        verified_user(forged, TOKEN, NOW)


def test_another_bots_token_is_refused() -> None:
    data = signed_init_data("987654321:OTHERtokenOTHERtokenOTHER00", 1001, "Alice", NOW)
    with pytest.raises(InitDataRejected):
        verified_user(data, TOKEN, NOW)


def test_older_than_an_hour_is_refused_and_an_hour_is_fine() -> None:
    assert verified_user(signed_init_data(TOKEN, 1, "A", NOW - timedelta(hours=1)), TOKEN, NOW)
    stale = signed_init_data(TOKEN, 1, "A", NOW - timedelta(hours=1, seconds=1))
    with pytest.raises(InitDataRejected, match="expired"):
        verified_user(stale, TOKEN, NOW)


def test_signed_far_in_the_future_is_refused() -> None:
    with pytest.raises(InitDataRejected, match="expired"):
        verified_user(signed_init_data(TOKEN, 1, "A", NOW + timedelta(hours=1)), TOKEN, NOW)


def test_missing_hash_is_refused() -> None:
    data = signed_init_data(TOKEN, 1001, "Alice", NOW)
    without = urlencode([(k, v) for k, v in parse_qsl(data) if k != "hash"])
    with pytest.raises(InitDataRejected, match="no hash"):
        verified_user(without, TOKEN, NOW)


def test_a_duplicated_field_is_refused_even_when_one_copy_is_signed() -> None:
    """``user`` twice: a parser keeping the last copy would let the second one through."""
    data = signed_init_data(TOKEN, 1001, "Alice", NOW)
    doubled = data + "&" + urlencode({"user": '{"id":2002,"first_name":"Eve"}'})
    with pytest.raises(InitDataRejected, match="twice"):
        verified_user(doubled, TOKEN, NOW)


@pytest.mark.parametrize("data", ["", "hash", "no-equals-sign&x", "user=%7B&hash=ab"])
def test_garbage_is_refused(data: str) -> None:
    with pytest.raises(InitDataRejected):
        verified_user(data, TOKEN, NOW)


def test_extra_fields_are_part_of_the_signature() -> None:
    """Telegram adds fields over time (``signature``, ``chat_instance``): all are signed."""
    data = signed_init_data(TOKEN, 1001, "Alice", NOW, extra={"chat_instance": "42"})
    assert verified_user(data, TOKEN, NOW).id == 1001
    with pytest.raises(InitDataRejected):
        verified_user(data.replace("chat_instance=42", "chat_instance=43"), TOKEN, NOW)
