"""What happens when someone taps a nudge's button, or types the words it asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.moments import Relayed, clean_note, relay
from domain.nudge_settings import load_policy
from domain.values.conversation import AwaitingWords
from domain.values.conversation import store as conversation_store
from domain.values.kinds import (
    NUDGE_ACTIONS,
    RITUAL_MOMENT,
    Delivery,
    EventSource,
    MomentKind,
    NudgeAction,
    Ritual,
)
from domain.values.policy import snoozed_due_at
from domain.values.results import Person, Stale
from domain.work import Work
from storage import events, nudges, users
from storage.models import NudgeStatus

#: How long a snoozed nudge may still go out late (e.g. after a restart) past its new time.
SNOOZE_GRACE = timedelta(minutes=30)
#: A nudge whose send timed out ("maybe") may well be on the person's screen: its buttons work.
_ANSWERABLE = (NudgeStatus.SENT, NudgeStatus.MAYBE)
_MOMENT_FOR_ACTION = {
    NudgeAction.SEND_THINKING: MomentKind.THINKING_OF_YOU,
    NudgeAction.SAID_IN_PERSON: MomentKind.APPRECIATION,
}


@dataclass(frozen=True)
class Answered:
    action: NudgeAction
    ritual: Ritual
    partner: Person
    relayed: Relayed | None = None  # a "thinking of you" owed to the partner
    later_not_possible: bool = False


async def answer(work: Work, nudge_id: int, action: NudgeAction) -> Answered | Stale:
    """Record a tap on one's own, still-open nudge; anything else is a stale button."""
    me, session, now = work.me, work.session, work.now
    nudge = await nudges.get(session, nudge_id, for_update=True)
    if (
        nudge is None
        or nudge.user_id != me.id
        or nudge.couple_id != me.couple_id
        or nudge.status not in _ANSWERABLE
    ):
        return Stale.STALE
    ritual = Ritual(nudge.ritual)
    partner = await users.partner_of(session, me)
    if action not in NUDGE_ACTIONS[ritual] or partner is None:
        return Stale.STALE
    partner_person = Person(partner.id, partner.first_name)
    if action == NudgeAction.LATER:
        policy = await load_policy(work)
        due = None if policy is None else snoozed_due_at(now, policy, already_snoozed=nudge.snoozed)
        if due is None:
            return Answered(action, ritual, partner_person, later_not_possible=True)
        nudge.status, nudge.due_at, nudge.snoozed = NudgeStatus.PLANNED, due, True
        nudge.window_end_at = max(nudge.window_end_at, due + SNOOZE_GRACE)
        return Answered(action, ritual, partner_person)
    if action == NudgeAction.WRITE_OWN:
        me.awaiting = conversation_store(AwaitingWords(nudge_id), now)
        return Answered(action, ritual, partner_person)
    nudge.responded_at = now
    await nudges.bump_ignored(session, me.id, ritual, reset=True)
    if action == NudgeAction.NOT_TODAY:
        nudge.status = NudgeStatus.DECLINED
        return Answered(action, ritual, partner_person)
    nudge.status = NudgeStatus.ACTED
    kind = _MOMENT_FOR_ACTION.get(action, RITUAL_MOMENT[ritual])
    event = await events.add(
        session,
        couple_id=nudge.couple_id,
        actor_id=me.id,
        kind=kind,
        source=EventSource.NUDGE,
        now=now,
        nudge_id=nudge_id,
    )
    assert event is not None
    relayed = None
    if kind is MomentKind.THINKING_OF_YOU:
        relayed = await relay(work, partner, event.id, Delivery.THINKING, None)
    return Answered(action, ritual, partner_person, relayed)


@dataclass(frozen=True)
class Written:
    ritual: Ritual
    relayed: Relayed


async def relay_written(work: Work, awaiting: AwaitingWords, text: str) -> Written | Stale:
    """The words someone typed after "✍️ Write my own"/"Write it", owed to the partner.

    Raises ``NoteTooLong`` before storing anything when the text is too long.
    """
    note = clean_note(text)
    me, session = work.me, work.session
    me.awaiting = None
    nudge = await nudges.get(session, awaiting.nudge_id, for_update=True)
    partner = await users.partner_of(session, me)
    if nudge is None or nudge.user_id != me.id or partner is None:
        return Stale.STALE
    ritual = Ritual(nudge.ritual)
    appreciation = ritual is Ritual.DINNER_APPRECIATION
    if nudge.status in _ANSWERABLE:
        nudge.status, nudge.responded_at = NudgeStatus.ACTED, work.now
        await nudges.bump_ignored(session, me.id, ritual, reset=True)
    event = await events.add(
        session,
        couple_id=nudge.couple_id,
        actor_id=me.id,
        kind=MomentKind.APPRECIATION if appreciation else MomentKind.THINKING_OF_YOU,
        source=EventSource.NUDGE,
        now=work.now,
        note=note,
        nudge_id=nudge.id,
    )
    assert event is not None
    delivery = Delivery.APPRECIATION if appreciation else Delivery.THINKING
    return Written(ritual, await relay(work, partner, event.id, delivery, note))
