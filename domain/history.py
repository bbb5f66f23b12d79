"""``/history``: the couple's latest moments and notes, both partners', newest first;
and the Mini App's longer look back (:func:`story`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.values.calendar import CoupleStory, couple_story, first_calendar_day
from domain.values.history import Entry, History
from domain.values.results import NotPaired
from domain.weekly import event_record, zone_of
from domain.work import Work
from storage import events, users, weekly

#: How many moments one look back shows.
HISTORY_LENGTH = 10


async def recent(work: Work, limit: int = HISTORY_LENGTH) -> History | NotPaired:
    """Only the asker's active couple: an earlier pairing's moments are not shown here."""
    me = work.me
    partner = await users.partner_of(work.session, me)
    if me.couple_id is None or partner is None:
        return NotPaired.NOT_PAIRED
    zone = zone_of(me.timezone)
    rows = await events.recent_for_couple(work.session, me.couple_id, limit)
    entries = tuple(
        Entry(row.actor_id == me.id, row.kind, row.note, row.created_at.astimezone(zone))
        for row in rows
    )
    return History(partner.first_name, entries)


async def story(work: Work) -> CoupleStory | NotPaired:
    """ "Our history" in the Mini App: the calendar of days connected, all moments, rituals.

    Only the asker's active couple, counted from the pairing on, like the weekly reflection.
    """
    view = await weekly.couple_view(work.session, work.me.id)
    if view is None or view.couple_id is None or view.partner_id is None or view.paired_at is None:
        return NotPaired.NOT_PAIRED
    zone = zone_of(view.timezone)
    today = work.now.astimezone(zone).date()
    first = first_calendar_day(today)
    paired_at = view.paired_at.astimezone(UTC)
    start = max(_midnight(first, zone), paired_at)
    end = _midnight(today + timedelta(days=1), zone)
    rows = await weekly.couple_events(work.session, view.couple_id, start, end)
    return couple_story(
        [event_record(row) for row in rows],
        asker_id=view.user_id,
        tz=zone,
        today=today,
        paired_on=paired_at.astimezone(zone).date(),
        all_time_total=await weekly.couple_event_count(work.session, view.couple_id, paired_at),
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
