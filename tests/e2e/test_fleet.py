"""Two real bot processes on one PostgreSQL database: everything happens once.

Telegram lets one process long-poll a token, so each process polls a fake Bot API of its
own, and every update is handed to both (``deliver_again``, same ``update_id``) — what a
retrying Telegram does to a fleet. Replies go to whichever fake the winning process talks
to, so every count here is over both. Real subprocesses, real wall clock; the tests poll
for conditions with timeouts, never sleep for timing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.models import ConnectionEvent, Nudge, NudgeStatus
from tests.conftest import POSTGRES_URL, throwaway_postgres_database
from tests.e2e.conftest import TOKEN
from tests.e2e.test_crash import CONCURRENCY, FIRST, _bot, _is_nudge, _seed, _sent_to, _until
from tests.fake_telegram import FakeTelegram

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL is not set"),
]

SENDER = "this process is the sender"
Fakes = tuple[FakeTelegram, FakeTelegram]


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    assert POSTGRES_URL
    async with throwaway_postgres_database(POSTGRES_URL) as url:
        yield url


@asynccontextmanager
async def _fakes(people: int) -> AsyncIterator[Fakes]:
    async with FakeTelegram(token=TOKEN) as a, FakeTelegram(token=TOKEN) as b:
        for fake in (a, b):
            for n in range(people):
                fake.user(FIRST + n, f"P{n}")
        yield a, b


def _both(
    fakes: tuple[FakeTelegram, FakeTelegram], predicate: Callable[[str], bool]
) -> Counter[int]:
    return _sent_to(fakes[0], predicate) + _sent_to(fakes[1], predicate)


async def _open_rows(db: Database) -> int:
    async with db.transaction() as session:
        count = await session.scalar(select(func.count()).where(Nudge.status.in_(NudgeStatus.OPEN)))
    return int(count or 0)


async def test_two_processes_do_everything_once(postgres_url: str, tmp_path: Path) -> None:
    people, writers = 40, 10
    db = Database.from_url(postgres_url)
    await upgrade_to_head(db.engine)
    await _seed(db, people, datetime.now(UTC))
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    try:
        async with _fakes(people) as fakes, AsyncExitStack() as bots:
            for fake, log in zip(fakes, logs, strict=True):
                await bots.enter_async_context(_bot(fake, postgres_url, log))
            for fake in fakes:
                await fake.wait_for_poller(timeout=60)
            for n in range(0, 2 * writers, 2):  # one partner of each couple writes
                writer = fakes[0].user(FIRST + n)
                await writer.send(f"/thinking note {n}")
                await fakes[1].deliver_again(fakes[0].updates[-1])

            def replied() -> bool:
                return sum(_both(fakes, lambda t: t.startswith("Sent 💌")).values()) >= writers

            def relayed() -> bool:
                return sum(_both(fakes, lambda t: "note " in t).values()) >= writers

            async def nudged() -> bool:
                return await _open_rows(db) == 0

            await _until(replied, 60, f"not every update was answered; see {logs}")
            await _until(relayed, 60, f"not every relay was sent; see {logs}")
            await _until(nudged, 60, f"nudges still due; see {logs}")
            for fake in fakes:
                await fake.wait_until_quiet(timeout=30)
        replies = _both(fakes, lambda t: t.startswith("Sent 💌"))
        relays = _both(fakes, lambda t: "note " in t)
        nudges = _both(fakes, _is_nudge)
        async with db.transaction() as session:
            notes = list(await session.scalars(select(ConnectionEvent.note)))
        assert sorted(replies) == [FIRST + n for n in range(0, 2 * writers, 2)]
        assert set(replies.values()) == {1}, "a reply was sent twice"
        assert sorted(relays) == [FIRST + n + 1 for n in range(0, 2 * writers, 2)]
        assert set(relays.values()) == {1}, "a relay was sent twice"
        assert Counter(notes) == Counter(f"note {n}" for n in range(0, 2 * writers, 2))
        assert len(nudges) == people and set(nudges.values()) == {1}
        leaders = [log.read_text().count(SENDER) for log in logs]
        assert sorted(leaders) == [0, 1], f"one sender for the whole run: {leaders}"
    finally:
        await db.dispose()


async def test_sigkill_of_the_sender_mid_batch_doubles_nothing_and_loses_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    """The other process takes over the sending; only what was in flight is "maybe"."""
    people, kill_after = 300, 90
    db = Database.from_url(postgres_url)
    await upgrade_to_head(db.engine)
    await _seed(db, people, datetime.now(UTC))
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    try:
        async with _fakes(people) as fakes, AsyncExitStack() as bots:
            processes = [
                await bots.enter_async_context(_bot(fake, postgres_url, log))
                for fake, log in zip(fakes, logs, strict=True)
            ]
            await _until(
                lambda: sum(_both(fakes, _is_nudge).values()) >= kill_after,
                60,
                f"nothing was sent; see {logs}",
            )
            sender = 0 if sum(_sent_to(fakes[0], _is_nudge).values()) else 1
            processes[sender].kill()  # SIGKILL, mid-batch
            await processes[sender].wait()
            before = sum(_both(fakes, _is_nudge).values())
            assert before < people, "all sent before the kill: kill earlier"

            async def settled() -> bool:
                return await _open_rows(db) == 0

            await _until(settled, 60, f"the other process did not take over; see {logs}")
            # The killed one restarts, and finds nothing left to do twice.
            await bots.enter_async_context(_bot(fakes[sender], postgres_url, logs[sender]))
            await fakes[sender].wait_for_poller(timeout=60)
            for fake in fakes:
                await fake.wait_until_quiet(timeout=30)
        async with db.transaction() as session:
            rows = list(await session.scalars(select(Nudge)))
        received = _both(fakes, _is_nudge)
        statuses = Counter(row.status for row in rows)
        maybe = [row for row in rows if row.status == NudgeStatus.MAYBE]
        assert all(n == 1 for n in received.values()), "someone got the same nudge twice"
        assert set(statuses) <= {NudgeStatus.SENT, NudgeStatus.MAYBE}, statuses
        assert len(maybe) <= CONCURRENCY
        assert len({row.lease_owner for row in maybe}) <= 1, "only the killed one's in-flight"
        for row in rows:
            if row.status == NudgeStatus.SENT:
                assert received[row.user_id] == 1, row.user_id
        assert len(received) == statuses[NudgeStatus.SENT] + sum(
            1 for row in maybe if received[row.user_id]
        )
        assert _sent_to(fakes[1 - sender], _is_nudge), "the other process took over"
    finally:
        await db.dispose()
