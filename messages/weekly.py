"""Every word of the weekly reflection ("how are we doing this week?").

Tone, from the seed text: warm, honest, never nagging, never guilt-tripping. An up is
celebrated, a down is met with kindness, and balance is phrased so that nobody is blamed.
Every figure comes from :class:`domain.values.weekly_summary.WeeklySummary`, which is the same for
both partners, so the two of them always read the same numbers; only "you"/name swaps.
Output is Telegram HTML: names are escaped here, nowhere else.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Final

from domain.values.kinds import MomentKind, Ritual
from domain.values.weekly_summary import DAYS_IN_WEEK, KindCount, WeeklySummary

#: Kind lines shown before the rest are folded into "N more little moments" (phone-sized).
MAX_KIND_LINES: Final = 4

NOT_PAIRED_WEEKLY: Final = (
    "The weekly reflection is made for two 💞\n"
    "Once you and your partner are paired here, I'll gather your little moments "
    "and show you how you're doing together, week by week."
)
#: The button that asks for the reflection (under a Sunday message, for instance).
BUTTON_OUR_WEEK: Final = "📊 Our week"

# --- The Sunday digest ---------------------------------------------------------------------
#: Opens the digest, so an unasked-for message says why it came.
DIGEST_INTRO: Final = "🌙 A little Sunday look back at your week together."
#: Closes the digest: how to stop it, said lightly, so nobody feels stuck with it.
DIGEST_FOOTER: Final = "<i>Arrives on Sunday evenings · /digest off to pause it</i>"
DIGEST_ON: Final = (
    "Lovely — your weekly reflection will arrive on Sunday evenings 🌙 "
    "You can also ask me “how are we doing this week?” anytime."
)
DIGEST_OFF: Final = (
    "Okay — no more Sunday digest 🌿 Your moments still count, and you can ask me "
    "“how are we doing this week?” whenever you like. /digest on brings it back."
)
DIGEST_STATUS_ON: Final = (
    "Your Sunday digest is <b>on</b> 🌙 It arrives around 19:00 your time. "
    "<code>/digest off</code> pauses it."
)
DIGEST_STATUS_OFF: Final = (
    "Your Sunday digest is <b>off</b>. <code>/digest on</code> brings the weekly reflection "
    "back on Sunday evenings 🌙"
)
#: The chart's key, said only when the chart really shows hearts (see ``chart_caption``).
HEART_NOTE: Final = "♥ marks a day with a moment from each of you."
#: The colour of each partner's bars, as a square in the caption: Okabe–Ito blue and
#: vermillion in the chart (``messages/weekly_chart.PARTNER_COLOURS``), in ``colour_order``.
CHART_COLOUR_KEYS: Final = ("🟦", "🟧")
CHART_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHART_Y_LABEL: Final = "moments"
#: Legend labels for names the chart font cannot draw at all (emoji-only, CJK).
CHART_FALLBACK_NAMES: Final = ("You", "Your partner")

_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip

#: (emoji, singular, plural) per display kind.
_KIND_WORDS: Final[dict[MomentKind, tuple[str, str, str]]] = {
    MomentKind.HUG: ("🤗", "hug", "hugs"),
    MomentKind.KISS: ("💋", "kiss", "kisses"),
    MomentKind.THINKING_OF_YOU: ("💭", "“thinking of you”", "“thinking of you” messages"),
    MomentKind.LOVE_BACK: ("❤️", "reply with love", "replies with love"),
    MomentKind.APPRECIATION: ("🙏", "appreciation", "appreciations"),
    MomentKind.GOODNIGHT: ("🌙", "goodnight", "goodnights"),
    MomentKind.CHECK_IN: ("📱", "check-in", "check-ins"),
    MomentKind.SMILE: ("😊", "smile", "smiles"),
    MomentKind.TOUCH: ("🫶", "gentle touch", "gentle touches"),
    MomentKind.LISTENING: ("👂", "moment of listening", "moments of listening"),
    MomentKind.OTHER: ("✨", "little moment", "little moments"),
}

#: Several phrasings per ritual, in the seed's own words; one is picked per week.
SUGGESTIONS: Final[dict[Ritual, tuple[str, ...]]] = {
    Ritual.MORNING_HUG: (
        "Pause for a 10-second hug before one of you leaves.",
        "Before one of you heads out, try a 10-second hug — longer than it sounds, "
        "in the nicest way.",
        "Start one morning with a slow 10-second hug, before the day pulls you apart.",
    ),
    Ritual.MIDDAY_THINKING: (
        "Send a midday text saying “thinking of you”.",
        "Around lunchtime, a short “thinking of you” can travel a long way.",
        "Pick one day for a midday “thinking of you” — no reason needed.",
    ),
    Ritual.DINNER_APPRECIATION: (
        "Share one appreciation at dinner: “Thanks for taking care of that.”",
        "At dinner, try one warm acknowledgment: “I love the way you handled that conversation.”",
        "Say “I appreciate you” over dinner, and name one small thing.",
    ),
    Ritual.BEDTIME: (
        "Try a brief bedtime ritual — a cuddle, a check-in, a moment of gratitude.",
        "Before sleep, share one moment of gratitude from your day.",
        "Make goodnight a little ritual: a cuddle and a quiet check-in.",
    ),
    Ritual.SIX_SECOND_KISS: (
        "Try the six-second kiss — it creates instant connection.",
        "Once a day, a six-second kiss: long enough to feel it, short enough for any morning.",
        "Greet each other with a six-second kiss when you're home again.",
    ),
}


def format_week_range(week_start: date) -> str:
    """ "3–9 Nov", or "27 Oct – 2 Nov" across months: short and locale-independent."""
    end = date.fromordinal(week_start.toordinal() + DAYS_IN_WEEK - 1)
    if end.month == week_start.month:
        return f"{week_start.day}–{end.day} {_MONTHS[end.month - 1]}"
    return f"{week_start.day} {_MONTHS[week_start.month - 1]} – {end.day} {_MONTHS[end.month - 1]}"


def suggestion_for(ritual: Ritual, week_start: date) -> str:
    """One phrasing per week: varied over time, identical for both partners asking."""
    phrasings = SUGGESTIONS[ritual]
    return phrasings[(week_start.toordinal() // DAYS_IN_WEEK) % len(phrasings)]


def render_summary(
    summary: WeeklySummary, *, asker_name: str, partner_name: str, last_week: bool = False
) -> str:
    """The whole reflection as Telegram HTML, sized for a phone screen (≤ 15 lines)."""
    del asker_name  # the asker is addressed as "you"; kept for a symmetric call site
    partner = escape(partner_name)
    if summary.before_pairing:
        return _before_pairing(summary)
    if summary.all_time_total == 0:
        return _first_week(summary, partner)
    if summary.total == 0:
        return _quiet_week(summary, last_week=last_week)
    lines = [_header(summary, last_week=last_week), ""]
    # Mid-week, a per-kind "(12 last week)" compares part of a week with a whole one.
    compare = last_week or not summary.in_progress
    lines += _kind_lines(summary.kinds, last_week=last_week, compare=compare)
    lines.append(_total_line(summary, last_week=last_week))
    lines.append("")
    lines += _optional(_days_line(summary, last_week=last_week))
    replies = _reply_line(summary, last_week=last_week)
    lines += _optional(replies if replies is not None else _together_line(summary))
    lines += _optional(_nudge_line(summary, last_week=last_week))
    lines += _optional(_all_time_line(summary, last_week=last_week))
    lines.append("")
    lines.append(_suggestion_line(summary, last_week=last_week))
    return "\n".join(lines)


def chart_caption(
    summary: WeeklySummary, *, colour_names: tuple[str, str], last_week: bool = False
) -> str:
    """The chart's key, saying exactly what is drawn: whose colour is whose (``colour_names``
    in ``colour_order``, the same on both phones), and the hearts only when there are some."""
    when = "Last week" if last_week else "Your week"
    first, second = (escape(name) for name in colour_names)
    blue, orange = CHART_COLOUR_KEYS
    caption = (
        f"📊 {when} day by day ({format_week_range(summary.week_start)}): "
        f"a bar for each of you, {blue} {first} and {orange} {second}."
    )
    if summary.days_connected:
        caption += f" {HEART_NOTE}"
    return caption


def chart_title(summary: WeeklySummary) -> str:
    """Plain-text chart title (no HTML: matplotlib draws it)."""
    return f"Your moments, {format_week_range(summary.week_start)}"


def _optional(line: str | None) -> list[str]:
    """Lines that only appear when they have something kind to say."""
    return [] if line is None else [line]


def _before(last_week: bool) -> str:
    """What the comparison week is called, seen from the week being described."""
    return "the week before" if last_week else "last week"


def _moments(count: int) -> str:
    """ "1 moment" / "1,234 moments"."""
    return f"{count:,} moment" + ("" if count == 1 else "s")


def _header(summary: WeeklySummary, *, last_week: bool) -> str:
    """Title line; past tense names the week, a running week says "so far"."""
    span = format_week_range(summary.week_start)
    if last_week:
        return f"💞 <b>Last week ({span})</b>"
    so_far = " (so far)" if summary.in_progress else ""
    return f"💞 <b>Your week together</b> · {span}{so_far}"


def _kind_lines(kinds: tuple[KindCount, ...], *, last_week: bool, compare: bool) -> list[str]:
    """The most frequent kinds first (sorting is stable, so ties keep display order);
    the tail folds into one line to stay phone-sized."""
    happened = sorted((row for row in kinds if row.this_week > 0), key=lambda r: -r.this_week)
    shown = happened if len(happened) <= MAX_KIND_LINES + 1 else happened[:MAX_KIND_LINES]
    lines = [_kind_line(row, last_week=last_week, compare=compare) for row in shown]
    rest = sum(row.this_week for row in happened[len(shown) :])
    if rest:
        lines.append(f"🌸 {rest} other little moment" + ("" if rest == 1 else "s"))
    return lines


def _kind_line(row: KindCount, *, last_week: bool, compare: bool) -> str:
    """ "🤗 5 hugs (3 last week)": a neutral comparison, no arrows, no verdict."""
    emoji, one, many = _KIND_WORDS[row.kind]
    line = f"{emoji} {row.this_week} {one if row.this_week == 1 else many}"
    if compare and row.last_week != row.this_week and row.last_week > 0:
        line += f" ({row.last_week} {_before(last_week)})"
    return line


def _total_line(summary: WeeklySummary, *, last_week: bool) -> str:
    """The headline number, celebrated when up and held gently when down."""
    now, before = summary.total, summary.total_last_week
    head = f"💛 <b>{_moments(now)} together</b>"
    if summary.is_first_week:
        return f"{head} — a lovely start 🌱"
    if before == 0:
        return f"{head} — lovely to see you reaching for each other 🌱"
    if now > before:
        return f"{head} — up from {before} {_before(last_week)} 🎉"
    if now == before:
        return f"{head} — steady, just like {_before(last_week)} 💫"
    if summary.in_progress and not last_week:
        return f"{head} so far ({before} last week) — the week isn't over, no rush 🌿"
    return f"{head} ({before} {_before(last_week)}) — some weeks are fuller than others 🌿"


def _days_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """Days with a moment from each of you: "connected" means both, because it takes two.

    Only days spent paired are counted: a couple who paired on Thursday has had "2 days"
    by Friday, not five.
    """
    days, counted = summary.days_connected, summary.days_counted
    since = " since you paired" if summary.paired_mid_week else ""
    if summary.in_progress and not last_week:
        if counted == 1:
            return "📅 A moment from each of you today 💛" if days else None
        if days == 0:
            return "📅 A day with a moment from each of you is still ahead 🌿"
        return f"📅 {days} of {counted} days{since} so far with a moment from each of you"
    if days == 0:
        return "📅 One moment each on the same day — that's all a connected day takes 🌿"
    line = f"📅 {days} of {counted} days{since} with a moment from each of you"
    before = summary.days_connected_last_week
    if before and not summary.is_first_week and not summary.paired_mid_week and before != days:
        line += f" ({before} {_before(last_week)})"
    return line


def _reply_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """How often a "thinking of you" got a reply: about the two of you, never who answered.

    Answering each other's small bids is what research finds in couples who last
    (Gottman's "turning toward"); it is told as a shared thing, without a target.
    """
    sent, answered = summary.bids.sent, summary.bids.answered
    when = "last week" if last_week else "this week"
    if sent == 0:
        return None
    if answered == 0:
        if sent == 1:
            return f"💭 A “thinking of you” went out {when} — a little reach toward each other 🌿"
        return f"💭 {sent} “thinking of you”s went out {when} — little reaches toward each other 🌿"
    if sent == 1:
        return f"💬 Your “thinking of you” got a reply {when} 💞"
    if answered == sent:
        return f"💬 All {sent} of your “thinking of you”s got a reply {when} 💞"
    return f"💬 {answered} of your {sent} “thinking of you”s got a reply {when} 💞"


def _together_line(summary: WeeklySummary) -> str | None:
    """Both of you reached out: said as a shared thing, never as who did more."""
    if summary.asker_count and summary.partner_count:
        return "🤝 You both reached out — that's teamwork."
    return None


def _nudge_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """Couple-wide nudge answers, so neither partner is singled out."""
    nudges = summary.nudges
    if nudges.sent == 0:
        return None
    if nudges.acted == 0:
        plural = "" if nudges.sent == 1 else "s"
        return f"⏰ {nudges.sent} gentle nudge{plural} came by — take them whenever one fits."
    if nudges.median_minutes_to_act is None:  # too few answers to speak of a habit
        return f"⏰ Together you acted on {nudges.acted} of {nudges.sent} nudges."
    return (
        f"⏰ Together you acted on {nudges.acted} of {nudges.sent} nudges, "
        f"usually within {_duration(nudges.median_minutes_to_act)}."
    )


def _duration(minutes: float) -> str:
    """A human "usually within ..." figure, rounded the way people say it."""
    if minutes < 1.5:
        return "a minute"
    if minutes < 90:
        return f"{round(minutes)} minutes"
    hours = round(minutes / 60)
    return f"about {hours} hours"


def _all_time_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """The emotional bank account since the pairing: it only grows, no streak to lose.

    Said only when it adds something to the week's own number (a first week would just
    repeat it), and for a past week with what came after, so both read true together.
    """
    total, later = summary.all_time_total, summary.later_total
    since = f"since you paired on {_day_label(summary.paired_on, summary.week_start)}"
    if last_week and later:
        share = "all of them" if later == total else f"{later:,} of them"
        return f"💞 {_moments(total)} together {since} — {share} this week 💛"
    if total > summary.total:
        return f"💞 {_moments(total)} together {since}"
    return None


def _day_label(day: date, week_start: date) -> str:
    """ "26 Nov", with the year when it is not the week's year ("3 Mar 2025")."""
    label = f"{day.day} {_MONTHS[day.month - 1]}"
    return label if day.year == week_start.year else f"{label} {day.year}"


def _suggestion_line(summary: WeeklySummary, *, last_week: bool) -> str:
    """One concrete idea for the weakest ritual, for the week that comes next."""
    if last_week:
        label = "For this week"
    elif summary.in_progress:
        label = "One idea for the days ahead"
    else:
        label = "For next week"
    idea = suggestion_for(summary.weakest_ritual, summary.week_start)
    return f"🌱 <b>{label}:</b> {idea}"


def _first_week(summary: WeeklySummary, partner: str) -> str:
    """A brand-new couple gets encouragement and one idea, not a page of zeros."""
    idea = suggestion_for(summary.weakest_ritual, summary.week_start)
    return "\n".join(
        [
            "💞 <b>Your first week together</b>",
            "",
            "Nothing logged yet — and that's a perfectly good place to start.",
            "Every small moment — a hug, a smile, a “thinking of you” — goes into "
            "your emotional bank account.",
            "",
            f"🌱 <b>A first idea:</b> {idea}",
            "",
            f"Log a moment with /moment, or send /thinking to tell {partner} "
            "they're on your mind 💞",
        ]
    )


def _before_pairing(summary: WeeklySummary) -> str:
    """A week from before the couple paired here: not a quiet week, just not theirs yet."""
    span = format_week_range(summary.week_start)
    paired = _day_label(summary.paired_on, summary.week_start)
    lines = [
        f"🌱 <b>Last week ({span})</b>",
        "",
        f"You paired here on {paired}, so your weeks together start from there 💞",
    ]
    if summary.all_time_total:
        lines.append(f"Since then: {_moments(summary.all_time_total)} together 💛")
    lines += ["", "/week shows this week, day by day."]
    return "\n".join(lines)


def _quiet_week(summary: WeeklySummary, *, last_week: bool) -> str:
    """An empty week after active ones: life gets busy; remind them what's in the bank."""
    span = format_week_range(summary.week_start)
    if last_week:
        title, opening = f"🍃 <b>Last week ({span})</b>", "Last week was a quiet one"
    elif summary.in_progress:
        title, opening = f"🍃 <b>Your week together</b> · {span}", "Nothing logged yet this week"
    else:
        title, opening = f"🍃 <b>A quiet week</b> · {span}", "Nothing logged this week"
    lines = [title, "", f"{opening} — life gets busy, and that's okay."]
    if summary.total_last_week:
        before = "The week before" if last_week else "Last week"
        lines.append(f"{before}, you shared {_moments(summary.total_last_week)} 💛")
    lines += _optional(_all_time_line(summary, last_week=last_week))
    lines += [
        "",
        f"🌱 <b>One small idea:</b> {suggestion_for(summary.weakest_ritual, summary.week_start)}",
    ]
    return "\n".join(lines)
