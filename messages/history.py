"""What ``/history`` says: the latest moments and notes of both partners, newest first."""

from __future__ import annotations

from datetime import datetime

from domain.values.history import Entry, History
from domain.values.kinds import MomentKind
from messages.i18n import N_, _, short_day_label, translate_constants
from messages.rituals import MOMENTS_BY_KIND, RELAYED, RELAYED_EMOJI
from messages.texts import fmt

TITLE = N_("📖 <b>Your latest moments</b>, newest first:")
EMPTY = N_(
    "No moments here yet 🌱 The first one is a tap away: /moment after a hug or a kind word, "
    "or /thinking to tell {partner} you're thinking of them."
)
NOT_PAIRED = N_(
    "Your shared history starts once you're paired 💌 Tap below to invite your partner."
)
_LINE = N_("{emoji} <b>{who}</b> · {label} · {when}")
_NOTE = N_("\n      <i>“{note}”</i>")
_YOU = N_("You")
_A_MOMENT = N_("A moment")


def kind_label(kind: str) -> tuple[str, str]:
    """The emoji and words for a stored kind (an unknown one still reads kindly)."""
    try:
        known = MomentKind(kind)
    except ValueError:
        return "✨", _(_A_MOMENT)
    if known in RELAYED:
        return RELAYED_EMOJI[known], RELAYED[known]
    entry = MOMENTS_BY_KIND.get(known)
    return (entry.emoji, entry.label) if entry else ("✨", _(_A_MOMENT))


def who(entry: Entry, partner_name: str) -> str:
    """ "You" for the reader's own moments, else the partner's name (chat and Mini App)."""
    return _(_YOU) if entry.mine else partner_name


def when_label(moment: datetime) -> str:
    """ "Thu 26 Nov, 10:05", in the asker's zone, in the asker's language."""
    return f"{short_day_label(moment.date())}, {moment:%H:%M}"


def render_history(history: History) -> str:
    if not history.entries:
        return fmt(_(EMPTY), partner=history.partner_name)
    lines = [_(TITLE), ""]
    for entry in history.entries:
        emoji, label = kind_label(entry.kind)
        line = fmt(
            _(_LINE),
            emoji=emoji,
            who=who(entry, history.partner_name),
            label=label,
            when=when_label(entry.at),
        )
        if entry.note:
            line += fmt(_(_NOTE), note=entry.note)
        lines.append(line)
    return "\n".join(lines)


translate_constants(__name__)
