"""The nudge and outbox sources of the delivery engine: their own re-checks, nothing more.

Each re-check runs right before the send, on state read with the page. A nudge is a
decision point: the person is *available* only when still paired with the couple it was
planned for, reachable, not paused, has not already done that ritual's act that day, is not
backing off (their ignores counted now, including nudges sent since the plan was made, so
the back-off reacts the same day), and while its window lasts. An unavailable point is
``skipped`` (or ``missed``); an available one goes out when its draw said so, and is
``withheld`` otherwise: nothing is sent, and it counts against nothing. An outbox row goes
only to someone reachable and, when it names a couple, still in it.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.values.kinds import RITUAL_MOMENT, Delivery, Ritual
from domain.values.planner import is_backing_off, is_still_deliverable
from domain.values.policy import quiet_ends_at
from domain.values.preferences import policy_from_rows
from messages.i18n import choose
from scheduling.delivery import Due, Postpone, Verdict
from scheduling.sender import OutgoingNotice, OutgoingNudge
from storage import delivery, nudges, outbox
from storage.delivery_models import OutboxMessage, OutboxStatus
from storage.models import NudgeStatus
from storage.nudges import DueNudge, Recipient
from storage.outbox import Receiver

log = logging.getLogger(__name__)

#: A relay or notice that could not go out for a day is given up (``failed``).
OUTBOX_MAX_AGE: Final = timedelta(days=1)


class NudgeSource:
    table = delivery.NUDGES
    in_flight: int | None = None

    async def due(
        self, session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
    ) -> list[Due]:
        page = await nudges.due_page(session, now, after, limit)
        if not page:
            return []
        user_ids = list({n.user_id for n in page})
        people = await nudges.recipients(session, user_ids)
        done = await _already_done(session, page, people)
        ignored = await nudges.ignored_now(session, user_ids)
        return [
            Due(
                n.id,
                n.user_id,
                n.due_at,
                n.attempt,
                (
                    n,
                    people.get(n.user_id),
                    (n.user_id, n.ritual) in done,
                    _backing_off(n, ignored),
                ),
            )
            for n in page
        ]

    async def prepare(self, due: Due, now: datetime) -> OutgoingNudge | Verdict:
        nudge, person, done_already, backing_off = due.context
        assert isinstance(nudge, DueNudge)
        if (
            not isinstance(person, Recipient)
            or not person.is_active
            or person.couple_id != nudge.couple_id
            or person.partner_name is None
            or (person.paused_until is not None and now < person.paused_until)
            or done_already
            or backing_off
        ):
            return Verdict(NudgeStatus.SKIPPED)
        if not is_still_deliverable(nudge.window_end_at, now):
            return Verdict(NudgeStatus.MISSED)
        if nudge.treated is False:  # available, and the draw said "not today"
            return Verdict(NudgeStatus.WITHHELD)
        return OutgoingNudge(
            nudge.id,
            nudge.user_id,
            Ritual(nudge.ritual),
            nudge.phrasing,
            nudge.local_date,
            person.partner_name,
            choose(person.language, None),
        )


def _backing_off(nudge: DueNudge, ignored: dict[int, dict[str, int]]) -> bool:
    counts = ignored.get(nudge.user_id)
    if not counts:
        return False
    ritual = Ritual(nudge.ritual)
    return is_backing_off(ritual, nudge.local_date, {ritual: counts.get(nudge.ritual, 0)})


async def _already_done(
    session: AsyncSession, page: list[DueNudge], people: dict[int, Recipient]
) -> set[tuple[int, str]]:
    """``(person, ritual)`` of the page whose act is already done on that local day.

    One query for the page: everyone's acts since the earliest of their local midnights,
    then each checked against their own midnight here.
    """
    since: dict[tuple[int, str], datetime] = {}
    for nudge in page:
        person = people.get(nudge.user_id)
        if person is None or person.timezone is None:
            continue
        midnight = datetime.combine(nudge.local_date, time(), ZoneInfo(person.timezone))
        key = (nudge.user_id, RITUAL_MOMENT[Ritual(nudge.ritual)].value)
        since[key] = min(midnight, since.get(key, midnight))
    if not since:
        return set()
    kinds = list({kind for _, kind in since})
    last = await nudges.last_acts_since(
        session, list({user for user, _ in since}), kinds, min(since.values())
    )
    return {
        (nudge.user_id, nudge.ritual)
        for nudge in page
        if (at := last.get((nudge.user_id, RITUAL_MOMENT[Ritual(nudge.ritual)].value))) is not None
        and at >= since[(nudge.user_id, RITUAL_MOMENT[Ritual(nudge.ritual)].value)]
    }


class OutboxSource:
    table = delivery.OUTBOX
    in_flight: int | None = None

    async def due(
        self, session: AsyncSession, now: datetime, after: tuple[datetime, int] | None, limit: int
    ) -> list[Due]:
        page = await outbox.due_page(session, now, after, limit)
        if not page:
            return []
        people = await outbox.receivers(session, list({m.chat_id for m in page}))
        return [Due(m.id, m.chat_id, m.due_at, m.attempt, (m, people.get(m.chat_id))) for m in page]

    async def prepare(self, due: Due, now: datetime) -> OutgoingNotice | Verdict | Postpone:
        message, person = due.context
        assert isinstance(message, OutboxMessage)
        try:
            kind = Delivery(message.kind)
        except ValueError:
            log.error("outbox %s has an unknown kind %r", message.id, message.kind)
            return Verdict(OutboxStatus.FAILED)
        # "Your partner has left" is about a couple that just ended: no couple to check.
        in_couple = (
            message.couple_id is None
            or kind is Delivery.PARTNER_LEFT
            or (isinstance(person, Receiver) and person.couple_id == message.couple_id)
        )
        if not isinstance(person, Receiver) or not person.is_active or not in_couple:
            return Verdict(OutboxStatus.SKIPPED)
        if now - message.created_at > OUTBOX_MAX_AGE:
            log.warning("outbox %s could not go out for a day; giving up", message.id)
            return Verdict(OutboxStatus.FAILED)
        # Quiet hours protect from the partner too: silently, or in the morning.
        quiet_end = receiver_quiet_ends_at(person, now)
        if quiet_end is not None and person.wait_for_morning and kind in RELAYS:
            return Postpone(quiet_end)
        payload = json.loads(message.payload)
        return OutgoingNotice(
            message.id,
            message.chat_id,
            kind,
            payload,
            silent=quiet_end is not None,
            language=choose(person.language, None),
        )


#: What a partner sends; notices about the pairing itself never wait (they go silently).
RELAYS: Final = frozenset({Delivery.THINKING, Delivery.LOVE_BACK, Delivery.APPRECIATION})


def receiver_quiet_ends_at(person: Receiver, now: datetime) -> datetime | None:
    """When the receiver's quiet hours end, if they are in them right now."""
    if person.timezone is None:
        return None
    bedtime = () if person.bedtime_window is None else (("bedtime", None, person.bedtime_window),)
    policy = policy_from_rows(person.timezone, person.quiet_hours, None, bedtime)
    return quiet_ends_at(now, person.timezone, policy.quiet)
