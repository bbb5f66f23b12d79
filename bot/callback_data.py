"""Typed callback data: one small frozen dataclass per button, packed into ≤ 64 bytes.

Wire format ``v1:<prefix>[:<field>…]``, the same strings the bot has always sent, so buttons
already on people's screens keep working. Every field is re-validated on parse (digits are
ASCII and fit in 64 bits, enums are known members), and anything that does not parse —
a button from another version, a forged or truncated payload — is ``None``: the handler
answers it with the gentle "no longer active" and changes nothing.

Keyboards build buttons with :meth:`CallbackData.pack`, handlers read them with
:meth:`CallbackData.parse`, ``register_handlers`` routes them with :meth:`pattern`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Self, cast

from domain.values.kinds import MomentKind, NudgeAction, Ritual

VERSION = "v1"
MAX_BYTES = 64
_INT_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True, slots=True)
class CallbackData:
    """Base of every button's data; subclasses set ``prefix`` and declare their fields."""

    prefix: ClassVar[str]

    def pack(self) -> str:
        fields = list(dataclasses.fields(self))
        while fields and getattr(self, fields[-1].name) == fields[-1].default:
            fields.pop()  # trailing defaults stay off the wire
        values = [_encode(getattr(self, f.name)) for f in fields]
        data = ":".join([VERSION, self.prefix, *values])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """The button behind ``data``, or None for anything this version did not send."""
        if data is None or len(data.encode()) > MAX_BYTES:
            return None
        version, _, rest = data.partition(":")
        prefix, _, tail = rest.partition(":")
        if version != VERSION or prefix != cls.prefix:
            return None
        fields = dataclasses.fields(cls)
        parts = tail.split(":", len(fields) - 1) if tail else []
        if len(parts) > len(fields):
            return None
        hints = _hints(cast(type, cls))
        values: dict[str, Any] = {}
        for index, field in enumerate(fields):
            if index >= len(parts):
                if field.default is dataclasses.MISSING:
                    return None
                continue
            value = _decode(parts[index], hints[field.name])
            if value is None:
                return None
            values[field.name] = value
        return cls(**values)

    @classmethod
    def pattern(cls) -> str:
        """The ``CallbackQueryHandler`` pattern that routes this kind of button: exactly its
        prefix when it has no fields (``v1:inv:0`` is nobody's button), else its prefix and
        fields that :meth:`parse` then checks."""
        if not dataclasses.fields(cast(type, cls)):
            return rf"^{VERSION}:{re.escape(cls.prefix)}$"
        return rf"^{VERSION}:{re.escape(cls.prefix)}(:|$)"


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """Field types, resolved once per button class (``get_type_hints`` evaluates strings)."""
    return typing.get_type_hints(cls)


def _encode(value: object) -> str:
    if value is None or isinstance(value, bool):
        raise TypeError("booleans are not a callback field type")
    text = str(value.value if isinstance(value, StrEnum) else value)
    if ":" in text or not text:
        raise ValueError(f"callback field {text!r} must be non-empty and free of ':'")
    return text


def _decode(text: str, hint: Any) -> object | None:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if option is type(None):
            continue
        if option is int:
            if _DIGITS.fullmatch(text) and int(text) <= _INT_MAX:
                return int(text)
        elif isinstance(option, type) and issubclass(option, StrEnum):
            try:
                return option(text)
            except ValueError:
                pass
        elif option is str and text and ":" not in text:
            return text
    return None


# --- Every button the bot sends ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invite(CallbackData):
    prefix: ClassVar[str] = "inv"


@dataclass(frozen=True, slots=True)
class Timezone(CallbackData):
    """A zone from the list, or :data:`OTHER_ZONE` ("🌍 Somewhere else")."""

    prefix: ClassVar[str] = "tz"
    zone: str


OTHER_ZONE = "other"


@dataclass(frozen=True, slots=True)
class PairYes(CallbackData):
    prefix: ClassVar[str] = "pair"
    code: str


@dataclass(frozen=True, slots=True)
class PairNo(CallbackData):
    prefix: ClassVar[str] = "nopair"


@dataclass(frozen=True, slots=True)
class Moment(CallbackData):
    prefix: ClassVar[str] = "m"
    kind: MomentKind


@dataclass(frozen=True, slots=True)
class LoveBack(CallbackData):
    prefix: ClassVar[str] = "love"
    event_id: int


@dataclass(frozen=True, slots=True)
class Tell(CallbackData):
    """ "💞 Tell Bob" under one's own logged moment."""

    prefix: ClassVar[str] = "tell"
    event_id: int


@dataclass(frozen=True, slots=True)
class Thanks(CallbackData):
    """ "❤️ Thank you" under a received note or appreciation."""

    prefix: ClassVar[str] = "thx"
    event_id: int


@dataclass(frozen=True, slots=True)
class SkipNote(CallbackData):
    """ "Skip" under "What happened?" after "✨ Something else"."""

    prefix: ClassVar[str] = "skip"
    event_id: int


@dataclass(frozen=True, slots=True)
class OfferYes(CallbackData):
    """ "Send this to Bob?" — yes; the words stay server-side, the button names the offer."""

    prefix: ClassVar[str] = "ofy"
    offer_id: int


@dataclass(frozen=True, slots=True)
class OfferNo(CallbackData):
    prefix: ClassVar[str] = "ofn"
    offer_id: int


class History(StrEnum):
    """What leaving does with one's own moments and notes of that couple."""

    KEEP = "keep"
    DELETE = "del"


@dataclass(frozen=True, slots=True)
class Unpair(CallbackData):
    """ "Yes, end our pairing": names the couple and carries the prompt's single-use nonce
    (``domain/values/confirmation.py``), so an old, forged or repeated yes does nothing."""

    prefix: ClassVar[str] = "unpair"
    couple_id: int
    nonce: str
    history: History


@dataclass(frozen=True, slots=True)
class Forget(CallbackData):
    """ "Yes, delete everything": carries the prompt's single-use nonce."""

    prefix: ClassVar[str] = "forget"
    nonce: str


@dataclass(frozen=True, slots=True)
class Cancel(CallbackData):
    prefix: ClassVar[str] = "cancel"


@dataclass(frozen=True, slots=True)
class Nudge(CallbackData):
    prefix: ClassVar[str] = "n"
    nudge_id: int
    action: NudgeAction


@dataclass(frozen=True, slots=True)
class Fewer(CallbackData):
    """ "Yes, fewer" under the weekly reflection: nudge this ritual less often."""

    prefix: ClassVar[str] = "fewer"
    ritual: Ritual


@dataclass(frozen=True, slots=True)
class Week(CallbackData):
    """ "📊 Our week"; ``weeks_ago`` is 0 (this week) or 1 (the one before)."""

    prefix: ClassVar[str] = "wk"
    weeks_ago: int = 0


@dataclass(frozen=True, slots=True)
class Language(CallbackData):
    """A language chosen in /language (a code of ``messages.i18n.LANGUAGES``)."""

    prefix: ClassVar[str] = "lang"
    code: str


class SettingsAction(StrEnum):
    MENU = "menu"
    TIMEZONE = "tz"
    RITUALS = "rit"
    TURN_ON = "on"
    TURN_OFF = "off"
    PAUSE = "pause"
    RESUME = "resume"
    DIGEST_ON = "digon"
    DIGEST_OFF = "digoff"
    RELAYS_SILENT = "rsil"  # a partner's message in quiet hours arrives without a sound
    RELAYS_WAIT = "rwait"  # ... or waits until quiet hours end
    LANGUAGE = "lang"  # the /language choice, from the menu


@dataclass(frozen=True, slots=True)
class Settings(CallbackData):
    """Every /settings button; ``ritual`` only for turning one on or off."""

    prefix: ClassVar[str] = "set"
    action: SettingsAction
    ritual: Ritual | None = None
