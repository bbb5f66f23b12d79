"""Benchmark the weekly chart against the naive pyplot way of drawing the very same chart.

Run: ``/work/venv/bin/python bench/bench_weekly_chart.py [renders]``. Prints median and p95
in milliseconds for:

* ``render_week_chart`` — bare Figure + Agg canvas, PNG zlib level 1 (what the bot uses);
* ``pyplot naive`` — ``plt.subplots`` + ``tight_layout`` + ``savefig`` + ``plt.close``, the
  way a chart is usually written, with matplotlib's default PNG compression;
* ``pyplot same-settings`` — pyplot, but no tight_layout and the same PNG level, to show how
  much of the gap is pyplot itself and how much the layout/compression choices.

Each variant is warmed up once (font cache, first draw) before timing.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import matplotlib
import matplotlib.pyplot as plt

from domain.values.kinds import EventSource, MomentKind
from domain.values.weekly_summary import (
    EventRecord,
    Partner,
    WeeklySummary,
    summarize_week,
)
from messages.weekly_chart import (
    DPI,
    HEIGHT_PX,
    PNG_COMPRESS_LEVEL,
    WIDTH_PX,
    draw_week_chart,
    render_week_chart,
)

NAMES = ("Anna", "Ben")
PEOPLE = (Partner(1, NAMES[0]), Partner(2, NAMES[1]))
TZ = ZoneInfo("Europe/Berlin")
WEEK_START = date(2025, 11, 10)


def sample_summary() -> WeeklySummary:
    """A lively fortnight: several moments a day, both partners, both weeks."""
    kinds = list(MomentKind)
    events = [
        EventRecord(
            actor_id=1 + (i % 3 == 0),
            kind=kinds[i % len(kinds)],
            created_at=datetime.combine(
                WEEK_START + timedelta(days=(i * 5) % 14 - 7), datetime.min.time(), TZ
            ).astimezone(UTC)
            + timedelta(hours=8 + i % 12),
            source=EventSource.MOMENT,
        )
        for i in range(60)
    ]
    return summarize_week(
        events,
        [],
        asker=Partner(1, NAMES[0]),
        partner=Partner(2, NAMES[1]),
        tz=TZ,
        week_start=WEEK_START,
        all_time_total=250,
        paired_at=datetime(2020, 1, 1, tzinfo=UTC),
    )


def pyplot_naive(summary: WeeklySummary) -> bytes:
    """The usual pyplot recipe; global figure registry, tight_layout, default PNG settings."""
    fig, _ = plt.subplots(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    fig.delaxes(fig.axes[0])  # draw_week_chart adds its own axes, as render_week_chart does
    draw_week_chart(fig, summary, people=PEOPLE)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def pyplot_same_settings(summary: WeeklySummary) -> bytes:
    """pyplot with the production settings, isolating pyplot's own overhead."""
    fig = plt.figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    draw_week_chart(fig, summary, people=PEOPLE)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    plt.close(fig)
    return buffer.getvalue()


def timings_ms(render: Callable[[], bytes], runs: int) -> tuple[list[float], int]:
    """Wall-clock milliseconds per render after one warm-up, and the PNG size."""
    size = len(render())
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, size


def p95(samples: list[float]) -> float:
    """95th percentile (inclusive method, fine for 30+ samples)."""
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def main(runs: int = 30) -> None:
    """Time the three variants on the same summary and print a small table."""
    plt.switch_backend("agg")  # the baseline must not open windows on a desktop
    summary = sample_summary()
    variants: dict[str, Callable[[], bytes]] = {
        "render_week_chart": lambda: render_week_chart(summary, people=PEOPLE),
        "pyplot naive": lambda: pyplot_naive(summary),
        "pyplot same-settings": lambda: pyplot_same_settings(summary),
    }
    medians: dict[str, float] = {}
    print(f"{runs} renders each, {WIDTH_PX}x{HEIGHT_PX} px, matplotlib {matplotlib.__version__}")
    print(f"{'variant':<22} {'median ms':>10} {'p95 ms':>8} {'PNG KB':>7}")
    for name, render in variants.items():
        samples, size = timings_ms(render, runs)
        medians[name] = statistics.median(samples)
        print(f"{name:<22} {medians[name]:>10.1f} {p95(samples):>8.1f} {size / 1024:>7.1f}")
    base = medians["render_week_chart"]
    for name in ("pyplot naive", "pyplot same-settings"):
        print(f"{name} / render_week_chart = {medians[name] / base:.2f}x")
    print(f"open pyplot figures after the run: {len(plt.get_fignums())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
