"""The ASGI app: Telegram's webhook, ``/healthz`` and ``/metrics`` — PTB's
``customwebhookbot`` pattern, with the update handled before Telegram gets its answer.

The webhook answers only once the update went through its unit of work: its effect and
its ``update_id`` in the inbox are committed in one transaction, so a process that dies
after answering has lost nothing, and one that dies before answering is asked again by
Telegram — the copy then finds its ``update_id`` and changes nothing. A failed update gets
500, so Telegram tries it again. Another part of the bot (a Mini App, say) adds its routes
through ``extra_routes``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from json import JSONDecodeError

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot.context import Services
from bot.observed import ObservedApplication
from scheduling.metrics import OUTBOX_DEPTH, OUTBOX_OLDEST_SECONDS
from storage import outbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: /healthz waits this long for the database before calling it down.
HEALTH_TIMEOUT = 3.0


@dataclass(frozen=True)
class Webhook:
    """Where Telegram POSTs updates, and the secret it sends along."""

    path: str
    secret: str


def build_web_app(
    application: ObservedApplication,
    *,
    webhook: Webhook | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """``/healthz`` and ``/metrics``; the webhook route when ``webhook`` is given."""
    services = application.bot_data["services"]
    assert isinstance(services, Services)

    async def healthz(_: Request) -> Response:
        """200 while the database answers; 503 otherwise (a load balancer stops sending)."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await services.db.ping()
        except Exception as error:
            log.warning("health check: the database does not answer (%s)", type(error).__name__)
            return PlainTextResponse("database unavailable\n", status_code=503)
        return PlainTextResponse("ok\n")

    async def metrics(_: Request) -> Response:
        """Prometheus' text format; the outbox gauges are read from the database now."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), services.db.transaction() as session:
                backlog = await outbox.backlog(session)
        except Exception as error:  # the counters are still worth serving
            log.warning("metrics: could not read the outbox (%s)", type(error).__name__)
        else:
            OUTBOX_DEPTH.set(backlog.depth)
            oldest = backlog.oldest
            age = 0.0 if oldest is None else (services.clock() - oldest).total_seconds()
            OUTBOX_OLDEST_SECONDS.set(max(0.0, age))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    if webhook is not None:
        routes.append(Route(webhook.path, _receiver(application, webhook), methods=["POST"]))
    routes.extend(extra_routes)
    return Starlette(routes=routes)


def _receiver(
    application: ObservedApplication, webhook: Webhook
) -> Callable[[Request], Awaitable[Response]]:
    expected = webhook.secret.encode()

    async def receive(request: Request) -> Response:
        """One update from Telegram: checked, handled, then answered (see the module)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook: a request without the right secret was refused")
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (JSONDecodeError, KeyError, TypeError, ValueError):
            return Response(status_code=400)
        outcome = await application.process(update)
        return Response(status_code=500 if outcome == "failed" else 200)

    return receive
