"""The weekly chart is a valid, phone-sized PNG, drawn without pyplot and without warnings."""

from __future__ import annotations

import ast
import io
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from domain.values.weekly_summary import Partner
from messages import weekly_chart
from messages.i18n import speaking
from messages.weekly import CHART_COLOUR_KEYS
from messages.weekly_chart import (
    BACKGROUND,
    DPI,
    FONT_PT,
    HEIGHT_PX,
    PARTNER_COLOURS,
    WIDTH_PX,
    render_week_chart,
    safe_label,
)
from tests.weekly.factories import ANNA, BEN, BERLIN, PREVIOUS_WEEK, WEEK, summary_for
from tests.weekly.test_weekly_messages import spread

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[2]


def ihdr(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, checking its CRC on the way."""
    length, chunk_type = struct.unpack(">I4s", png[8:16])
    assert (length, chunk_type) == (13, b"IHDR")
    data = png[16 : 16 + length]
    (crc,) = struct.unpack(">I", png[16 + length : 20 + length])
    assert crc == zlib.crc32(chunk_type + data)
    width, height = struct.unpack(">II", data[:8])
    return width, height


def people(names: tuple[str, str]) -> tuple[Partner, Partner]:
    return Partner(ANNA.user_id, names[0]), Partner(BEN.user_id, names[1])


def render_quietly(names: tuple[str, str], **summary_kwargs: object) -> bytes:
    """Render with every warning turned into an error (missing glyphs warn)."""
    summary = summary_for(
        [*spread((5, 3)), *spread((2, 4), start=PREVIOUS_WEEK)],
        **summary_kwargs,  # type: ignore[arg-type]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_week_chart(summary, people=people(names))


def test_chart_is_a_valid_phone_sized_png() -> None:
    png = render_quietly(("Anna", "Ben"))
    assert png.startswith(PNG_SIGNATURE)
    assert 10_000 <= len(png) <= 300_000
    assert ihdr(png) == (WIDTH_PX, HEIGHT_PX) == (720, 640)
    assert png.endswith(b"IEND\xaeB`\x82")


def test_empty_week_still_renders() -> None:
    png = render_week_chart(summary_for([], all_time_total=0), people=(ANNA, BEN))
    assert png.startswith(PNG_SIGNATURE)
    assert ihdr(png) == (720, 640)


def test_same_summary_gives_the_same_picture() -> None:
    summary = summary_for(spread((2, 2)), tz=BERLIN, week_start=WEEK)
    assert render_week_chart(summary, people=(ANNA, BEN)) == render_week_chart(
        summary, people=(ANNA, BEN)
    )


# --- read on a phone ----------------------------------------------------------------------


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def bar_pixels(png: bytes) -> dict[tuple[int, int, int], int]:
    """How many pixels of each partner colour the picture holds (bar interiors are exact)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return {
        rgb(colour): int(np.all(pixels == rgb(colour), axis=-1).sum()) for colour in PARTNER_COLOURS
    }


def luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_each_person_has_the_same_colour_on_both_phones() -> None:
    """Anna (the lower id) is Okabe–Ito blue and Ben vermillion, whoever asks: Anna has 6
    moments and Ben 2, so blue covers about three times the area in both pictures, and
    the two pictures are the very same."""
    events = spread((6, 2))
    anna_asks = render_week_chart(summary_for(events, asker=ANNA, partner=BEN), people=(ANNA, BEN))
    ben_asks = render_week_chart(summary_for(events, asker=BEN, partner=ANNA), people=(BEN, ANNA))
    assert PARTNER_COLOURS == ("#0072B2", "#D55E00")
    for png in (anna_asks, ben_asks):
        assert ihdr(png) == (720, 640)
        counts = bar_pixels(png)
        blue, vermillion = counts[rgb("#0072B2")], counts[rgb("#D55E00")]
        assert vermillion > 500 and 2.5 < blue / vermillion < 3.5, counts
    assert anna_asks == ben_asks
    assert CHART_COLOUR_KEYS == ("🟦", "🟧")  # the caption's key matches, in the same order


def test_colours_are_distinct_and_stand_out_from_the_background() -> None:
    for colour in PARTNER_COLOURS:
        assert contrast(colour, BACKGROUND) >= 3.0  # WCAG 1.4.11, graphical objects
    # Different hues, not two shades of one: blue's strongest channel is blue, vermillion's red.
    blue, vermillion = (rgb(colour) for colour in PARTNER_COLOURS)
    assert max(range(3), key=lambda i: blue[i]) == 2
    assert max(range(3), key=lambda i: vermillion[i]) == 0


#: Telegram shows a photo at the chat's width: about 360 px on a phone.
PHONE_WIDTH_PX = 360


def test_every_text_is_legible_at_phone_width() -> None:
    """Shown at 360 px wide, the smallest text is still at least 11 px."""
    scale = PHONE_WIDTH_PX / WIDTH_PX
    smallest_px = min(FONT_PT.values()) * DPI / 72
    assert smallest_px * scale >= 11


@pytest.mark.parametrize(
    "names",
    [
        ("Anna 🌸", "Бен"),
        ("陽子", "Ben"),
        ("$x$", "_hidden"),
        ("A very long first name indeed", "🐻🐻"),
    ],
)
def test_any_names_render_without_warnings(names: tuple[str, str]) -> None:
    assert render_quietly(names).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anna", "Anna"),
        ("Anna 🌸", "Anna"),
        ("Бен", "Бен"),
        ("陽子", "You"),
        ("_Bob", "Bob"),
        ("$5 Joe", r"\$5 Joe"),
        ("Maximilian-Alexander", "Maximilian-Al…"),
    ],
)
def test_safe_label(name: str, expected: str) -> None:
    assert safe_label(name, "You") == expected


def imports_of(path: Path) -> set[str]:
    """Every module a source file imports (``import x.y`` and ``from x.y import z``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_chart_module_does_not_use_pyplot() -> None:
    """pyplot keeps a global figure registry: shared between threads, leaky if not closed."""
    assert not any("pyplot" in name for name in imports_of(Path(weekly_chart.__file__)))


@pytest.mark.parametrize(
    ("language", "monday", "y_label", "title"),
    [
        ("en", "Mon", "moments", "Your moments"),
        ("ru", "пн", "моменты", "Ваши моменты"),
        ("de", "Mo", "Momente", "Eure Momente"),
    ],
)
def test_the_chart_speaks_the_reader_s_language(
    language: str, monday: str, y_label: str, title: str
) -> None:
    """Weekdays, axis and title in the reader's language, drawable by the chart font (no
    missing-glyph warning), and given explicitly so a process pool draws the same."""
    summary = summary_for(spread((5, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_week_chart(summary, people=people(("Аня", "Ben")), language=language)
    assert ihdr(png) == (720, 640)
    figure = Figure()
    with speaking(language):
        weekly_chart.draw_week_chart(figure, summary, people=people(("Anna", "Ben")))
    ax = figure.axes[0]
    assert ax.get_xticklabels()[0].get_text() == monday
    assert ax.get_ylabel() == y_label
    assert figure.texts[0].get_text().startswith(title)
