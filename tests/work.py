"""Calling use cases the way the bot does: each in one unit of work of its own."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from domain import accounts
from domain.accounts import Profile
from domain.work import Work, unit_of_work
from storage.database import Database

T = TypeVar("T")
#: For use cases that do not look at the time (the unit of work still needs one).
SOME_TIME = datetime(2026, 11, 26, 9, tzinfo=UTC)


async def act(
    db: Database,
    user_id: int,
    use_case: Callable[..., Any],
    *args: Any,
    now: datetime = SOME_TIME,
    **kwargs: Any,
) -> Any:
    """``use_case(work, *args, **kwargs)`` for a person the bot knows, committed on return."""
    async with unit_of_work(db, user_id=user_id, first_name=None, now=now) as work:
        result = use_case(work, *args, **kwargs)
        return await result if inspect.isawaitable(result) else result


async def register(db: Database, user_id: int, first_name: str, now: datetime) -> Profile:
    """What any message from the person does first: register them (or refresh their name)."""
    async with unit_of_work(db, user_id=user_id, first_name=first_name, now=now) as work:
        return await accounts.profile(work)


def _work_type_check(work: Work) -> Work:  # keeps the import meaningful for readers
    return work
