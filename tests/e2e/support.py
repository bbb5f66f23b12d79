"""Small helpers for the end-to-end tests: tapping buttons, reading the database back.

Everything observable goes through the fake Bot API (what a person sees) or through the
storage models (what the bot remembered); nothing of the bot itself is mocked.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from storage.models import ConnectionEvent, Couple, Invite, PairAttempt, User
from tests.e2e.conftest import Harness, pair
from tests.fake_telegram import BotMessage, CallbackAnswer, FakeUser, RecordedRequest

LINK_RE = re.compile(r"https://t\.me/microconnect_test_bot\?start=([A-Z2-7]{16})")
CODE_RE = re.compile(r"/pair ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})")


async def tap(user: FakeUser, text: str, *, message_id: int | None = None) -> CallbackAnswer:
    """Press an inline button by its label and return the bot's answer to that press."""
    await user.press(text, message_id=message_id)
    return await user.next_callback_answer()


async def tap_data(user: FakeUser, data: str, *, message_id: int | None = None) -> CallbackAnswer:
    """Send raw callback data (a forged or stale button) and return the bot's answer."""
    await user.press_data(data, message_id=message_id)
    return await user.next_callback_answer()


async def press_together(h: Harness, *presses: tuple[FakeUser, str, int]) -> list[CallbackAnswer]:
    """Queue several presses (user, callback data, message id) before the bot sees any of
    them — a double tap, or two people tapping at once — and return their answers in order."""
    queries = [await user.press_data(data, message_id=mid) for user, data, mid in presses]

    def answer_to(query_id: str) -> Callable[[RecordedRequest], bool]:
        return lambda r: r.ok and r.params["callback_query_id"] == query_id

    answered = await asyncio.gather(
        *(h.fake.wait_for_request("answerCallbackQuery", answer_to(q["id"])) for q in queries)
    )
    return [
        CallbackAnswer(
            callback_query_id=r.params["callback_query_id"],
            text=r.params.get("text"),
            show_alert=bool(r.params.get("show_alert")),
            url=None,
            cache_time=None,
        )
        for r in answered
    ]


def assert_no_error_shown(h: Harness) -> None:
    """Nobody was shown "something went wrong" (as a message or a button alert)."""
    for r in h.fake.requests:
        shown = r.params.get("text")
        assert not (isinstance(shown, str) and shown.startswith("Sorry — something went wrong")), r


async def say(user: FakeUser, text: str) -> BotMessage:
    """Send a text and return the bot's next message to this person."""
    await user.send(text)
    return await user.next_message()


def button_data(msg: BotMessage, text: str) -> str:
    """The callback data behind one inline button (to replay it later, or from elsewhere)."""
    for row in msg.buttons:
        for button in row:
            if button.text == text and button.callback_data is not None:
                return button.callback_data
    raise AssertionError(f"no button {text!r} on {msg.describe()}")


@dataclass(frozen=True)
class Invitation:
    message: BotMessage
    code: str  # canonical, from the deep link
    display_code: str  # grouped, from "/pair XXXX-XXXX-XXXX-XXXX"


def read_invitation(msg: BotMessage) -> Invitation:
    link = LINK_RE.search(msg.body)
    shown = CODE_RE.search(msg.body)
    assert link and shown, f"not an invitation: {msg.describe()}"
    return Invitation(msg, link.group(1), shown.group(1))


async def invite(user: FakeUser) -> Invitation:
    """``/invite``, and the link and code it gives (the user must have talked to the bot)."""
    await user.send("/invite")
    return read_invitation(await user.wait_for(lambda m: "t.me/" in m.body))


async def start(user: FakeUser) -> None:
    """``/start`` and read the welcome and time-zone question."""
    await user.send("/start")
    await user.wait_for(lambda m: "where in the world" in m.body)


async def start_with_zone(user: FakeUser, city: str = "Berlin") -> None:
    """``/start`` and pick a time zone button, as a new person would."""
    await start(user)
    question = user.chat[-1]
    await tap(user, city, message_id=question.message_id)
    await user.wait_for_edit(question.message_id)


async def pair_up(h: Harness, first: FakeUser, second: FakeUser) -> None:
    """Two newcomers each say hello and pick a time zone, then pair (first invites)."""
    await start_with_zone(first)
    await start_with_zone(second)
    await pair(h, first, second)


# -- the database, read back through the storage models ----------------------------------------


async def user_row(h: Harness, user_id: int) -> User | None:
    async with h.db.transaction() as session:
        return await session.get(User, user_id)


async def events(h: Harness, actor_id: int | None = None) -> list[ConnectionEvent]:
    statement = select(ConnectionEvent).order_by(ConnectionEvent.id)
    if actor_id is not None:
        statement = statement.where(ConnectionEvent.actor_id == actor_id)
    async with h.db.transaction() as session:
        return list((await session.execute(statement)).scalars())


async def couples(h: Harness) -> list[Couple]:
    async with h.db.transaction() as session:
        return list((await session.execute(select(Couple).order_by(Couple.id))).scalars())


async def invites(h: Harness, inviter_id: int | None = None) -> list[Invite]:
    statement = select(Invite).order_by(Invite.id)
    if inviter_id is not None:
        statement = statement.where(Invite.inviter_id == inviter_id)
    async with h.db.transaction() as session:
        return list((await session.execute(statement)).scalars())


async def pair_attempts(h: Harness, user_id: int) -> int:
    statement = select(PairAttempt).where(PairAttempt.user_id == user_id)
    async with h.db.transaction() as session:
        return len((await session.execute(statement)).scalars().all())


async def snapshot(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Everything pairing and logging can change, to prove that something changed nothing.

    (Failed pairing attempts are left out: counting them is the point of rate limiting.)
    """
    async with h.db.transaction() as session:
        people = (await session.execute(select(User).order_by(User.id))).scalars()
        pairs = (await session.execute(select(Couple).order_by(Couple.id))).scalars()
        codes = (await session.execute(select(Invite).order_by(Invite.id))).scalars()
        moments = (
            await session.execute(select(ConnectionEvent).order_by(ConnectionEvent.id))
        ).scalars()
        return {
            "users": [(u.id, u.first_name, u.timezone, u.couple_id, u.awaiting) for u in people],
            "couples": [(c.id, c.first_id, c.second_id, c.ended_at) for c in pairs],
            "invites": [
                (i.id, i.code_hash, i.inviter_id, i.expires_at, i.used_at, i.used_by_id)
                for i in codes
            ],
            "events": [(e.id, e.couple_id, e.actor_id, e.kind, e.source, e.note) for e in moments],
        }
