"""Fake Telegram Bot API server for end-to-end tests of the real PTB application."""

from .models import BotMessage, Button, CallbackAnswer, RecordedRequest, UploadedFile
from .server import NOT_MODIFIED, ApiError, FakeGroup, FakeTelegram, FakeUser

__all__ = [
    "NOT_MODIFIED",
    "ApiError",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "RecordedRequest",
    "UploadedFile",
]
