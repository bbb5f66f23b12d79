"""The Mini App's JSON: domain values turned into what the page draws, with the chat's words.

Plain dicts of numbers and strings; the figures come from the very functions the chat
uses (the weekly reflection, ``/history``, ``/settings``), so page and chat never disagree.
"""

from __future__ import annotations

import html
import re
from typing import Any

from domain.values.calendar import CoupleStory
from domain.values.history import History
from domain.values.kinds import Ritual
from domain.values.preferences import NudgeSettings
from domain.values.weekly_summary import Reflection
from domain.values.windows import LocalWindow
from messages import history as history_words
from messages import settings as settings_words
from messages import webapp as page_words
from messages import weekly as weekly_words
from messages.rituals import MOMENTS

_TAG = re.compile(r"<[^>]+>")
JSON = dict[str, Any]


def plain(text_html: str) -> str:
    """The chat's HTML words as plain text: the page shows them with ``textContent``."""
    return html.unescape(_TAG.sub("", text_html))


def _cards(cards: list[tuple[str, str]]) -> list[JSON]:
    return [{"value": value, "label": label} for value, label in cards]


def week(reflection: Reflection) -> JSON:
    summary = reflection.summary
    me, partner = reflection.names
    words = weekly_words.render_summary(
        summary, asker_name=me, partner_name=partner, last_week=reflection.last_week
    )
    return {
        "paired": True,
        "weeks_ago": reflection.weeks_ago,
        "week_start": summary.week_start.isoformat(),
        "range": weekly_words.format_week_range(summary.week_start),
        "in_progress": summary.in_progress,
        "names": {"me": me, "partner": partner},
        "total": summary.total,
        "total_last_week": summary.total_last_week,
        "days_connected": summary.days_connected,
        "days_connected_last_week": summary.days_connected_last_week,
        "days_elapsed": summary.days_elapsed,
        "daily": [
            {"day": d.day.isoformat(), "me": d.asker, "partner": d.partner} for d in summary.daily
        ],
        "last_week_daily": [d.total for d in summary.daily_last_week],
        "kinds": [
            {"kind": row.kind.value, "this_week": row.this_week, "last_week": row.last_week}
            for row in summary.kinds
            if row.this_week or row.last_week
        ],
        "bids": {"sent": summary.bids.sent, "answered": summary.bids.answered},
        "cards": _cards(page_words.week_cards(summary)),
        "all_time_total": summary.all_time_total,
        "words": plain(words),
    }


def story(story: CoupleStory) -> JSON:
    return {
        "paired": True,
        "today": story.today.isoformat(),
        "paired_on": story.paired_on.isoformat(),
        "all_time_total": story.all_time_total,
        "days_connected": story.days_connected,
        "cards": _cards(page_words.history_cards(story)),
        "days": [
            {
                "day": d.day.isoformat(),
                "me": d.asker,
                "partner": d.partner,
                "both": d.connected,
                "label": page_words.day_cell(d, story),
            }
            for d in story.days
        ],
        "top_rituals": [
            {
                "ritual": row.ritual.value,
                "name": settings_words.RITUAL_NAMES[row.ritual],
                "moments": row.moments,
            }
            for row in story.top_rituals
        ],
    }


def moments(history: History) -> JSON:
    entries = []
    for entry in history.entries:
        emoji, label = history_words.kind_label(entry.kind)
        entries.append(
            {
                "mine": entry.mine,
                "who": history_words.who(entry, history.partner_name),
                "emoji": emoji,
                "label": label,
                "note": entry.note,
                "when": history_words.when_label(entry.at),
            }
        )
    return {
        "paired": True,
        "partner": history.partner_name,
        "entries": entries,
        "buttons": [{"kind": m.kind.value, "label": m.button} for m in MOMENTS],
    }


def _window(window: LocalWindow | None) -> JSON | None:
    if window is None:
        return None
    return {"start": settings_words.clock(window.start), "end": settings_words.clock(window.end)}


def settings(settings: NudgeSettings) -> JSON:
    return {
        "paired": settings.paired,
        "timezone": settings.timezone,
        "rituals": [
            {
                "ritual": pref.ritual.value,
                "name": settings_words.RITUAL_NAMES[pref.ritual],
                "enabled": pref.enabled,
                "window": _window(pref.window),
                "next": plain(settings_words.next_one(pref.ritual, settings) or ""),
            }
            for pref in settings.rituals
            if pref.ritual is not Ritual.BEDTIME
        ],
        "bedtime": {
            "enabled": settings.preference(Ritual.BEDTIME).enabled,
            "at": settings_words.clock(settings.bedtime),
        },
        "quiet": _window(settings.quiet),
        "paused_through": (
            None if settings.paused_through is None else settings.paused_through.isoformat()
        ),
        "paused_label": (
            None
            if settings.paused_through is None
            else page_words.paused_through(settings.paused_through)
        ),
        "sunday_digest": settings.sunday_digest,
        "relays_wait": settings.relays_wait,
        "summary": plain(settings_words.summary(settings)),
    }
