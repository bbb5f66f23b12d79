"""The micro-connections of the seed text, as people see them on buttons and in replies."""

from __future__ import annotations

from dataclasses import dataclass

from domain.values.kinds import MomentKind
from messages.i18n import N_, Translated, _


@dataclass(frozen=True)
class MomentEntry:
    """One micro-connection; its words are English sources, read in the active language."""

    kind: MomentKind
    emoji: str
    label_source: str  # short enough for a two-column button
    confirmations_source: tuple[str, ...]  # said after logging it; rotated, never canned
    shared_source: str  # "Alice is glad about <shared>" when told to the partner

    @property
    def label(self) -> str:
        return _(self.label_source)

    @property
    def confirmations(self) -> tuple[str, ...]:
        return tuple(_(text) for text in self.confirmations_source)

    @property
    def shared(self) -> str:
        return _(self.shared_source)

    @property
    def button(self) -> str:
        return f"{self.emoji} {self.label}"


MOMENTS: tuple[MomentEntry, ...] = (
    MomentEntry(
        MomentKind.HUG,
        "🤗",
        N_("Hug before leaving"),
        (
            N_("A 10-second hug before one of you leaves — that's the glue. Logged. 🤗"),
            N_("Hug logged. Ten seconds that tell a body: I'm safe here. 🤗"),
        ),
        N_("the hug you shared"),
    ),
    MomentEntry(
        MomentKind.KISS,
        "💋",
        N_("Six-second kiss"),
        (
            N_("Six seconds, fully there. Logged. 💋"),
            N_("A six-second kiss — instant connection. Logged. 💋"),
        ),
        N_("the six-second kiss you shared"),
    ),
    MomentEntry(
        MomentKind.SMILE,
        "😊",
        N_("Eye contact / smile"),
        (
            N_("Looking up and smiling when they walk in: small, and it matters. Logged. 😊"),
            N_("A smile across the room, logged. 😊"),
        ),
        N_("the smile you shared"),
    ),
    MomentEntry(
        MomentKind.TOUCH,
        "🤝",
        N_("Gentle touch"),
        (
            N_("A gentle touch on the arm — a quiet 'I'm here'. Logged. 🤝"),
            N_("Gentle touch logged. These tiny acts are deceptively powerful. 🤝"),
        ),
        N_("the gentle touch you shared"),
    ),
    MomentEntry(
        MomentKind.CHECK_IN,
        "📱",
        N_("Check-in text"),
        (
            N_("A check-in text keeps you attuned through a busy day. Logged. 📱"),
            N_("Check-in logged. 📱"),
        ),
        N_("your check-in"),
    ),
    MomentEntry(
        MomentKind.APPRECIATION,
        "🙏",
        N_("Appreciation"),
        (
            N_("“I appreciate you” — one of the best deposits there is. Logged. 🙏"),
            N_("Appreciation logged. Feeling noticed is feeling loved. 🙏"),
        ),
        N_("the appreciation you shared"),
    ),
    MomentEntry(
        MomentKind.LISTENING,
        "👂",
        N_("Pausing to listen"),
        (
            N_("Pausing to really listen — that's turning toward each other. Logged. 👂"),
            N_("Listening logged. Presence is a gift. 👂"),
        ),
        N_("the time you paused to really listen"),
    ),
    MomentEntry(
        MomentKind.GOODNIGHT,
        "🌙",
        N_("Goodnight ritual"),
        (
            N_("A warm goodnight ritual, logged. Sleep well, you two. 🌙"),
            N_("Goodnight ritual logged — a steady place to land. 🌙"),
        ),
        N_("your goodnight ritual"),
    ),
    MomentEntry(
        MomentKind.OTHER,
        "✨",
        N_("Something else"),
        (
            N_("A moment of warmth, logged. ✨"),
            N_("Logged — every small moment counts. ✨"),
        ),
        N_("a moment you shared"),
    ),
)

MOMENTS_BY_KIND: dict[MomentKind, MomentEntry] = {entry.kind: entry for entry in MOMENTS}

#: How relayed moments appear in ``/history`` (they are not on the moment menu).
RELAYED_EMOJI: dict[MomentKind, str] = {MomentKind.THINKING_OF_YOU: "💭", MomentKind.LOVE_BACK: "❤️"}
RELAYED: Translated[MomentKind] = Translated(
    {MomentKind.THINKING_OF_YOU: N_("Thinking of you"), MomentKind.LOVE_BACK: N_("Love back")}
)
