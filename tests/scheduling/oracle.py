"""Independent zoneinfo-based checks the planner's integer arithmetic is measured against."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.values.windows import LocalWindow


def at(zone: str, day: date, clock: time, *, fold: int = 0) -> datetime:
    """A local wall-clock time as aware UTC, the way zoneinfo itself resolves it."""
    local = datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).replace(fold=fold)
    return local.astimezone(UTC)


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def wall_seconds(instant: datetime, zone: str, day: date) -> int:
    """Seconds of wall-clock time between ``day``'s local midnight and ``instant``."""
    naive = local(instant, zone).replace(tzinfo=None, fold=0)
    return int((naive - datetime.combine(day, time())).total_seconds())


def exists(zone: str, naive: datetime) -> bool:
    """Whether a wall-clock time happens at all (it does not inside a spring-forward gap)."""
    aware = naive.replace(tzinfo=ZoneInfo(zone))
    return aware.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == naive


def existing_minutes(zone: str, day: date, window: LocalWindow) -> list[datetime]:
    """The naive wall-clock minutes of ``window`` on ``day`` that really happen."""
    lo, hi = window.span_seconds
    midnight = datetime.combine(day, time())
    minutes = (midnight + timedelta(seconds=s) for s in range(lo, hi, 60))
    return [m for m in minutes if exists(zone, m)]
