"""The vocabulary of micro-connections, shared by storage, scheduling and the bot.

Only identifiers live here; what each one *says* to a person lives in ``messages/``.
The values are stored in the database, so never rename one without a migration.
"""

from __future__ import annotations

from enum import StrEnum


class MomentKind(StrEnum):
    """A kind of micro-connection, taken from the seed text's list."""

    HUG = "hug"  # a 10-second hug before one of you leaves
    KISS = "kiss"  # the six-second kiss
    SMILE = "smile"  # eye contact, looking up and smiling
    TOUCH = "touch"  # a gentle touch on the arm
    CHECK_IN = "check_in"  # a check-in text
    APPRECIATION = "appreciation"  # "I appreciate you"
    LISTENING = "listening"  # pausing to listen
    GOODNIGHT = "goodnight"  # a bedtime ritual: cuddle, check-in, gratitude
    THINKING_OF_YOU = "thinking_of_you"  # a "thinking of you" relayed through the bot
    LOVE_BACK = "love_back"  # "send love back" in answer to a thinking-of-you
    OTHER = "other"


class EventSource(StrEnum):
    """Where a connection event came from, so a summary can tell logged from prompted."""

    MOMENT = "moment"  # the person logged it from /moment
    RELAY = "relay"  # a message relayed to the partner (/thinking, love back)
    NUDGE = "nudge"  # an answer to a scheduled nudge


class Ritual(StrEnum):
    """A scheduled nudge toward one of the seed's daily rituals."""

    MORNING_HUG = "morning_hug"
    MIDDAY_THINKING = "midday_thinking"
    DINNER_APPRECIATION = "dinner_appreciation"
    BEDTIME = "bedtime"
    SIX_SECOND_KISS = "six_second_kiss"


#: The moment a ritual leads to, for counting nudged and spontaneous moments together.
RITUAL_MOMENT: dict[Ritual, MomentKind] = {
    Ritual.MORNING_HUG: MomentKind.HUG,
    Ritual.MIDDAY_THINKING: MomentKind.THINKING_OF_YOU,
    Ritual.DINNER_APPRECIATION: MomentKind.APPRECIATION,
    Ritual.BEDTIME: MomentKind.GOODNIGHT,
    Ritual.SIX_SECOND_KISS: MomentKind.KISS,
}


class NudgeAction(StrEnum):
    """What a nudge button does; part of callback data, so short and stable."""

    DONE = "done"
    NOT_TODAY = "no"
    SEND_THINKING = "send"
    WRITE_OWN = "write"
    LATER = "later"
    SAID_IN_PERSON = "said"


#: The buttons each ritual's nudge offers, in display order (issue #3's table).
NUDGE_ACTIONS: dict[Ritual, tuple[NudgeAction, ...]] = {
    Ritual.MORNING_HUG: (NudgeAction.DONE, NudgeAction.NOT_TODAY),
    Ritual.MIDDAY_THINKING: (
        NudgeAction.SEND_THINKING,
        NudgeAction.WRITE_OWN,
        NudgeAction.LATER,
        NudgeAction.NOT_TODAY,
    ),
    Ritual.DINNER_APPRECIATION: (
        NudgeAction.WRITE_OWN,
        NudgeAction.SAID_IN_PERSON,
        NudgeAction.NOT_TODAY,
    ),
    Ritual.BEDTIME: (NudgeAction.DONE, NudgeAction.NOT_TODAY),
    Ritual.SIX_SECOND_KISS: (NudgeAction.DONE,),
}


class Delivery(StrEnum):
    """What an outbox row is; the bot renders each kind from its payload at send time."""

    THINKING = "relay.thinking"  # {"name", "note", "event_id"}: with "❤️ Send love back"
    LOVE_BACK = "relay.love_back"  # {"name"}
    APPRECIATION = "relay.appreciation"  # {"name", "note", "event_id"}: with "❤️ Thank you"
    SHARED_MOMENT = "relay.shared_moment"  # {"name", "kind", "note", "event_id"}: "💞 Tell Bob"
    THANKS = "relay.thanks"  # {"name"}: "❤️ Thank you" for a note
    PARTNER_LEFT = "notice.partner_left"  # {"name"}: the everyday keyboard goes away
    PARTNER_UNREACHABLE = "notice.partner_unreachable"  # {"name"}
    #: A change made in the Mini App, confirmed in the chat: {"text"} (the chat's own words).
    SETTING_SAVED = "notice.setting_saved"
