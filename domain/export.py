"""``/export``: a person's own data, as one JSON document they can keep.

What is in it is exactly what the README's **Privacy** section lists as stored about a
person. Of a partner only the first name appears: their moments, notes and settings are
theirs to export. ``SCHEMA_VERSION`` changes whenever a field changes meaning or goes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from domain.work import Work
from storage import export as rows

SCHEMA_VERSION: Final = 1


async def my_data(work: Work) -> dict[str, Any]:
    """Everything stored about ``work.me``, as JSON-ready values."""
    session, me = work.session, work.me
    rituals = await rows.ritual_settings(session, me.id)
    couples = await rows.couples_with_partner_names(session, me.id)
    return {
        "schema_version": SCHEMA_VERSION,
        "exported_at": _when(work.now),
        "profile": {
            "telegram_user_id": me.id,
            "first_name": me.first_name,
            "language_code": me.telegram_language,
            "time_zone": me.timezone,
            "first_seen_at": _when(me.created_at),
            "reachable": me.is_active,
        },
        "settings": {
            "quiet_hours": me.quiet_hours,
            "paused_until": _when(me.paused_until),
            "sunday_digest": not me.digest_opt_out,
            "partner_messages_in_quiet_hours": "wait" if me.relays_wait_for_morning else "silent",
            "rituals": [
                {
                    "ritual": r.ritual,
                    "enabled": r.enabled,
                    "window": r.window,
                    "ignored_in_a_row": r.ignored_in_a_row,
                }
                for r in rituals
            ],
        },
        "couples": [
            {
                "couple_id": couple.id,
                "partner_first_name": partner,
                "paired_at": _when(couple.created_at),
                "ended_at": _when(couple.ended_at),
                "current": couple.id == me.couple_id,
            }
            for couple, partner in couples
        ],
        "moments": [
            {
                "id": e.id,
                "couple_id": e.couple_id,
                "kind": e.kind,
                "source": e.source,
                "note": e.note,
                "at": _when(e.created_at),
                "answering_nudge_id": e.nudge_id,
            }
            for e in await rows.own_events(session, me.id)
        ],
        "messages_sent_to_partner": [
            {
                "kind": m.kind,
                "note": rows.payload_note(m),
                "at": _when(m.created_at),
                "status": m.status,
                "sent_at": _when(m.sent_at),
            }
            for m in await rows.sent_messages(session, me.id)
        ],
        "words_offered_not_yet_sent": [
            {"text": o.text, "at": _when(o.created_at)} for o in await rows.offers(session, me.id)
        ],
        "nudges_received": [
            {
                "id": n.id,
                "ritual": n.ritual,
                "day": _when(n.local_date),
                "due_at": _when(n.due_at),
                "sent_at": _when(n.sent_at),
                "what_you_did": n.status,
                "answered_at": _when(n.responded_at),
            }
            for n in await rows.nudges_received(session, me.id)
        ],
        "sunday_digests": [
            {"week_of": _when(d.week_start), "status": d.status, "sent_at": _when(d.sent_at)}
            for d in await rows.digests(session, me.id)
        ],
        "invitations": [
            {
                "created_at": _when(i.created_at),
                "expires_at": _when(i.expires_at),
                "used_at": _when(i.used_at),
            }
            for i in await rows.invites(session, me.id)
        ],
    }


def _when(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()
