"""The update inbox: each id once, kept for a few days, never a running maximum."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.values.clock import ManualClock
from scheduling.service import INBOX_RETENTION
from storage import inbox
from storage.database import Database
from storage.delivery_models import ProcessedUpdate
from storage.inbox import AlreadyHandled


async def test_each_update_id_is_handled_once_within_the_retention(
    db: Database, clock: ManualClock
) -> None:
    async with db.transaction() as session:
        await inbox.record(session, 500, clock())
        await inbox.record(session, 7, clock())  # ids restart at random: no maximum kept
    with pytest.raises(AlreadyHandled):
        async with db.transaction() as session:
            await inbox.record(session, 500, clock())

    clock.advance(INBOX_RETENTION + timedelta(minutes=1))
    async with db.transaction() as session:
        await inbox.record(session, 8, clock())
        assert await inbox.forget_before(session, clock() - INBOX_RETENTION) == 2
    async with db.transaction() as session:
        await inbox.record(session, 500, clock())  # a new update that reuses an old id
        assert await session.get(ProcessedUpdate, 8) is not None
