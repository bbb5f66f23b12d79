"""Proves the fake Telegram server is faithful enough to drive the real PTB client.

If PTB accepts the fake's responses and raises the same exceptions it raises against Telegram,
end-to-end tests built on the fake exercise the bot's real networking and error paths.
"""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fake_telegram import NOT_MODIFIED, FakeTelegram, FakeUser
from tests.fake_telegram.formatting import ParseError, format_text

TOKEN = "123456:TEST-token"
BLOCKED_TEXT = "Forbidden: bot was blocked by the user"
App = Application[Any, Any, Any, Any, Any, Any]


def make_png(width: int, height: int) -> bytes:
    """A real (tiny) PNG, so the fake's image validation and size sniffing are exercised."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = make_png(3, 2)


# -- a tiny bot exercising the features the real one uses -------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="v1:yes"),
                InlineKeyboardButton("No", callback_data="v1:no"),
            ],
            [InlineKeyboardButton("Docs", url="https://example.com/help")],
        ]
    )
    await update.message.reply_text(
        f"Hello <b>{update.effective_user.first_name}</b>! args={' '.join(context.args or [])}",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    # PTB 22.8 parses an InaccessibleMessage as a Message with date 0: check is_accessible.
    if not query.data.startswith("v1:") or query.message is None or not query.message.is_accessible:
        await query.answer("This button has expired.", show_alert=True)
        return
    await query.answer(f"Got {query.data}")
    await query.edit_message_text(f"You chose {query.data.removeprefix('v1:')}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_chat_action("upload_photo")
    await update.message.reply_photo(PNG, caption="Your <i>weekly</i> chart", parse_mode="HTML")


async def on_colour(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(
        "Pick a colour", reply_markup=ReplyKeyboardMarkup([["Red", "Blue"]], one_time_keyboard=True)
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(
        f"{update.message.text} it is", reply_markup=ReplyKeyboardRemove()
    )


async def post_init(application: App) -> None:
    await application.bot.set_my_commands([("start", "Start over"), ("photo", "Show a chart")])


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="microconnect_test_bot") as server:
        yield server


@pytest.fixture
def alice(fake: FakeTelegram) -> FakeUser:
    return fake.user(1001, "Alice", username="alice")


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[App]:
    """The real PTB Application, long-polling the fake."""
    application: App = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.file_base_url)
        .post_init(post_init)
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("photo", on_photo))
    application.add_handler(CommandHandler("colour", on_colour))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    async with application:
        # post_init only runs under run_polling; call it ourselves for start()-style startup.
        await post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare PTB Bot for direct API calls (no polling)."""
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_base_url) as client:
        yield client


# -- end to end through the real Application --------------------------------------------------


async def test_start_command_replies_with_inline_keyboard(
    fake: FakeTelegram, alice: FakeUser, app: App
) -> None:
    await alice.send("/start abc")

    msg = await alice.next_message()
    assert msg.text == "Hello Alice! args=abc"  # HTML applied server-side, like Telegram
    assert msg.raw_text == "Hello <b>Alice</b>! args=abc"
    assert msg.entities == [{"type": "bold", "offset": 6, "length": 5}]
    assert [[b.text for b in row] for row in msg.buttons] == [["Yes", "No"], ["Docs"]]
    assert msg.buttons[1][0].url == "https://example.com/help"
    assert alice.inbox_texts == ["Hello Alice! args=abc"]
    assert fake.commands == [
        {"command": "start", "description": "Start over"},
        {"command": "photo", "description": "Show a chart"},
    ]
    request = await fake.wait_for_request("sendMessage")
    assert request.chat_id == alice.id and request.params["parse_mode"] == "HTML"


async def test_press_is_answered_and_message_edited(alice: FakeUser, app: App) -> None:
    await alice.send("/start")
    msg = await alice.next_message()

    await alice.press("Yes")

    answer = await alice.next_callback_answer()
    assert (answer.text, answer.show_alert) == ("Got v1:yes", False)
    edited = await alice.wait_for_edit(msg.message_id)
    assert edited.text == "You chose yes"
    assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert edited.edits == 1


async def test_stale_and_inaccessible_buttons(
    fake: FakeTelegram, alice: FakeUser, app: App
) -> None:
    await alice.send("/start")
    old = await alice.next_message()
    await alice.press_data("v0:legacy", message_id=old.message_id)
    assert (await alice.next_callback_answer()).show_alert

    await app.bot.delete_message(alice.id, old.message_id)
    assert alice.chat == [] and old.deleted
    query = await alice.press_data("v1:yes", message_id=old.message_id)
    assert query["message"]["date"] == 0  # InaccessibleMessage, as Telegram sends it
    answer = await alice.next_callback_answer()
    assert answer.text == "This button has expired."
    with pytest.raises(AssertionError, match="sees no inline button 'Yes'"):
        await alice.press("Yes")


async def test_photo_bytes_arrive_intact(fake: FakeTelegram, alice: FakeUser, app: App) -> None:
    await alice.send("/photo")

    msg = await alice.next_message()
    assert msg.photo == PNG
    assert msg.caption == "Your weekly chart"
    assert alice.chat_actions == ["upload_photo"]
    upload = await fake.wait_for_request("sendPhoto")
    assert upload.files == {"photo": PNG}
    assert msg.photo_file_id is not None
    telegram_file = await app.bot.get_file(msg.photo_file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == PNG


async def test_reply_keyboard_shown_and_removed(alice: FakeUser, app: App) -> None:
    await alice.send("/colour")
    msg = await alice.next_message()
    assert msg.reply_keyboard == [["Red", "Blue"]] == alice.reply_keyboard

    await alice.choose("Blue")

    reply = await alice.wait_for(lambda m: "it is" in m.body)
    assert reply.text == "Blue it is" and reply.removes_keyboard
    assert alice.reply_keyboard is None


# -- direct API calls: errors PTB must map to its exceptions ----------------------------------


# PTB itself reads RetryAfter.retry_after while building the exception, which warns.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fault_injection_raises_forbidden_and_retry_after(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    bob = fake.user(1002, "Bob")
    fake.fail_next("sendMessage", chat_id=alice.id, error_code=403, description=BLOCKED_TEXT)
    await bot.send_message(bob.id, "unaffected: fault is for alice only")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hi")
    await bot.send_message(alice.id, "a one-off fault is used up")

    fake.fail_next("sendMessage", error_code=429, retry_after=3, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await bot.send_message(alice.id, "flood")
    assert fake.requests[-1].error_code == 429

    fake.block(alice.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "blocked")
    fake.unblock(alice.id)
    await bot.send_message(alice.id, "welcome back")
    assert alice.inbox_texts == ["a one-off fault is used up", "welcome back"]


async def expect_bad_request(fake: FakeTelegram, call: Awaitable[object], description: str) -> None:
    """PTB raises BadRequest and the wire text is exactly Telegram's."""
    with pytest.raises(BadRequest):
        await call
    assert fake.requests[-1].description == f"Bad Request: {description}"


async def test_bad_requests_match_telegram(fake: FakeTelegram, alice: FakeUser, bot: Bot) -> None:
    await expect_bad_request(fake, bot.send_message(999, "nobody"), "chat not found")

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(alice.id, "same", reply_markup=markup)
    same_edit = bot.edit_message_text("same", alice.id, sent.message_id, reply_markup=markup)
    await expect_bad_request(fake, same_edit, NOT_MODIFIED)
    await bot.edit_message_text("same", alice.id, sent.message_id)  # dropping markup is a change

    html = bot.send_message(alice.id, "I <3 you", parse_mode=ParseMode.HTML)
    await expect_bad_request(
        fake, html, 'can\'t parse entities: Unsupported start tag "3" at byte offset 2'
    )
    markdown = bot.send_message(alice.id, "Hi!", parse_mode=ParseMode.MARKDOWN_V2)
    await expect_bad_request(
        fake,
        markdown,
        "can't parse entities: Character '!' is reserved and must be escaped with the "
        "preceding '\\'",
    )
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    await expect_bad_request(
        fake, bot.send_message(alice.id, "x", reply_markup=too_long), "BUTTON_DATA_INVALID"
    )
    await expect_bad_request(
        fake, bot.delete_message(alice.id, 12345), "message to delete not found"
    )
    await expect_bad_request(
        fake, bot.send_photo(alice.id, b"not an image"), "IMAGE_PROCESS_FAILED"
    )


async def test_unstarted_user_cannot_be_messaged(fake: FakeTelegram, bot: Bot) -> None:
    carol = fake.user(1003, "Carol", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(carol.id, "hi")
    await carol.send("/start")
    await bot.send_message(carol.id, "hi")


async def test_unknown_token_is_invalid_token(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG", base_url=fake.base_url):
            pass


async def test_raw_http_encodings_and_error_format(fake: FakeTelegram, alice: FakeUser) -> None:
    api = f"{fake.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as http:
        json_body = {"chat_id": alice.id, "text": "via json"}
        async with http.post(f"{api}/SENDMESSAGE", json=json_body) as response:
            result = await response.json()
            assert result["ok"] and result["result"]["chat"]["type"] == "private"
        form = {"chat_id": str(alice.id), "text": "via form", "disable_notification": "true"}
        async with http.post(f"{api}/sendMessage", data=form) as response:
            assert (await response.json())["result"]["text"] == "via form"
        async with http.get(f"{api}/getMe") as response:
            assert (await response.json())["result"]["username"] == "microconnect_test_bot"
        async with http.post(f"{api}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.post(f"{fake.base_url}1:bad/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
    assert alice.inbox_texts == ["via json", "via form"]
    assert fake.requests[1].params["disable_notification"] is True


# -- long polling -----------------------------------------------------------------------------


async def test_long_poll_wakes_on_update_and_offset_confirms(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for_poller()
    started = time.monotonic()
    await alice.send("hello")
    updates = await poll
    assert time.monotonic() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "hello"

    assert await bot.get_updates(timeout=0) == updates  # unconfirmed: delivered again
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert fake.pending_updates == []


async def test_second_poller_conflicts_and_stop_wakes_pollers(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for_poller()
    async with Bot(TOKEN, base_url=fake.base_url) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=30))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first

        started = time.monotonic()
        await fake.stop()
        assert await second == ()
        assert time.monotonic() - started < 2


async def test_waiting_helpers_fail_with_a_readable_chat_dump(
    fake: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    with pytest.raises(AssertionError, match="no bot messages"):
        await alice.next_message(timeout=0.05)
    await bot.send_message(alice.id, "first")
    with pytest.raises(AssertionError, match="'first'"):
        await alice.wait_for(lambda m: m.body == "second", timeout=0.05)


# -- formatting parsers (pure functions) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mode", "plain", "types"),
    [
        (
            "<b>bold</b> &lt;tag&gt; <a href='https://x.org'>link</a>",
            "HTML",
            "bold <tag> link",
            ["bold", "text_link"],
        ),
        ('<pre><code class="language-py">x = 1</code></pre>', "HTML", "x = 1", ["pre"]),
        (
            "*bold* _it_ __under__ ~st~ ||sp|| `c` \\!",
            "MarkdownV2",
            "bold it under st sp c !",
            ["bold", "italic", "underline", "strikethrough", "spoiler", "code"],
        ),
        ("[site](https://x.org) *b*", "Markdown", "site b", ["text_link", "bold"]),
        ("  padded\n", None, "padded", []),
    ],
)
def test_format_text(text: str, mode: str | None, plain: str, types: list[str]) -> None:
    result, entities = format_text(text, mode)
    assert result == plain
    assert [e["type"] for e in entities] == types


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("<b>open", "HTML", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", "HTML", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("*open", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("1.5", "MarkdownV2", "Character '.' is reserved"),
        ("_open", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_format_text_errors(text: str, mode: str, error: str) -> None:
    with pytest.raises(ParseError, match=error):
        format_text(text, mode)
