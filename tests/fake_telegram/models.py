"""Plain data objects the fake Telegram server hands to tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BotMessage", "Button", "CallbackAnswer", "RecordedRequest", "UploadedFile"]


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app_url: str | None = None  # a Mini App button opens this page


@dataclass(frozen=True)
class UploadedFile:
    """A multipart upload, kept byte-for-byte so tests can compare what the bot sent."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class RecordedRequest:
    """One Bot API call as the fake received it (getUpdates polls are not recorded).

    ``params`` are decoded to JSON types whatever encoding PTB used (it sends form fields whose
    non-string values are JSON-encoded). ``error_code`` is None when the call succeeded.
    """

    method: str
    params: dict[str, Any]
    chat_id: int | None
    files: dict[str, bytes] = field(default_factory=dict)
    error_code: int | None = None
    description: str | None = None
    received_at: float = 0.0  # time.monotonic() when the server got it (rate-limit checks)
    #: The fake closed the connection instead of answering (``FakeTelegram.drop_next``).
    dropped: bool = False

    @property
    def ok(self) -> bool:
        return self.error_code is None and not self.dropped


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery (the toast/alert the user would see)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, mutated in place by later edits/deletes.

    ``text`` is what the user sees: parse_mode markup is already applied (``raw_text`` keeps
    what the bot sent). ``edited`` is set on every edit; ``FakeUser.wait_for_edit`` uses it.
    """

    message_id: int
    chat_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    photo: bytes | None = None
    photo_file_id: str | None = None
    parse_mode: str | None = None
    raw_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    inline_keyboard: list[list[dict[str, Any]]] | None = None
    reply_keyboard: list[list[str]] | None = None
    #: The reply keyboard's buttons as sent: {"text": ..., "request_location": true}...
    reply_keyboard_buttons: list[list[dict[str, Any]]] | None = None
    removes_keyboard: bool = False
    #: Sent with ``ForceReply``: the client opens a reply to this message.
    force_reply: bool = False
    reply_to_message_id: int | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    edited: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    photo_sizes: list[dict[str, Any]] | None = field(default=None, repr=False)
    #: A sent document (``sendDocument``): its bytes and file name as uploaded.
    document: bytes | None = field(default=None, repr=False)
    document_name: str | None = None
    document_file_id: str | None = None
    edits_seen: int = field(default=0, repr=False)

    @property
    def buttons(self) -> list[list[Button]]:
        """Rows of the current inline keyboard; [] when there is none."""
        return [
            [
                Button(
                    b.get("text", ""),
                    b.get("callback_data"),
                    b.get("url"),
                    (b.get("web_app") or {}).get("url"),
                )
                for b in row
            ]
            for row in self.inline_keyboard or []
        ]

    @property
    def button_texts(self) -> list[str]:
        """All inline button labels, flattened, for quick assertions."""
        return [button.text for row in self.buttons for button in row]

    @property
    def body(self) -> str:
        """Text or caption, never None: handy in predicates over mixed text/photo chats."""
        return self.text if self.text is not None else self.caption or ""

    def describe(self) -> str:
        """One line for assertion messages."""
        kind = "photo" if self.photo_sizes is not None else "text"
        if self.document is not None:
            kind = f"document {self.document_name!r}"
        parts = [f"#{self.message_id} {kind} {self.body!r}"]
        if self.buttons:
            parts.append(f"buttons={[[b.text for b in row] for row in self.buttons]}")
        if self.reply_keyboard is not None:
            parts.append(f"reply_keyboard={self.reply_keyboard}")
        if self.edits:
            parts.append(f"edits={self.edits}")
        if self.deleted:
            parts.append("DELETED")
        return " ".join(parts)
