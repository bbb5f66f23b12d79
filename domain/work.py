"""One update, one unit of work: its transaction, its moment, and the person it comes from.

The bot opens exactly one :func:`unit_of_work` per Telegram update. Inside it the update's
id is claimed in the inbox (a repeated update raises :class:`AlreadyHandled` and changes
nothing), the person is registered or refreshed once, and every use case of the update
works on the same session — so the whole effect commits once, or not at all. Messages the
bot owes someone else (relays, notices) are written to the outbox in that same
transaction with :meth:`Work.owe`; the caller sends them after the commit.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain import limits
from domain.values.kinds import Delivery
from domain.values.limits import ACT, RELAY
from storage import inbox, outbox, users
from storage.database import Database
from storage.inbox import AlreadyHandled
from storage.models import User

__all__ = ["AlreadyHandled", "Stranger", "Work", "claim_update", "unit_of_work"]


class Stranger(LookupError):
    """A button pressed by someone the bot does not know (any more): nothing is stored."""


@dataclass
class Work:
    """What a use case works with: the update's session, its time, and the person."""

    session: AsyncSession
    now: datetime
    me: User
    #: Outbox rows written so far; the bot wakes the sender after the commit when non-zero.
    owed: int = field(default=0)
    #: Draws nudge times when a settings change plans the rest of the day at once.
    rng: random.Random = field(default_factory=random.Random)
    #: Whether nudges planned right away are decision points with a draw (issue #12).
    randomize: bool = True

    async def owe(
        self,
        chat_id: int,
        kind: Delivery,
        payload: dict[str, Any],
        *,
        couple_id: int | None = None,
        dedupe_key: str | None = None,
        from_me: bool = True,
    ) -> bool:
        """Write a message owed to ``chat_id`` in this unit of work (sent after the commit).

        False when this ``dedupe_key`` was owed already: nothing new is written. A message
        from the person spends a token of their ``RELAY`` bucket: a flood raises
        :class:`~domain.limits.Throttled` and nothing of the update commits.
        """
        if from_me:
            await limits.take(self.session, self.me.id, RELAY, self.now)
        row = await outbox.enqueue(
            self.session,
            chat_id=chat_id,
            kind=kind,
            payload=payload,
            now=self.now,
            sender_id=self.me.id if from_me else None,
            couple_id=couple_id,
            dedupe_key=dedupe_key,
        )
        if row is None:
            return False
        self.owed += 1
        return True


@asynccontextmanager
async def unit_of_work(
    db: Database,
    *,
    user_id: int,
    first_name: str | None,
    now: datetime,
    update_id: int | None = None,
    register: bool = True,
    rng: random.Random | None = None,
    randomize: bool = True,
    language_code: str | None = None,
) -> AsyncIterator[Work]:
    """One transaction for one update from ``user_id``; commits when the block ends cleanly.

    An update spends a token of the person's ``ACT`` bucket; a flood raises
    :class:`~domain.limits.Throttled` (rolled back, nothing changed).

    ``update_id`` (None only for tests and tools) is claimed first, so two copies of one
    update never both take effect: the second raises :class:`AlreadyHandled`. A message
    registers its sender; a button (``register=False``) only works for someone the bot
    knows — after ``/forget_me`` an old button must not bring the person back — and raises
    :class:`Stranger` otherwise. Without a ``first_name`` (tools, tests) the person must be
    known already. ``rng`` draws nudge times planned right away (the planner's own, so tests
    that fix it fix these too). ``language_code`` is Telegram's for the person, kept so
    their language follows their app until they choose one.
    """
    async with db.transaction() as session:
        if update_id is not None:
            await inbox.record(session, update_id, now)
        if first_name is None or not register:
            known = await users.get(session, user_id)
            if known is None:
                raise Stranger(user_id)
            if first_name is not None:
                known.first_name = first_name[:128]
            if language_code:
                known.telegram_language = language_code[:16]
            me = known
        else:
            me = await users.upsert(session, user_id, first_name, now, language_code)
        if update_id is not None:  # every update from a person spends a token
            try:
                await limits.take(session, me.id, ACT, now)
            except limits.Gone:
                raise Stranger(user_id) from None
        yield Work(session, now, me, rng=rng or random.Random(), randomize=randomize)


async def claim_update(db: Database, update_id: int, now: datetime) -> None:
    """Claim an update that has no person to register (a group message); raises
    :class:`AlreadyHandled` for a repeat."""
    async with db.transaction() as session:
        await inbox.record(session, update_id, now)
