"""The dashboard breakdown's table draws exactly what Rich's borderless table draws, faster."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from supportdesk_tui.widgets.plain_table import PlainTable

HEADER = Style(color="#8899aa", bold=True)
BREACHED = Style(color="#ff0000")
TITLES = ("", "open", "unassigned", "at risk", "breached", "oldest")
RUSSIAN_TITLES = ("", "открыто", "без исполнителя", "под угрозой", "просрочено", "дольше всех")


def breakdown(titles: tuple[str, ...]) -> PlainTable:
    rows: tuple[tuple[str | Text, ...], ...] = (
        ("English", "12", "3", "0", Text("5", style=BREACHED), "2 h 15 min"),
        ("Русский", "1", "0", "0", Text("0", style=""), "—"),
        ("Urgent", "130", "30", "4", Text("0", style=""), "3 min"),
        ("Low", "0", "0", "0", Text("0", style=""), "—"),
    )
    return PlainTable(titles, rows, HEADER, sections=frozenset({1}))


def segments(renderable: object, width: int) -> list[Segment]:
    console = Console(width=width, file=io.StringIO(), color_system="truecolor")
    return list(console.render(renderable, console.options.update_width(width)))


@pytest.mark.parametrize("titles", [TITLES, RUSSIAN_TITLES])
@pytest.mark.parametrize("width", [30, 52, 64, 66, 90, 157])
def test_the_breakdown_looks_exactly_as_rich_draws_it_at_any_width(
        titles: tuple[str, ...], width: int) -> None:
    table = breakdown(titles)
    assert segments(table, width) == segments(table.rich_table(), width)


def test_cell_text_is_shown_literally_never_as_markup() -> None:
    table = PlainTable(("", "open"), (("[bold]queue[/bold]", "1"),), HEADER)
    drawn = "".join(segment.text for segment in segments(table, 40))
    assert "[bold]queue[/bold]" in drawn
