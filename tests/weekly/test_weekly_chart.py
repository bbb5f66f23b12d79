"""The weekly chart is a valid, phone-sized PNG, drawn without pyplot and without warnings."""

from __future__ import annotations

import ast
import struct
import warnings
import zlib
from pathlib import Path

import pytest

from messages import weekly_chart
from messages.weekly_chart import render_week_chart, safe_label
from tests.weekly.factories import BERLIN, PREVIOUS_WEEK, WEEK, summary_for
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


def render_quietly(names: tuple[str, str], **summary_kwargs: object) -> bytes:
    """Render with every warning turned into an error (missing glyphs warn)."""
    summary = summary_for(
        [*spread((5, 3)), *spread((2, 4), start=PREVIOUS_WEEK)],
        **summary_kwargs,  # type: ignore[arg-type]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_week_chart(summary, names=names)


def test_chart_is_a_valid_phone_sized_png() -> None:
    png = render_quietly(("Anna", "Ben"))
    assert png.startswith(PNG_SIGNATURE)
    assert 10_000 <= len(png) <= 300_000
    assert ihdr(png) == (900, 600)
    assert png.endswith(b"IEND\xaeB`\x82")


def test_empty_week_still_renders() -> None:
    png = render_week_chart(summary_for([], all_time_total=0), names=("Anna", "Ben"))
    assert png.startswith(PNG_SIGNATURE)
    assert ihdr(png) == (900, 600)


def test_same_summary_gives_the_same_picture() -> None:
    summary = summary_for(spread((2, 2)), tz=BERLIN, week_start=WEEK)
    assert render_week_chart(summary, names=("A", "B")) == render_week_chart(
        summary, names=("A", "B")
    )


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
        ("Maximilian-Alexander", "Maximilian-Alexan…"),
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
