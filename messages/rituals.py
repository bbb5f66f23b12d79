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
    ),
    MomentEntry(
        MomentKind.KISS,
        "💋",
        "Six-second kiss",
        (
            "Six seconds, fully there. Logged. 💋",
            "A six-second kiss — instant connection. Logged. 💋",
        ),
    ),
    MomentEntry(
        MomentKind.SMILE,
        "😊",
        "Eye contact / smile",
        (
            "Looking up and smiling when they walk in: small, and it matters. Logged. 😊",
            "A smile across the room, logged. 😊",
        ),
    ),
    MomentEntry(
        MomentKind.TOUCH,
        "🤝",
        "Gentle touch",
        (
            "A gentle touch on the arm — a quiet 'I'm here'. Logged. 🤝",
            "Gentle touch logged. These tiny acts are deceptively powerful. 🤝",
        ),
    ),
    MomentEntry(
        MomentKind.CHECK_IN,
        "📱",
        "Check-in text",
        (
            "A check-in text keeps you attuned through a busy day. Logged. 📱",
            "Check-in logged. 📱",
        ),
    ),
    MomentEntry(
        MomentKind.APPRECIATION,
        "🙏",
        "Appreciation",
        (
            "“I appreciate you” — one of the best deposits there is. Logged. 🙏",
            "Appreciation logged. Feeling noticed is feeling loved. 🙏",
        ),
    ),
    MomentEntry(
        MomentKind.LISTENING,
        "👂",
        "Pausing to listen",
        (
            "Pausing to really listen — that's turning toward each other. Logged. 👂",
            "Listening logged. Presence is a gift. 👂",
        ),
    ),
    MomentEntry(
        MomentKind.GOODNIGHT,
        "🌙",
        "Goodnight ritual",
        (
            "A warm goodnight ritual, logged. Sleep well, you two. 🌙",
            "Goodnight ritual logged — a steady place to land. 🌙",
        ),
    ),
    MomentEntry(
        MomentKind.OTHER,
        "✨",
        "Something else",
        (
            "A moment of warmth, logged. ✨",
            "Logged — every small moment counts. ✨",
        ),
    ),
)

MOMENTS_BY_KIND: dict[MomentKind, MomentEntry] = {entry.kind: entry for entry in MOMENTS}
