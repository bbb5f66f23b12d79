"""The Mini App's routes: the page, its files, and a JSON API that reads only the caller's couple.

Every API call must carry Telegram's signed ``initData`` (``Authorization: tma <initData>``);
without a valid one the answer is 401 and nothing is read. The person is the one Telegram
signed for — no id is ever taken from the URL or the body — and each call runs in one unit
of work of its own (:func:`domain.work.unit_of_work`), like an update in the chat.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.context import Services
from bot.handlers.moments import logged_text
from bot.webapp import changes, views
from bot.webapp.init_data import InitDataRejected, verified_user
from domain import history, moments, nudge_settings, weekly
from domain.values.kinds import MomentKind
from domain.values.results import NotPaired
from domain.work import Stranger, Work, unit_of_work
from messages import webapp as words
from messages.i18n import choose, speaking
from messages.rituals import MOMENTS_BY_KIND

STATIC: Final = Path(__file__).parent / "static"
#: The page runs only its own files and Telegram's script, and talks only to this server:
#: a note a partner typed can never become code, and nothing leaves for anywhere else.
PAGE_POLICY: Final = (
    "default-src 'self'; script-src 'self' https://telegram.org; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'"
)
#: How far back "tap to earlier weeks" goes: a year.
MAX_WEEKS_AGO: Final = 52
#: The page names each tap (a random token), so a tap sent twice is logged once.
_TAP: Final = re.compile(r"[A-Za-z0-9_-]{8,40}")

Use = Callable[[Request, Work], Awaitable[dict[str, Any]]]


class BadRequest(ValueError):
    """The page sent something the API cannot use: 422, and nothing changed."""


def webapp_routes(
    services: Services, bot_token: SecretStr, prefix: str = "/app"
) -> list[BaseRoute]:
    """The page at ``prefix/`` (what ``WEB_APP_URL`` points to), its files and its API."""

    def api(use: Use) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            now = services.clock()
            scheme, _, init_data = request.headers.get("authorization", "").partition(" ")
            try:
                if scheme.lower() != "tma":
                    raise InitDataRejected("no initData")
                person = verified_user(init_data, bot_token.get_secret_value(), now)
            except InitDataRejected:
                return JSONResponse({"error": words.SIGNED_OUT}, status_code=401)
            rng = None if services.nudges is None else services.nudges.rng
            # The page speaks the chat's language: their choice, else their app's.
            language = choose(None, person.language_code)
            try:
                async with unit_of_work(
                    services.db,
                    user_id=person.id,
                    first_name=None,
                    now=now,
                    rng=rng,
                    language_code=person.language_code,
                ) as work:
                    language = choose(work.me.language, work.me.telegram_language)
                    with speaking(language):
                        body = await use(request, work)
            except Stranger:
                with speaking(language):
                    return JSONResponse({"error": words.SAY_START}, status_code=403)
            except changes.Refused as refused:
                return JSONResponse({"error": refused.text}, status_code=422)
            except BadRequest:
                with speaking(language):
                    return JSONResponse({"error": words.BAD_REQUEST}, status_code=422)
            if work.owed and services.nudges is not None:
                services.nudges.wake()  # the chat's confirmation goes out now
            return JSONResponse(body, headers={"Cache-Control": "no-store"})

        return endpoint

    async def index(_: Request) -> Response:
        headers = {"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY}
        return FileResponse(STATIC / "index.html", headers=headers)

    return [
        Route(f"{prefix}/", index),
        Route(f"{prefix}/api/words", api(page_words)),
        Route(f"{prefix}/api/week", api(week)),
        Route(f"{prefix}/api/history", api(story)),
        Route(f"{prefix}/api/moments", api(recent_moments)),
        Route(f"{prefix}/api/moments", api(log_moment), methods=["POST"]),
        Route(f"{prefix}/api/settings", api(current_settings)),
        Route(f"{prefix}/api/settings", api(change_setting), methods=["POST"]),
        Mount(f"{prefix}/static", StaticFiles(directory=STATIC), name="webapp-static"),
    ]


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as error:
        raise BadRequest("not JSON") from error
    if not isinstance(body, dict):
        raise BadRequest("not an object")
    return body


def _not_paired() -> dict[str, Any]:
    return {"paired": False, "error": words.NOT_PAIRED}


async def page_words(_: Request, __: Work) -> dict[str, Any]:
    """The page's own labels, weekday names and plurals, in the person's language."""
    return words.page_words()


async def week(request: Request, work: Work) -> dict[str, Any]:
    """ "Our week" (``?weeks_ago=N`` for an earlier one): the chat's weekly reflection."""
    typed = request.query_params.get("weeks_ago", "0")
    if not typed.isdigit() or int(typed) > MAX_WEEKS_AGO:
        raise BadRequest(typed)
    reflection = await weekly.weekly_reflection(work.session, work.me.id, work.now, int(typed))
    return _not_paired() if isinstance(reflection, NotPaired) else views.week(reflection)


async def story(_: Request, work: Work) -> dict[str, Any]:
    result = await history.story(work)
    return _not_paired() if isinstance(result, NotPaired) else views.story(result)


async def recent_moments(_: Request, work: Work) -> dict[str, Any]:
    result = await history.recent(work, limit=30)
    return _not_paired() if isinstance(result, NotPaired) else views.moments(result)


async def log_moment(request: Request, work: Work) -> dict[str, Any]:
    """The chat's "log a moment" buttons: the same use case, one moment per tap."""
    body = await _body(request)
    tap = body.get("tap")
    try:
        kind = MomentKind(str(body.get("kind")))
    except ValueError as error:
        raise BadRequest("kind") from error
    if kind not in MOMENTS_BY_KIND or not isinstance(tap, str) or not _TAP.fullmatch(tap):
        raise BadRequest("kind or tap")
    logged = await moments.log_moment(work, kind, dedupe_key=f"web:{tap}")
    if isinstance(logged, NotPaired):
        return _not_paired()
    return {"logged": True, "duplicate": logged.duplicate, "said": views.plain(logged_text(kind))}


async def current_settings(_: Request, work: Work) -> dict[str, Any]:
    return views.settings(await nudge_settings.load_settings(work))


async def change_setting(request: Request, work: Work) -> dict[str, Any]:
    """One change, saved at once; the chat confirms it in its own words."""
    new, said = await changes.apply(work, await _body(request))
    await changes.confirm_in_chat(work, said)
    return {**views.settings(new), "said": views.plain(said)}
