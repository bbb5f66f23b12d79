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
from messages.i18n import (
    N_,
    NP_,
    _,
    day_range,
    month_day,
    ngettext,
    number,
    translate_constants,
    weekdays_short,
)

#: Kind lines shown before the rest are folded into "N more little moments" (phone-sized).
MAX_KIND_LINES: Final = 4

NOT_PAIRED_WEEKLY: Final = N_(
    "The weekly reflection is made for two 💞\n"
    "Once you and your partner are paired here, I'll gather your little moments "
    "and show you how you're doing together, week by week."
)
#: The button that asks for the reflection (under a Sunday message, for instance).
BUTTON_OUR_WEEK: Final = N_("📊 Our week")

# --- The Sunday digest ---------------------------------------------------------------------
#: Opens the digest, so an unasked-for message says why it came.
DIGEST_INTRO: Final = N_("🌙 A little Sunday look back at your week together.")
#: Closes the digest: how to stop it, said lightly, so nobody feels stuck with it.
DIGEST_FOOTER: Final = N_("<i>Arrives on Sunday evenings · /digest off to pause it</i>")
DIGEST_ON: Final = N_(
    "Lovely — your weekly reflection will arrive on Sunday evenings 🌙 "
    "You can also ask me “how are we doing this week?” anytime."
)
DIGEST_OFF: Final = N_(
    "Okay — no more Sunday digest 🌿 Your moments still count, and you can ask me "
    "“how are we doing this week?” whenever you like. /digest on brings it back."
)
DIGEST_STATUS_ON: Final = N_(
    "Your Sunday digest is <b>on</b> 🌙 It arrives around 19:00 your time. "
    "<code>/digest off</code> pauses it."
)
DIGEST_STATUS_OFF: Final = N_(
    "Your Sunday digest is <b>off</b>. <code>/digest on</code> brings the weekly reflection "
    "back on Sunday evenings 🌙"
)
#: The chart's key, said only when the chart really shows hearts (see ``chart_caption``).
HEART_NOTE: Final = N_("♥ marks a day with a moment from each of you.")
#: The colour of each partner's bars, as a square in the caption: Okabe–Ito blue and
#: vermillion in the chart (``messages/weekly_chart.PARTNER_COLOURS``), in ``colour_order``.
CHART_COLOUR_KEYS: Final = ("🟦", "🟧")
CHART_Y_LABEL: Final = N_("moments")
#: Legend labels for names the chart font cannot draw at all (emoji-only, CJK).
CHART_FALLBACK_NAMES: Final = (N_("You"), N_("Your partner"))

#: (emoji, singular, plural) per display kind, with the count in the sentence.
_KIND_WORDS: Final[dict[MomentKind, tuple[str, tuple[str, str]]]] = {
    MomentKind.HUG: ("🤗", NP_("{n} hug", "{n} hugs")),
    MomentKind.KISS: ("💋", NP_("{n} kiss", "{n} kisses")),
    MomentKind.THINKING_OF_YOU: (
        "💭",
        NP_("{n} “thinking of you”", "{n} “thinking of you” messages"),
    ),
    MomentKind.LOVE_BACK: ("❤️", NP_("{n} reply with love", "{n} replies with love")),
    MomentKind.APPRECIATION: ("🙏", NP_("{n} appreciation", "{n} appreciations")),
    MomentKind.GOODNIGHT: ("🌙", NP_("{n} goodnight", "{n} goodnights")),
    MomentKind.CHECK_IN: ("📱", NP_("{n} check-in", "{n} check-ins")),
    MomentKind.SMILE: ("😊", NP_("{n} smile", "{n} smiles")),
    MomentKind.TOUCH: ("🫶", NP_("{n} gentle touch", "{n} gentle touches")),
    MomentKind.LISTENING: ("👂", NP_("{n} moment of listening", "{n} moments of listening")),
    MomentKind.OTHER: ("✨", NP_("{n} little moment", "{n} little moments")),
}

#: Several phrasings per ritual, in the seed's own words; one is picked per week.
SUGGESTIONS: Final[dict[Ritual, tuple[str, ...]]] = {
    Ritual.MORNING_HUG: (
        N_("Pause for a 10-second hug before one of you leaves."),
        N_(
            "Before one of you heads out, try a 10-second hug — longer than it sounds, "
            "in the nicest way."
        ),
        N_("Start one morning with a slow 10-second hug, before the day pulls you apart."),
    ),
    Ritual.MIDDAY_THINKING: (
        N_("Send a midday text saying “thinking of you”."),
        N_("Around lunchtime, a short “thinking of you” can travel a long way."),
        N_("Pick one day for a midday “thinking of you” — no reason needed."),
    ),
    Ritual.DINNER_APPRECIATION: (
        N_("Share one appreciation at dinner: “Thanks for taking care of that.”"),
        N_(
            "At dinner, try one warm acknowledgment: "
            "“I love the way you handled that conversation.”"
        ),
        N_("Say “I appreciate you” over dinner, and name one small thing."),
    ),
    Ritual.BEDTIME: (
        N_("Try a brief bedtime ritual — a cuddle, a check-in, a moment of gratitude."),
        N_("Before sleep, share one moment of gratitude from your day."),
        N_("Make goodnight a little ritual: a cuddle and a quiet check-in."),
    ),
    Ritual.SIX_SECOND_KISS: (
        N_("Try the six-second kiss — it creates instant connection."),
        N_("Once a day, a six-second kiss: long enough to feel it, short enough for any morning."),
        N_("Greet each other with a six-second kiss when you're home again."),
    ),
}


def format_week_range(week_start: date) -> str:
    """ "3–9 Nov", or "27 Oct – 2 Nov" across months, in the reader's language (Babel)."""
    end = date.fromordinal(week_start.toordinal() + DAYS_IN_WEEK - 1)
    return day_range(week_start, end)


def suggestion_for(ritual: Ritual, week_start: date) -> str:
    """One phrasing per week: varied over time, identical for both partners asking."""
    phrasings = SUGGESTIONS[ritual]
    return _(phrasings[(week_start.toordinal() // DAYS_IN_WEEK) % len(phrasings)])


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
    first, second = (escape(name) for name in colour_names)
    blue, orange = CHART_COLOUR_KEYS
    template = (
        _(
            "📊 Last week day by day ({span}): a bar for each of you, {blue} {first} and "
            "{orange} {second}."
        )
        if last_week
        else _(
            "📊 Your week day by day ({span}): a bar for each of you, {blue} {first} and "
            "{orange} {second}."
        )
    )
    caption = template.format(
        span=format_week_range(summary.week_start),
        blue=blue,
        first=first,
        orange=orange,
        second=second,
    )
    if summary.days_connected:
        caption += f" {_(HEART_NOTE)}"
    return caption


def chart_title(summary: WeeklySummary) -> str:
    """Plain-text chart title (no HTML: matplotlib draws it)."""
    return _("Your moments, {span}").format(span=format_week_range(summary.week_start))


def _optional(line: str | None) -> list[str]:
    """Lines that only appear when they have something kind to say."""
    return [] if line is None else [line]


def _before(last_week: bool) -> str:
    """What the comparison week is called, seen from the week being described."""
    return _("the week before") if last_week else _("last week")


def _moments(count: int) -> str:
    """ "1 moment" / "1,234 moments", by the reader's plural rules and digit grouping."""
    return ngettext("{n} moment", "{n} moments", count).format(n=number(count))


def _header(summary: WeeklySummary, *, last_week: bool) -> str:
    """Title line; past tense names the week, a running week says "so far"."""
    span = format_week_range(summary.week_start)
    if last_week:
        return _("💞 <b>Last week ({span})</b>").format(span=span)
    if summary.in_progress:
        return _("💞 <b>Your week together</b> · {span} (so far)").format(span=span)
    return _("💞 <b>Your week together</b> · {span}").format(span=span)


def _kind_lines(kinds: tuple[KindCount, ...], *, last_week: bool, compare: bool) -> list[str]:
    """The most frequent kinds first (sorting is stable, so ties keep display order);
    the tail folds into one line to stay phone-sized."""
    happened = sorted((row for row in kinds if row.this_week > 0), key=lambda r: -r.this_week)
    shown = happened if len(happened) <= MAX_KIND_LINES + 1 else happened[:MAX_KIND_LINES]
    lines = [_kind_line(row, last_week=last_week, compare=compare) for row in shown]
    rest = sum(row.this_week for row in happened[len(shown) :])
    if rest:
        other = ngettext("{n} other little moment", "{n} other little moments", rest)
        lines.append("🌸 " + other.format(n=rest))
    return lines


def _kind_line(row: KindCount, *, last_week: bool, compare: bool) -> str:
    """ "🤗 5 hugs (3 last week)": a neutral comparison, no arrows, no verdict."""
    emoji, (one, many) = _KIND_WORDS[row.kind]
    line = f"{emoji} {ngettext(one, many, row.this_week).format(n=row.this_week)}"
    if compare and row.last_week != row.this_week and row.last_week > 0:
        line += " " + _("({n} {before})").format(n=row.last_week, before=_before(last_week))
    return line


def _total_line(summary: WeeklySummary, *, last_week: bool) -> str:
    """The headline number, celebrated when up and held gently when down."""
    now, before = summary.total, summary.total_last_week
    head = _("💛 <b>{moments} together</b>").format(moments=_moments(now))
    when = _before(last_week)
    if summary.is_first_week:
        return _("{head} — a lovely start 🌱").format(head=head)
    if before == 0:
        return _("{head} — lovely to see you reaching for each other 🌱").format(head=head)
    if now > before:
        return _("{head} — up from {before} {when} 🎉").format(head=head, before=before, when=when)
    if now == before:
        return _("{head} — steady, just like {when} 💫").format(head=head, when=when)
    if summary.in_progress and not last_week:
        return _("{head} so far ({before} last week) — the week isn't over, no rush 🌿").format(
            head=head, before=before
        )
    return _("{head} ({before} {when}) — some weeks are fuller than others 🌿").format(
        head=head, before=before, when=when
    )


def _days_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """Days with a moment from each of you: "connected" means both, because it takes two.

    Only days spent paired are counted: a couple who paired on Thursday has had "2 days"
    by Friday, not five.
    """
    days, counted = summary.days_connected, summary.days_counted
    if summary.in_progress and not last_week:
        if counted == 1:
            return _("📅 A moment from each of you today 💛") if days else None
        if days == 0:
            return _("📅 A day with a moment from each of you is still ahead 🌿")
        if summary.paired_mid_week:
            template = ngettext(
                "📅 {days} of {counted} day since you paired so far with a moment from each of you",
                "📅 {days} of {counted} days since you paired so far "
                "with a moment from each of you",
                counted,
            )
        else:
            template = ngettext(
                "📅 {days} of {counted} day so far with a moment from each of you",
                "📅 {days} of {counted} days so far with a moment from each of you",
                counted,
            )
        return template.format(days=days, counted=counted)
    if days == 0:
        return _("📅 One moment each on the same day — that's all a connected day takes 🌿")
    if summary.paired_mid_week:
        template = ngettext(
            "📅 {days} of {counted} day since you paired with a moment from each of you",
            "📅 {days} of {counted} days since you paired with a moment from each of you",
            counted,
        )
    else:
        template = ngettext(
            "📅 {days} of {counted} day with a moment from each of you",
            "📅 {days} of {counted} days with a moment from each of you",
            counted,
        )
    line = template.format(days=days, counted=counted)
    before = summary.days_connected_last_week
    if before and not summary.is_first_week and not summary.paired_mid_week and before != days:
        line += " " + _("({n} {before})").format(n=before, before=_before(last_week))
    return line


def _reply_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """How often a "thinking of you" got a reply: about the two of you, never who answered.

    Answering each other's small bids is what research finds in couples who last
    (Gottman's "turning toward"); it is told as a shared thing, without a target.
    """
    sent, answered = summary.bids.sent, summary.bids.answered
    if sent == 0:
        return None
    if answered == 0:
        if last_week:
            template = ngettext(
                "💭 A “thinking of you” went out last week — a little reach toward each other 🌿",
                "💭 {sent} “thinking of you”s went out last week — little reaches toward each "
                "other 🌿",
                sent,
            )
        else:
            template = ngettext(
                "💭 A “thinking of you” went out this week — a little reach toward each other 🌿",
                "💭 {sent} “thinking of you”s went out this week — little reaches toward each "
                "other 🌿",
                sent,
            )
        return template.format(sent=sent)
    if sent == 1:
        if last_week:
            return _("💬 Your “thinking of you” got a reply last week 💞")
        return _("💬 Your “thinking of you” got a reply this week 💞")
    if answered == sent:
        if last_week:
            return _("💬 All {sent} of your “thinking of you”s got a reply last week 💞").format(
                sent=sent
            )
        return _("💬 All {sent} of your “thinking of you”s got a reply this week 💞").format(
            sent=sent
        )
    if last_week:
        template = _("💬 {answered} of your {sent} “thinking of you”s got a reply last week 💞")
    else:
        template = _("💬 {answered} of your {sent} “thinking of you”s got a reply this week 💞")
    return template.format(answered=answered, sent=sent)


def _together_line(summary: WeeklySummary) -> str | None:
    """Both of you reached out: said as a shared thing, never as who did more."""
    if summary.asker_count and summary.partner_count:
        return _("🤝 You both reached out — that's teamwork.")
    return None


def _nudge_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """Couple-wide nudge answers, so neither partner is singled out."""
    nudges = summary.nudges
    if nudges.sent == 0:
        return None
    if nudges.acted == 0:
        return ngettext(
            "⏰ {n} gentle nudge came by — take them whenever one fits.",
            "⏰ {n} gentle nudges came by — take them whenever one fits.",
            nudges.sent,
        ).format(n=nudges.sent)
    acted = ngettext(
        "⏰ Together you acted on {acted} of {sent} nudge",
        "⏰ Together you acted on {acted} of {sent} nudges",
        nudges.sent,
    ).format(acted=nudges.acted, sent=nudges.sent)
    if nudges.median_minutes_to_act is None:  # too few answers to speak of a habit
        return f"{acted}."
    return _("{acted}, usually within {duration}.").format(
        acted=acted, duration=_duration(nudges.median_minutes_to_act)
    )


def _duration(minutes: float) -> str:
    """A human "usually within ..." figure, rounded the way people say it."""
    if minutes < 1.5:
        return _("a minute")
    if minutes < 90:
        n = round(minutes)
        return ngettext("{n} minute", "{n} minutes", n).format(n=n)
    hours = round(minutes / 60)
    return ngettext("about {n} hour", "about {n} hours", hours).format(n=hours)


def _all_time_line(summary: WeeklySummary, *, last_week: bool) -> str | None:
    """The emotional bank account since the pairing: it only grows, no streak to lose.

    Said only when it adds something to the week's own number (a first week would just
    repeat it), and for a past week with what came after, so both read true together.
    """
    total, later = summary.all_time_total, summary.later_total
    paired = _day_label(summary.paired_on, summary.week_start)
    if last_week and later:
        if later == total:
            template = _(
                "💞 {moments} together since you paired on {day} — all of them this week 💛"
            )
        else:
            template = _(
                "💞 {moments} together since you paired on {day} — {later} of them this week 💛"
            )
        return template.format(moments=_moments(total), day=paired, later=number(later))
    if total > summary.total:
        return _("💞 {moments} together since you paired on {day}").format(
            moments=_moments(total), day=paired
        )
    return None


def _day_label(day: date, week_start: date) -> str:
    """ "26 Nov", with the year when it is not the week's year ("3 Mar 2025")."""
    return month_day(day, with_year=day.year != week_start.year)


def _suggestion_line(summary: WeeklySummary, *, last_week: bool) -> str:
    """One concrete idea for the weakest ritual, for the week that comes next."""
    idea = suggestion_for(summary.weakest_ritual, summary.week_start)
    if last_week:
        template = _("🌱 <b>For this week:</b> {idea}")
    elif summary.in_progress:
        template = _("🌱 <b>One idea for the days ahead:</b> {idea}")
    else:
        template = _("🌱 <b>For next week:</b> {idea}")
    return template.format(idea=idea)


def _first_week(summary: WeeklySummary, partner: str) -> str:
    """A brand-new couple gets encouragement and one idea, not a page of zeros."""
    idea = suggestion_for(summary.weakest_ritual, summary.week_start)
    return "\n".join(
        [
            _("💞 <b>Your first week together</b>"),
            "",
            _("Nothing logged yet — and that's a perfectly good place to start."),
            _(
                "Every small moment — a hug, a smile, a “thinking of you” — goes into "
                "your emotional bank account."
            ),
            "",
            _("🌱 <b>A first idea:</b> {idea}").format(idea=idea),
            "",
            _(
                "Log a moment with /moment, or send /thinking to tell {partner} "
                "they're on your mind 💞"
            ).format(partner=partner),
        ]
    )


def _before_pairing(summary: WeeklySummary) -> str:
    """A week from before the couple paired here: not a quiet week, just not theirs yet."""
    span = format_week_range(summary.week_start)
    paired = _day_label(summary.paired_on, summary.week_start)
    lines = [
        _("🌱 <b>Last week ({span})</b>").format(span=span),
        "",
        _("You paired here on {day}, so your weeks together start from there 💞").format(
            day=paired
        ),
    ]
    if summary.all_time_total:
        lines.append(
            _("Since then: {moments} together 💛").format(moments=_moments(summary.all_time_total))
        )
    lines += ["", _("/week shows this week, day by day.")]
    return "\n".join(lines)


def _quiet_week(summary: WeeklySummary, *, last_week: bool) -> str:
    """An empty week after active ones: life gets busy; remind them what's in the bank."""
    span = format_week_range(summary.week_start)
    if last_week:
        title = _("🍃 <b>Last week ({span})</b>").format(span=span)
        opening = _("Last week was a quiet one — life gets busy, and that's okay.")
    elif summary.in_progress:
        title = _("🍃 <b>Your week together</b> · {span}").format(span=span)
        opening = _("Nothing logged yet this week — life gets busy, and that's okay.")
    else:
        title = _("🍃 <b>A quiet week</b> · {span}").format(span=span)
        opening = _("Nothing logged this week — life gets busy, and that's okay.")
    lines = [title, "", opening]
    if summary.total_last_week:
        template = (
            _("The week before, you shared {moments} 💛")
            if last_week
            else _("Last week, you shared {moments} 💛")
        )
        lines.append(template.format(moments=_moments(summary.total_last_week)))
    lines += _optional(_all_time_line(summary, last_week=last_week))
    idea = suggestion_for(summary.weakest_ritual, summary.week_start)
    lines += ["", _("🌱 <b>One small idea:</b> {idea}").format(idea=idea)]
    return "\n".join(lines)


def chart_weekdays() -> tuple[str, ...]:
    """The chart's day labels, Monday first, from Babel's locale data."""
    return weekdays_short()


translate_constants(__name__)
