"""SIGKILL of a real bot process while it sends: after a restart nothing is doubled or lost.

The bot runs as ``python -m bot`` in a subprocess, configured like an operator would (the
environment), against a fake Bot API server in this process and a real database (SQLite
and PostgreSQL). Its jobs run on the wall clock, so rows are seeded due "now". The tests
poll for conditions with timeouts; they never sleep for timing.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from domain.values.kinds import Ritual
from storage.database import Database
from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.migrate import upgrade_to_head
from storage.models import ConnectionEvent, Couple, Nudge, NudgeStatus, User
from tests.e2e.conftest import TOKEN
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3
CONCURRENCY = 32  # scheduling.delivery.CONCURRENCY: the most sends in flight at once
FIRST = 7_000


async def _seed(db: Database, people: int, now: datetime) -> None:
    """``people`` paired people in UTC, each with one bedtime nudge due now; nothing else
    to plan (planned well ahead) and no Sunday digest."""
    async with db.transaction() as session:
        for n in range(people):
            session.add(
                User(
                    id=FIRST + n,
                    first_name=f"P{n}",
                    timezone="UTC",
                    created_at=now,
                    planned_through=(now + timedelta(days=7)).date(),
                    digest_opt_out=True,
                )
            )
        await session.flush()
        for n in range(0, people, 2):
            couple = Couple(first_id=FIRST + n, second_id=FIRST + n + 1, created_at=now)
            session.add(couple)
            await session.flush()
            for member in (FIRST + n, FIRST + n + 1):
                user = await session.get(User, member)
                assert user is not None
                user.couple_id = couple.id
                session.add(
                    Nudge(
                        user_id=member,
                        couple_id=couple.id,
                        ritual=Ritual.BEDTIME.value,
                        local_date=now.date(),
                        # The first person's nudge is due first, and so on.
                        due_at=now - timedelta(minutes=10) + timedelta(milliseconds=member),
                        window_end_at=now + timedelta(hours=1),
                        phrasing=0,
                    )
                )


@asynccontextmanager
async def _bot(
    fake: FakeTelegram, database_url: str, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": database_url,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_LEVEL": "INFO",
    }
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=output, stderr=output
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _until(condition: Callable[[], object], timeout: float, what: str) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.005)  # a polling interval, not a wait for timing
    raise AssertionError(what)


def _sent_to(fake: FakeTelegram, predicate: Callable[[str], bool]) -> Counter[int]:
    return Counter(
        r.chat_id
        for r in fake.requests
        if r.method == "sendMessage"
        and r.error_code is None
        and r.chat_id is not None
        and predicate(str(r.params.get("text", "")))
    )


def _is_nudge(text: str) -> bool:
    return text.startswith("🌙")


async def test_sigkill_mid_dispatch_doubles_nothing_and_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    people, kill_after = 300, 90
    db = Database.from_url(database_url)
    await upgrade_to_head(db.engine)
    now = datetime.now(UTC)
    await _seed(db, people, now)
    log = tmp_path / "bot.log"
    try:
        async with FakeTelegram(token=TOKEN) as fake:
            for n in range(people):
                fake.user(FIRST + n, f"P{n}")
            async with _bot(fake, database_url, log) as first:
                await _until(
                    lambda: sum(_sent_to(fake, _is_nudge).values()) >= kill_after,
                    30,
                    "the first bot sent nothing",
                )
                first.kill()  # SIGKILL, mid-dispatch
                await first.wait()
            killed_at = datetime.now(UTC)
            before = sum(_sent_to(fake, _is_nudge).values())
            async with db.transaction() as session:
                in_flight = await session.scalar(
                    select(func.count()).where(Nudge.status == NudgeStatus.SENDING)
                )
            assert before < people, "all sent before the kill: kill earlier"

            async def settled() -> bool:
                async with db.transaction() as session:
                    open_rows = await session.scalar(
                        select(func.count()).where(Nudge.status.in_(NudgeStatus.OPEN))
                    )
                return open_rows == 0

            async with _bot(fake, database_url, log):
                await _until(settled, 40, f"rows still open; see {log}")
            async with db.transaction() as session:
                rows = list(await session.scalars(select(Nudge)))
        received = _sent_to(fake, _is_nudge)
        statuses = Counter(row.status for row in rows)
        last_sent = max(r.sent_at for r in rows if r.sent_at is not None)
        print(
            f"\n[{db.engine.dialect.name}] {people} nudges; killed after {before} sends with "
            f"{in_flight} in flight; statuses after restart: {dict(statuses)}; "
            f"doubled: {sum(1 for n in received.values() if n > 1)}; last one sent "
            f"{(last_sent - killed_at).total_seconds():.1f} s after the kill (restart included)"
        )
        assert all(n == 1 for n in received.values()), "someone got the same nudge twice"
        assert set(statuses) <= {NudgeStatus.SENT, NudgeStatus.MAYBE}, statuses
        assert in_flight is not None
        assert statuses[NudgeStatus.MAYBE] == in_flight <= CONCURRENCY
        for row in rows:
            if row.status == NudgeStatus.SENT:
                assert received[row.user_id] == 1, row.user_id
        # Rows of the killed batch that were never claimed went out at the restarted
        # process's first pass: none waited for a lease.
        assert last_sent - killed_at < timedelta(seconds=30)
        assert len(received) == statuses[NudgeStatus.SENT] + sum(
            1 for r in rows if r.status == NudgeStatus.MAYBE and received[r.user_id]
        )
    finally:
        await db.dispose()


async def test_sigkill_between_commit_and_send_delivers_the_notice_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    """Bob blocked the bot: the notice to Alice is committed with "Bob is unreachable", then
    waits for Alice's per-chat slot (her nudge went out a moment ago). Killed right then, it
    is still just due, and the restarted bot delivers it, once."""
    db = Database.from_url(database_url)
    await upgrade_to_head(db.engine)
    await _seed(db, 2, datetime.now(UTC))
    alice, bob = FIRST, FIRST + 1
    log = tmp_path / "bot.log"

    async def notice() -> OutboxMessage | None:
        async with db.transaction() as session:
            return await session.scalar(select(OutboxMessage))

    def told(fake: FakeTelegram) -> int:
        return _sent_to(fake, lambda t: "doesn't seem to be receiving" in t)[alice]

    try:
        async with FakeTelegram(token=TOKEN) as fake:
            fake.user(alice, "Alice")
            fake.user(bob, "Bob")
            fake.block(bob)
            async with _bot(fake, database_url, log) as first:
                await _until(notice, 30, f"no notice was written; see {log}")
                first.kill()  # SIGKILL: committed, not yet sent
                await first.wait()
            row = await notice()
            assert row is not None and told(fake) == 0
            assert (row.status, row.attempt) == (OutboxStatus.PENDING, 0)
            assert _sent_to(fake, _is_nudge)[alice] == 1
            async with _bot(fake, database_url, log):
                await _until(lambda: told(fake) >= 1, 30, f"never told; see {log}")

                async def finished() -> bool:
                    row = await notice()
                    return row is not None and row.status == OutboxStatus.SENT

                await _until(finished, 30, "the notice was not recorded as sent")
            assert told(fake) == 1
    finally:
        await db.dispose()


async def test_sigkill_between_commit_and_send_delivers_the_relay_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    """Alice's "thinking of you" is committed with its relay to Bob, which then waits for
    Bob's per-chat slot (his nudge went out a moment ago). Killed right then, the relay is
    still just due; the restarted bot delivers it, once, and the event is stored once."""
    db = Database.from_url(database_url)
    await upgrade_to_head(db.engine)
    await _seed(db, 2, datetime.now(UTC))
    alice_id, bob_id = FIRST, FIRST + 1
    log = tmp_path / "bot.log"

    async def relay() -> OutboxMessage | None:
        async with db.transaction() as session:
            return await session.scalar(select(OutboxMessage))

    def relayed(fake: FakeTelegram) -> int:
        return _sent_to(fake, lambda t: "thinking of you" in t and "see you tonight" in t)[bob_id]

    try:
        async with FakeTelegram(token=TOKEN) as fake:
            alice = fake.user(alice_id, "P0")
            fake.user(bob_id, "P1")
            async with _bot(fake, database_url, log) as first:
                await _until(lambda: _sent_to(fake, _is_nudge)[bob_id], 30, f"no nudge; {log}")
                await alice.send("/thinking see you tonight")
                await _until(relay, 30, f"no relay was written; see {log}")
                first.kill()  # SIGKILL: committed, not yet sent
                await first.wait()
            row = await relay()
            assert row is not None and relayed(fake) == 0
            assert (row.status, row.attempt) == (OutboxStatus.PENDING, 0)
            async with _bot(fake, database_url, log):
                await _until(lambda: relayed(fake) >= 1, 30, f"never relayed; see {log}")

                async def finished() -> bool:
                    row = await relay()
                    return row is not None and row.status == OutboxStatus.SENT

                await _until(finished, 30, "the relay was not recorded as sent")
            assert relayed(fake) == 1
            async with db.transaction() as session:
                events = (await session.scalars(select(ConnectionEvent))).all()
            assert [(e.actor_id, e.note) for e in events] == [(alice_id, "see you tonight")]
    finally:
        await db.dispose()
