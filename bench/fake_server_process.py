"""Run the fake Bot API server in its own process, so a benchmark measures only the bot side.

Prints ``PORT <n>`` once it listens; stops when its standard input closes. Until then each
line on standard input is a JSON command, answered by one JSON line (bench_taps.py):

- ``{"press": [[user_id, message_id, data], …]}``: queue those button presses at once (a
  burst), each as a callback query; answers ``{"queued": n}``.
- ``{"wait": seconds, "edits": bool}``: wait until every press queued so far was answered
  (and, with ``edits``, its message edited), then answer with each press's latencies in
  seconds — queued → ``answerCallbackQuery`` received, queued → edit received — and the
  time from the first press queued to the last of those, all on this process's clock.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_telegram import FakeTelegram


class Presses:
    """The presses of one burst and when the bot reacted to each, as the server saw it."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.queued: dict[str, tuple[float, int, int]] = {}  # query id → (time, chat, message)
        self.seen = len(fake.requests)

    async def press(self, presses: list[list[Any]]) -> dict[str, Any]:
        self.queued.clear()
        self.seen = len(self.fake.requests)
        for user_id, message_id, data in presses:
            user = self.fake.user(int(user_id))  # made at start: this only finds them
            query = await user.press_data(str(data), message_id=int(message_id))
            self.queued[query["id"]] = (time.monotonic(), int(user_id), int(message_id))
        return {"queued": len(presses)}

    async def wait(self, timeout: float, edits: bool) -> dict[str, Any]:  # noqa: ASYNC109
        answered: dict[str, float] = {}
        edited: dict[tuple[int, int], float] = {}
        wanted = {(chat, message) for _, chat, message in self.queued.values()}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in self.fake.requests[self.seen :]:
                if request.method == "answerCallbackQuery":
                    answered.setdefault(
                        str(request.params["callback_query_id"]), request.received_at
                    )
                elif request.method == "editMessageText" and request.chat_id is not None:
                    key = (request.chat_id, int(request.params["message_id"]))
                    edited.setdefault(key, request.received_at)
            self.seen = len(self.fake.requests)
            if len(answered) >= len(self.queued) and (not edits or wanted <= set(edited)):
                break
            await asyncio.sleep(0.01)
        first = min(t for t, _, _ in self.queued.values())
        answers = [answered[q] - t for q, (t, _, _) in self.queued.items() if q in answered]
        edit_times = [edited[(c, m)] - t for t, c, m in self.queued.values() if (c, m) in edited]
        last = max([*answered.values(), *edited.values()], default=first)
        return {"answers": answers, "edits": edit_times, "span": last - first,
                "missing": len(self.queued) - len(answers)}  # fmt: skip


async def main(token: str, first_id: int, count: int) -> None:
    async with FakeTelegram(token=token) as fake:
        for user_id in range(first_id, first_id + count):
            fake.user(user_id, "P")
        presses = Presses(fake)
        print(f"PORT {fake.port}", flush=True)
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command = json.loads(line)
            if "press" in command:
                reply = await presses.press(command["press"])
            else:
                reply = await presses.wait(float(command["wait"]), bool(command.get("edits")))
            print(json.dumps(reply), flush=True)
        print(f"fake server CPU: {time.process_time():.2f} s", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
