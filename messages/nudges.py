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
from messages.i18n import N_, Translated, _, translate_constants

Action = NudgeAction


@dataclass(frozen=True)
class NudgeCopy:
    """English sources; ``nudge_text`` and ``labels`` read them in the active language."""

    phrasings: tuple[str, ...]
    label_sources: dict[NudgeAction, str]

    @property
    def labels(self) -> Translated[NudgeAction]:
        return Translated(self.label_sources)


CATALOGUE: dict[Ritual, NudgeCopy] = {
    Ritual.MORNING_HUG: NudgeCopy(
        (
            N_(
                "☀️ Good morning! Before one of you heads out, how about a 10-second hug with "
                "{partner}? Long enough for both bodies to settle."
            ),
            N_(
                "☀️ A small one for the morning: a real hug with {partner} before you part — "
                "ten slow seconds."
            ),
            N_("☀️ Morning! Ten seconds of hugging {partner} tells a body: I'm safe here."),
        ),
        {Action.DONE: N_("🤗 Done"), Action.NOT_TODAY: N_("Not today")},
    ),
    Ritual.MIDDAY_THINKING: NudgeCopy(
        (
            N_("💭 Middle of the day — want to let {partner} know you're thinking of them?"),
            N_(
                "💭 A tiny midday moment: a “thinking of you” can change the colour of "
                "{partner}'s day."
            ),
            N_("💭 Busy day? One tap sends {partner} a little warmth."),
        ),
        {
            Action.SEND_THINKING: N_("💌 Send “thinking of you”"),
            Action.WRITE_OWN: N_("✍️ Write my own"),
            Action.LATER: N_("⏰ Later"),
            Action.NOT_TODAY: N_("Not today"),
        },
    ),
    Ritual.DINNER_APPRECIATION: NudgeCopy(
        (
            N_(
                "🍽 Around dinner: share one appreciation with {partner}. "
                "“Thanks for taking care of that” is plenty."
            ),
            N_("🍽 One small appreciation for {partner} tonight? Feeling noticed is feeling loved."),
            N_(
                "🍽 What's one thing {partner} did today that you liked? Tell them — "
                "here or across the table."
            ),
        ),
        {
            Action.WRITE_OWN: N_("✍️ Write it"),
            Action.SAID_IN_PERSON: N_("✅ Said it in person"),
            Action.NOT_TODAY: N_("Not today"),
        },
    ),
    Ritual.BEDTIME: NudgeCopy(
        (
            N_(
                "🌙 Winding down? A little bedtime ritual with {partner}: a cuddle, a check-in, "
                "one thing you're grateful for."
            ),
            N_("🌙 Before sleep: a moment with {partner} — how was your day, really?"),
            N_("🌙 A warm goodnight with {partner}: a cuddle and a moment of gratitude."),
        ),
        {Action.DONE: N_("🌙 We did it"), Action.NOT_TODAY: N_("Not tonight")},
    ),
    Ritual.SIX_SECOND_KISS: NudgeCopy(
        (
            N_("💋 When you see {partner} next: a six-second kiss. Long enough to mean it."),
            N_("😊 When {partner} walks into the room, look up and smile. That's it."),
        ),
        {Action.DONE: N_("✅ Done")},
    ),
}

PHRASING_COUNTS: dict[Ritual, int] = {r: len(c.phrasings) for r, c in CATALOGUE.items()}

# Shown in place of the buttons once the nudge is answered (no stale buttons stay behind).
OUTCOME: Translated[NudgeAction] = Translated(
    {
        Action.DONE: N_("✓ Done — lovely. 💛"),
        Action.NOT_TODAY: N_("✓ Not today — that's okay. 🌿"),
        Action.SEND_THINKING: N_("✓ Sent to {partner} 💌"),
        Action.WRITE_OWN: N_("✍️ In your own words…"),
        Action.LATER: N_("⏰ I'll ask again in an hour."),
        Action.SAID_IN_PERSON: N_("✓ Said in person — even better. 💛"),
    }
)
LATER_NOT_POSSIBLE = N_("An hour from now would be too late for today — no worries. 🌿")
APPRECIATION_RECEIVED = N_("🙏 <b>{name}</b> appreciates you:\n\n<i>“{note}”</i>")
APPRECIATION_SENT = N_("Passed on to {partner} 🙏")
PARTNER_UNREACHABLE = N_(
    "{name} doesn't seem to be receiving my messages right now, so I've paused their "
    "reminders. Nothing you need to do. 🌿"
)


def nudge_text(ritual: Ritual, phrasing: int, partner: str) -> str:
    copy = CATALOGUE[ritual]
    template = _(copy.phrasings[phrasing % len(copy.phrasings)])
    return template.format(partner=html.escape(partner))


#: Sent with ``ForceReply`` after "✍️ Write my own": the reply field opens on this prompt.
WRITE_OWN_PROMPT = N_("✍️ Type your message and I'll pass it to {partner}.")
WRITE_OWN_PLACEHOLDER = N_("Your words for {partner}")


translate_constants(__name__)
