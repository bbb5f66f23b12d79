"""What the scheduled nudges say: several phrasings per ritual, the buttons, the outcomes.

Phrasings rotate by day so no one reads the same sentence two days running. Every one of
them names the partner (a nudge is about the two of you, never a generic reminder), and none
of them counts, compares or reproaches: a nudge is an invitation, and "Not today" is always
fine.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from domain.values.kinds import NudgeAction, Ritual

Action = NudgeAction


@dataclass(frozen=True)
class NudgeCopy:
    phrasings: tuple[str, ...]
    labels: dict[NudgeAction, str]


CATALOGUE: dict[Ritual, NudgeCopy] = {
    Ritual.MORNING_HUG: NudgeCopy(
        (
            "☀️ Good morning! Before one of you heads out, how about a 10-second hug with "
            "{partner}? Long enough for both bodies to settle.",
            "☀️ A small one for the morning: a real hug with {partner} before you part — "
            "ten slow seconds.",
            "☀️ Morning! Ten seconds of hugging {partner} tells a body: I'm safe here.",
        ),
        {Action.DONE: "🤗 Done", Action.NOT_TODAY: "Not today"},
    ),
    Ritual.MIDDAY_THINKING: NudgeCopy(
        (
            "💭 Middle of the day — want to let {partner} know you're thinking of them?",
            "💭 A tiny midday moment: a “thinking of you” can change the colour of "
            "{partner}'s day.",
            "💭 Busy day? One tap sends {partner} a little warmth.",
        ),
        {
            Action.SEND_THINKING: "💌 Send “thinking of you”",
            Action.WRITE_OWN: "✍️ Write my own",
            Action.LATER: "⏰ Later",
            Action.NOT_TODAY: "Not today",
        },
    ),
    Ritual.DINNER_APPRECIATION: NudgeCopy(
        (
            "🍽 Around dinner: share one appreciation with {partner}. "
            "“Thanks for taking care of that” is plenty.",
            "🍽 One small appreciation for {partner} tonight? Feeling noticed is feeling loved.",
            "🍽 What's one thing {partner} did today that you liked? Tell them — "
            "here or across the table.",
        ),
        {
            Action.WRITE_OWN: "✍️ Write it",
            Action.SAID_IN_PERSON: "✅ Said it in person",
            Action.NOT_TODAY: "Not today",
        },
    ),
    Ritual.BEDTIME: NudgeCopy(
        (
            "🌙 Winding down? A little bedtime ritual with {partner}: a cuddle, a check-in, "
            "one thing you're grateful for.",
            "🌙 Before sleep: a moment with {partner} — how was your day, really?",
            "🌙 A warm goodnight with {partner}: a cuddle and a moment of gratitude.",
        ),
        {Action.DONE: "🌙 We did it", Action.NOT_TODAY: "Not tonight"},
    ),
    Ritual.SIX_SECOND_KISS: NudgeCopy(
        (
            "💋 When you see {partner} next: a six-second kiss. Long enough to mean it.",
            "😊 When {partner} walks into the room, look up and smile. That's it.",
        ),
        {Action.DONE: "✅ Done"},
    ),
}

PHRASING_COUNTS: dict[Ritual, int] = {r: len(c.phrasings) for r, c in CATALOGUE.items()}

# Shown in place of the buttons once the nudge is answered (no stale buttons stay behind).
OUTCOME = {
    Action.DONE: "✓ Done — lovely. 💛",
    Action.NOT_TODAY: "✓ Not today — that's okay. 🌿",
    Action.SEND_THINKING: "✓ Sent to {partner} 💌",
    Action.WRITE_OWN: "✍️ In your own words…",
    Action.LATER: "⏰ I'll ask again in an hour.",
    Action.SAID_IN_PERSON: "✓ Said in person — even better. 💛",
}
LATER_NOT_POSSIBLE = "An hour from now would be too late for today — no worries. 🌿"
APPRECIATION_RECEIVED = "🙏 <b>{name}</b> appreciates you:\n\n<i>“{note}”</i>"
APPRECIATION_SENT = "Passed on to {partner} 🙏"
PARTNER_UNREACHABLE = (
    "{name} doesn't seem to be receiving my messages right now, so I've paused their "
    "reminders. Nothing you need to do. 🌿"
)


def nudge_text(ritual: Ritual, phrasing: int, partner: str) -> str:
    copy = CATALOGUE[ritual]
    return copy.phrasings[phrasing % len(copy.phrasings)].format(partner=html.escape(partner))


#: Sent with ``ForceReply`` after "✍️ Write my own": the reply field opens on this prompt.
WRITE_OWN_PROMPT = "✍️ Type your message and I'll pass it to {partner}."
WRITE_OWN_PLACEHOLDER = "Your words for {partner}"
