"""Colour means something: red in the queue marks only what needs action now; `?` says what each colour means.

The app runs against the seeded demo server (read-only here) at 160×48, in each built-in theme.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.console import Console
from rich.style import Style
from textual.color import Color
from textual.pilot import Pilot

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import Priority, Status, Ticket
from supportdesk_tui.domain.sla import SlaRisk, sla_state
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.themes import BUILTIN_THEME_NAMES
from supportdesk_tui.widgets._signals import BREACH_MARK, SIGNALS
from supportdesk_tui.widgets.colour_legend import ColourLegend
from supportdesk_tui.widgets.ticket_table import TicketTable

DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SIZE = (160, 48)


def fixed_clock() -> datetime:
    return DEMO_NOW + timedelta(minutes=5)


def demo_app(server: Any, data_dir: Path, theme: str = "supportdesk-dark") -> SupportDeskApp:
    settings = AppSettings(
        server_url=server.url,
        token=server.token("anna"),
        data_dir=data_dir,
        language="en",
        live_updates=False,
        clock=fixed_clock,
        theme=theme,
    )
    return SupportDeskApp(settings)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], object], what: str) -> None:
    for _ in range(300):
        try:
            if condition():
                return
        except Exception:  # not mounted yet
            pass
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def the_table(app: SupportDeskApp) -> TicketTable:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen.query_one(TicketTable)


def queue_loaded(app: SupportDeskApp) -> bool:
    table = the_table(app)
    return table.window is not None and table.window.row_count_known > 0 and table.cursor_ticket is not None


def colour_of(app: SupportDeskApp, variable: str) -> RichColor:
    return Color.parse(app.get_css_variables()[variable]).rich_color


def looks_red(colour: RichColor | None) -> bool:
    if colour is None or colour.triplet is None:
        return False
    hue, saturation, _lightness = Color(*colour.triplet).hsl
    return (hue < 0.05 or hue > 0.95) and saturation > 0.5


Row = tuple[Ticket, list[tuple[str, Style | None]]]


def visible_rows(table: TicketTable) -> list[Row]:
    """Every ticket on screen except the one under the cursor (the cursor colour wins there)."""
    window = table.window
    assert window is not None
    rows = []
    cursor = table.cursor_ticket
    for y in range(1, table.size.height):
        cells = [(segment.text, segment.style) for segment in table.render_line(y)]
        first = "".join(text for text, _style in cells).split()
        if not first or not first[0].isdigit():
            continue
        index = window.index_of(int(first[0]))
        ticket = window.get(index) if index is not None else None
        if ticket is None or (cursor is not None and ticket.id == cursor.id):
            continue
        rows.append((ticket, cells))
    return rows


async def rows_until(pilot: Pilot[Any], table: TicketTable, *kinds: Callable[[Ticket], bool]) -> list[Row]:
    """Page down until a row of every kind has been on screen (the demo's most urgent come first)."""
    seen: dict[int, Row] = {}
    for _page in range(20):
        await wait_until(pilot, lambda: visible_rows(table), "rows on screen")
        seen.update((ticket.id, (ticket, cells)) for ticket, cells in visible_rows(table))
        if all(any(kind(ticket) for ticket, _cells in seen.values()) for kind in kinds):
            break
        await pilot.press("pagedown")
        await pilot.pause()
    return list(seen.values())


def is_ordinary(ticket: Ticket) -> bool:
    risk = sla_state(ticket, fixed_clock()).risk
    return ticket.status is Status.OPEN and ticket.priority is Priority.NORMAL and risk is SlaRisk.OK


def is_urgent(ticket: Ticket) -> bool:
    return ticket.priority is Priority.URGENT


def is_breached(ticket: Ticket) -> bool:
    return sla_state(ticket, fixed_clock()).risk is SlaRisk.BREACHED


@pytest.mark.parametrize("theme", BUILTIN_THEME_NAMES)
async def test_in_the_queue_red_marks_only_urgent_and_breached_tickets(
    live_server: Any, tmp_path: Path, theme: str
) -> None:
    app = demo_app(live_server, tmp_path, theme)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: queue_loaded(app), "the first page of the queue")
        await pilot.pause()
        table = the_table(app)
        action_now = {colour_of(app, name) for name in ("error", "priority-urgent", "sla-breached")}
        assert colour_of(app, "foreground") not in action_now
        rows = await rows_until(pilot, table, is_ordinary, is_urgent, is_breached)

        ordinary = [(ticket, cells) for ticket, cells in rows if is_ordinary(ticket)]
        assert ordinary, "the demo queue has an open, normal-priority ticket within its SLA"
        for ticket, cells in ordinary:
            alarming = [text for text, style in cells
                        if style and text.strip() and (style.color in action_now or looks_red(style.color))]
            assert alarming == [], f"ticket {ticket.id} is ordinary but shows {alarming} in red"

        urgent = [(ticket, cells) for ticket, cells in rows if is_urgent(ticket)]
        assert urgent, "the demo queue has an urgent ticket"
        for ticket, cells in urgent:
            urgent_colour = colour_of(app, "priority-urgent")
            assert any(style and style.color == urgent_colour for _text, style in cells), ticket.id

        breached = [(ticket, cells) for ticket, cells in rows if is_breached(ticket)]
        assert breached, "the demo queue has a breached ticket"
        for ticket, cells in breached:
            sla_cells = [(text, style) for text, style in cells
                         if style and style.color == colour_of(app, "sla-breached") and style.reverse]
            # Not colour alone: the breach is marked with a glyph and shown in reverse video.
            assert any(BREACH_MARK in text for text, _style in sla_cells), (ticket.id, cells)


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_help_explains_every_colour_with_the_styles_the_queue_uses(
    live_server: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = demo_app(live_server, tmp_path)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: queue_loaded(app), "the first page of the queue")
        table = the_table(app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        legend = app.screen.query_one(ColourLegend)
        await wait_until(pilot, lambda: legend.size.height > 0, "the colour legend")
        # The box fits the terminal; on a small one it scrolls, keys first, and the legend is at its end.
        box = app.screen.query_one("#help-box")
        assert box.region.right <= size[0] and box.region.bottom <= size[1]
        await pilot.press("end")
        await wait_until(pilot, lambda: 0 < legend.region.bottom <= box.region.bottom, "the legend in sight")

        # Drawn at the width it has on this terminal: every meaning whole, none cut short.
        console = Console(width=legend.content_size.width, record=True, file=io.StringIO())
        console.print(legend.render())
        shown = console.export_text()
        assert "What the colours mean" in shown
        assert "…" not in shown
        for signal in SIGNALS:
            assert signal.sample() in shown and signal.meaning in shown, signal.name
            legend_style = legend.get_component_rich_style(f"colour-legend--{signal.name}", partial=True)
            queue_style = table.get_component_rich_style(f"ticket-table--{signal.name}", partial=True)
            assert legend_style == queue_style, signal.name
