"""The queue's frames come from lines cached per row and a scrollbar kept while it looks the same:
what reaches the screen is what Textual's own rendering would have drawn, at every scroll offset."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from rich.segment import Segment
from rich.style import Style
from test_widget_fakes import NOW, FakeQueue, WidgetHost, make_ticket
from test_widget_ticket_table import build
from textual.filter import Monochrome
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

from supportdesk_tui.contract.models import Sla, Ticket, TicketSort
from supportdesk_tui.domain.ticket_window import TicketWindow, sort_key_for
from supportdesk_tui.widgets.steady_scrollbar import SteadyScrollBar, thumb_cells
from supportdesk_tui.widgets.ticket_table import TicketTable, _clock_face, _steady_for
from waiting import settle

SIZE = (120, 24)


def cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    """Each line as (character, style) pairs: equal however the segments happen to be cut."""
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


def textual_lines(table: TicketTable, crop: Region) -> list[Strip]:
    """The lines Textual's styles cache draws for `crop` (the path the table's frames skip)."""
    table._styles_cache.clear()
    return Widget.render_lines(table, crop)


def first_column(table: TicketTable) -> list[str]:
    whole = Region(0, 0, table.region.width, table.region.height)
    return ["".join(s.text for s in strip).split()[0] for strip in table.render_lines(whole)[1:]]


async def test_every_frame_paints_what_textuals_own_rendering_would() -> None:
    app, table, _queue = build(count=500)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        table.set_marked(frozenset({3, 30}))
        await settle(pilot)
        whole = Region(0, 0, table.region.width, table.region.height)
        part = Region(5, 3, 40, 10)
        for steps in (0, 5, 25, 40):  # in view, then scrolled by one row at a time, then by pages
            for _ in range(steps):
                await pilot.press("j")
            await settle(pilot)
            for crop in (whole, part):
                assert cells(table.render_lines(crop)) == cells(textual_lines(table, crop))
        app.theme = "textual-light"  # new colours for every row already cached
        await settle(pilot)
        assert cells(table.render_lines(whole)) == cells(textual_lines(table, whole))
        app._filters.append(Monochrome())  # as NO_COLOR does: every line goes through the filter
        assert cells(table.render_lines(whole)) == cells(textual_lines(table, whole))


async def test_the_cursor_row_drawn_over_the_cached_row_is_the_row_drawn_with_the_cursor() -> None:
    app, table, _queue = build(count=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        table.set_marked(frozenset({2, 5}))
        await settle(pilot)
        window = table.window
        assert window is not None
        width = table.scrollable_content_region.width
        now = table.clock()
        for row in range(40):  # every priority, status, SLA colour and marked or not
            ticket = window.get(row)
            assert ticket is not None
            marked = ticket.id in {2, 5}
            look = "cursor+marked" if marked else "cursor"
            derived = table._row_strip(ticket, look, marked, now, width)
            assert cells([derived]) == cells([table._built_row(ticket, "cursor", marked, now, width)])


async def test_a_scrolled_view_shows_the_rows_under_its_offset_going_down_and_back_up() -> None:
    app, table, _queue = build(count=500)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        body = table.region.height - 1
        for _ in range(body + 10):  # the last ten moves each scroll the list by one row
            await pilot.press("j")
        await settle(pilot)
        top = round(table.scroll_y)
        assert top == 11
        assert first_column(table) == [str(top + 1 + i) for i in range(body)]
        for _ in range(body + 5):  # back up past the top of the view: rows drawn before come back
            await pilot.press("k")
        await settle(pilot)
        top = round(table.scroll_y)
        assert top == table.cursor_row == 10 - 5
        assert first_column(table) == [str(top + 1 + i) for i in range(body)]


async def test_a_ticket_changed_on_screen_is_painted_anew_in_the_next_frame() -> None:
    app, table, _queue = build(count=200)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        window = table.window
        assert window is not None
        third = window.get(2)
        assert third is not None
        whole = Region(0, 0, table.region.width, table.region.height)
        before = table.render_lines(whole)
        table.apply_update(third.model_copy(update={"subject": "Renamed by a colleague",
                                                    "version": third.version + 1}))
        await settle(pilot)
        after = table.render_lines(whole)
        assert "Renamed by a colleague" in "".join(s.text for s in after[3])
        assert cells(after[:3]) == cells(before[:3]) and cells(after[4:]) == cells(before[4:])


async def test_the_scrollbar_follows_the_table_and_draws_what_textuals_scrollbar_draws() -> None:
    app, table, _queue = build(count=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        bar = table.vertical_scrollbar
        assert isinstance(bar, SteadyScrollBar)
        crop = Region(0, 0, bar.region.width, bar.region.height)

        def fresh() -> list[Strip]:
            bar._styles_cache.clear()
            bar._dirty_regions.add(bar.size.region)
            return ScrollBar.render_lines(bar, crop)

        at_top = cells(bar.render_lines(crop))
        assert at_top == cells(fresh())
        drawn = [at_top]
        for _ in range(60):  # one row at a time: the thumb moves by eighths of a cell
            await pilot.press("j")
            await pilot.pause()
            lines = cells(bar.render_lines(crop))
            assert lines == cells(fresh())
            drawn.append(lines)
        assert drawn[-1] != at_top
        assert len({str(lines) for lines in drawn}) > 2


def test_scrollbar_positions_that_share_a_thumb_draw_the_same_bar() -> None:
    for size, virtual, window in ((30, 1_000, 30), (30, 61, 30), (7, 100_000, 7), (30, 30, 30), (30, 200, 0)):
        seen: dict[object, list[Segment]] = {}
        position = 0.0
        while position <= max(0, virtual - window):
            bar = list(ScrollBarRender.render_bar(size=size, virtual_size=virtual, window_size=window,
                                                  position=position).segments)
            key = thumb_cells(size, virtual, window, position, len(ScrollBarRender.VERTICAL_BARS))
            assert seen.setdefault(str(key), bar) == bar, (size, virtual, window, position)
            position += max(0.125, ceil(virtual / 2_000) / 8)
        assert len(seen) > 1 or window in (0, virtual)


def test_a_rows_clock_face_holds_for_as_long_as_the_table_trusts_it_without_looking() -> None:
    tickets = [make_ticket(ticket_id) for ticket_id in range(1, 80)]
    tickets.append(make_ticket(80, sla=Sla(first_response_due=NOW)))  # due this very instant
    tickets.append(make_ticket(81, sla=Sla(resolution_due=NOW - timedelta(minutes=3))))  # overdue
    offsets = (0, 0.4, 17, 59.999, 60, 61.5, 1799, 1800.5, 3000)
    starts = [NOW + timedelta(seconds=offset) for offset in offsets]
    for ticket in tickets:
        for start in starts:
            face = _clock_face(ticket, start)
            span = _steady_for(ticket, start)
            assert 0 <= span <= 60
            for fraction in (0.0, 0.25, 0.5, 0.9, 0.999):
                assert _clock_face(ticket, start + timedelta(seconds=span * fraction)) == face, (
                    ticket.id, start, span, fraction)
            if span < 60:  # a window shorter than a minute ends where the face really changes
                later = start + timedelta(seconds=span + 0.001)
                assert _clock_face(ticket, later) != face, (ticket.id, start)


class AlarmTable(TicketTable):
    DEFAULT_CSS = "AlarmTable.-alarm { background: darkred; }"


def spy_on_built_rows(built: list[int]) -> object:
    original = TicketTable._row_text

    def spy(self: TicketTable, ticket: Ticket, *rest: object, **kwargs: object) -> object:
        built.append(ticket.id)
        return original(self, ticket, *rest, **kwargs)  # type: ignore[arg-type]

    TicketTable._row_text = spy  # type: ignore[assignment,method-assign]
    return original


async def test_rows_drawn_before_a_focus_change_are_kept_until_their_colours_change() -> None:
    # Applying a filter hands the focus back from the filter bar to the table, and Textual restyles
    # the table for it: the rows are drawn in the same colours, so they are not built again.
    table = AlarmTable(TicketWindow(FakeQueue(200).fetch, sort_key=sort_key_for(TicketSort.CREATED)),
                       sort=TicketSort.CREATED, clock=lambda: NOW)
    app = WidgetHost([table])
    whole = Region(0, 0, SIZE[0], SIZE[1])
    built: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        table.focus()
        await settle(pilot)
        original = spy_on_built_rows(built)
        try:
            for _ in range(3):
                app.set_focus(None)
                await settle(pilot)
                table.focus()
                await settle(pilot)
            cursor = table.cursor_ticket
            assert cursor is not None
            assert set(built) <= {cursor.id}  # only the cursor's row, drawn as blurred once
            assert cells(table.render_lines(whole)) == cells(textual_lines(table, whole))
            built.clear()
            table.add_class("-alarm")  # the table's own background changes: every row again
            await settle(pilot)
        finally:
            TicketTable._row_text = original  # type: ignore[method-assign]
        assert len(built) >= SIZE[1] - 2
        lines = table.render_lines(whole)
        assert cells(lines) == cells(textual_lines(table, whole))
        assert any(segment.style is not None and segment.style.bgcolor is not None
                   and segment.style.bgcolor.get_truecolor() == (139, 0, 0) for segment in lines[5])


async def test_the_same_tickets_in_a_new_list_are_drawn_from_the_rows_already_drawn() -> None:
    # A filter shows the rows picked locally, then the server's page in their place: new objects,
    # mostly the same tickets. Those are not built again; one that changed meanwhile is.
    app, table, queue = build(count=200)
    whole = Region(0, 0, SIZE[0], SIZE[1])
    built: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = table.render_lines(whole)
        third = make_ticket(3)
        queue.overrides[3] = third.model_copy(update={"subject": "Renamed on the server",
                                                      "version": third.version + 1})
        original = spy_on_built_rows(built)
        try:
            table.set_window(TicketWindow(queue.fetch, sort_key=sort_key_for(TicketSort.CREATED)))
            await settle(pilot)
            after = table.render_lines(whole)
        finally:
            TicketTable._row_text = original  # type: ignore[method-assign]
        assert built == [3]
        assert "Renamed on the server" in "".join(segment.text for segment in after[3])
        assert cells(after[:3]) == cells(before[:3]) and cells(after[4:]) == cells(before[4:])
        assert cells(after) == cells(textual_lines(table, whole))
