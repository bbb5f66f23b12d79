"""The micro-connections of the seed text, as people see them on buttons and in replies."""

from __future__ import annotations

from dataclasses import dataclass

from domain.values.kinds import MomentKind


@dataclass(frozen=True)
class MomentEntry:
    kind: MomentKind
    emoji: str
    label: str  # short enough for a two-column button
    confirmations: tuple[str, ...]  # said after logging it; rotated so it never feels canned
    shared: str  # "Alice is glad about <shared>" when told to the partner

    @property
    def button(self) -> str:
        return f"{self.emoji} {self.label}"


MOMENTS: tuple[MomentEntry, ...] = (
    MomentEntry(
        MomentKind.HUG,
        "🤗",
        "Hug before leaving",
        (
            "A 10-second hug before one of you leaves — that's the glue. Logged. 🤗",
            "Hug logged. Ten seconds that tell a body: I'm safe here. 🤗",
        ),
        "the hug you shared",
    ),
    MomentEntry(
        MomentKind.KISS,
        "💋",
        "Six-second kiss",
        (
            "Six seconds, fully there. Logged. 💋",
            "A six-second kiss — instant connection. Logged. 💋",
        ),
        "the six-second kiss you shared",
    ),
    MomentEntry(
        MomentKind.SMILE,
        "😊",
        "Eye contact / smile",
        (
            "Looking up and smiling when they walk in: small, and it matters. Logged. 😊",
            "A smile across the room, logged. 😊",
        ),
        "the smile you shared",
    ),
    MomentEntry(
        MomentKind.TOUCH,
        "🤝",
        "Gentle touch",
        (
            "A gentle touch on the arm — a quiet 'I'm here'. Logged. 🤝",
            "Gentle touch logged. These tiny acts are deceptively powerful. 🤝",
        ),
        "the gentle touch you shared",
    ),
    MomentEntry(
        MomentKind.CHECK_IN,
        "📱",
        "Check-in text",
        (
            "A check-in text keeps you attuned through a busy day. Logged. 📱",
            "Check-in logged. 📱",
        ),
        "your check-in",
    ),
    MomentEntry(
        MomentKind.APPRECIATION,
        "🙏",
        "Appreciation",
        (
            "“I appreciate you” — one of the best deposits there is. Logged. 🙏",
            "Appreciation logged. Feeling noticed is feeling loved. 🙏",
        ),
        "the appreciation you shared",
    ),
    MomentEntry(
        MomentKind.LISTENING,
        "👂",
        "Pausing to listen",
        (
            "Pausing to really listen — that's turning toward each other. Logged. 👂",
            "Listening logged. Presence is a gift. 👂",
        ),
        "the time you paused to really listen",
    ),
    MomentEntry(
        MomentKind.GOODNIGHT,
        "🌙",
        "Goodnight ritual",
        (
            "A warm goodnight ritual, logged. Sleep well, you two. 🌙",
            "Goodnight ritual logged — a steady place to land. 🌙",
        ),
        "your goodnight ritual",
    ),
    MomentEntry(
        MomentKind.OTHER,
        "✨",
        "Something else",
        (
            "A moment of warmth, logged. ✨",
            "Logged — every small moment counts. ✨",
        ),
        "a moment you shared",
    ),
)

MOMENTS_BY_KIND: dict[MomentKind, MomentEntry] = {entry.kind: entry for entry in MOMENTS}

#: How relayed moments appear in ``/history`` (they are not on the moment menu).
RELAYED: dict[MomentKind, tuple[str, str]] = {
    MomentKind.THINKING_OF_YOU: ("💭", "Thinking of you"),
    MomentKind.LOVE_BACK: ("❤️", "Love back"),
}
