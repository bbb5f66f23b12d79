"""``/history``: the couple's latest moments and notes, both partners', newest first."""

from __future__ import annotations

from domain.values.history import Entry, History
from domain.values.results import NotPaired
from domain.weekly import zone_of
from domain.work import Work
from storage import events, users

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
