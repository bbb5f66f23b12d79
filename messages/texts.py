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
from messages.i18n import N_, _, translate_constants

# --- Buttons ------------------------------------------------------------------------------
BUTTON_INVITE = N_("💌 Invite my partner")
BUTTON_LOG_MOMENT = N_("📝 Log a moment")
BUTTON_THINKING = N_("💭 Thinking of you")
BUTTON_HELP = N_("❓ Help")
BUTTON_YES_PAIR = N_("💞 Yes, pair us")
BUTTON_NO_PAIR = N_("Not now")
BUTTON_LOVE_BACK = N_("❤️ Send love back")
BUTTON_UNPAIR_KEEP = N_("Yes, end it — keep my history")
BUTTON_UNPAIR_DELETE = N_("Yes, end it — delete my history")
BUTTON_FORGET_CONFIRM = N_("Yes, delete everything")
BUTTON_CANCEL = N_("Keep things as they are")
BUTTON_OTHER_ZONE = N_("🌍 Somewhere else")
BUTTON_THANK_YOU = N_("❤️ Thank you")
BUTTON_SKIP = N_("Skip")
BUTTON_OFFER_YES = N_("💌 Yes, send it")
BUTTON_OFFER_NO = N_("No")
BUTTON_SHARE_LOCATION = N_("📍 Share my location")

# --- Command menu (setMyCommands) ---------------------------------------------------------
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Say hello and get started")),
    ("moment", N_("Log a micro-connection")),
    ("thinking", N_("Send your partner a 'thinking of you'")),
    ("week", N_("How are we doing this week?")),
    ("history", N_("Our latest moments and notes")),
    ("invite", N_("Invite your partner")),
    ("pair", N_("Pair with a code your partner sent")),
    ("timezone", N_("Set your time zone")),
    ("unpair", N_("End your pairing")),
    ("export", N_("Get a copy of your data")),
    ("forget_me", N_("Delete everything about you")),
    ("help", N_("What I can do")),
)
#: The bot's profile (setMyDescription, setMyShortDescription): said before the first /start.
DESCRIPTION = N_(
    "A little helper for couples 💞 Lasting love is built from small daily moments: a "
    "10-second hug, a midday “thinking of you”, a warm goodnight. Each of you talks to me "
    "privately; I send gentle nudges at kind hours, relay your small moments, and show you "
    "both how your week went — never pressure, never guilt."
)
SHORT_DESCRIPTION = N_(
    "Small daily moments for couples: a hug, a “thinking of you”, a warm goodnight 💞"
)


def fmt(template: str, **values: object) -> str:
    """Fill a template, escaping everything a person could have typed."""
    return template.format(**{k: html.escape(str(v)) for k, v in values.items()})


def plain(template: str, **values: object) -> str:
    """Fill a template shown as plain text (a button label, a toast): nothing to escape."""
    return template.format(**values)


def tell_button(partner: str) -> str:
    """ "💞 Tell Bob" (a long name is shortened so the button stays a button)."""
    return plain(
        _("💞 Tell {partner}"), partner=partner if len(partner) <= 32 else partner[:31] + "…"
    )


# --- Start and onboarding -----------------------------------------------------------------
WELCOME = N_(
    "Hi {name} 👋 I'm <b>microconnect</b>.\n\n"
    "Lasting love isn't built on grand gestures but on small daily moments: a 10-second hug, "
    "a midday “thinking of you”, a warm goodnight. I'll help you and your partner make room "
    "for them, gently, and keep track of the little deposits in your emotional bank account.\n\n"
    "It works best with two — invite your partner to begin."
)
WELCOME_BACK_PAIRED = N_(
    "Welcome back, {name} 💞 You and {partner} are paired. "
    "Tap “📝 Log a moment” when something small and warm happens, or send a "
    "“💭 Thinking of you”."
)
ASK_TIMEZONE = N_(
    "One quick thing: where in the world are you? I'll only ever reach out at kind hours, "
    "in your own time zone.\n\nTap one, or type a city (<i>Lisbon</i>) or a zone name "
    "(<i>Europe/Berlin</i>) — or tap <b>📍 Share my location</b> below: I'll only use it to "
    "work out your time zone, and I won't keep it."
)
ASK_TIMEZONE_TYPED = N_(
    "Type your city (<i>Lisbon</i>) or a time zone name (<i>Europe/Berlin</i>)."
)
TIMEZONE_PLACEHOLDER = N_("Your city, e.g. Lisbon")
EXPORT_CAPTION = N_(
    "📦 Everything I keep about you, in one file: your profile and settings, your moments "
    "and notes, what you sent, and the nudges you got. Only your partner's first name is in "
    "it — their moments are theirs."
)
TIMEZONE_GUESSED = N_(
    "🕰 For now I've guessed your time zone: <b>{zone}</b> (it's {local_time} there), so I "
    "only ever reach out at kind hours. Not right? Tap yours, or type your city."
)
#: Over a fair limit (domain/values/limits.py): said once, not once per message.
SLOW_DOWN = N_(
    "That's a lot at once 💛 Let's give it a minute — after that I'll happily pass things on again."
)
#: Sent just before ASK_TIMEZONE, carrying the "📍 Share my location" keyboard (a message has
#: one keyboard, and the question's are the zone buttons).
ASK_LOCATION = N_("🕰 Let's set your time zone.")
TIMEZONE_SET = N_("Got it — your time zone is <b>{zone}</b> (it's {local_time} there now). 🕰")
TIMEZONE_FIXED_NOTE = N_(
    "A fixed offset doesn't follow daylight saving: if your clocks change in summer, "
    "type your city instead."
)
TIMEZONE_FROM_LOCATION = N_("I only looked up the time zone there; your location isn't kept.")
TIMEZONE_UNKNOWN = N_(
    "Hmm, I don't know “{text}” as a place or time zone. Could you try a big city near you, "
    "or a zone name like <code>Europe/Berlin</code> or <code>America/New_York</code>?"
)
TIMEZONE_AMBIGUOUS = N_(
    "“{text}” means different clocks in different places: did you mean {places}? "
    "Type a city near you (like {cities}) and I'll get it exactly right."
)
TIMEZONE_NOT_WHOLE_HOUR = N_(
    "{offset} isn't a whole hour, so I'd rather follow a real place's clocks: "
    "type a city near you{examples}."
)
TIMEZONE_SEVERAL = N_("“{text}” has more than one time zone. Which city are you in, or near? 🙂")
LOCATION_NO_ZONE = N_(
    "I couldn't tell the time zone at that spot. Could you type a city near you instead?"
)

# --- Invites and pairing ------------------------------------------------------------------
INVITE_CREATED = N_(
    "Here's your invitation 💌 Forward this to your partner:\n\n"
    "{link}\n\n"
    "Or they can send me <code>/pair {code}</code>.\n"
    "It works once and stays valid for 48 hours."
)
#: The invited partner may never have heard of the bot: two lines about it, then the question.
PAIR_PREVIEW = N_(
    "I'm <b>microconnect</b>, a little helper for couples: small daily moments — a hug, "
    "a “thinking of you”, a kind word — and gentle nudges at kind hours.\n"
    "Each of you talks to me privately; your partner only sees what you choose to share.\n\n"
    "Pair with <b>{name}</b>? You'll share your small moments with each other. 💞"
)
PAIR_ACCEPTED = N_("You said yes to <b>{name}</b> 💞")
PAIR_DECLINED = N_(
    "No problem — nothing has changed. The invitation still works if you change your mind."
)
PAIRED_YOU = N_(
    "You and {partner} are now paired 💞\n\n"
    "Tap “📝 Log a moment” after a hug, a kiss, a kind word — or send a “💭 Thinking of you”. "
    "Small moments, every day: that's the whole secret."
)
PAIR_USAGE = N_("Send the code your partner gave you, like <code>/pair ABCD-EFGH-IJKL-MNOP</code>.")
PAIR_UNKNOWN_CODE = N_(
    "I couldn't find that invitation 🤔 Could you check the code? It looks like "
    "<code>ABCD-EFGH-IJKL-MNOP</code>. Your partner can always make a fresh one with /invite."
)
PAIR_EXPIRED = N_(
    "That invitation has expired (they last 48 hours) ⌛ Ask your partner for a fresh one — "
    "it takes them one tap on /invite."
)
PAIR_USED = N_(
    "That invitation has already been used. Ask your partner for a fresh one with /invite."
)
PAIR_OWN_CODE = N_(
    "That's your own invitation 😊 Forward it to your partner — they open it on their phone."
)
PAIR_YOU_ARE_PAIRED = N_(
    "You're already paired with {partner} 💞 If you want to pair with someone else, /unpair first."
)
PAIR_YOU_ARE_PAIRED_NO_NAME = N_(
    "You're already paired 💞 To pair with someone else, /unpair first."
)
PAIR_INVITER_IS_PAIRED = N_(
    "That invitation can't be used any more: the person who sent it is already paired."
)
PAIR_TOO_MANY_TRIES = N_(
    "That's a few codes that didn't work in a row, so let's pause for a few minutes 🌿 "
    "Then copy the code exactly as your partner sent it."
)
NOT_PAIRED_NOTHING_TO_END = N_("You're not paired with anyone right now — nothing to end. 🌿")
NOT_PAIRED = N_("This works once you're paired with your partner 💌 Tap below to invite them.")

# --- Moments and relays -------------------------------------------------------------------
MOMENT_MENU = N_("Which small moment did you share? 💛")
MOMENT_ALREADY_LOGGED = N_("Already logged — thank you! 💛")
THINKING_SENT = N_("Sent 💌 {partner} will see that you're thinking of them.")
#: Any relay while the partner is in their quiet hours (no pronouns: we don't know them).
SENT_WHILE_ASLEEP = N_("Sent 💌 {partner} is asleep 🌙 — it will be waiting for {partner}.")
THINKING_RECEIVED = N_("💭 <b>{name}</b> is thinking of you.")
THINKING_RECEIVED_NOTE = N_("💭 <b>{name}</b> is thinking of you:\n\n<i>“{note}”</i>")
THINKING_NOTE_TOO_LONG = N_(
    "That's a lovely long note — could you keep it under {limit} characters? Nothing was sent yet."
)
LOVE_BACK_SENT = N_("Love sent back to {partner} ❤️")
LOVE_BACK_RECEIVED = N_("❤️ <b>{name}</b> sends love back.")
LOVE_BACK_DONE_SUFFIX = N_("\n\n❤️ You sent love back.")

# --- Sharing both ways --------------------------------------------------------------------
MOMENT_WHAT_HAPPENED = N_("✨ What happened? (a few words, or skip)")
MOMENT_NOTE = N_("\n\n<i>“{note}”</i>")
MOMENT_NOTE_TOO_LONG = N_(
    "That's a lovely long note — could you keep it under {limit} characters? "
    "Your moment is logged either way."
)
#: A toast (plain text): see :func:`plain`.
TOLD = N_("Told {partner} 💞")
ALREADY_TOLD = N_("Already told {partner} 💞")
TOLD_SUFFIX = N_("\n\n💞 You told {partner}.")
SHARED_MOMENT = N_("{emoji} <b>{name}</b> is glad about {what}.")
SHARED_MOMENT_NOTE = N_("{emoji} <b>{name}</b> is glad about {what}:\n\n<i>“{note}”</i>")
THANKS_SENT = N_("Thank you sent to {partner} ❤️")
THANKS_DONE_SUFFIX = N_("\n\n❤️ You said thank you.")
THANKS_RECEIVED = N_("❤️ <b>{name}</b> says thank you.")
OFFER_ASK = N_("Send this to {partner}? 💌")
OFFER_KEPT = N_("Okay — it stays between you and me. 🌿")
OFFER_TOO_LONG = N_(
    "That's a long one 🙂 If it's meant for {partner}, keep it under {limit} characters and "
    "I'll offer to pass it on. /help shows what else I can do."
)

# --- Unpair and forget --------------------------------------------------------------------
UNPAIR_CONFIRM = N_(
    "Do you want to end your pairing with {partner}? They'll get a short, kind note.\n\n"
    "Your own moments and notes of this pairing can stay with you, or be deleted now; "
    "{partner}'s own history stays theirs either way."
)
UNPAIR_HISTORY_DELETED = N_("Your moments and notes of that pairing are deleted.")
DELETE_FORMER_HISTORY = N_(
    "You're not paired right now. Your own moments and notes from your pairing with "
    "{partner} are still kept — shall I delete them? {partner}'s own history stays theirs."
)
BUTTON_DELETE_FORMER_HISTORY = N_("Yes, delete my history")
A_FORMER_PARTNER = N_("your partner")  # when they have been forgotten since
UNPAIR_DONE = N_("Your pairing with {partner} has ended. Take good care of yourself. 🌿")
UNPAIR_PARTNER_TOLD = N_(
    "{name} has ended your pairing on microconnect. Your own moments stay with you "
    "(/unpair deletes them, if you'd rather). Take good care of yourself. 🌿"
)
FORGET_CONFIRM = N_(
    "This deletes everything I know about you: your time zone, your moments, your invitations"
    "{and_pairing}. It can't be undone."
)
FORGET_AND_PAIRING = N_(", and your pairing with {partner}")
FORGET_DONE = N_(
    "Done — everything about you is deleted. If you ever want to come back, just send /start. 🌿"
)
CANCELLED = N_("Okay — nothing has changed. 💛")

# --- Help and fallbacks -------------------------------------------------------------------
HELP = N_(
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
    "/language — the language I write to you in\n"
    "/unpair — end your pairing; /export — a copy of your data; "
    "/forget_me — delete everything about you\n\n"
    "Anything else you type, I can pass on to your partner — I'll always ask first.\n"
    "Small moments, every day: that's the whole secret."
)
DIDNT_UNDERSTAND = N_("I didn't quite catch that 🙂 /help shows what I can do.")
STALE_BUTTON = N_("This is no longer active. 🌿")
SAY_START_FIRST = N_("Say /start first, and I'll be glad to help. 🌿")
SOMETHING_WENT_WRONG = N_(
    "Sorry — something went wrong on my side and nothing was changed. Please try again in a "
    "moment. 🌿"
)
PRIVATE_ONLY = N_("I work best one-to-one — please message me in a private chat. 💛")
EDIT_NOT_FOLLOWED = N_(
    "I only read new messages, so I went by what you first wrote ✏️ "
    "If you meant something else, just send it again."
)
NOT_TEXT = N_(
    "That looks lovely, but I can only read words 🙂 "
    "Type a few, or tap “📝 Log a moment” — /help shows the rest."
)


def either(words: Sequence[str]) -> str:
    """ "India, Ireland or Israel" (already escaped words)."""
    if len(words) < 2:
        return "".join(words)
    return _("{some} or {last}").format(some=", ".join(words[:-1]), last=words[-1])


def timezone_set(zone: str, now: datetime) -> str:
    """The zone was kept: its name as people read it, the time there, and for a fixed
    offset the one line about daylight saving."""
    local = now.astimezone(ZoneInfo(zone))
    text = fmt(_(TIMEZONE_SET), zone=zone_label(zone), local_time=local_time_label(local))
    return f"{text}\n{_(TIMEZONE_FIXED_NOTE)}" if is_fixed(zone) else text


def timezone_guessed(zone: str, now: datetime) -> str:
    """A zone set for someone who didn't say: clearly a guess, and easy to change."""
    local = now.astimezone(ZoneInfo(zone))
    return fmt(TIMEZONE_GUESSED, zone=zone_label(zone), local_time=local_time_label(local))


def timezone_refused(typed: str, understood: Ambiguous | NotWholeHour | SeveralZones | None) -> str:
    """Why what was typed is not kept, and what to type instead (``typed`` is escaped)."""
    match understood:
        case Ambiguous(places):
            return _(TIMEZONE_AMBIGUOUS).format(
                text=html.escape(typed),
                places=either([html.escape(where) for where, _city in places]),
                cities=either([f"<i>{html.escape(city)}</i>" for _where, city in places]),
            )
        case NotWholeHour(offset, cities):
            examples = either([f"<i>{html.escape(c)}</i>" for c in cities])
            like = _(" (like {examples})").format(examples=examples) if cities else ""
            return _(TIMEZONE_NOT_WHOLE_HOUR).format(offset=html.escape(offset), examples=like)
        case SeveralZones():
            return fmt(_(TIMEZONE_SEVERAL), text=typed)
        case None:
            return fmt(_(TIMEZONE_UNKNOWN), text=typed)


def local_time_label(moment: datetime) -> str:
    return moment.strftime("%H:%M")


translate_constants(__name__)
