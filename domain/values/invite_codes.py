"""Invite codes: 80 random bits, easy to read aloud, stored only as a hash."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

CODE_BYTES = 10  # 80 bits of randomness: guessing is hopeless, the more so rate-limited
_CODE_LENGTH = 16  # base32 characters for 10 bytes
_NOT_CODE = re.compile(r"[^A-Z2-7]")


def new_code() -> str:
    """A fresh code in its canonical form: 16 base32 letters and digits, e.g. ``K7QFM2XPA3...``."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalise(text: str) -> str | None:
    """What someone typed or forwarded, back to the canonical code; ``None`` if it cannot be one.

    People paste codes with dashes, spaces and lowercase letters; all of that is forgiven.
    """
    code = re.sub(r"[\s-]", "", text.upper())
    if len(code) != _CODE_LENGTH or _NOT_CODE.search(code):
        return None
    return code


def hash_code(code: str) -> str:
    """The only form of a code the database ever sees."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def display(code: str) -> str:
    """Groups of four, easy to read out over the phone: ``K7QF-M2XP-A3BC-D4EF``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
