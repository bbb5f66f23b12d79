"""Running the bot until SIGTERM, by polling or by webhook, and stopping it gracefully.

One runner for both modes, instead of ``run_polling``, so the web server (the webhook, or
``/healthz`` and ``/metrics`` on ``METRICS_PORT`` while polling) and the bot stop in one
order: no new updates are taken (polling stops; the web server stops accepting and lets
the requests in flight finish), no new outbox rows are claimed, the updates and sends in
flight finish and are recorded, the database connections are given back — then exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import uvicorn
from telegram import Bot
from telegram.constants import UpdateType
from telegram.error import NetworkError
from tenacity import AsyncRetrying, before_sleep_log, retry_if_exception_type, wait_exponential

from bot.context import Services
from bot.observed import ObservedApplication
from bot.settings import Settings
from bot.web.server import Webhook, build_web_app
from bot.webapp import webapp_routes

log = logging.getLogger("microconnect")

#: The updates the bot has handlers for (what Telegram is asked to send to the webhook).
WEBHOOK_UPDATES = (UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY)
#: How long the web server lets requests in flight finish after SIGTERM.
GRACE_SECONDS = 10


class WebServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the runner stops it, in its order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run(application: ObservedApplication, settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT; then stop gracefully (see the module)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        server, listening = web_server(application, settings) or (None, None)
    except OSError as error:  # the port is taken, say: one line, not a traceback
        raise SystemExit(f"microconnect: cannot start the web server: {error}") from None
    async with application:  # initialize(), and shutdown() at the end
        if application.post_init is not None:
            await application.post_init(application)
        if settings.mode == "webhook":
            await register_webhook(application.bot, settings)
        await application.start()
        if application.updater is not None:
            await application.updater.start_polling(
                drop_pending_updates=False, bootstrap_retries=-1
            )
            log.info("polling Telegram for updates")
        serving = None
        if server is not None and listening is not None:
            serving = asyncio.create_task(server.serve([listening]), name="web server")
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([t for t in (stopping, serving) if t], return_when="FIRST_COMPLETED")
        log.info("stopping: finishing the updates and sends in flight")
        services = application.bot_data["services"]
        assert isinstance(services, Services)
        if services.nudges is not None:
            services.nudges.stop_claiming()
        if server is not None and serving is not None:
            server.should_exit = True
            await serving
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        await application.stop()  # waits for updates in flight and running jobs
        if application.post_stop is not None:
            await application.post_stop(application)
    stopping.cancel()
    await services.db.dispose()
    log.info("stopped")
    if not stop.is_set():
        raise SystemExit("microconnect: the web server stopped unexpectedly")


def _port(settings: Settings) -> int | None:
    return settings.web_port if settings.mode == "webhook" else settings.metrics_port


def web_server(
    application: ObservedApplication,
    settings: Settings,
    *,
    listening: socket.socket | None = None,
) -> tuple[WebServer, socket.socket] | None:
    """The server and its listening socket, bound now (unless given): a port in use is an
    OSError here, before anything started, not an exit from inside uvicorn."""
    port = _port(settings)
    if port is None:
        return None
    webhook = None
    if settings.mode == "webhook":
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        path = urlsplit(settings.webhook_url).path or "/"
        webhook = Webhook(path=path, secret=settings.webhook_secret.get_secret_value())
    services = application.bot_data["services"]
    assert isinstance(services, Services)
    mini_app = []
    if settings.mode == "webhook" and settings.web_app_url is not None:
        mini_app = webapp_routes(services, settings.telegram_bot_token)
    config = uvicorn.Config(
        build_web_app(application, webhook=webhook, extra_routes=mini_app),
        host=settings.web_host,
        port=port,
        lifespan="off",
        log_config=None,  # our logging (redaction, JSON) for uvicorn's lines too
        access_log=False,  # a line per update is the bot's own (bot/observed.py)
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    family = socket.AF_INET6 if ":" in settings.web_host else socket.AF_INET
    if listening is None:
        listening = socket.create_server((settings.web_host, port), family=family)
    what = "the webhook, /healthz and /metrics" if webhook else "/healthz and /metrics"
    log.info("serving %s on %s:%d", what, settings.web_host, port)
    return WebServer(config), listening


async def register_webhook(bot: Bot, settings: Settings) -> None:
    """setWebhook, unless Telegram already sends to this URL (another process set it).

    Telegram does not show the secret; so a new ``WEBHOOK_SECRET`` needs a new URL, or
    ``deleteWebhook`` first (README, "Polling or webhook").
    """
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    retrying = AsyncRetrying(  # Telegram's 5xx and time-outs: again, with back-off
        retry=retry_if_exception_type(NetworkError),
        wait=wait_exponential(multiplier=1, min=1, max=60),
        before_sleep=before_sleep_log(log, logging.WARNING),
    )
    async for attempt in retrying:
        with attempt:
            info = await bot.get_webhook_info()
            if info.url == settings.webhook_url:
                log.info("the webhook is already set to this URL; leaving it as it is")
                return
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=list(WEBHOOK_UPDATES),
                max_connections=settings.webhook_max_connections,
                drop_pending_updates=False,
            )
    log.info("webhook set; Telegram now sends updates to this bot's URL")
