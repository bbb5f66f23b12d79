"""The weekly chart: seven days, two bars a day (one per partner), a heart on connected days.

Made for a phone: Telegram shows a photo at the chat's width (about 360 px), so the PNG is
720 px wide and every text is at least 17 pt (24 px, 12 px on the phone). Each partner keeps
one colour on both phones (``colour_order``: by user id, not by who asks), from the
Okabe–Ito palette, which stays distinct with every common colour-vision deficiency.

Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas, never through pyplot:
pyplot keeps a global registry of figures (a leak if one is not closed, and shared state
between threads), while a bare Figure is an ordinary object that the garbage collector
frees. The PNG goes to memory; no temporary files.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
from concurrent.futures import Executor
from functools import lru_cache, partial
from typing import Final

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from domain.values.weekly_summary import Partner, Reflection, WeeklySummary, colour_order
from messages import weekly
from messages.i18n import _, active, speaking
from messages.weekly import CHART_FALLBACK_NAMES, chart_title, chart_weekdays

log = logging.getLogger(__name__)

WIDTH_PX: Final = 720
HEIGHT_PX: Final = 640
DPI: Final = 100
FONT_FAMILY: Final = "DejaVu Sans"  # ships with matplotlib, so every server has it
#: Points at DPI 100 (1 pt = 1.39 px): the smallest, 17 pt, is 24 px, 12 px on a phone.
FONT_PT: Final = {"title": 22, "ticks": 18, "legend": 20, "label": 17, "heart": 22}

#: Okabe–Ito blue and vermillion: distinct hues for every common colour-vision deficiency,
#: each at least 3:1 against the background (WCAG's bar for graphics). Given in
#: ``colour_order``, so a person's colour is the same on both phones.
PARTNER_COLOURS: Final = ("#0072B2", "#D55E00")
TEXT_COLOUR: Final = "#3B302E"
BACKGROUND: Final = "#FFFBF7"
HEART: Final = "♥"  # marks a connected day (a moment from each); DejaVu has the glyph
HEART_COLOUR: Final = "#C2185B"
BAR_WIDTH: Final = 0.4
MAX_NAME_CHARS: Final = 14
#: Fast zlib level: the chart is flat colour, so level 1 is barely larger and much quicker.
PNG_COMPRESS_LEVEL: Final = 1


def render_week_chart(
    summary: WeeklySummary, *, people: tuple[Partner, Partner], language: str | None = None
) -> bytes:
    """PNG bytes (720×640) of the week; ``people`` is (asker, partner), as in ``summary.daily``.

    ``language`` is the reader's: a process pool has no context to inherit it from.
    """
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)  # attaches itself: Agg rendering without pyplot's registry
    with speaking(language or active()):
        draw_week_chart(figure, summary, people=people)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buffer.getvalue()


def draw_week_chart(
    figure: Figure, summary: WeeklySummary, *, people: tuple[Partner, Partner]
) -> None:
    """Draw onto any figure; public so the benchmark can draw the same chart via pyplot.

    Both partners get the very same picture: bars, colours and legend in ``colour_order``.
    """
    figure.set_facecolor(BACKGROUND)
    figure.subplots_adjust(left=0.1, right=0.98, top=0.74, bottom=0.09)
    ax = figure.add_subplot()
    ordered = colour_order(people)
    labels = (
        safe_label(ordered[0].first_name, _(CHART_FALLBACK_NAMES[0])),
        safe_label(ordered[1].first_name, _(CHART_FALLBACK_NAMES[1])),
    )
    asker_first = ordered[0].user_id == people[0].user_id
    _draw_bars(ax, summary, labels, asker_first=asker_first)
    _style_axes(ax, summary)
    figure.text(
        0.04, 0.93, chart_title(summary), fontsize=FONT_PT["title"], fontweight="bold",
        color=TEXT_COLOUR, family=FONT_FAMILY,
    )  # fmt: skip
    ax.legend(
        loc="lower left", bbox_to_anchor=(-0.08, 1.02), ncols=2, frameon=False,
        labelcolor=TEXT_COLOUR, handlelength=1.0, handleheight=1.0, columnspacing=1.2,
        prop={"family": FONT_FAMILY, "size": FONT_PT["legend"]},
    )  # fmt: skip


def safe_label(name: str, fallback: str) -> str:
    """A name matplotlib can draw: no missing glyphs (emoji, CJK), no mathtext, no "_" prefix.

    Missing glyphs would print as boxes and warn on every render; a leading underscore would
    hide the legend entry; "$" would switch to mathtext. Falls back when nothing is left.
    """
    drawable = _drawable_codepoints()
    kept = "".join(ch for ch in name if ord(ch) in drawable or ch == " ")
    kept = " ".join(kept.split()).lstrip("_").strip()
    if len(kept) > MAX_NAME_CHARS:
        kept = kept[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return kept.replace("$", r"\$") if kept else fallback


@lru_cache(maxsize=1)
def _drawable_codepoints() -> frozenset[int]:
    """Characters the chart font really has, read once from the font's own character map."""
    path = findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())


def _draw_bars(
    ax: Axes, summary: WeeklySummary, labels: tuple[str, str], *, asker_first: bool
) -> None:
    """Two bars per day, side by side: both partners visible, not stacked into a score."""
    x = np.arange(len(summary.daily))
    asker = [day.asker for day in summary.daily]
    partner = [day.partner for day in summary.daily]
    first, second = (asker, partner) if asker_first else (partner, asker)
    ax.bar(x - BAR_WIDTH / 2, first, BAR_WIDTH, color=PARTNER_COLOURS[0], label=labels[0])
    ax.bar(x + BAR_WIDTH / 2, second, BAR_WIDTH, color=PARTNER_COLOURS[1], label=labels[1])
    for i, day in enumerate(summary.daily):
        if day.connected:
            ax.annotate(
                HEART, (i, max(day.asker, day.partner)), xytext=(0, 2),
                textcoords="offset points", ha="center", va="bottom", zorder=4,
                fontsize=FONT_PT["heart"], color=HEART_COLOUR, family=FONT_FAMILY,
            )  # fmt: skip


def _style_axes(ax: Axes, summary: WeeklySummary) -> None:
    """Phone-readable: big weekday labels, whole-number ticks, nothing that isn't data."""
    ax.set_facecolor(BACKGROUND)
    days = chart_weekdays()
    ax.set_xticks(range(len(days)), days)
    peak = max([day.asker for day in summary.daily] + [day.partner for day in summary.daily])
    ax.set_ylim(0, max(3, peak) * 1.25)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.tick_params(labelsize=FONT_PT["ticks"], colors=TEXT_COLOUR, length=0, pad=6)
    for tick in ax.get_xticklabels() + ax.get_yticklabels():
        tick.set_fontfamily(FONT_FAMILY)
    ax.set_ylabel(
        weekly.CHART_Y_LABEL, fontsize=FONT_PT["label"], color=TEXT_COLOUR, family=FONT_FAMILY
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#D9C9BF")
    ax.grid(axis="y", color="#EFE3DA", linewidth=1)
    ax.set_axisbelow(True)


async def with_chart(reflection: Reflection, *, executor: Executor | None = None) -> Reflection:
    """The same reflection with its chart drawn (see :func:`render_chart`)."""
    png = await render_chart(reflection.summary, reflection.people, executor=executor)
    return dataclasses.replace(reflection, chart_png=png)


async def render_chart(
    summary: WeeklySummary, people: tuple[Partner, Partner], *, executor: Executor | None = None
) -> bytes | None:
    """PNG bytes, drawn off the event loop; None when there is nothing to draw or it fails.

    A worker thread by default; ``executor`` may be a process pool, for callers (the Sunday
    digest) that draw many charts in a row and would otherwise hold the GIL for long
    stretches. A fortnight with no moments at all would be an empty grid, which reads like
    a verdict: the words alone are kinder then. A drawing error never costs the words.
    """
    if summary.is_empty:
        return None
    try:
        if executor is None:
            draw = partial(render_week_chart, summary, people=people, language=active())
            return await asyncio.to_thread(draw)
        draw = partial(render_week_chart, summary, people=people, language=active())
        return await asyncio.get_running_loop().run_in_executor(executor, draw)
    except Exception:
        log.exception("could not draw the weekly chart; sending the words alone")
        return None
