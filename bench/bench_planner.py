"""Micro-benchmark for the pure planner: the hourly planner must handle a million people.

Run: ``python bench/bench_planner.py [calls]``.  Mixes zones and bedtimes the way a real
user base would, so the per-(zone, date) caches are exercised, not flattered.

Ours is the bulk path: ``draw_day`` from a ``DayTemplate`` shared by everyone with the same
settings. The baseline is ``plan_day``, which maps the windows again for every person.
"""

from __future__ import annotations

import random
import sys
import time as clock
from datetime import date, time

from domain.values.planner import day_template, draw_day, plan_day
from domain.values.policy import NudgePolicy, default_policy

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Europe/London",
    "Africa/Lagos",
    "Pacific/Auckland",
)


def _policies(count: int) -> list[NudgePolicy]:
    bedtimes = [time(21, 0), time(22, 0), time(22, 30), time(23, 15), time(0, 10)]
    return [
        default_policy(ZONES[i % len(ZONES)], bedtimes[i % len(bedtimes)]) for i in range(count)
    ]


def main(calls: int) -> None:
    policies = _policies(1000)
    days = (date(2025, 3, 30), date(2025, 3, 31))
    rng = random.Random(42)
    templates = [[day_template(policy, day) for day in days] for policy in policies]
    for policy in policies:  # warm the caches, as the first people of an hourly run do
        for day in days:
            plan_day(policy, day, rng)

    started = clock.perf_counter()
    planned = 0
    for i in range(calls):
        planned += len(plan_day(policies[i % len(policies)], days[i & 1], rng))
    baseline = clock.perf_counter() - started
    print(
        f"baseline plan_day: {calls} calls, {planned} nudges in {baseline:.2f} s = "
        f"{baseline / calls * 1e6:.2f} µs per person"
    )

    started = clock.perf_counter()
    planned = 0
    for i in range(calls):
        planned += len(draw_day(templates[i % len(templates)][i & 1], rng))
    ours = clock.perf_counter() - started
    print(
        f"ours draw_day from shared templates: {calls} calls, {planned} nudges in "
        f"{ours:.2f} s = {ours / calls * 1e6:.2f} µs per person"
    )
    print(f"ratio: {baseline / ours:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
