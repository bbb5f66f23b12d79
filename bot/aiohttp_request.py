"""An aiohttp transport for python-telegram-bot, through PTB's own ``BaseRequest`` extension point.

PTB's default transport (httpx) spends about a millisecond of CPU per request; at nudge
volumes that is the whole budget. aiohttp does the same work in a fraction of it, which is
what lets one process approach Telegram's paid-broadcast ceiling (``bench/bench_dispatch.py``).
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class NotSent(NetworkError):
    """The connection never opened: Telegram cannot have seen the request."""


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connection_pool_size: int = 64,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        parameters = request_data.json_parameters if request_data else {}
        body: aiohttp.FormData | dict[str, str] = parameters
        if files:
            form = aiohttp.FormData()
            for name, value in parameters.items():
                form.add_field(name, value)
            for name, upload in files.items():
                filename, content, mimetype = _unpack(upload)
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientConnectorError as error:
            # The connection never opened, so Telegram cannot have seen the request.
            raise NotSent(f"aiohttp.{type(error).__name__}: {error}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _unpack(upload: object) -> tuple[str | None, bytes, str | None]:
    """PTB hands files as ``(filename, content, mimetype)`` or as bare content."""
    if isinstance(upload, tuple):
        if len(upload) == 3:
            return upload[0], upload[1], upload[2]
        return upload[0], upload[1], None
    assert isinstance(upload, bytes)
    return None, upload, None
