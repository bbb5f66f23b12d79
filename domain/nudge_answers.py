"""What happens when someone taps a nudge's button, or types the words it asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.kinds import NUDGE_ACTIONS, RITUAL_MOMENT, EventSource, MomentKind, NudgeAction, Ritual
from domain.moments import Relayed, clean_note
from domain.nudge_settings import load_policy
from domain.results import Person, Stale
from scheduling.planner import snoozed_due_at
from storage import events, nudges, users
from storage.database import Database
from storage.models import NudgeStatus

AWAITING_PREFIX = "nudge:"
#: How long a snoozed nudge may still go out late (e.g. after a restart) past its new time.
SNOOZE_GRACE = timedelta(minutes=30)
_MOMENT_FOR_ACTION = {
    NudgeAction.SEND_THINKING: MomentKind.THINKING_OF_YOU,
    NudgeAction.SAID_IN_PERSON: MomentKind.APPRECIATION,
}


@dataclass(frozen=True)
class Answered:
    action: str
    ritual: Ritual
    partner: Person
    relayed: Relayed | None = None  # a "thinking of you" to pass on
    later_not_possible: bool = False


async def answer(
    db: Database, user_id: int, nudge_id: int, action: str, now: datetime
) -> Answered | Stale:
    """Record a tap on one's own, still-open nudge; anything else is a stale button."""
    policy = await load_policy(db, user_id) if action == NudgeAction.LATER else None
    async with db.transaction() as session:
        nudge = await nudges.get(session, nudge_id, for_update=True)
        user = await users.get(session, user_id)
        if (
            nudge is None
            or user is None
            or nudge.user_id != user_id
            or nudge.couple_id != user.couple_id
            or nudge.status != NudgeStatus.SENT
        ):
            return Stale.STALE
        ritual = Ritual(nudge.ritual)
        partner = await users.partner_of(session, user)
        if action not in NUDGE_ACTIONS[ritual] or partner is None:
            return Stale.STALE
        partner_person = Person(partner.id, partner.first_name)
        if action == NudgeAction.LATER:
            due = (
                None
                if policy is None
                else snoozed_due_at(now, policy, already_snoozed=nudge.snoozed)
            )
            if due is None:
                return Answered(action, ritual, partner_person, later_not_possible=True)
            nudge.status, nudge.due_at, nudge.snoozed = NudgeStatus.PLANNED, due, True
            nudge.window_end_at = max(nudge.window_end_at, due + SNOOZE_GRACE)
            return Answered(action, ritual, partner_person)
        if action == NudgeAction.WRITE_OWN:
            user.awaiting = f"{AWAITING_PREFIX}{nudge_id}"
            return Answered(action, ritual, partner_person)
        nudge.responded_at = now
        await nudges.bump_ignored(session, user_id, ritual, reset=True)
        if action == NudgeAction.NOT_TODAY:
            nudge.status = NudgeStatus.DECLINED
            return Answered(action, ritual, partner_person)
        nudge.status = NudgeStatus.ACTED
        kind = _MOMENT_FOR_ACTION.get(NudgeAction(action), RITUAL_MOMENT[ritual])
        event = await events.add(
            session,
            couple_id=nudge.couple_id,
            actor_id=user_id,
            kind=kind,
            source=EventSource.NUDGE,
            now=now,
            nudge_id=nudge_id,
        )
        assert event is not None
        relayed = None
        if kind is MomentKind.THINKING_OF_YOU:
            relayed = Relayed(event.id, Person(user.id, user.first_name), partner_person, None)
        return Answered(action, ritual, partner_person, relayed)


@dataclass(frozen=True)
class Written:
    ritual: Ritual
    relayed: Relayed


async def relay_written(
    db: Database, user_id: int, awaiting: str, text: str, now: datetime
) -> Written | Stale:
    """The words someone typed after "✍️ Write my own"/"Write it", passed to the partner.

    Raises ``NoteTooLong`` before storing anything when the text is too long.
    """
    note = clean_note(text)
    try:
        nudge_id = int(awaiting.removeprefix(AWAITING_PREFIX))
    except ValueError:
        return Stale.STALE
    async with db.transaction() as session:
        nudge = await nudges.get(session, nudge_id, for_update=True)
        user = await users.get(session, user_id)
        partner = await users.partner_of(session, user) if user else None
        user_ok = user is not None and nudge is not None and nudge.user_id == user_id
        if not user_ok or partner is None or nudge is None or user is None:
            if user is not None:
                user.awaiting = None
            return Stale.STALE
        user.awaiting = None
        ritual = Ritual(nudge.ritual)
        kind = (
            MomentKind.APPRECIATION
            if ritual is Ritual.DINNER_APPRECIATION
            else MomentKind.THINKING_OF_YOU
        )
        if nudge.status == NudgeStatus.SENT:
            nudge.status, nudge.responded_at = NudgeStatus.ACTED, now
            await nudges.bump_ignored(session, user_id, ritual, reset=True)
        event = await events.add(
            session,
            couple_id=nudge.couple_id,
            actor_id=user_id,
            kind=kind,
            source=EventSource.NUDGE,
            now=now,
            note=note,
            nudge_id=nudge_id,
        )
        assert event is not None
        return Written(
            ritual,
            Relayed(
                event.id,
                Person(user.id, user.first_name),
                Person(partner.id, partner.first_name),
                note,
            ),
        )
