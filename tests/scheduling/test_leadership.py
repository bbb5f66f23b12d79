"""One sender for a fleet of processes on one PostgreSQL database (scheduling/leadership.py).

Each ``Database`` here stands for one process: its own engine, its own connections.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from domain.values.clock import ManualClock
from scheduling.delivery import Deliveries
from scheduling.leadership import Leadership
from scheduling.sender import Outcome, Outgoing, SendResult
from scheduling.service import NudgeService
from storage.database import Database
from storage.migrate import upgrade_to_head
from tests.conftest import POSTGRES_URL, throwaway_postgres_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL is not set"),
]


@pytest.fixture
async def processes() -> AsyncIterator[tuple[Database, Database]]:
    """Two "processes" (engines) on one fresh PostgreSQL database."""
    assert POSTGRES_URL
    async with throwaway_postgres_database(POSTGRES_URL) as url:
        first, second = Database.from_url(url), Database.from_url(url)
        await upgrade_to_head(first.engine)
        try:
            yield first, second
        finally:
            await first.dispose()
            await second.dispose()


class _NoSends:
    async def send(self, message: Outgoing) -> SendResult:
        return SendResult(Outcome.SENT, message_id=1)


def _service(db: Database, clock: ManualClock) -> NudgeService:
    return NudgeService(db, Deliveries(db, _NoSends(), clock), clock, random.Random(1))


async def test_exactly_one_process_leads_and_another_takes_over_when_it_leaves(
    processes: tuple[Database, Database],
) -> None:
    a, b = Leadership(processes[0]), Leadership(processes[1])
    try:
        assert await a.leading()
        assert not await b.leading()
        assert await a.leading(), "the sender stays the sender"
        await a.close()  # shutting down gives the role back at once
        assert await b.leading()
        assert not await a.leading()
    finally:
        await a.close()
        await b.close()


async def test_a_sender_whose_connection_drops_loses_the_role_and_another_takes_it(
    processes: tuple[Database, Database],
) -> None:
    """What a SIGKILL or a network cut looks like to PostgreSQL: the session ends."""
    a, b = Leadership(processes[0]), Leadership(processes[1])
    try:
        assert await a.leading()
        async with processes[1].transaction() as session:
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = :key"
                ),
                {"key": 0x6D63_0001},
            )
        assert await b.leading()
        assert not await a.leading()
    finally:
        await a.close()
        await b.close()


async def test_periodic_jobs_run_in_one_process_only(
    processes: tuple[Database, Database], clock: ManualClock
) -> None:
    services = [_service(db, clock) for db in processes]
    runs: list[int] = []

    def job(n: int) -> object:
        async def run() -> None:
            runs.append(n)

        return run

    try:
        for _ in range(3):  # three ticks, in both processes
            await asyncio.gather(*(s.tick(job(n)) for n, s in enumerate(services)))  # type: ignore[arg-type]
        assert len(runs) == 3 and len(set(runs)) == 1, runs
    finally:
        for service in services:
            await service.close()


async def test_a_process_that_is_not_the_sender_wakes_the_sender(
    processes: tuple[Database, Database],
) -> None:
    """Outbox rows committed in any process are sent at once, by the sender."""
    woken = asyncio.Event()
    sender = Leadership(processes[0], on_wake=woken.set)
    other = Leadership(processes[1])
    try:
        assert await sender.leading()
        assert not await other.leading()
        await other.hand_over()
        async with asyncio.timeout(5):
            await woken.wait()
    finally:
        await sender.close()
        await other.close()
