"""SendRateLimiter: both of Telegram's limits hold, and one chat's wait blocks nobody else.

Times are read from the event loop's clock (the one aiolimiter paces with); bounds are
generous on the "fast" side, and the "slow" side is a guarantee, not a measurement.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from itertools import pairwise

from scheduling.rate_limit import SendRateLimiter


def now() -> float:
    return asyncio.get_running_loop().time()


async def test_one_chat_waiting_does_not_hold_up_other_chats() -> None:
    limiter = SendRateLimiter(per_second=1000, per_chat_interval=0.5)
    await limiter.acquire(1)
    started = now()
    waiting = asyncio.create_task(limiter.acquire(1))
    await asyncio.sleep(0)  # chat 1 is now waiting out its interval

    for chat_id in range(2, 52):
        await limiter.acquire(chat_id)

    others_done = now() - started
    assert not waiting.done()
    assert others_done < 0.4  # 50 sends at ~1 ms spacing, while chat 1 still waits
    await waiting
    assert now() - started >= 0.49


async def test_many_waiting_chats_wait_side_by_side() -> None:
    """Twenty chats each waiting their interval are released together, not one by one."""
    limiter = SendRateLimiter(per_second=1000, per_chat_interval=0.3)
    chats = range(1, 21)
    for chat_id in chats:
        await limiter.acquire(chat_id)
    started = now()
    await asyncio.gather(*(limiter.acquire(chat_id) for chat_id in chats))
    elapsed = now() - started
    assert 0.29 <= elapsed < 1.5  # serialised waits would take 20 x 0.3 = 6 s


async def test_sends_to_one_chat_are_an_interval_apart() -> None:
    limiter = SendRateLimiter(per_second=1000, per_chat_interval=0.2)
    released: list[float] = []

    async def send() -> None:
        await limiter.acquire(7)
        released.append(now())

    await asyncio.gather(*(send() for _ in range(4)))
    gaps = [b - a for a, b in pairwise(released)]
    assert len(gaps) == 3 and min(gaps) >= 0.19


async def test_the_chat_interval_runs_from_release_even_after_queueing_overall() -> None:
    """A message held up by the overall rate still keeps the next one an interval behind."""
    limiter = SendRateLimiter(per_second=13, per_chat_interval=0.3)  # 0.1 s apart overall
    busy = [asyncio.create_task(limiter.acquire(chat_id)) for chat_id in range(100, 106)]
    await asyncio.sleep(0)
    released: list[float] = []

    async def send() -> None:
        await limiter.acquire(1)
        released.append(now())

    await asyncio.gather(send(), send(), *busy)
    assert released[1] - released[0] >= 0.29


async def test_the_overall_rate_never_exceeds_per_second_in_any_second() -> None:
    per_second = 40
    limiter = SendRateLimiter(per_second=per_second, per_chat_interval=1.0)
    released: list[float] = []

    async def send(chat_id: int) -> None:
        await limiter.acquire(chat_id)
        released.append(now())

    await asyncio.gather(*(send(chat_id) for chat_id in range(90)))
    released.sort()
    busiest = max(
        bisect_left(released, start + 1.0) - index for index, start in enumerate(released)
    )
    assert busiest <= per_second
    assert busiest >= per_second // 2  # and it is not idling either


async def test_idle_chats_are_forgotten() -> None:
    limiter = SendRateLimiter(per_second=10**6, per_chat_interval=0.01)
    for chat_id in range(10_000):
        await limiter.acquire(chat_id)
    assert limiter.chats_tracked == 10_000
    await asyncio.sleep(0.05)  # every chat's interval is over

    await limiter.acquire(10_000_001)

    assert limiter.chats_tracked == 1
