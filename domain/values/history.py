"""A look back at a couple's latest moments (what ``/history`` shows), as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    mine: bool  # "You", or the partner
    kind: str
    note: str | None
    at: datetime  # in the asker's own time zone


@dataclass(frozen=True)
class History:
    partner_name: str
    entries: tuple[Entry, ...]
