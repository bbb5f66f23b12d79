"""What the Mini App and the chat say about it.

The page's own labels live here too, not in its HTML: the page asks for them once
(``GET api/words``) in the person's language, and figures that carry a count ("1 moment",
"5 моментов") are written here with the language's plural rules, so the page never
needs to know a plural rule of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from domain.values.calendar import CoupleStory
from domain.values.weekly_summary import DayCount, WeeklySummary
from messages.i18n import (
    N_,
    NP_,
    Translated,
    _,
    active,
    month_day,
    ngettext,
    number,
    translate_constants,
    weekdays_short,
)

BUTTON_OPEN_SPACE: Final = N_("📱 Open our space")
MENU_BUTTON: Final = N_("Our space")
#: Under /start once paired: the everyday keyboard stays, so the space gets its own line.
START_SPACE: Final = N_("Your week, your story and your settings, one tap away:")
#: In the chat, after a change made in the Mini App (the change's own words follow).
SAVED_FROM_SPACE: Final = N_("📱 Saved from your space:\n{text}")

SIGNED_OUT: Final = N_("Please open this page from the bot's chat in Telegram 💌")
SAY_START: Final = N_("Say /start to the bot first, then open this page again 🌱")
NOT_PAIRED: Final = N_("Your space opens once you're paired 💌 Invite your partner from the chat.")
BAD_REQUEST: Final = N_("That didn't look right, so nothing changed.")

#: Every label of the page, by the key its HTML (``data-word``) and script use.
#: ``{name}``-style placeholders are filled in by the page.
PAGE: Final = Translated(
    {
        "title": N_("Our space"),
        "tab_week": N_("📊 Our week"),
        "tab_history": N_("🗓️ History"),
        "tab_moments": N_("💞 Moments"),
        "tab_settings": N_("⚙️ Settings"),
        "earlier": N_("Earlier week"),
        "later": N_("Later week"),
        # Translators: {range} is the week, as "23–29 Nov".
        "this_week": N_("This week · {range}"),
        "chart_title": N_("Moments each day, {me} and {partner}"),
        # Translators: one bar's label: "Mon: Alice 2, Bob 1".
        "chart_bar": N_("{day}: {me} {mine}, {partner} {theirs}"),
        "chart_before": N_("The week before, per partner on average"),
        "legend_before": N_("the week before"),
        "history_title": N_("Our history"),
        "heatmap_title": N_("Days connected in the last 12 weeks: {n}"),
        "legend_both": N_("both of you"),
        "legend_one": N_("one of you"),
        "top_title": N_("The rituals you do most"),
        "top_empty": N_("Your first ritual moment will show here 🌱"),
        "moments_title": N_("Moments"),
        "log_title": N_("Log a moment"),
        "lately": N_("Lately, the two of you"),
        "no_moments": N_("No moments yet 🌱 The first one is a tap away."),
        "settings_title": N_("Settings"),
        "nudge_me": N_("Nudge me"),
        # Translators: the accessible names of a window's two time fields, {name} being
        # the ritual ("💭 Midday “thinking of you” from").
        "window_from": N_("{name} from"),
        "window_until": N_("{name} until"),
        "window_to": N_("to"),
        "bedtime": N_("Bedtime"),
        "bedtime_at": N_("Bedtime at"),
        "quiet": N_("Quiet hours"),
        "quiet_on": N_("No nudges in quiet hours"),
        "relays_wait": N_("Partner's messages wait until morning"),
        "pause": N_("Pause"),
        "pause_days": N_("Pause for how many days"),
        "pause_button": N_("⏸ Pause"),
        "resume_button": N_("▶️ Resume"),
        "paused_through": N_("Paused through {day}"),
        "other": N_("Sunday digest and time zone"),
        "digest": N_("Sunday-evening reflection"),
        "timezone": N_("Time zone"),
        "timezone_hint": N_("a city, e.g. Lisbon"),
        "went_wrong": N_("Something went wrong. Please try again."),
    }
)
#: How many days a pause can last from the page (the chat's /pause allows the same).
PAUSE_DAYS: Final = 30

_TOTAL = NP_("moment ({before} the week before)", "moments ({before} the week before)")
_TOTAL_SO_FAR = NP_(
    "moment so far ({before} the week before)", "moments so far ({before} the week before)"
)
_DAYS_CONNECTED = NP_(
    "day you both reached out (of {elapsed})", "days you both reached out (of {elapsed})"
)
# Translators: "3 of 4" “thinking of you”s answered.
_ANSWERED = N_("{answered} of {sent}")
_BIDS = N_("“thinking of you”s answered")
_SINCE_PAIRED = NP_("moment since you paired", "moments since you paired")
_DAYS_LATELY = NP_(
    "day you both reached out, last 12 weeks", "days you both reached out, last 12 weeks"
)
_DAY_MOMENTS = NP_("{day}: {n} moment", "{day}: {n} moments")
_DAY_BOTH = NP_("{day}: {n} moment, both of you", "{day}: {n} moments, both of you")
_PAUSE_FOR = NP_("{n} day", "{n} days")

Card = tuple[str, str]


def page_words() -> dict[str, object]:
    """Everything the page writes itself, in the active language."""
    return {
        "lang": active(),
        "words": dict(PAGE.items()),
        "days": list(weekdays_short()),
        "pause_days": [ngettext(*_PAUSE_FOR, n).format(n=n) for n in range(1, PAUSE_DAYS + 1)],
    }


def week_cards(summary: WeeklySummary) -> list[Card]:
    """ "Our week": moments, days you both reached out, “thinking of you”s answered."""
    total, connected, bids = summary.total, summary.days_connected, summary.bids
    moments = ngettext(*(_TOTAL_SO_FAR if summary.in_progress else _TOTAL), total)
    days = ngettext(*_DAYS_CONNECTED, connected)
    answered = _(_ANSWERED).format(answered=bids.answered, sent=bids.sent) if bids.sent else "—"
    return [
        (number(total), moments.format(before=number(summary.total_last_week))),
        (number(connected), days.format(elapsed=summary.days_elapsed)),
        (answered, _(_BIDS)),
    ]


def history_cards(story: CoupleStory) -> list[Card]:
    return [
        (number(story.all_time_total), ngettext(*_SINCE_PAIRED, story.all_time_total)),
        (number(story.days_connected), ngettext(*_DAYS_LATELY, story.days_connected)),
    ]


def day_cell(day: DayCount, story: CoupleStory) -> str:
    """A heat-map day's label: "26 Nov: 3 moments, both of you" (just the date when the
    day is before the pairing or still to come)."""
    if day.day > story.today or day.day < story.paired_on:
        return month_day(day.day)
    moments = day.asker + day.partner
    template = ngettext(*(_DAY_BOTH if day.connected else _DAY_MOMENTS), moments)
    return template.format(day=month_day(day.day), n=moments)


def paused_through(day: date) -> str:
    return PAGE["paused_through"].format(day=month_day(day))


translate_constants(__name__)
