"""Small builders for weekly-summary tests: readable local times, explicit figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.weekly_summary import (
    EventRecord,
    NudgeRecord,
    Partner,
    WeeklySummary,
    summarize_week,
)

ANNA = Partner(user_id=1, first_name="Anna")
BEN = Partner(user_id=2, first_name="Ben")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
#: Monday 10 Nov 2025 and the Monday before it.
WEEK = date(2025, 11, 10)
PREVIOUS_WEEK = date(2025, 11, 3)
#: When Anna and Ben paired, unless a test says otherwise: long before any week here.
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def local(tz: ZoneInfo, day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in ``tz``, returned as the UTC instant the database would hold."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)


def event(
    who: Partner,
    kind: MomentKind,
    when: datetime,
    source: EventSource = EventSource.MOMENT,
    *,
    event_id: int | None = None,
    answers: int | None = None,
) -> EventRecord:
    """One event by ``who`` (``answers``: the "thinking of you" a love-back replies to)."""
    return EventRecord(
        actor_id=who.user_id,
        kind=kind,
        created_at=when,
        source=source,
        event_id=event_id,
        answers=answers,
    )


def nudge(
    who: Partner,
    sent_at: datetime,
    *,
    after_minutes: float | None = None,
    declined: bool = False,
    ritual: Ritual = Ritual.MORNING_HUG,
) -> NudgeRecord:
    """A nudge, acted on ``after_minutes`` later (None: not acted on)."""
    acted = None if after_minutes is None else sent_at + timedelta(minutes=after_minutes)
    return NudgeRecord(
        user_id=who.user_id, ritual=ritual, sent_at=sent_at, acted_at=acted, declined=declined
    )


def summary_for(
    events: Sequence[EventRecord],
    nudges: Sequence[NudgeRecord] = (),
    *,
    asker: Partner = ANNA,
    partner: Partner = BEN,
    tz: ZoneInfo = BERLIN,
    week_start: date = WEEK,
    all_time_total: int | None = None,
    paired_at: datetime = LONG_AGO,
    later_total: int = 0,
    now_utc: datetime | None = None,
) -> WeeklySummary:
    """summarize_week with test defaults; all-time defaults to the events given."""
    return summarize_week(
        events,
        nudges,
        asker=asker,
        partner=partner,
        tz=tz,
        week_start=week_start,
        all_time_total=len(events) if all_time_total is None else all_time_total,
        paired_at=paired_at,
        later_total=later_total,
        now_utc=now_utc,
    )
