"""Run the fake Bot API server in its own process, so a benchmark measures only the bot side.

Prints ``PORT <n>`` once it listens; stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_telegram import FakeTelegram


async def main(token: str, first_id: int, count: int) -> None:
    async with FakeTelegram(token=token) as fake:
        for user_id in range(first_id, first_id + count):
            fake.user(user_id, "P")
        print(f"PORT {fake.port}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        print(f"fake server CPU: {time.process_time():.2f} s", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
