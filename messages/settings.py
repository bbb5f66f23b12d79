"""Every word of the nudge settings: the /settings summary, the typed commands, the buttons.

Tone: warm, short, never nagging. A value we cannot use gets a kind sentence with an example
and the reassurance that nothing changed. Texts are Telegram HTML; whatever a person typed is
escaped here (``fmt``), nowhere else.
"""

from __future__ import annotations

from datetime import date, time
from typing import Final

from domain.values.kinds import Ritual
from domain.values.preferences import MENU_PAUSE_DAYS, NudgeSettings
from domain.values.timeparse import MAX_PAUSE_DAYS, TimeParseReason
from domain.values.timezones import zone_label
from domain.values.windows import LocalWindow
from messages.i18n import N_, Translated, _, ngettext, translate_constants
from messages.i18n import day_label as _babel_day_label
from messages.i18n import short_day_label as _babel_short_day_label
from messages.nudge_effects import settings_note
from messages.texts import fmt

#: What people see typed back at them is cut to this length.
ECHO_MAX: Final = 40

# --- Command menu (add to texts.COMMANDS for setMyCommands) -------------------------------
COMMANDS: Final[tuple[tuple[str, str], ...]] = (
    ("settings", N_("Your nudge settings")),
    ("rituals", N_("Choose which nudges you get")),
    ("morning", N_("When the morning hug nudge comes")),
    ("midday", N_("When the midday nudge comes")),
    ("dinner", N_("When the dinner nudge comes")),
    ("bedtime", N_("Your usual bedtime")),
    ("kiss", N_("When the six-second kiss nudge comes")),
    ("quiet", N_("Hours when I never write")),
    ("pause", N_("Pause nudges for a few days")),
    ("resume", N_("Start nudges again")),
)

# --- Names --------------------------------------------------------------------------------
RITUAL_NAMES: Final[Translated[Ritual]] = Translated(
    {
        Ritual.MORNING_HUG: N_("🤗 Morning hug"),
        Ritual.MIDDAY_THINKING: N_("💭 Midday “thinking of you”"),
        Ritual.DINNER_APPRECIATION: N_("🙏 Dinner appreciation"),
        Ritual.BEDTIME: N_("🌙 Bedtime ritual"),
        Ritual.SIX_SECOND_KISS: N_("💋 Six-second kiss"),
    }
)
#: The typed command that moves each ritual's window, and an example of it.
EXAMPLES: Final[dict[Ritual, str]] = {
    Ritual.MORNING_HUG: "/morning 07:00-08:00",
    Ritual.MIDDAY_THINKING: "/midday 12:00-14:00",
    Ritual.DINNER_APPRECIATION: "/dinner 18:30-20:00",
    Ritual.BEDTIME: "/bedtime 22:30",
    Ritual.SIX_SECOND_KISS: "/kiss 17:30-19:00",
}
QUIET_EXAMPLE: Final = "/quiet 22:30-07:00"

ON: Final = "✅"
OFF: Final = "▫️"


# --- Buttons ------------------------------------------------------------------------------
BUTTON_TIMEZONE: Final = N_("🕰 Time zone")
BUTTON_RITUALS: Final = N_("🔔 Rituals")
BUTTON_PAUSE: Final = N_("⏸ Pause 3 days")
assert MENU_PAUSE_DAYS == 3, "the pause button names its days"
BUTTON_RESUME: Final = N_("▶️ Resume")
BUTTON_BACK: Final = N_("⬅️ Back to settings")

# --- The summary --------------------------------------------------------------------------
SUMMARY_TITLE: Final = N_("<b>Your nudge settings</b> ⚙️")
SUMMARY_ZONE: Final = N_("🕰 Time zone: <b>{zone}</b>")
SUMMARY_NO_ZONE: Final = N_(
    "🕰 Time zone: <i>not set yet</i> — tap below, so I only write at kind hours"
)
SUMMARY_RITUAL: Final = N_("{mark} {name} · {window}")
SUMMARY_BEDTIME: Final = N_("{mark} {name} · around {bedtime}")
SUMMARY_OFF_SUFFIX: Final = N_(" <i>(off)</i>")
SUMMARY_QUIET: Final = N_("🤫 Quiet hours: {window}")
SUMMARY_QUIET_OFF: Final = N_("🤫 Quiet hours: off")
SUMMARY_ACTIVE: Final = N_("▶️ Nudges are on.")
SUMMARY_PAUSED: Final = N_("⏸ Paused through <b>{day}</b>.")
SUMMARY_NOT_PAIRED: Final = N_("💌 Nudges begin once you and your partner are paired (/invite).")
SUMMARY_HINTS: Final = N_(
    "<i>To change a time, just type it:</i>\n"
    "<code>/morning 07:00-08:00</code> · <code>/midday 12:00-14:00</code>\n"
    "<code>/dinner 18:30-20:00</code> · <code>/bedtime 22:30</code>\n"
    "<code>/quiet 22:30-07:00</code> (or <code>/quiet off</code>) · <code>/pause 3</code>"
)

RITUALS_TITLE: Final = N_("<b>Which nudges would you like?</b> 🔔\nTap one to switch it on or off.")

# --- Replies to typed commands ------------------------------------------------------------
WINDOW_CURRENT: Final = N_(
    "Your {name} nudge comes between <b>{start}</b> and <b>{end}</b>{off}.\n"
    "To move it, send e.g. <code>{example}</code>."
)
CURRENTLY_OFF: Final = N_(" (it's switched off right now)")
WINDOW_SET: Final = N_(
    "Done ✨ Your {name} nudge will come between <b>{start}</b> and <b>{end}</b>, {share}."
)
WINDOW_SET_BUT_OFF: Final = N_("It's switched off at the moment — /rituals turns it on.")
BEDTIME_CURRENT: Final = N_(
    "Your bedtime is around <b>{bedtime}</b>: the bedtime nudge comes within 15 minutes of "
    "it{off}.\nTo change it, send e.g. <code>/bedtime 22:30</code>."
)
BEDTIME_SET: Final = N_(
    "Done 🌙 Bedtime nudges will come around <b>{bedtime}</b> (give or take 15 minutes), {share}."
)
NEXT_ONE: Final = N_("Next one: <b>{day}</b> between <b>{start}</b> and <b>{end}</b>.")
#: With randomized nudges (issue #12) a planned day is a chance, not a promise.
NEXT_MAYBE: Final = N_("Next chance: <b>{day}</b> between <b>{start}</b> and <b>{end}</b>.")
NEXT_NONE: Final = N_("None is planned in the next two weeks.")
TODAY: Final = N_("today")
TOMORROW: Final = N_("tomorrow")
SHARE_DAILY: Final = N_("every day")
SHARE_ALMOST: Final = N_("almost every day")
SHARE_NONE: Final = N_("not for now")
SUMMARY_TURNS: Final = N_("🔁 {cap}, so {rituals}: each one comes on its own days, as shown.")
QUIET_CURRENT: Final = N_(
    "Your quiet hours are <b>{start}–{end}</b>: I never write then.\n"
    "To change them, send e.g. <code>/quiet 22:30-07:00</code>, or <code>/quiet off</code>."
)
QUIET_CURRENT_OFF: Final = N_(
    "Quiet hours are off; I still only write inside each ritual's window.\n"
    "To set some, send e.g. <code>/quiet 22:30-07:00</code>."
)
QUIET_SET: Final = N_("Done 🤫 I'll stay quiet from <b>{start}</b> to <b>{end}</b>.")
QUIET_SET_OFF: Final = N_(
    "Done — quiet hours are off. I'll still only write inside each ritual's window. 🌿"
)
PAUSE_CURRENT_PAUSED: Final = N_(
    "Nudges are paused through <b>{day}</b>. Send /resume whenever you like, "
    "or <code>/pause 7</code> for a different length."
)
PAUSE_CURRENT_ACTIVE: Final = N_(
    "Need a little break? <code>/pause 3</code> pauses every nudge for 3 days "
    "(anything from 1 to {most} works)."
)
PAUSED: Final = N_(
    "⏸ Paused — no nudges through <b>{day}</b>. Take all the time you need; "
    "/resume brings them back sooner. 🌿"
)
RESUMED: Final = N_("▶️ Nudges are back on, starting with the next one. 💛")
NOT_PAUSED: Final = N_("Nudges aren't paused right now — nothing to resume. 🌿")
BLOCKED_ONE: Final = N_(
    "Just so you know: your quiet hours ({quiet}) cover the whole {names} window, so that "
    "nudge will stay silent. Move it, or change /quiet, whenever you like."
)
BLOCKED_MANY: Final = N_(
    "Just so you know: your quiet hours ({quiet}) cover the whole {names} windows, so those "
    "nudges will stay silent. Move them, or change /quiet, whenever you like."
)
NO_TIMEZONE_HINT: Final = N_(
    "🕰 One more thing: I don't know your time zone yet — send /timezone, "
    "so these times are your own."
)

# --- Values we cannot use -----------------------------------------------------------------
NOTHING_CHANGED: Final = N_("Nothing was changed.")
WINDOW_INVALID: Final[Translated[TimeParseReason]] = Translated(
    {
        TimeParseReason.BAD_FORMAT: N_(
            "I couldn't read “{text}” as a time window 🙂 Try it like this: <code>{example}</code>."
        ),
        TimeParseReason.OUT_OF_RANGE: N_(
            "“{text}” isn't quite on the clock 🙂 "
            "Hours go from 00 to 23 and minutes from 00 to 59, "
            "like <code>{example}</code>."
        ),
        TimeParseReason.EMPTY_WINDOW: N_(
            "That window starts and ends at the same moment 🙂 Give it a little room, "
            "like <code>{example}</code>."
        ),
        TimeParseReason.ENDS_BEFORE_START: N_(
            "That window ends before it starts 🙂 Put the earlier time first, "
            "like <code>{example}</code>."
        ),
    }
)
CLOCK_INVALID: Final[Translated[TimeParseReason]] = Translated(
    {
        TimeParseReason.BAD_FORMAT: N_(
            "I couldn't read “{text}” as a time 🙂 Try <code>/bedtime 22:30</code> "
            "(or <code>/bedtime 10:30pm</code>)."
        ),
        TimeParseReason.OUT_OF_RANGE: N_(
            "“{text}” isn't quite on the clock 🙂 "
            "Hours go from 00 to 23 and minutes from 00 to 59, "
            "like <code>/bedtime 22:30</code>."
        ),
    }
)
PAUSE_INVALID: Final[Translated[TimeParseReason]] = Translated(
    {
        TimeParseReason.BAD_FORMAT: N_(
            "I couldn't read “{text}” as a number of days 🙂 Try <code>/pause 3</code>."
        ),
        TimeParseReason.OUT_OF_RANGE: N_(
            "I can pause nudges for 1 to {most} days 🙂 Try <code>/pause 3</code>."
        ),
    }
)

# --- Button answers (short pop-ups) -------------------------------------------------------
ANSWER_ON: Final = N_("{name}: on ✅")
ANSWER_ON_SHARE: Final = N_("{name}: on ✅ — {share}. {next}")
ANSWER_OFF: Final = N_("{name}: off")
ANSWER_PAUSED: Final = N_("Paused through {day} ⏸")
ANSWER_RESUMED: Final = N_("Nudges are back on ▶️")


# --- Rendering ----------------------------------------------------------------------------
def clock(value: time) -> str:
    return f"{value:%H:%M}"


def window_label(window: LocalWindow) -> str:
    return f"{clock(window.start)}–{clock(window.end)}"


def day_label(day: date) -> str:
    """ "Sunday 29 November", in the active language (Babel's locale data)."""
    return _babel_day_label(day)


def short_day_label(day: date) -> str:
    """ "Sun 29 Nov"."""
    return _babel_short_day_label(day)


def echo(text: str) -> str:
    """What the person typed, shortened for quoting back (``fmt`` escapes it)."""
    text = " ".join(text.split())
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("{some} and {last}").format(some=", ".join(names[:-1]), last=names[-1])


def blocked_warning(settings: NudgeSettings) -> str | None:
    """A gentle note when quiet hours swallow a whole enabled ritual window, else None."""
    if not settings.blocked or settings.quiet is None:
        return None
    names = [RITUAL_NAMES[r] for r in Ritual if r in settings.blocked]
    template = _(BLOCKED_ONE) if len(names) == 1 else _(BLOCKED_MANY)
    return template.format(quiet=window_label(settings.quiet), names=_join(names))


def with_notes(text: str, settings: NudgeSettings) -> str:
    """A reply to a change, followed by whatever the person should gently know."""
    notes = [text]
    warning = blocked_warning(settings)
    if warning:
        notes.append(warning)
    if settings.timezone is None:
        notes.append(_(NO_TIMEZONE_HINT))
    return "\n\n".join(notes)


SUMMARY_RELAYS_SILENT = N_("🌙 Your partner's messages in quiet hours: arrive silently")
SUMMARY_RELAYS_WAIT = N_("🌙 Your partner's messages in quiet hours: wait until they end")
BUTTON_RELAYS_WAIT = N_("🌙 Hold them till morning")
BUTTON_RELAYS_SILENT = N_("🔕 Let them in silently")
ANSWER_RELAYS_WAIT = N_("Messages in your quiet hours will wait until they end 🌙")
ANSWER_RELAYS_SILENT = N_("Messages in your quiet hours will arrive silently 🔕")
SUMMARY_DIGEST_ON = N_("📊 Sunday digest: on")
SUMMARY_DIGEST_OFF = N_("📊 Sunday digest: off")
BUTTON_DIGEST_OFF = N_("📊 No Sunday digest")
BUTTON_DIGEST_ON = N_("📊 Sunday digest, please")
ANSWER_DIGEST_OFF = N_("No more Sunday digest — /week still works any time.")
ANSWER_DIGEST_ON = N_("The Sunday digest is back on.")


def summary(settings: NudgeSettings) -> str:
    """The compact /settings overview."""
    lines = [_(SUMMARY_TITLE), ""]
    if settings.timezone is None:
        lines.append(_(SUMMARY_NO_ZONE))
    else:
        lines.append(fmt(_(SUMMARY_ZONE), zone=zone_label(settings.timezone)))
    for pref in settings.rituals:
        mark = ON if pref.enabled else OFF
        if pref.ritual is Ritual.BEDTIME:
            line = _(SUMMARY_BEDTIME).format(
                mark=mark, name=RITUAL_NAMES[pref.ritual], bedtime=clock(settings.bedtime)
            )
        else:
            line = _(SUMMARY_RITUAL).format(
                mark=mark, name=RITUAL_NAMES[pref.ritual], window=window_label(pref.window)
            )
        if not pref.enabled:
            line += _(SUMMARY_OFF_SUFFIX)
        elif (share := share_of(pref.ritual, settings)) is not None:
            line += f" · {share}"
            note = settings_note(settings.reason_for_less(pref.ritual))
            if note is not None:
                line += f", {note}"
        lines.append(line)
    if settings.taking_turns:
        lines.append(turns(settings))
    if settings.quiet is None:
        lines.append(_(SUMMARY_QUIET_OFF))
    else:
        lines.append(_(SUMMARY_QUIET).format(window=window_label(settings.quiet)))
        lines.append(_(SUMMARY_RELAYS_WAIT if settings.relays_wait else SUMMARY_RELAYS_SILENT))
    if settings.paused_through is not None:
        lines.append(_(SUMMARY_PAUSED).format(day=day_label(settings.paused_through)))
    else:
        lines.append(_(SUMMARY_ACTIVE))
    lines.append(_(SUMMARY_DIGEST_ON if settings.sunday_digest else SUMMARY_DIGEST_OFF))
    if not settings.paired:
        lines.append(_(SUMMARY_NOT_PAIRED))
    warning = blocked_warning(settings)
    if warning:
        lines += ["", warning]
    lines += ["", _(SUMMARY_HINTS)]
    return "\n".join(lines)


def share_label(days_in_fortnight: int) -> str:
    """On how many of the next 14 days a ritual is planned, said as a person would."""
    if days_in_fortnight >= 14:
        return _(SHARE_DAILY)
    if days_in_fortnight >= 12:
        return _(SHARE_ALMOST)
    if days_in_fortnight <= 0:
        return _(SHARE_NONE)
    per_week = (days_in_fortnight + 1) // 2
    return ngettext("about {n} day a week", "about {n} days a week", per_week).format(n=per_week)


def turns(settings: NudgeSettings) -> str:
    """ "At most 3 nudges a day, so your 5 rituals take turns…" (plural rules for both)."""
    cap = ngettext("At most {cap} nudge a day", "At most {cap} nudges a day", settings.daily_cap)
    rituals = ngettext(
        "your {n} ritual takes turns", "your {n} rituals take turns", settings.taking_turns
    )
    return _(SUMMARY_TURNS).format(
        cap=cap.format(cap=settings.daily_cap), rituals=rituals.format(n=settings.taking_turns)
    )


def share_of(ritual: Ritual, settings: NudgeSettings) -> str | None:
    """How often a ritual's nudge comes: its planned days times its chance (issue #12)."""
    count = settings.expected_in_fortnight(ritual)
    return None if count is None else share_label(count)


def when_label(day: date, today: date | None) -> str:
    if day == today:
        return _(TODAY)
    if today is not None and (day - today).days == 1:
        return _(TOMORROW)
    return _("on {day}").format(day=day_label(day))


def next_one(ritual: Ritual, settings: NudgeSettings) -> str | None:
    """ "Next one: today between 14:02 and 14:05." (None when there is nothing to say)."""
    if settings.timezone is None or not settings.preference(ritual).enabled:
        return None
    if ritual in settings.blocked:
        return None  # the blocked warning says why
    upcoming = settings.next_of(ritual)
    if upcoming is None:
        return _(NEXT_NONE)
    return _(NEXT_MAYBE if settings.chances else NEXT_ONE).format(
        day=when_label(upcoming.day, settings.today),
        start=clock(upcoming.start),
        end=clock(upcoming.end),
    )


def rituals_view(settings: NudgeSettings) -> str:
    lines = [_(RITUALS_TITLE)]
    shares = [
        f"{RITUAL_NAMES[pref.ritual]}: {share}"
        for pref in settings.rituals
        if pref.enabled and (share := share_of(pref.ritual, settings)) is not None
    ]
    if shares:
        lines += ["", *shares]
    if settings.taking_turns:
        lines.append(turns(settings))
    warning = blocked_warning(settings)
    if warning is not None:
        lines += ["", warning]
    return "\n".join(lines)


def ritual_button(ritual: Ritual, enabled: bool) -> str:
    return f"{ON if enabled else OFF} {RITUAL_NAMES[ritual]}"


def window_current(ritual: Ritual, settings: NudgeSettings) -> str:
    pref = settings.preference(ritual)
    return _(WINDOW_CURRENT).format(
        name=RITUAL_NAMES[ritual],
        start=clock(pref.window.start),
        end=clock(pref.window.end),
        off="" if pref.enabled else _(CURRENTLY_OFF),
        example=EXAMPLES[ritual],
    )


def window_set(ritual: Ritual, settings: NudgeSettings) -> str:
    pref = settings.preference(ritual)
    text = _(WINDOW_SET).format(
        name=RITUAL_NAMES[ritual],
        start=clock(pref.window.start),
        end=clock(pref.window.end),
        share=share_of(ritual, settings) or _(SHARE_DAILY),
    )
    if not pref.enabled:
        text = f"{text} {_(WINDOW_SET_BUT_OFF)}"
    elif (upcoming := next_one(ritual, settings)) is not None:
        text = f"{text}\n{upcoming}"
    return with_notes(text, settings)


def window_invalid(ritual: Ritual, reason: TimeParseReason, typed: str) -> str:
    template = WINDOW_INVALID.get(reason, WINDOW_INVALID[TimeParseReason.BAD_FORMAT])
    text = fmt(template, text=echo(typed), example=EXAMPLES[ritual])
    return f"{text} {_(NOTHING_CHANGED)}"


def bedtime_current(settings: NudgeSettings) -> str:
    enabled = settings.preference(Ritual.BEDTIME).enabled
    return _(BEDTIME_CURRENT).format(
        bedtime=clock(settings.bedtime), off="" if enabled else _(CURRENTLY_OFF)
    )


def bedtime_set(settings: NudgeSettings) -> str:
    text = _(BEDTIME_SET).format(
        bedtime=clock(settings.bedtime),
        share=share_of(Ritual.BEDTIME, settings) or _(SHARE_DAILY),
    )
    if not settings.preference(Ritual.BEDTIME).enabled:
        text = f"{text} {_(WINDOW_SET_BUT_OFF)}"
    elif (upcoming := next_one(Ritual.BEDTIME, settings)) is not None:
        text = f"{text}\n{upcoming}"
    return with_notes(text, settings)


def bedtime_invalid(reason: TimeParseReason, typed: str) -> str:
    template = CLOCK_INVALID.get(reason, CLOCK_INVALID[TimeParseReason.BAD_FORMAT])
    return f"{fmt(template, text=echo(typed))} {_(NOTHING_CHANGED)}"


def quiet_current(settings: NudgeSettings) -> str:
    if settings.quiet is None:
        return _(QUIET_CURRENT_OFF)
    return _(QUIET_CURRENT).format(start=clock(settings.quiet.start), end=clock(settings.quiet.end))


def quiet_set(settings: NudgeSettings) -> str:
    if settings.quiet is None:
        return with_notes(_(QUIET_SET_OFF), settings)
    text = _(QUIET_SET).format(start=clock(settings.quiet.start), end=clock(settings.quiet.end))
    return with_notes(text, settings)


def quiet_invalid(reason: TimeParseReason, typed: str) -> str:
    template = WINDOW_INVALID.get(reason, WINDOW_INVALID[TimeParseReason.BAD_FORMAT])
    text = fmt(template, text=echo(typed), example=QUIET_EXAMPLE)
    return f"{text} {_(NOTHING_CHANGED)}"


def pause_current(settings: NudgeSettings) -> str:
    if settings.paused_through is None:
        return _(PAUSE_CURRENT_ACTIVE).format(most=MAX_PAUSE_DAYS)
    return _(PAUSE_CURRENT_PAUSED).format(day=day_label(settings.paused_through))


def paused(last_day: date, timezone: str | None) -> str:
    text = _(PAUSED).format(day=day_label(last_day))
    return text if timezone is not None else f"{text}\n\n{_(NO_TIMEZONE_HINT)}"


def pause_invalid(reason: TimeParseReason, typed: str) -> str:
    template = PAUSE_INVALID.get(reason, PAUSE_INVALID[TimeParseReason.BAD_FORMAT])
    return f"{fmt(template, text=echo(typed), most=MAX_PAUSE_DAYS)} {_(NOTHING_CHANGED)}"


def toggled(ritual: Ritual, enabled: bool, settings: NudgeSettings | None = None) -> str:
    """The pop-up after a tap in /rituals: on, how often, and when the next one comes."""
    name = RITUAL_NAMES[ritual]
    if not enabled:
        return _(ANSWER_OFF).format(name=name)
    share = None if settings is None else share_of(ritual, settings)
    upcoming = None if settings is None else next_one(ritual, settings)
    if share is None:
        return _(ANSWER_ON).format(name=name)
    # A pop-up is plain text: no HTML.
    plain = (upcoming or "").replace("<b>", "").replace("</b>", "")
    return _(ANSWER_ON_SHARE).format(name=name, share=share, next=plain).strip()


translate_constants(__name__)
