"""The bot with its Mini App: the real application long-polling the fake Bot API, and the
page and API served by ``bot/webapp/serve.py`` on a free port, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.app import WEB_APP_SERVER
from bot.webapp.serve import WebAppServer
from domain.values.clock import ManualClock
from storage.database import Database
from tests.e2e.conftest import TOKEN, Harness, running_bot
from tests.fake_telegram import FakeUser
from tests.webapp.signing import signed_init_data

WEB_APP_URL = "https://space.example/app/"


@dataclass
class Space:
    """The bot, where its Mini App listens, and a way to call the API as someone."""

    h: Harness
    http: aiohttp.ClientSession
    base_url: str  # http://127.0.0.1:<port>/app/

    def init_data(self, user: FakeUser, **extra: str) -> str:
        """What Telegram hands the page when ``user`` opens it (signed just now)."""
        return signed_init_data(
            TOKEN,
            user.id,
            user.first_name,
            self.h.clock(),
            language_code=user.language_code,
            extra=extra,
        )

    async def call(
        self,
        method: str,
        path: str,
        *,
        as_user: FakeUser | None = None,
        authorization: str | None = None,
        json: Any = None,
    ) -> tuple[int, Any]:
        """``path`` (below the page, e.g. ``api/week``); the status and the JSON answer."""
        if authorization is None and as_user is not None:
            authorization = "tma " + self.init_data(as_user)
        headers = {} if authorization is None else {"Authorization": authorization}
        async with self.http.request(
            method, self.base_url + path, headers=headers, json=json
        ) as response:
            return response.status, await response.json(content_type=None)


@pytest.fixture
async def space(database_url: str, db: Database, clock: ManualClock) -> AsyncIterator[Space]:
    async with running_bot(database_url, db, clock, web_app_url=WEB_APP_URL, web_app_port=0) as h:
        server = h.app.bot_data[WEB_APP_SERVER]
        assert isinstance(server, WebAppServer)
        async with aiohttp.ClientSession() as http:
            yield Space(h, http, f"http://127.0.0.1:{server.port}/app/")
