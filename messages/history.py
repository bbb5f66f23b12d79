"""What ``/history`` says: the latest moments and notes of both partners, newest first."""

from __future__ import annotations

from datetime import datetime

from domain.values.history import History
from domain.values.kinds import MomentKind
from messages.rituals import MOMENTS_BY_KIND, RELAYED
from messages.texts import fmt

TITLE = "📖 <b>Your latest moments</b>, newest first:"
EMPTY = (
    "No moments here yet 🌱 The first one is a tap away: /moment after a hug or a kind word, "
    "or /thinking to tell {partner} you're thinking of them."
)
NOT_PAIRED = "Your shared history starts once you're paired 💌 Tap below to invite your partner."
_LINE = "{emoji} <b>{who}</b> · {label} · {when}"
_NOTE = "\n      <i>“{note}”</i>"
_YOU = "You"


def kind_label(kind: str) -> tuple[str, str]:
    """The emoji and words for a stored kind (an unknown one still reads kindly)."""
    try:
        known = MomentKind(kind)
    except ValueError:
        return "✨", "A moment"
    if known in RELAYED:
        return RELAYED[known]
    entry = MOMENTS_BY_KIND.get(known)
    return (entry.emoji, entry.label) if entry else ("✨", "A moment")


def when_label(moment: datetime) -> str:
    """ "Thu 26 Nov, 10:05", in the asker's zone (English names, whatever the locale)."""
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[moment.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{day} {moment.day} {month[moment.month - 1]}, {moment:%H:%M}"


def render_history(history: History) -> str:
    if not history.entries:
        return fmt(EMPTY, partner=history.partner_name)
    lines = [TITLE, ""]
    for entry in history.entries:
        emoji, label = kind_label(entry.kind)
        who = _YOU if entry.mine else history.partner_name
        line = fmt(_LINE, emoji=emoji, who=who, label=label, when=when_label(entry.at))
        if entry.note:
            line += fmt(_NOTE, note=entry.note)
        lines.append(line)
    return "\n".join(lines)
