"""Every sentence the bot says in the foundation flows, in one place and one voice.

Tone (from the seed text): warm, brief, never nagging, never guilt. Texts are Telegram HTML;
anything a person typed (names, notes) must be passed through ``html.escape`` by ``fmt``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.values.timezones import (
    Ambiguous,
    NotWholeHour,
    SeveralZones,
    is_fixed,
    zone_label,
)

# --- Buttons ------------------------------------------------------------------------------
BUTTON_INVITE = "💌 Invite my partner"
BUTTON_LOG_MOMENT = "📝 Log a moment"
BUTTON_THINKING = "💭 Thinking of you"
BUTTON_HELP = "❓ Help"
BUTTON_YES_PAIR = "💞 Yes, pair us"
BUTTON_NO_PAIR = "Not now"
BUTTON_LOVE_BACK = "❤️ Send love back"
BUTTON_UNPAIR_KEEP = "Yes, end it — keep my history"
BUTTON_UNPAIR_DELETE = "Yes, end it — delete my history"
BUTTON_FORGET_CONFIRM = "Yes, delete everything"
BUTTON_CANCEL = "Keep things as they are"
BUTTON_OTHER_ZONE = "🌍 Somewhere else"
BUTTON_THANK_YOU = "❤️ Thank you"
BUTTON_SKIP = "Skip"
BUTTON_OFFER_YES = "💌 Yes, send it"
BUTTON_OFFER_NO = "No"
BUTTON_SHARE_LOCATION = "📍 Share my location"

# --- Command menu (setMyCommands) ---------------------------------------------------------
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Say hello and get started"),
    ("moment", "Log a micro-connection"),
    ("thinking", "Send your partner a 'thinking of you'"),
    ("week", "How are we doing this week?"),
    ("history", "Our latest moments and notes"),
    ("invite", "Invite your partner"),
    ("pair", "Pair with a code your partner sent"),
    ("timezone", "Set your time zone"),
    ("unpair", "End your pairing"),
    ("export", "Get a copy of your data"),
    ("forget_me", "Delete everything about you"),
    ("help", "What I can do"),
)


def fmt(template: str, **values: object) -> str:
    """Fill a template, escaping everything a person could have typed."""
    return template.format(**{k: html.escape(str(v)) for k, v in values.items()})


def plain(template: str, **values: object) -> str:
    """Fill a template shown as plain text (a button label, a toast): nothing to escape."""
    return template.format(**values)


def tell_button(partner: str) -> str:
    """ "💞 Tell Bob" (a long name is shortened so the button stays a button)."""
    return plain("💞 Tell {partner}", partner=partner if len(partner) <= 32 else partner[:31] + "…")


# --- Start and onboarding -----------------------------------------------------------------
WELCOME = (
    "Hi {name} 👋 I'm <b>microconnect</b>.\n\n"
    "Lasting love isn't built on grand gestures but on small daily moments: a 10-second hug, "
    "a midday “thinking of you”, a warm goodnight. I'll help you and your partner make room "
    "for them, gently, and keep track of the little deposits in your emotional bank account.\n\n"
    "It works best with two — invite your partner to begin."
)
WELCOME_BACK_PAIRED = (
    "Welcome back, {name} 💞 You and {partner} are paired. "
    "Tap “📝 Log a moment” when something small and warm happens, or send a "
    "“💭 Thinking of you”."
)
ASK_TIMEZONE = (
    "One quick thing: where in the world are you? I'll only ever reach out at kind hours, "
    "in your own time zone.\n\nTap one, or type a city (<i>Lisbon</i>) or a zone name "
    "(<i>Europe/Berlin</i>) — or tap <b>📍 Share my location</b> below: I'll only use it to "
    "work out your time zone, and I won't keep it."
)
ASK_TIMEZONE_TYPED = "Type your city (<i>Lisbon</i>) or a time zone name (<i>Europe/Berlin</i>)."
TIMEZONE_PLACEHOLDER = "Your city, e.g. Lisbon"
EXPORT_CAPTION = (
    "📦 Everything I keep about you, in one file: your profile and settings, your moments "
    "and notes, what you sent, and the nudges you got. Only your partner's first name is in "
    "it — their moments are theirs."
)
TIMEZONE_GUESSED = (
    "🕰 For now I've guessed your time zone: <b>{zone}</b> (it's {local_time} there), so I "
    "only ever reach out at kind hours. Not right? Tap yours, or type your city."
)
#: Over a fair limit (domain/values/limits.py): said once, not once per message.
SLOW_DOWN = (
    "That's a lot at once 💛 Let's give it a minute — after that I'll happily pass things on again."
)
#: Sent just before ASK_TIMEZONE, carrying the "📍 Share my location" keyboard (a message has
#: one keyboard, and the question's are the zone buttons).
ASK_LOCATION = "🕰 Let's set your time zone."
TIMEZONE_SET = "Got it — your time zone is <b>{zone}</b> (it's {local_time} there now). 🕰"
TIMEZONE_FIXED_NOTE = (
    "A fixed offset doesn't follow daylight saving: if your clocks change in summer, "
    "type your city instead."
)
TIMEZONE_FROM_LOCATION = "I only looked up the time zone there; your location isn't kept."
TIMEZONE_UNKNOWN = (
    "Hmm, I don't know “{text}” as a place or time zone. Could you try a big city near you, "
    "or a zone name like <code>Europe/Berlin</code> or <code>America/New_York</code>?"
)
TIMEZONE_AMBIGUOUS = (
    "“{text}” means different clocks in different places: did you mean {places}? "
    "Type a city near you (like {cities}) and I'll get it exactly right."
)
TIMEZONE_NOT_WHOLE_HOUR = (
    "{offset} isn't a whole hour, so I'd rather follow a real place's clocks: "
    "type a city near you{examples}."
)
TIMEZONE_SEVERAL = "“{text}” has more than one time zone. Which city are you in, or near? 🙂"
LOCATION_NO_ZONE = (
    "I couldn't tell the time zone at that spot. Could you type a city near you instead?"
)

# --- Invites and pairing ------------------------------------------------------------------
INVITE_CREATED = (
    "Here's your invitation 💌 Forward this to your partner:\n\n"
    "{link}\n\n"
    "Or they can send me <code>/pair {code}</code>.\n"
    "It works once and stays valid for 48 hours."
)
#: The invited partner may never have heard of the bot: two lines about it, then the question.
PAIR_PREVIEW = (
    "I'm <b>microconnect</b>, a little helper for couples: small daily moments — a hug, "
    "a “thinking of you”, a kind word — and gentle nudges at kind hours.\n"
    "Each of you talks to me privately; your partner only sees what you choose to share.\n\n"
    "Pair with <b>{name}</b>? You'll share your small moments with each other. 💞"
)
PAIR_ACCEPTED = "You said yes to <b>{name}</b> 💞"
PAIR_DECLINED = (
    "No problem — nothing has changed. The invitation still works if you change your mind."
)
PAIRED_YOU = (
    "You and {partner} are now paired 💞\n\n"
    "Tap “📝 Log a moment” after a hug, a kiss, a kind word — or send a “💭 Thinking of you”. "
    "Small moments, every day: that's the whole secret."
)
PAIR_USAGE = "Send the code your partner gave you, like <code>/pair ABCD-EFGH-IJKL-MNOP</code>."
PAIR_UNKNOWN_CODE = (
    "I couldn't find that invitation 🤔 Could you check the code? It looks like "
    "<code>ABCD-EFGH-IJKL-MNOP</code>. Your partner can always make a fresh one with /invite."
)
PAIR_EXPIRED = (
    "That invitation has expired (they last 48 hours) ⌛ Ask your partner for a fresh one — "
    "it takes them one tap on /invite."
)
PAIR_USED = "That invitation has already been used. Ask your partner for a fresh one with /invite."
PAIR_OWN_CODE = (
    "That's your own invitation 😊 Forward it to your partner — they open it on their phone."
)
PAIR_YOU_ARE_PAIRED = (
    "You're already paired with {partner} 💞 If you want to pair with someone else, /unpair first."
)
PAIR_YOU_ARE_PAIRED_NO_NAME = "You're already paired 💞 To pair with someone else, /unpair first."
PAIR_INVITER_IS_PAIRED = (
    "That invitation can't be used any more: the person who sent it is already paired."
)
PAIR_TOO_MANY_TRIES = (
    "That's a few codes that didn't work in a row, so let's pause for a few minutes 🌿 "
    "Then copy the code exactly as your partner sent it."
)
NOT_PAIRED_NOTHING_TO_END = "You're not paired with anyone right now — nothing to end. 🌿"
NOT_PAIRED = "This works once you're paired with your partner 💌 Tap below to invite them."

# --- Moments and relays -------------------------------------------------------------------
MOMENT_MENU = "Which small moment did you share? 💛"
MOMENT_ALREADY_LOGGED = "Already logged — thank you! 💛"
THINKING_SENT = "Sent 💌 {partner} will see that you're thinking of them."
#: Any relay while the partner is in their quiet hours (no pronouns: we don't know them).
SENT_WHILE_ASLEEP = "Sent 💌 {partner} is asleep 🌙 — it will be waiting for {partner}."
THINKING_RECEIVED = "💭 <b>{name}</b> is thinking of you."
THINKING_RECEIVED_NOTE = "💭 <b>{name}</b> is thinking of you:\n\n<i>“{note}”</i>"
THINKING_NOTE_TOO_LONG = (
    "That's a lovely long note — could you keep it under {limit} characters? Nothing was sent yet."
)
LOVE_BACK_SENT = "Love sent back to {partner} ❤️"
LOVE_BACK_RECEIVED = "❤️ <b>{name}</b> sends love back."
LOVE_BACK_DONE_SUFFIX = "\n\n❤️ You sent love back."

# --- Sharing both ways --------------------------------------------------------------------
MOMENT_WHAT_HAPPENED = "✨ What happened? (a few words, or skip)"
MOMENT_NOTE = "\n\n<i>“{note}”</i>"
MOMENT_NOTE_TOO_LONG = (
    "That's a lovely long note — could you keep it under {limit} characters? "
    "Your moment is logged either way."
)
#: A toast (plain text): see :func:`plain`.
TOLD = "Told {partner} 💞"
ALREADY_TOLD = "Already told {partner} 💞"
TOLD_SUFFIX = "\n\n💞 You told {partner}."
SHARED_MOMENT = "{emoji} <b>{name}</b> is glad about {what}."
SHARED_MOMENT_NOTE = "{emoji} <b>{name}</b> is glad about {what}:\n\n<i>“{note}”</i>"
THANKS_SENT = "Thank you sent to {partner} ❤️"
THANKS_DONE_SUFFIX = "\n\n❤️ You said thank you."
THANKS_RECEIVED = "❤️ <b>{name}</b> says thank you."
OFFER_ASK = "Send this to {partner}? 💌"
OFFER_KEPT = "Okay — it stays between you and me. 🌿"
OFFER_TOO_LONG = (
    "That's a long one 🙂 If it's meant for {partner}, keep it under {limit} characters and "
    "I'll offer to pass it on. /help shows what else I can do."
)

# --- Unpair and forget --------------------------------------------------------------------
UNPAIR_CONFIRM = (
    "Do you want to end your pairing with {partner}? They'll get a short, kind note.\n\n"
    "Your own moments and notes of this pairing can stay with you, or be deleted now; "
    "{partner}'s own history stays theirs either way."
)
UNPAIR_HISTORY_DELETED = "Your moments and notes of that pairing are deleted."
DELETE_FORMER_HISTORY = (
    "You're not paired right now. Your own moments and notes from your pairing with "
    "{partner} are still kept — shall I delete them? {partner}'s own history stays theirs."
)
BUTTON_DELETE_FORMER_HISTORY = "Yes, delete my history"
A_FORMER_PARTNER = "your partner"  # when they have been forgotten since
UNPAIR_DONE = "Your pairing with {partner} has ended. Take good care of yourself. 🌿"
UNPAIR_PARTNER_TOLD = (
    "{name} has ended your pairing on microconnect. Your own moments stay with you "
    "(/unpair deletes them, if you'd rather). Take good care of yourself. 🌿"
)
FORGET_CONFIRM = (
    "This deletes everything I know about you: your time zone, your moments, your invitations"
    "{and_pairing}. It can't be undone."
)
FORGET_AND_PAIRING = ", and your pairing with {partner}"
FORGET_DONE = (
    "Done — everything about you is deleted. If you ever want to come back, just send /start. 🌿"
)
CANCELLED = "Okay — nothing has changed. 💛"

# --- Help and fallbacks -------------------------------------------------------------------
HELP = (
    "<b>What I can do</b> 💛\n\n"
    "/moment — log a small moment you shared (a hug, a kiss, a kind word…)\n"
    "/thinking — tell your partner you're thinking of them; add a note: "
    "<code>/thinking miss your laugh</code>\n"
    "/week — how you two are doing this week, with a little chart (<code>/week last</code> "
    "for last week); <code>/digest off</code> pauses the Sunday digest\n"
    "/history — the latest moments and notes, yours and your partner's\n"
    "/invite — invite your partner; /pair <i>code</i> — accept their invitation\n"
    "/timezone <i>place</i> — so I only reach out at kind hours\n"
    "/settings — your gentle reminders: when they come (<code>/midday 12:00-14:00</code>, "
    "<code>/bedtime 22:30</code>, <code>/quiet 22:30-07:00</code>), which ones "
    "(/rituals), or a break (<code>/pause 3</code>, /resume)\n"
    "/unpair — end your pairing; /export — a copy of your data; "
    "/forget_me — delete everything about you\n\n"
    "Anything else you type, I can pass on to your partner — I'll always ask first.\n"
    "Small moments, every day: that's the whole secret."
)
DIDNT_UNDERSTAND = "I didn't quite catch that 🙂 /help shows what I can do."
STALE_BUTTON = "This is no longer active. 🌿"
SAY_START_FIRST = "Say /start first, and I'll be glad to help. 🌿"
SOMETHING_WENT_WRONG = (
    "Sorry — something went wrong on my side and nothing was changed. Please try again in a "
    "moment. 🌿"
)
PRIVATE_ONLY = "I work best one-to-one — please message me in a private chat. 💛"
EDIT_NOT_FOLLOWED = (
    "I only read new messages, so I went by what you first wrote ✏️ "
    "If you meant something else, just send it again."
)
NOT_TEXT = (
    "That looks lovely, but I can only read words 🙂 "
    "Type a few, or tap “📝 Log a moment” — /help shows the rest."
)


def either(words: Sequence[str], joiner: str = "or") -> str:
    """ "India, Ireland or Israel" (already escaped words)."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def timezone_set(zone: str, now: datetime) -> str:
    """The zone was kept: its name as people read it, the time there, and for a fixed
    offset the one line about daylight saving."""
    local = now.astimezone(ZoneInfo(zone))
    text = fmt(TIMEZONE_SET, zone=zone_label(zone), local_time=local_time_label(local))
    return f"{text}\n{TIMEZONE_FIXED_NOTE}" if is_fixed(zone) else text


def timezone_guessed(zone: str, now: datetime) -> str:
    """A zone set for someone who didn't say: clearly a guess, and easy to change."""
    local = now.astimezone(ZoneInfo(zone))
    return fmt(TIMEZONE_GUESSED, zone=zone_label(zone), local_time=local_time_label(local))


def timezone_refused(typed: str, understood: Ambiguous | NotWholeHour | SeveralZones | None) -> str:
    """Why what was typed is not kept, and what to type instead (``typed`` is escaped)."""
    match understood:
        case Ambiguous(places):
            return TIMEZONE_AMBIGUOUS.format(
                text=html.escape(typed),
                places=either([html.escape(where) for where, _ in places]),
                cities=either([f"<i>{html.escape(city)}</i>" for _, city in places]),
            )
        case NotWholeHour(offset, cities):
            examples = either([f"<i>{html.escape(c)}</i>" for c in cities])
            return TIMEZONE_NOT_WHOLE_HOUR.format(
                offset=html.escape(offset), examples=f" (like {examples})" if cities else ""
            )
        case SeveralZones():
            return fmt(TIMEZONE_SEVERAL, text=typed)
        case None:
            return fmt(TIMEZONE_UNKNOWN, text=typed)


def local_time_label(moment: datetime) -> str:
    return moment.strftime("%H:%M")
