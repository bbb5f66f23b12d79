"""An in-process fake of the Telegram Bot API, spoken over real HTTP.

The production code talks to Telegram only through python-telegram-bot, so the most faithful
end-to-end test points an unmodified PTB ``Application`` at this server (``base_url`` /
``base_file_url``) and drives it from the *user's* side with :class:`FakeUser`. Responses use
real Bot API shapes and error texts, so PTB raises the same exceptions it would in production.
Everything is event-driven (``asyncio.Condition``): no sleeps, time-outs are only safety nets.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import BodyPartReader, ClientError, ClientSession, hdrs, web

from .formatting import ParseError, checked_link, format_text, utf16_len
from .models import BotMessage, CallbackAnswer, RecordedRequest, UploadedFile

__all__ = ["ApiError", "FakeGroup", "FakeTelegram", "FakeUser"]

JSONDict = dict[str, Any]
Handler = Callable[[JSONDict, dict[str, UploadedFile]], Awaitable[Any]]
_T = TypeVar("_T")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# PTB sends form fields whose non-string values are JSON-encoded, so the fake needs to know
# which names carry which type (Telegram itself knows from its schema).
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "user_id",
        "cache_time",
        "from_chat_id",
        "reply_to_message_id",
        "message_thread_id",
    }
)
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "has_spoiler",
        "allow_sending_without_reply",
        "show_caption_above_media",
        "for_channels",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "menu_button",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "rights",
        "media",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_KINDS = frozenset(
    {
        "url",
        "callback_data",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "web_app",
        "callback_game",
        "pay",
        "copy_text",
    }
)
# Telegram's default when allowed_updates was never set.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


#: Seconds before a webhook POST that failed is tried again (Telegram waits longer).
WEBHOOK_RETRY = 0.05


#: What a message without text carries, one of each kind (file ids are made up).
_MEDIA: dict[str, Any] = {
    "photo": [
        {"file_id": "AgPhoto", "file_unique_id": "uPhoto", "width": 90, "height": 90},
    ],
    "sticker": {
        "file_id": "CAStick",
        "file_unique_id": "uStick",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "😘",
    },
    "voice": {"file_id": "AwVoice", "file_unique_id": "uVoice", "duration": 3},
    "video_note": {
        "file_id": "DQNote",
        "file_unique_id": "uNote",
        "length": 240,
        "duration": 2,
    },
    "document": {"file_id": "BQDoc", "file_unique_id": "uDoc", "file_name": "us.pdf"},
    "contact": {"phone_number": "+100000000", "first_name": "Mum"},
    "dice": {"emoji": "🎲", "value": 4},
    "location": {"latitude": 52.52, "longitude": 13.405},
}


def _command_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` entities Telegram adds to a text."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
        }
        for m in _COMMAND_RE.finditer(text)
    ]


class ApiError(Exception):
    """A Bot API error response, in Telegram's exact wire format."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body

    def response(self) -> web.Response:
        return web.json_response(self.payload(), status=self.error_code)


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _now() -> int:
    return int(time.time())


@dataclass
class _Fault:
    method: str
    chat_id: int | None
    error: ApiError
    remaining: int


@dataclass
class _Drop:
    method: str
    chat_id: int | None
    remaining: int
    after_acting: bool = False


@dataclass
class _Markup:
    inline: list[list[JSONDict]] | None = None
    keyboard: list[list[str]] | None = None
    #: The reply keyboard's buttons as sent (``request_location`` and the like kept).
    keyboard_buttons: list[list[JSONDict]] | None = None
    one_time: bool = False
    remove: bool = False
    force_reply: bool = False


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    unique_id: str
    data: bytes | None
    path: str


class FakeUser:
    """A Telegram user in a private chat with the bot (chat id == user id).

    Tests act through it (``send``, ``press``) and observe what the bot did to the chat
    (``next_message``, ``wait_for``, ``wait_for_edit``, ``chat``).
    """

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        started: bool,
    ) -> None:
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = started
        self.chat_actions: list[str] = []
        self.reply_keyboard: list[list[str]] | None = None
        #: The same keyboard's buttons as the bot sent them (``request_location``...).
        self.reply_keyboard_buttons: list[list[JSONDict]] | None = None
        self.chat_instance = str(-(6_000_000_000_000_000_000 + user_id))
        self._fake = fake
        self._one_time_keyboard = False
        self._messages: list[BotMessage] = []
        self._by_id: dict[int, BotMessage] = {}
        self._incoming: dict[int, JSONDict] = {}
        self._ids = itertools.count(1)
        self._cursor = 0
        self._last_callback_id: str | None = None

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    # -- API shapes ---------------------------------------------------------------------------

    def as_user(self) -> JSONDict:
        """The Bot API ``User`` object for this person."""
        user: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> JSONDict:
        """The Bot API ``Chat`` object of the private chat with the bot."""
        chat: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # -- what the chat looks like -------------------------------------------------------------

    @property
    def chat(self) -> list[BotMessage]:
        """Bot messages still visible in the chat (deleted ones removed), oldest first."""
        return [m for m in self._messages if not m.deleted]

    @property
    def history(self) -> list[BotMessage]:
        """Every bot message ever sent to this chat, including deleted ones."""
        return list(self._messages)

    @property
    def inbox_texts(self) -> list[str | None]:
        return [m.text if m.text is not None else m.caption for m in self.chat]

    @property
    def unread(self) -> list[BotMessage]:
        """Bot messages not yet consumed by next_message / wait_for."""
        return self._messages[self._cursor :]

    @property
    def blocked(self) -> bool:
        return self.id in self._fake._blocked

    def message(self, message_id: int) -> BotMessage:
        """A bot message by id (deleted ones too); AssertionError if the bot never sent it."""
        msg = self._by_id.get(message_id)
        if msg is None:
            raise AssertionError(
                f"{self.first_name} has no bot message #{message_id}; chat:\n{self.transcript()}"
            )
        return msg

    def transcript(self) -> str:
        """Human-readable chat dump used in assertion messages."""
        if not self._messages:
            return "  (no bot messages)"
        return "\n".join(
            f"  {'  ' if index < self._cursor else '->'} {msg.describe()}"
            for index, msg in enumerate(self._messages)
        )

    # -- acting -------------------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: int | None = None) -> JSONDict:
        """Queue a text message update from this user; returns the Message object.

        Commands are plain text; ``bot_command`` entities are added like Telegram does.
        """
        message: JSONDict = {
            "message_id": next(self._ids),
            "from": self.as_user(),
            "chat": self.as_chat(),
            "date": _now(),
            "text": text,
        }
        if entities := _command_entities(text):
            message["entities"] = entities
        if reply_to is not None:
            replied = self._fake._reply_json(self, reply_to)
            if replied is None:
                raise AssertionError(f"{self.first_name} cannot reply to unknown #{reply_to}")
            message["reply_to_message"] = replied
        self._incoming[message["message_id"]] = message
        self.started = True
        await self._fake.push_update({"message": message})
        return message

    async def send_location(self, latitude: float, longitude: float) -> JSONDict:
        """Share a location (what a ``request_location`` button does); returns the Message."""
        message: JSONDict = {
            "message_id": next(self._ids),
            "from": self.as_user(),
            "chat": self.as_chat(),
            "date": _now(),
            "location": {"latitude": latitude, "longitude": longitude},
        }
        self._incoming[message["message_id"]] = message
        self.started = True
        await self._fake.push_update({"message": message})
        return message

    async def send_media(self, kind: str) -> JSONDict:
        """Send a message without text: ``photo``, ``sticker``, ``voice``, ``video_note``,
        ``document``, ``contact``, ``dice``, ``location``... (the shapes Telegram uses)."""
        message: JSONDict = {
            "message_id": next(self._ids),
            "from": self.as_user(),
            "chat": self.as_chat(),
            "date": _now(),
            kind: _MEDIA[kind],
        }
        self._incoming[message["message_id"]] = message
        self.started = True
        await self._fake.push_update({"message": message})
        return message

    async def edit(self, message_id: int, text: str) -> JSONDict:
        """Edit one of this person's own texts: Telegram sends an ``edited_message``."""
        sent = self._incoming.get(message_id)
        if sent is None or "text" not in sent:
            raise AssertionError(f"{self.first_name} sent no text #{message_id} to edit")
        edited = {**sent, "text": text, "edit_date": _now()}
        edited.pop("entities", None)
        if entities := _command_entities(text):
            edited["entities"] = entities
        self._incoming[message_id] = edited
        await self._fake.push_update({"edited_message": edited})
        return edited

    async def press_inline(self, data: str) -> JSONDict:
        """A button on an inline-mode message: the query carries no ``message`` at all."""
        query: JSONDict = {
            "id": self._fake._new_callback_id(self),
            "from": self.as_user(),
            "inline_message_id": "AAAAAFake",
            "chat_instance": self.chat_instance,
            "data": data,
        }
        self._last_callback_id = query["id"]
        await self._fake.push_update({"callback_query": query})
        return query

    async def block_bot(self, blocked: bool = True) -> JSONDict:
        """Block (or unblock) the bot: sends fail with 403 meanwhile, and Telegram tells the
        bot with a ``my_chat_member`` update."""
        if blocked:
            self._fake._blocked.add(self.id)
        else:
            self._fake._blocked.discard(self.id)
        member: JSONDict = {"user": self._fake.bot_user, "status": "member"}
        kicked: JSONDict = {"user": self._fake.bot_user, "status": "kicked", "until_date": 0}
        update = {
            "chat": self.as_chat(),
            "from": self.as_user(),
            "date": _now(),
            "old_chat_member": member if blocked else kicked,
            "new_chat_member": kicked if blocked else member,
        }
        return await self._fake.push_update({"my_chat_member": update})

    async def share_location(self, latitude: float, longitude: float) -> JSONDict:
        """Tap the reply keyboard's ``request_location`` button, and share this point."""
        if not any(
            key.get("request_location") for row in self.reply_keyboard_buttons or [] for key in row
        ):
            raise AssertionError(
                f"{self.first_name} has no location button; keyboard: {self.reply_keyboard}"
            )
        if self._one_time_keyboard:
            self.reply_keyboard = self.reply_keyboard_buttons = None
        return await self.send_location(latitude, longitude)

    async def choose(self, text: str) -> JSONDict:
        """Tap a button of the current reply keyboard (sends its text, like Telegram)."""
        keys = [key for row in self.reply_keyboard or [] for key in row]
        if text not in keys:
            raise AssertionError(
                f"{self.first_name} has no reply-keyboard button {text!r}; keyboard: "
                f"{self.reply_keyboard}"
            )
        if self._one_time_keyboard:
            self.reply_keyboard = self.reply_keyboard_buttons = None
        return await self.send(text)

    async def press(self, text: str, *, message_id: int | None = None) -> JSONDict:
        """Press the inline button labelled ``text`` on the newest bot message showing it.

        Returns the CallbackQuery object queued as an update.
        """
        if message_id is not None:
            msg = self.message(message_id)
            candidates = [] if msg.deleted else [msg]
        else:
            candidates = list(reversed(self.chat))
        for msg in candidates:
            for button in (b for row in msg.buttons for b in row):
                if button.text != text:
                    continue
                if button.callback_data is None:
                    raise AssertionError(
                        f"button {text!r} on #{msg.message_id} is not a callback button: {button}"
                    )
                return await self._callback(msg.message_id, button.callback_data)
        where = f" on message #{message_id}" if message_id is not None else ""
        visible = {m.message_id: m.button_texts for m in self.chat if m.inline_keyboard}
        raise AssertionError(
            f"{self.first_name} sees no inline button {text!r}{where}; visible buttons by "
            f"message id: {visible}\nchat:\n{self.transcript()}"
        )

    async def press_data(self, data: str, *, message_id: int | None = None) -> JSONDict:
        """Send a callback query with arbitrary data (stale/foreign button tests).

        Without ``message_id`` the newest message with an inline keyboard is used. An unknown
        or deleted message id is sent as an InaccessibleMessage (date 0), like Telegram does.
        """
        if message_id is None:
            with_keyboard = [m for m in self.chat if m.inline_keyboard] or self.chat
            if not with_keyboard:
                raise AssertionError(f"{self.first_name} has no bot message to press on")
            message_id = with_keyboard[-1].message_id
        return await self._callback(message_id, data)

    async def _callback(self, message_id: int, data: str) -> JSONDict:
        fake = self._fake
        query_id = fake._new_callback_id(self)
        msg = self._by_id.get(message_id)
        message = (
            fake._message_json(self, msg)
            if msg is not None and not msg.deleted
            else {"chat": self.as_chat(), "message_id": message_id, "date": 0}
        )
        query: JSONDict = {
            "id": query_id,
            "from": self.as_user(),
            "message": message,
            "chat_instance": self.chat_instance,
            "data": data,
        }
        self._last_callback_id = query_id
        await fake.push_update({"callback_query": query})
        return query

    # -- waiting ------------------------------------------------------------------------------

    async def next_message(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """The oldest bot message this test has not consumed yet (waits for one).

        Messages deleted in the meantime are still returned (with ``deleted=True``).
        """

        def find() -> BotMessage | None:
            if self._cursor < len(self._messages):
                self._cursor += 1
                return self._messages[self._cursor - 1]
            return None

        return await self._fake._wait_until(
            find, timeout, lambda: f"a new bot message for {self.first_name}:\n{self.transcript()}"
        )

    async def wait_for(
        self,
        predicate: Callable[[BotMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """First unconsumed message matching ``predicate``; consumes everything up to it."""

        def find() -> BotMessage | None:
            for index in range(self._cursor, len(self._messages)):
                if predicate(self._messages[index]):
                    self._cursor = index + 1
                    return self._messages[index]
            return None

        return await self._fake._wait_until(
            find,
            timeout,
            lambda: f"a matching bot message for {self.first_name}:\n{self.transcript()}",
        )

    async def wait_for_edit(
        self,
        message_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """The message after an edit this test has not seen yet (returns at once if one
        already happened, so there is no race with a fast bot)."""
        msg = self.message(message_id)

        def find() -> BotMessage | None:
            if msg.edits > msg.edits_seen:
                msg.edits_seen = msg.edits
                msg.edited.clear()
                return msg
            return None

        return await self._fake._wait_until(
            find, timeout, lambda: f"an edit of #{message_id}:\n{self.transcript()}"
        )

    async def next_callback_answer(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for this user's most recent press."""
        query_id = self._last_callback_id
        if query_id is None:
            raise AssertionError(f"{self.first_name} has not pressed any button yet")
        answers = self._fake._answers
        return await self._fake._wait_until(
            lambda: answers.get(query_id),
            timeout,
            lambda: f"answerCallbackQuery for {self.first_name}'s press {query_id}",
        )


class FakeGroup(FakeUser):
    """A group, supergroup or channel the bot is in; what the bot sends there is its ``chat``."""

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str, kind: str) -> None:
        super().__init__(
            fake, chat_id, title, last_name=None, username=None, language_code=None, started=True
        )
        self.kind = kind

    def __repr__(self) -> str:
        return f"FakeGroup({self.id}, {self.first_name!r}, {self.kind})"

    def as_chat(self) -> JSONDict:
        return {"id": self.id, "type": self.kind, "title": self.first_name}

    async def post(self, text: str, *, sender: FakeUser | None = None) -> JSONDict:
        """``sender`` writes ``text`` here (a channel posts as itself); ``@bot`` mentions and
        commands carry their entities, as Telegram sends them."""
        message: JSONDict = {
            "message_id": next(self._ids),
            "chat": self.as_chat(),
            "date": _now(),
            "text": text,
        }
        mention = "@" + self._fake.bot_user["username"]
        entities = _command_entities(text) + [
            {"type": "mention", "offset": utf16_len(text[: m.start()]), "length": len(mention)}
            for m in re.finditer(re.escape(mention), text)
        ]
        if entities:
            message["entities"] = entities
        self._incoming[message["message_id"]] = message
        if self.kind == "channel":
            message["sender_chat"] = self.as_chat()
            return await self._fake.push_update({"channel_post": message})
        assert sender is not None, "someone writes in a group"
        message["from"] = sender.as_user()
        return await self._fake.push_update({"message": message})

    async def add_bot(self, by: FakeUser) -> JSONDict:
        """``by`` adds the bot here: Telegram says so with a ``my_chat_member`` update."""
        update = {
            "chat": self.as_chat(),
            "from": by.as_user(),
            "date": _now(),
            "old_chat_member": {"user": self._fake.bot_user, "status": "left"},
            "new_chat_member": {"user": self._fake.bot_user, "status": "member"},
        }
        return await self._fake.push_update({"my_chat_member": update})


class FakeTelegram:
    """Fake Bot API server (aiohttp on 127.0.0.1, random port) plus test-side helpers."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "microconnect_test_bot",
        *,
        bot_name: str = "MicroConnect",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self._wanted_port = port  # 0: any free port
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123456
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.requests: list[RecordedRequest] = []
        self.commands: list[JSONDict] = []
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_max_connections = 40
        #: Every webhook POST: (update_id, HTTP status, or 0 when the connection failed).
        self.webhook_posts: list[tuple[int, int]] = []
        self._pusher: asyncio.Task[None] | None = None
        self.get_updates_calls = 0
        self.polls_waiting = 0
        self._host = host
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self._users: dict[int, FakeUser] = {}
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._drops: list[_Drop] = []
        self._pending: list[JSONDict] = []
        #: Updates handed out again with their old ids (see ``deliver_again``).
        self._again: list[JSONDict] = []
        #: Every update queued so far, newest last (to hand one out again).
        self.updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._updates_changed = asyncio.Condition()
        self._state_changed = asyncio.Condition()
        self._claimed_requests: set[int] = set()
        self._commands_by_scope: dict[tuple[str, str], list[JSONDict]] = {}
        self._last_commands_key: tuple[str, str] | None = None
        #: setMyName/Description/ShortDescription by (field, language_code; "" for everyone).
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._callback_numbers = itertools.count(1)
        self._callbacks: dict[str, int] = {}
        self._answers: dict[str, CallbackAnswer] = {}
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._ok,
            "close": self._ok,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getFile": self._get_file,
        }
        for field_name in ("name", "description", "short_description"):
            camel = "".join(part.title() for part in field_name.split("_"))
            handlers[f"setMy{camel}"] = self._bot_text_setter(field_name)
            handlers[f"getMy{camel}"] = self._bot_text_getter(field_name)
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> Self:
        """Listen on the port asked for, or a random free local port."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        self._stopping = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method:[^/]*}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: PTB aborts its in-flight long poll on shutdown; let the handler
        # die with the connection instead of lingering until its timeout.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._wanted_port)
        await site.start()
        self._port = int(runner.addresses[0][1])
        self._runner = runner
        return self

    async def stop(self) -> None:
        """Wake every long poll and waiting test, then close the server."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping = True
        async with self._updates_changed:
            self._updates_changed.notify_all()
        async with self._state_changed:
            self._state_changed.notify_all()
        await self._stop_pushing()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self._host}:{self.port}/file/bot"

    # -- test-facing helpers ------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = True,
    ) -> FakeUser:
        """Get or create a user. ``started=False`` models someone who never opened the bot:
        sends to them fail with 403 until they send something."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self._users[user_id] = user
        return user

    def group(self, chat_id: int, title: str = "Family", *, kind: str = "group") -> FakeGroup:
        """Get or create a group (``kind``: group, supergroup or channel) with the bot in it."""
        existing = self._users.get(chat_id)
        if isinstance(existing, FakeGroup):
            return existing
        group = FakeGroup(self, chat_id, title, kind)
        self._users[chat_id] = group
        return group

    def fail_next(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only to ``chat_id``) fail.

        ``description`` defaults to Telegram's usual text for the code (for 429 it is
        "Too Many Requests: retry after N"); ``retry_after`` adds ``parameters.retry_after``.
        """
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        error = ApiError(error_code, description, retry_after=retry_after)
        self._faults.append(_Fault(method.lower(), chat_id, error, times))

    def drop_next(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        times: int = 1,
        after_acting: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only to ``chat_id``) lose
        their connection after the request arrived: the fake reads the whole request, records
        it (``RecordedRequest.dropped``), then closes the connection without a response. By
        default nothing else happens, as if Telegram had crashed before acting; with
        ``after_acting`` the request takes effect first (the message is on the person's
        screen) and only the answer is lost. Either way the client cannot tell which, which is
        the point of the fault.
        """
        self._drops.append(_Drop(method.lower(), chat_id, times, after_acting))

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every send/edit to them gets 403 until ``unblock``."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """Recorded calls of one method (case-insensitive), in order."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RecordedRequest:
        """Wait for a completed call of ``method``; each recorded call is returned only once.

        Calls are recorded after they were handled, so the fake's state already reflects them.
        """
        wanted = method.lower()

        def find() -> RecordedRequest | None:
            for index, request in enumerate(self.requests):
                if index in self._claimed_requests or request.method.lower() != wanted:
                    continue
                if predicate is None or predicate(request):
                    self._claimed_requests.add(index)
                    return request
            return None

        return await self._wait_until(
            find,
            timeout,
            lambda: f"a {method} request; recorded so far: {[r.method for r in self.requests]}",
        )

    async def wait_for_poller(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is parked here, i.e. the bot is listening."""
        await self._wait_until(
            lambda: True if self.polls_waiting else None,
            timeout,
            lambda: f"a parked getUpdates long poll ({self.get_updates_calls} calls so far)",
        )

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by the bot's getUpdates offset."""
        return list(self._pending)

    def bot_text(self, field_name: str, language_code: str = "") -> str:
        """The bot's name, description or short description as a person whose app is in
        ``language_code`` sees it: that language's, else the one for everyone."""
        default = self.bot_user["first_name"] if field_name == "name" else ""
        everyone = self._bot_texts.get((field_name, ""), default)
        return self._bot_texts.get((field_name, language_code), everyone)

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands stored for one scope/language (what getMyCommands would return)."""
        return list(self._commands_by_scope.get(_scope_key(scope, language_code), []))

    async def push_update(self, payload: JSONDict) -> JSONDict:
        """Queue a raw update (e.g. ``{"my_chat_member": {...}}``); update_id is assigned."""
        update = {"update_id": next(self._update_ids), **payload}
        async with self._updates_changed:
            self._pending.append(update)
            self.updates.append(update)
            self._updates_changed.notify_all()
        return update

    async def deliver_again(self, update: JSONDict) -> None:
        """Hand an update the bot already had to it once more, with the same ``update_id``:
        what Telegram does when the bot's confirmation was lost, or a webhook is retried."""
        async with self._updates_changed:
            self._again.append(update)
            self._updates_changed.notify_all()

    @property
    def quiet(self) -> bool:
        """Nothing queued for the bot: every update was handed out and confirmed."""
        return not self._pending and not self._again

    async def wait_until_quiet(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has taken and confirmed (by its next poll) every update."""
        async with asyncio.timeout(timeout), self._updates_changed:
            await self._updates_changed.wait_for(lambda: self.quiet)

    # -- internals shared with FakeUser -------------------------------------------------------

    async def _wait_until(
        self,
        find: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> _T:
        try:
            async with asyncio.timeout(timeout), self._state_changed:
                while (found := find()) is None:
                    if self._stopping:
                        raise AssertionError(f"FakeTelegram stopped while waiting for {describe()}")
                    await self._state_changed.wait()
                return found
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {describe()}") from None

    async def _notify_state(self) -> None:
        async with self._state_changed:
            self._state_changed.notify_all()

    def _new_callback_id(self, user: FakeUser) -> str:
        query_id = str(4_000_000_000_000_000_000 + next(self._callback_numbers))
        self._callbacks[query_id] = user.id
        return query_id

    def _message_json(self, user: FakeUser, msg: BotMessage, *, nested: bool = True) -> JSONDict:
        message: JSONDict = {
            "message_id": msg.message_id,
            "from": self.bot_user,
            "chat": user.as_chat(),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            message["edit_date"] = msg.edit_date
        if nested and msg.reply_to_message_id is not None:
            replied = self._reply_json(user, msg.reply_to_message_id)
            if replied is not None:
                message["reply_to_message"] = replied
        if msg.text is not None:
            message["text"] = msg.text
            if msg.entities:
                message["entities"] = msg.entities
        if msg.photo_sizes is not None:
            message["photo"] = msg.photo_sizes
            if msg.caption is not None:
                message["caption"] = msg.caption
                if msg.entities:
                    message["caption_entities"] = msg.entities
        if msg.document_file_id is not None:
            message["document"] = {
                "file_id": msg.document_file_id,
                "file_unique_id": f"doc-{msg.document_file_id}",
                "file_name": msg.document_name,
                "file_size": len(msg.document or b""),
            }
            if msg.caption is not None:
                message["caption"] = msg.caption
        if msg.inline_keyboard:
            message["reply_markup"] = {"inline_keyboard": msg.inline_keyboard}
        return message

    def _reply_json(self, user: FakeUser, message_id: int) -> JSONDict | None:
        if message_id in user._incoming:
            return {k: v for k, v in user._incoming[message_id].items() if k != "reply_to_message"}
        msg = user._by_id.get(message_id)
        if msg is None or msg.deleted:
            return None
        return self._message_json(user, msg, nested=False)

    # -- HTTP layer ---------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        name = request.match_info["method"]
        try:
            raw, files = await _read_params(request)
        except ApiError as exc:
            return exc.response()
        params = {key: _decode_value(key, value) for key, value in raw.items()}
        chat_id = params.get("chat_id")
        chat_id = chat_id if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None
        spec = self._methods.get(name.lower())
        method, handler = spec if spec is not None else (name, None)
        drop = self._take_drop(method, chat_id)
        if drop is not None:
            if drop.after_acting and handler is not None:
                await handler(params, files)
            await self._record(method, params, chat_id, files, None, dropped=True)
            if request.transport is not None:
                request.transport.abort()  # no response: the client sees a disconnect
            return web.Response()  # never written: the connection is gone
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            fault = self._take_fault(method, chat_id)
            if fault is not None:
                raise fault
            result = await handler(params, files)
        except ApiError as exc:
            if method != "getUpdates":
                await self._record(method, params, chat_id, files, exc)
            return exc.response()
        if method != "getUpdates":
            await self._record(method, params, chat_id, files, None)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.path == path and stored.data is not None:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return ApiError(404, "Not Found").response()

    async def _record(
        self,
        method: str,
        params: JSONDict,
        chat_id: int | None,
        files: dict[str, UploadedFile],
        error: ApiError | None,
        *,
        dropped: bool = False,
    ) -> None:
        self.requests.append(
            RecordedRequest(
                method=method,
                params=params,
                chat_id=chat_id,
                files={name: upload.data for name, upload in files.items()},
                error_code=None if error is None else error.error_code,
                description=None if error is None else error.description,
                received_at=time.monotonic(),
                dropped=dropped,
            )
        )
        await self._notify_state()

    def _take_drop(self, method: str, chat_id: int | None) -> _Drop | None:
        for drop in self._drops:
            if drop.method == method.lower() and drop.chat_id in (None, chat_id):
                drop.remaining -= 1
                if drop.remaining <= 0:
                    self._drops.remove(drop)
                return drop
        return None

    def _take_fault(self, method: str, chat_id: int | None) -> ApiError | None:
        for fault in self._faults:
            if fault.method == method.lower() and fault.chat_id in (None, chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault.error
        return None

    # -- shared validation --------------------------------------------------------------------

    def _chat(self, params: JSONDict, *, writing: bool = True) -> FakeUser:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise _bad("chat not found")
        if writing and user.id in self._blocked:
            raise ApiError(403, BLOCKED)
        if writing and not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return user

    def _target_message(self, params: JSONDict, action: str) -> tuple[FakeUser, BotMessage]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # inline-mode messages are not modelled
        user = self._chat(params, writing=action == "edit")
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        msg = user._by_id.get(message_id)
        if msg is None or msg.deleted:
            if message_id in user._incoming and action == "edit":
                raise _bad("message can't be edited")
            raise _bad(f"message to {action} not found")
        return user, msg

    @staticmethod
    def _format(
        text: str, parse_mode: Any, entities: Any, *, field: str = "entities"
    ) -> tuple[str, list[JSONDict]]:
        if entities is not None and not isinstance(entities, list):
            raise _bad(f"can't parse {field} JSON object")
        try:
            return format_text(text, parse_mode if isinstance(parse_mode, str) else None, entities)
        except ParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
        except ValueError:
            raise _bad("unsupported parse_mode") from None

    def _reply_target(self, user: FakeUser, params: JSONDict) -> int | None:
        message_id = params.get("reply_to_message_id")
        allow = bool(params.get("allow_sending_without_reply"))
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow = bool(reply_parameters.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        if isinstance(message_id, int) and self._reply_json(user, message_id) is not None:
            return message_id
        if allow:
            return None
        raise _bad("message to be replied not found")

    @staticmethod
    def _apply_markup(user: FakeUser, msg: BotMessage, markup: _Markup | None) -> None:
        if markup is None:
            return
        if markup.inline is not None:
            msg.inline_keyboard = markup.inline or None
        if markup.keyboard is not None:
            msg.reply_keyboard = markup.keyboard
            msg.reply_keyboard_buttons = markup.keyboard_buttons
            user.reply_keyboard = markup.keyboard
            user.reply_keyboard_buttons = markup.keyboard_buttons
            user._one_time_keyboard = markup.one_time
        msg.force_reply = markup.force_reply
        if markup.remove:
            msg.removes_keyboard = True
            user.reply_keyboard = user.reply_keyboard_buttons = None

    async def _deliver(self, user: FakeUser, msg: BotMessage) -> JSONDict:
        user._messages.append(msg)
        user._by_id[msg.message_id] = msg
        await self._notify_state()
        return self._message_json(user, msg)

    async def _edited(self, user: FakeUser, msg: BotMessage) -> JSONDict:
        msg.edits += 1
        msg.edit_date = _now()
        msg.edited.set()
        await self._notify_state()
        return self._message_json(user, msg)

    # -- Bot API methods ----------------------------------------------------------------------

    async def _ok(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        return self.bot_user

    async def _get_updates(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        self.get_updates_calls += 1
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _number(params, "offset", 0)
        limit = min(max(int(_number(params, "limit", 100)), 1), 100)
        timeout = _number(params, "timeout", 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        async with self._updates_changed:
            # A newer getUpdates terminates older ones with 409, exactly like Telegram; this
            # catches two pollers running against the same bot token.
            self._poll_generation += 1
            generation = self._poll_generation
            offset = int(offset)
            if offset < 0:
                self._pending = self._pending[offset:]
            elif offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self._updates_changed.notify_all()

            def ready() -> bool:
                superseded = generation != self._poll_generation
                return self._stopping or superseded or bool(self._again or self._deliverable())

            if timeout > 0 and not ready():
                self.polls_waiting += 1
                try:
                    await self._notify_state()
                    async with asyncio.timeout(timeout):
                        await self._updates_changed.wait_for(ready)
                except TimeoutError:
                    pass
                finally:
                    self.polls_waiting -= 1
            if generation != self._poll_generation and not self._stopping:
                raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
            again, self._again = self._again, []
            return again + self._deliverable()[: max(limit - len(again), 0)]

    def _deliverable(self) -> list[JSONDict]:
        def allowed(update: JSONDict) -> bool:
            kind = next((key for key in update if key != "update_id"), "")
            if self._allowed_updates:
                return kind in self._allowed_updates
            return kind not in _OPT_IN_UPDATES

        return [u for u in self._pending if allowed(u)]

    async def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        url = params.get("url")
        self.webhook_url = url if isinstance(url, str) else ""
        secret = params.get("secret_token")
        self.webhook_secret = secret if isinstance(secret, str) else ""
        self.webhook_max_connections = int(str(params.get("max_connections") or 40))
        if not 1 <= self.webhook_max_connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if self.webhook_url and self._pusher is None:
            self._pusher = asyncio.get_running_loop().create_task(self._push_to_webhook())
        return True

    async def _delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        async with self._updates_changed:
            self._updates_changed.notify_all()  # the pusher sees the webhook is gone
        return True

    async def _push_to_webhook(self) -> None:
        """What Telegram does while a webhook is set: POST each update with the secret
        header until the bot answers 2xx, up to ``max_connections`` at once, oldest first;
        a failed POST is tried again (after ``WEBHOOK_RETRY`` seconds), so an update whose
        answer was lost reaches the bot twice."""
        in_flight: set[int] = set()
        posts: set[asyncio.Task[None]] = set()

        def waiting() -> list[JSONDict]:
            return [u for u in self._again + self._deliverable() if id(u) not in in_flight]

        async def post(session: ClientSession, update: JSONDict, again: bool) -> None:
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
            try:
                async with session.post(self.webhook_url, json=update, headers=headers) as r:
                    status = r.status
            except ClientError:
                status = 0
            self.webhook_posts.append((int(update["update_id"]), status))
            if not 200 <= status < 300:
                await asyncio.sleep(WEBHOOK_RETRY)  # Telegram's back-off, shortened
            async with self._updates_changed:
                in_flight.discard(id(update))
                if 200 <= status < 300:
                    if again and update in self._again:
                        self._again.remove(update)
                    elif not again and update in self._pending:
                        self._pending.remove(update)
                self._updates_changed.notify_all()

        async with ClientSession() as session:
            try:
                while True:
                    async with self._updates_changed:
                        await self._updates_changed.wait_for(
                            lambda: (
                                self._stopping
                                or not self.webhook_url
                                or (
                                    len(in_flight) < self.webhook_max_connections
                                    and bool(waiting())
                                )
                            )
                        )
                        if self._stopping or not self.webhook_url:
                            break
                        update = waiting()[0]
                        again = any(u is update for u in self._again)
                        in_flight.add(id(update))
                    task = asyncio.get_running_loop().create_task(post(session, update, again))
                    posts.add(task)
                    task.add_done_callback(posts.discard)
            finally:
                for task in list(posts):
                    task.cancel()
                await asyncio.gather(*posts, return_exceptions=True)
        self._pusher = None

    async def _stop_pushing(self) -> None:
        pusher, self._pusher = self._pusher, None
        if pusher is not None:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher

    async def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        return info

    async def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if commands is None:
            raise _bad('parameter "commands" is required')
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        stored: list[JSONDict] = []
        for command in commands:
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = _scope_key(params.get("scope"), params.get("language_code"))
        self._commands_by_scope[key] = stored
        self._last_commands_key = key
        if key[1] == "":  # what getMyCommands shows someone whose language has no menu
            self.commands = list(stored)
        return True

    async def _get_my_commands(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        key = _scope_key(params.get("scope"), params.get("language_code"))
        return list(self._commands_by_scope.get(key, []))

    async def _delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        key = _scope_key(params.get("scope"), params.get("language_code"))
        self._commands_by_scope.pop(key, None)
        if key == self._last_commands_key:
            self.commands = []
        return True

    def _bot_text_setter(self, field_name: str) -> Handler:
        async def handler(params: JSONDict, files: dict[str, UploadedFile]) -> bool:
            value = params.get(field_name)
            limit = {"name": 64, "description": 512, "short_description": 120}[field_name]
            if isinstance(value, str) and len(value) > limit:
                raise _bad(f"{field_name} is too long")
            language = params.get("language_code")
            key = (field_name, language if isinstance(language, str) else "")
            self._bot_texts[key] = value if isinstance(value, str) else ""
            return True

        return handler

    def _bot_text_getter(self, field_name: str) -> Handler:
        async def handler(params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
            language = params.get("language_code")
            return {
                field_name: self.bot_text(field_name, language if isinstance(language, str) else "")
            }

        return handler

    async def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        user = self._chat(params)
        text = _text_param(params, "text")
        if not text:
            raise _bad("message text is empty")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise _bad("message text is empty")
        if utf16_len(plain) > 4096:
            raise _bad("message is too long")
        markup = _parse_markup(params.get("reply_markup"))
        msg = BotMessage(
            message_id=next(user._ids),
            chat_id=user.id,
            date=_now(),
            text=plain,
            raw_text=text,
            parse_mode=params.get("parse_mode"),
            entities=entities,
            reply_to_message_id=self._reply_target(user, params),
        )
        self._apply_markup(user, msg, markup)
        return await self._deliver(user, msg)

    def _caption(self, params: JSONDict, caption: str | None) -> tuple[str | None, list[JSONDict]]:
        """A photo's or a document's caption as Telegram shows it (≤ 1,024 characters)."""
        if not caption:
            return None, []
        plain, entities = self._format(
            caption,
            params.get("parse_mode"),
            params.get("caption_entities"),
            field="caption_entities",
        )
        if utf16_len(plain) > 1024:
            raise _bad("message caption is too long")
        return plain, entities

    async def _send_photo(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        user = self._chat(params)
        stored = self._photo_param(params, files)
        caption = _text_param(params, "caption")
        plain, entities = self._caption(params, caption)
        markup = _parse_markup(params.get("reply_markup"))
        size: JSONDict = {"file_id": stored.file_id, "file_unique_id": stored.unique_id}
        info = _image_info(stored.data) if stored.data is not None else None
        size["width"], size["height"] = (info[1], info[2]) if info else (1, 1)
        if stored.data is not None:
            size["file_size"] = len(stored.data)
        msg = BotMessage(
            message_id=next(user._ids),
            chat_id=user.id,
            date=_now(),
            caption=plain or None,
            photo=stored.data,
            photo_file_id=stored.file_id,
            parse_mode=params.get("parse_mode"),
            raw_text=caption,
            entities=entities,
            reply_to_message_id=self._reply_target(user, params),
            photo_sizes=[size],
        )
        self._apply_markup(user, msg, markup)
        return await self._deliver(user, msg)

    async def _send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        """A file upload (multipart) or a known file_id; the bytes are kept for the test."""
        user = self._chat(params)
        document = params.get("document")
        upload = files.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = files.get(document.removeprefix("attach://"))
        if upload is not None:
            if not upload.data:
                raise _bad("file must be non-empty")
            if len(upload.data) > 50 * 1024 * 1024:
                raise _bad("Request Entity Too Large")
            stored = self._store_file(upload.data, "documents/file_{n}")
            name = upload.filename or "document"
        elif isinstance(document, str) and document in self._files:
            stored, name = self._files[document], "document"
        else:
            raise _bad("there is no document in the request")
        caption = _text_param(params, "caption")
        plain, entities = self._caption(params, caption)
        msg = BotMessage(
            message_id=next(user._ids),
            chat_id=user.id,
            date=_now(),
            caption=plain or None,
            parse_mode=params.get("parse_mode"),
            raw_text=caption,
            entities=entities,
            reply_to_message_id=self._reply_target(user, params),
            document=stored.data,
            document_name=name,
            document_file_id=stored.file_id,
        )
        self._apply_markup(user, msg, _parse_markup(params.get("reply_markup")))
        return await self._deliver(user, msg)

    def _photo_param(self, params: JSONDict, files: dict[str, UploadedFile]) -> _StoredFile:
        photo = params.get("photo")
        upload = files.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            upload = files.get(photo.removeprefix("attach://"))
            if upload is None:
                raise _bad("wrong file identifier/HTTP URL specified")
        if upload is not None:
            if not upload.data:
                raise _bad("file must be non-empty")
            info = _image_info(upload.data)
            if info is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            return self._store_file(upload.data, f"photos/file_{{n}}.{info[0]}")
        if isinstance(photo, str) and photo:
            if photo in self._files:
                return self._files[photo]
            if photo.startswith(("http://", "https://")):
                return self._store_file(None, "photos/file_{n}.jpg")  # no download offline
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad("there is no photo in the request")

    def _store_file(self, data: bytes | None, path_template: str) -> _StoredFile:
        number = next(self._file_numbers)
        stored = _StoredFile(
            file_id=f"AgACAgIAAxkBAAI{number:08d}FakeTelegram",
            unique_id=f"AQAD{number:08d}",
            data=data,
            path=path_template.format(n=number),
        )
        self._files[stored.file_id] = stored
        return stored

    async def _get_file(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad("invalid file_id")
        result: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_path": stored.path,
        }
        if stored.data is not None:
            result["file_size"] = len(stored.data)
        return result

    async def _edit_message_text(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        user, msg = self._target_message(params, "edit")
        text = _text_param(params, "text")
        if not text:
            raise _bad("message text is empty")
        if msg.text is None:
            raise _bad("there is no text in the message to edit")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise _bad("message text is empty")
        if utf16_len(plain) > 4096:
            raise _bad("MESSAGE_TOO_LONG")
        # Omitting reply_markup removes the inline keyboard, exactly like Telegram.
        keyboard = _edit_keyboard(params.get("reply_markup"))
        if (plain, entities, keyboard) == (msg.text, msg.entities, msg.inline_keyboard):
            raise _bad(NOT_MODIFIED)
        msg.text, msg.raw_text, msg.entities = plain, text, entities
        msg.parse_mode = params.get("parse_mode")
        msg.inline_keyboard = keyboard
        return await self._edited(user, msg)

    async def _edit_message_caption(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        user, msg = self._target_message(params, "edit")
        if msg.photo_sizes is None:
            raise _bad("there is no caption in the message to edit")
        caption = _text_param(params, "caption")
        plain, entities = self._format(
            caption or "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            field="caption_entities",
        )
        if utf16_len(plain) > 1024:
            raise _bad("MESSAGE_CAPTION_TOO_LONG")
        keyboard = _edit_keyboard(params.get("reply_markup"))
        if (plain or None, entities, keyboard) == (msg.caption, msg.entities, msg.inline_keyboard):
            raise _bad(NOT_MODIFIED)
        msg.caption, msg.raw_text, msg.entities = plain or None, caption, entities
        msg.parse_mode = params.get("parse_mode")
        msg.inline_keyboard = keyboard
        return await self._edited(user, msg)

    async def _edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        user, msg = self._target_message(params, "edit")
        keyboard = _edit_keyboard(params.get("reply_markup"))
        if keyboard == msg.inline_keyboard:
            raise _bad(NOT_MODIFIED)
        msg.inline_keyboard = keyboard
        return await self._edited(user, msg)

    async def _delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        user = self._chat(params, writing=False)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        if message_id in user._incoming:
            del user._incoming[message_id]  # bots may delete incoming private messages
        else:
            _, msg = self._target_message(params, "delete")
            msg.deleted = True
        await self._notify_state()
        return True

    async def _answer_callback_query(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._callbacks or query_id in self._answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        url = params.get("url")
        cache_time = params.get("cache_time")
        self._answers[query_id] = CallbackAnswer(
            callback_query_id=query_id,
            text=text if isinstance(text, str) else None,
            show_alert=bool(params.get("show_alert")),
            url=url if isinstance(url, str) else None,
            cache_time=cache_time if isinstance(cache_time, int) else None,
        )
        await self._notify_state()
        return True

    async def _send_chat_action(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        user = self._chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        user.chat_actions.append(str(action))
        return True

    async def _set_chat_menu_button(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        chat_id = self._chat(params, writing=False).id if "chat_id" in params else None
        button = params.get("menu_button", {"type": "default"})
        if not isinstance(button, dict) or button.get("type") not in {
            "commands",
            "web_app",
            "default",
        }:
            raise _bad("can't parse menu button JSON object")
        if button["type"] == "web_app":
            if not isinstance(button.get("text"), str) or not button["text"]:
                raise _bad("can't parse menu button JSON object: text is empty")
            _check_web_app(button.get("web_app"))
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        chat_id = self._chat(params, writing=False).id if "chat_id" in params else None
        fallback = self.menu_buttons.get(None, {"type": "default"})
        return self.menu_buttons.get(chat_id, fallback)


# -- request parsing helpers ------------------------------------------------------------------


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """Query string plus JSON, urlencoded or multipart body, like Telegram accepts."""
    raw: JSONDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, files
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text())
        except ValueError:
            raise _bad("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise _bad("JSON object expected")
        raw.update(body)
    elif request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = bytes(await part.read())
            if part.filename is not None:
                content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files[part.name] = UploadedFile(part.filename, content_type, data)
            else:
                raw[part.name] = data.decode(part.get_charset("utf-8"))
    else:
        for key, value in (await request.post()).items():
            if isinstance(value, str):
                raw[key] = value
    return raw, files


def _decode_value(name: str, value: Any) -> Any:
    """Give string form values their JSON type; leave anything unparsable for validation."""
    if not isinstance(value, str):
        return value
    try:
        if name in _INT_PARAMS:
            return int(value)
        if name in _FLOAT_PARAMS:
            number = float(value)
            return int(number) if number.is_integer() else number
        if name in _BOOL_PARAMS:
            return value.lower() in {"true", "1"}
        if name in _JSON_PARAMS:
            return json.loads(value)
    except ValueError:
        return value
    return value


def _number(params: JSONDict, name: str, default: float) -> float:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"invalid {name} specified")
    return value


def _text_param(params: JSONDict, name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    language = language_code if isinstance(language_code, str) else ""
    return json.dumps(scope, sort_keys=True), language


def _parse_markup(value: Any) -> _Markup | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return _Markup(inline=[[dict(button) for button in row] for row in rows if row])
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        buttons = [
            [{"text": key} if isinstance(key, str) else dict(key) for key in row] for row in rows
        ]
        for row in buttons:
            for key in row:
                if not isinstance(key.get("text"), str) or not key["text"]:
                    raise _bad("can't parse keyboard button: Text must be a non-empty String")
        texts = [[str(key["text"]) for key in row] for row in buttons]
        return _Markup(
            keyboard=texts,
            keyboard_buttons=buttons,
            one_time=bool(value.get("one_time_keyboard")),
        )
    if value.get("remove_keyboard"):
        return _Markup(remove=True)
    if value.get("force_reply"):
        return _Markup(force_reply=True)
    raise _bad("can't parse reply keyboard markup JSON object")


def _edit_keyboard(value: Any) -> list[list[JSONDict]] | None:
    markup = _parse_markup(value)
    if markup is None:
        return None
    if markup.inline is None:
        raise _bad("inline keyboard expected")
    return markup.inline or None


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not _INLINE_BUTTON_KINDS & button.keys():
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button and not (isinstance(button["url"], str) and checked_link(button["url"])):
        raise _bad("BUTTON_URL_INVALID")
    if "web_app" in button:
        _check_web_app(button["web_app"])


def _check_web_app(web_app: Any) -> None:
    """Telegram opens Mini Apps over HTTPS only, and says so for anything else."""
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not isinstance(url, str) or not url.startswith("https://"):
        raise _bad("BUTTON_URL_INVALID: Only HTTPS links are allowed")


def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """(extension, width, height) of a PNG/JPEG/GIF/WEBP/BMP, or None if Telegram would fail."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"GIF8") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "gif", width, height
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return "bmp", width, abs(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", 1, 1
    if data.startswith(b"\xff\xd8\xff"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return "jpg", width, height
            if marker == 0xFF:
                index += 1
            elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
                index += 2
            else:
                index += 2 + struct.unpack(">H", data[index + 2 : index + 4])[0]
        return "jpg", 1, 1
    return None
