"""The Mini App beside long polling: one uvicorn server on ``WEB_APP_PORT``, started in
``post_init`` and stopped in ``post_stop`` (webhook mode serves the same routes itself).
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from starlette.applications import Starlette

log = logging.getLogger(__name__)


class WebAppServer:
    """uvicorn on the bot's own event loop; ``port=0`` takes a free port (tests)."""

    def __init__(self, app: Starlette, port: int, host: str = "0.0.0.0") -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one the system gave, for ``port=0``)."""
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name="web app")
        while not self._server.started:
            if self._task.done():  # the port is taken, say: uvicorn said why in the log
                await self._task
                raise RuntimeError("the web app server did not start")
            await asyncio.sleep(0.01)
        log.info("Mini App served on port %s", self.port)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
