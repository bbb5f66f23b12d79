"""The weekly reflection for one person: their couple's figures, both names, and the chart.

The pure part (:mod:`domain.values.weekly_summary`) does the counting; this module only
feeds it from indexed queries in the caller's transaction. The chart is drawn later, off
the event loop and outside any transaction (:func:`messages.weekly_chart.with_chart`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from domain.moments import LOVE_BACK_KEY_PREFIX
from domain.values.adaptation import (
    FLOOR,
    WEEKS_TO_SPEAK,
    Reason,
    StoredEffect,
    lowered,
    probability_of,
)
from domain.values.kinds import EventSource, MomentKind, Ritual
from domain.values.results import NotPaired
from domain.values.weekly_summary import (
    DAYS_IN_WEEK,
    EventRecord,
    NudgeEffect,
    NudgeRecord,
    Partner,
    Reflection,
    summarize_week,
    week_bounds,
    week_start_for,
)
from domain.work import Work
from storage import decisions, weekly
from storage.models import NudgeStatus

log = logging.getLogger(__name__)

#: How far past a week's end its events are read: a reply to that week's last
#: "thinking of you" may come after midnight.
REPLY_LOOKAHEAD = timedelta(days=1)


def zone_of(name: str | None) -> ZoneInfo:
    """The person's zone; UTC until they tell us, so a reply never fails for lack of one."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown stored time zone %r; using UTC", name)
    return ZoneInfo("UTC")


async def weekly_reflection(
    session: AsyncSession, user_id: int, now: datetime, weeks_ago: int = 0
) -> Reflection | NotPaired:
    """The couple's week (``weeks_ago`` back) as seen from ``user_id``'s own time zone.

    A handful of indexed queries in the caller's transaction; everything is counted from the
    pairing on. Only the asker's active couple is
    read, so nobody else's figures can leak in. The chart is left out: drawing it takes a
    while, so callers draw it (:func:`with_chart`) after their transaction has ended.
    """
    view = await weekly.couple_view(session, user_id)
    if view is None or view.couple_id is None or view.partner_id is None or view.paired_at is None:
        return NotPaired.NOT_PAIRED
    tz = zone_of(view.timezone)
    week_start = week_start_for(now, tz, weeks_ago=weeks_ago)
    start, end = week_bounds(week_start, tz)
    previous_start, _ = week_bounds(week_start - timedelta(days=DAYS_IN_WEEK), tz)
    people = (view.user_id, view.partner_id)
    paired_at = _utc(view.paired_at)
    # A day past the end, so a late-Sunday "thinking of you" can find its reply.
    events = await weekly.couple_events(
        session, view.couple_id, max(previous_start, paired_at), end + REPLY_LOOKAHEAD
    )
    nudges = await weekly.couple_nudges_sent(session, view.couple_id, people, start, end)
    all_time = await weekly.couple_event_count(session, view.couple_id, paired_at)
    later = (
        await weekly.couple_event_count(session, view.couple_id, max(end, paired_at))
        if end <= now
        else 0
    )
    asker = Partner(view.user_id, view.first_name)
    partner = Partner(view.partner_id, view.partner_name or "")
    summary = summarize_week(
        [event_record(row) for row in events],
        [record for row in nudges if (record := _nudge(row)) is not None],
        asker=asker,
        partner=partner,
        tz=tz,
        week_start=week_start,
        all_time_total=all_time,
        later_total=later,
        paired_at=paired_at,
        now_utc=now,
    )
    effects = await nudge_effects(session, user_id)
    return Reflection(summary, asker, partner, weeks_ago, None, effects)


async def nudge_effects(session: AsyncSession, user_id: int) -> tuple[NudgeEffect, ...]:
    """The rituals whose nudges have ≥ 3 weeks of decision points, with what they do."""
    found = []
    for ritual, (chance, stored) in sorted((await decisions.effects_of(session, user_id)).items()):
        effect = StoredEffect.from_json(stored)
        if effect is None or effect.weeks < WEEKS_TO_SPEAK or ritual not in _RITUALS:
            continue
        found.append(NudgeEffect(Ritual(ritual), effect, probability_of(chance) > FLOOR))
    return tuple(found)


_RITUALS = frozenset(r.value for r in Ritual)


async def nudge_less(work: Work, ritual: Ritual) -> float | None:
    """ "Yes, fewer": one step lower for this ritual (None: at the floor already).

    Logged like every change, so /settings can say why; the plan already made stays.
    """
    chances = await decisions.effects_of(work.session, work.me.id)
    chance = probability_of(chances.get(ritual.value, (None, None))[0])
    if chance <= FLOOR:
        return None
    new = lowered(chance)
    await decisions.change_chance(
        work.session,
        work.me.id,
        ritual.value,
        old=chance,
        new=new,
        reason=Reason.ASKED.value,
        now=work.now,
    )
    return new


def digest_enabled(work: Work) -> bool:
    """Whether the Sunday digest is on for this person."""
    return not work.me.digest_opt_out


def set_digest_enabled(work: Work, enabled: bool) -> None:
    """Turn the Sunday digest on or off."""
    work.me.digest_opt_out = not enabled


def event_record(row: weekly.EventRow) -> EventRecord:
    """A stored event as the summary's record; an unknown kind counts as "other"."""
    try:
        kind = MomentKind(row.kind)
    except ValueError:
        kind = MomentKind.OTHER
    try:
        source = EventSource(row.source)
    except ValueError:
        source = EventSource.MOMENT
    return EventRecord(
        row.actor_id, kind, _utc(row.created_at), source, row.id, _answers(kind, row.dedupe_key)
    )


def _answers(kind: MomentKind, dedupe_key: str | None) -> int | None:
    """The id of the "thinking of you" a love-back answers, from its ``love:<id>`` key."""
    if kind is not MomentKind.LOVE_BACK or dedupe_key is None:
        return None
    if not dedupe_key.startswith(LOVE_BACK_KEY_PREFIX):
        return None
    try:
        return int(dedupe_key.removeprefix(LOVE_BACK_KEY_PREFIX))
    except ValueError:
        return None


def _nudge(row: weekly.NudgeRow) -> NudgeRecord | None:
    """Acted on only with status ACTED; "Not today" is a response, not an action.

    A ritual this version doesn't know (a newer bot wrote it) is left out, not fatal.
    """
    try:
        ritual = Ritual(row.ritual)
    except ValueError:
        return None
    acted = row.status == NudgeStatus.ACTED
    return NudgeRecord(
        user_id=row.user_id,
        ritual=ritual,
        sent_at=_utc(row.sent_at),
        acted_at=_utc(row.responded_at or row.sent_at) if acted else None,
        declined=row.status == NudgeStatus.DECLINED,
    )


def _utc(moment: datetime) -> datetime:
    """Stored times are aware UTC already (UTCDateTime); this keeps the contract explicit."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
