"""An aiohttp transport for python-telegram-bot, through PTB's own ``BaseRequest`` extension point.

PTB's default transport (httpx) spends about a millisecond of CPU per request; at nudge
volumes that is the whole budget. aiohttp does the same work in a fraction of it, which is
what lets one process approach Telegram's paid-broadcast ceiling (``bench/bench_dispatch.py``).
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest", "NotSent"]

#: The class of PTB's "argument not passed" marker, reached through public names only.
_DefaultValue = type(BaseRequest.DEFAULT_NONE)


class NotSent(NetworkError):
    """The connection never opened: Telegram cannot have seen the request.

    Raised only when aiohttp failed before writing a byte: the connector could not connect
    (``aiohttp.ClientConnectorError`` and its subclasses: refused, DNS, TLS handshake,
    proxy) or timed out connecting or waiting for a pooled connection
    (``aiohttp.ConnectionTimeoutError``). Sending again cannot duplicate anything.

    Every other failure is raised as PTB's plain ``NetworkError`` (the server disconnected,
    the response was cut short) or ``TimedOut`` (no answer in time after the request was
    written), and means *fate unknown*: Telegram may have received the request and
    delivered the message, so retrying may show it twice. That includes failing to write to
    a pooled keep-alive connection the server had already closed: part of the request may
    have left, so it is not claimed to be unsent.
    """


class AiohttpRequest(BaseRequest):
    """PTB's ``BaseRequest`` over aiohttp; see :class:`NotSent` for what its errors mean."""

    def __init__(
        self,
        connection_pool_size: int = 64,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
    ) -> None:
        """Only connecting and reading are timed: aiohttp has no separate write timeout."""
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
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

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Telegram's answer, with every string made storable text.

        JSON may carry ``\\u0000`` and lone surrogates (``\\ud800``), which no database
        column can hold (PostgreSQL refuses NUL; UTF-8 has no surrogates): NUL goes, a lone
        surrogate becomes U+FFFD. Only answers that contain such an escape are walked.
        """
        data: dict[str, Any] = BaseRequest.parse_json_payload(payload)
        if _SUSPECT_ESCAPE.search(payload) is None:
            return data
        cleaned: dict[str, Any] = _clean(data)
        return cleaned

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # PTB's own annotation is a private alias (``ODVInput[float]``); ``object`` is wider,
        # which an override may be, and the values are narrowed by ``_timeout`` below.
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
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
        read = _timeout(read_timeout, self._read_timeout)
        connect = _timeout(connect_timeout, self._connect_timeout)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            # Raised by the connector, before anything was written.
            raise NotSent(_describe(error)) from error
        except TimeoutError as error:
            # After the request was (perhaps partly) written: Telegram may have it.
            raise TimedOut(_describe(error)) from error
        except aiohttp.ClientError as error:
            raise NetworkError(_describe(error)) from error


#: ``\u0000`` or a surrogate escape (``\ud800``-``\udfff``) in raw JSON.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: Any) -> Any:
    """``value`` with NUL removed from every string and lone surrogates replaced."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    return value


def _timeout(value: object, default: float | None) -> float | None:
    """A per-call timeout as PTB passes it: unset (its default marker), None, or seconds."""
    if value is None:
        return None
    if isinstance(value, _DefaultValue):
        return default
    if isinstance(value, int | float):
        return float(value)
    raise TypeError(f"a timeout must be a number of seconds or None, not {value!r}")


def _describe(error: BaseException) -> str:
    return f"aiohttp.{type(error).__name__}: {error}"


def _unpack(upload: object) -> tuple[str | None, bytes, str | None]:
    """PTB hands files as ``(filename, content, mimetype)`` or as bare content."""
    if isinstance(upload, tuple):
        if len(upload) == 3:
            return upload[0], upload[1], upload[2]
        return upload[0], upload[1], None
    assert isinstance(upload, bytes)
    return None, upload, None
