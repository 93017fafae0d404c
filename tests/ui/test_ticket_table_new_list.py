"""A new list in the queue (a filter applied or cleared) is drawn in one frame by taking shortcuts
past Textual's usual work: each is checked here against what that work would have shown."""

from __future__ import annotations

import asyncio

from test_ticket_table_frames import cells, textual_lines
from test_widget_fakes import NOW, FakeQueue, WidgetHost, make_ticket
from test_widget_ticket_table import build, line_text
from textual.filter import Monochrome
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widgets import Input

from supportdesk_tui.contract.models import Ticket, TicketSort
from supportdesk_tui.domain.ticket_window import TicketWindow, sort_key_for
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

SIZE = (120, 24)
RED = (139, 0, 0)


class FocusStyledTable(TicketTable):
    # A rule that depends on the focus, as a user's CSS or a theme could add: the table must
    # then be restyled on every focus change, as Textual does for any widget.
    DEFAULT_CSS = """
    FocusStyledTable:focus > .ticket-table--header { background: darkred; }
    """


def header_has_red(table: TicketTable) -> bool:
    line = table.render_lines(Region(0, 0, table.region.width, 1))[0]
    return any(segment.style is not None and segment.style.bgcolor is not None
               and segment.style.bgcolor.get_truecolor() == RED for segment in line)


def whole(table: TicketTable) -> Region:
    return Region(0, 0, table.region.width, table.region.height)


async def test_a_focus_rule_for_the_table_still_restyles_it_when_the_focus_moves() -> None:
    table = FocusStyledTable(TicketWindow(FakeQueue(100).fetch, sort_key=sort_key_for(TicketSort.CREATED)),
                             sort=TicketSort.CREATED, clock=lambda: NOW)
    app = WidgetHost([Input(id="elsewhere"), table])
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#elsewhere").focus()
        await settle(pilot)
        assert not header_has_red(table)
        for _ in range(2):
            table.focus()
            await settle(pilot)
            assert header_has_red(table)
            assert cells(table.render_lines(whole(table))) == cells(textual_lines(table, whole(table)))
            app.query_one("#elsewhere").focus()
            await settle(pilot)
            assert not header_has_red(table)


async def test_without_focus_rules_the_table_kept_through_focus_changes_is_styled_as_restyled() -> None:
    app, table, _queue = build(count=100)
    app._widgets.insert(0, Input(id="elsewhere"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for target in (table, app.query_one("#elsewhere"), table):
            target.focus()
            await settle(pilot)
            kept = (table.styles.get_rules(), {name: styles.get_rules()
                                                for name, styles in table._component_styles.items()})
            drawn = cells(table.render_lines(whole(table)))
            app.stylesheet.update_nodes([table])  # the restyle Textual would have done
            restyled = (table.styles.get_rules(), {name: styles.get_rules()
                                                   for name, styles in table._component_styles.items()})
            assert kept == restyled
            assert drawn == cells(textual_lines(table, whole(table)))
        assert table.has_focus


async def test_a_list_resized_under_the_same_scrollbar_scrolls_and_draws_like_a_laid_out_one() -> None:
    app, table, _queue = build(count=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        for count in (60, 30, 5, 90, 40):
            window = TicketWindow(FakeQueue(count).fetch, sort_key=sort_key_for(TicketSort.CREATED))
            window.total_hint = count  # the list's length known at once, as a queue's count gives it
            table.set_window(window, sort=TicketSort.CREATED)
            await until_frame(pilot)
            bar = table.vertical_scrollbar
            body = table.region.height - 1
            # In the frame that shows the new list: its scrollbar, for its length.
            assert table.show_vertical_scrollbar == (count > body) == bar.display
            if count > body:
                assert bar.window_virtual_size == count + 1
                crop = Region(0, 0, bar.region.width, bar.region.height)
                drawn = cells(bar.render_lines(crop))
                bar._styles_cache.clear()
                bar._dirty_regions.add(bar.size.region)
                assert drawn == cells(ScrollBar.render_lines(bar, crop))
            await settle(pilot)
            assert table.show_vertical_scrollbar == (count > body) == bar.display
            # The rows fill the width the scrollbar leaves, as after Textual's own layout.
            assert table.scrollable_content_region.width == table.region.width - (1 if count > body else 0)
            assert table.virtual_size.height == table.row_count + 1
            if count > body:
                assert bar.window_virtual_size == table.row_count + 1
            await pilot.press("end")
            await settle(pilot)
            assert table.cursor_row == count - 1
            line = table.cursor_row - round(table.scroll_y) + 1
            assert line == min(count, body)  # scrolled as far as the list goes, no further
            assert line_text(table, line).split()[0] == str(count)
            assert cells(table.render_lines(whole(table))) == cells(textual_lines(table, whole(table)))
            await pilot.press("home")
            await settle(pilot)


class GatedQueue(FakeQueue):
    """The server's answer waits until `answer` is set (a slow link), and has only even ids."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.ids = [i for i in self.ids if i % 2 == 0]
        self.answer = asyncio.Event()

    async def fetch(self, after: str | None) -> tuple[list[Ticket], str | None]:
        await self.answer.wait()
        return await super().fetch(after)


async def test_rows_picked_locally_keep_the_scrollbar_with_placeholders_then_the_servers_rows_replace_them(
) -> None:
    app, table, _queue = build(count=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        before = table.window
        assert before is not None and table.show_vertical_scrollbar
        rows_before = table.row_count
        server = GatedQueue(300)
        window = TicketWindow(server.fetch, sort_key=sort_key_for(TicketSort.CREATED),
                              matches=lambda t: t.id % 2 == 0)
        window.show_provisional(before.loaded_prefix())
        local = [t.id for t in before.loaded_prefix() if t.id % 2 == 0]
        table.set_window(window, sort=TicketSort.CREATED)
        await until_frame(pilot)
        assert window.provisional
        assert [window.get(i).id for i in range(window.row_count_known)] == local  # type: ignore[union-attr]
        # Placeholders after the local rows, as far as the list they narrow went: same scrollbar.
        assert table.row_count == rows_before and table.show_vertical_scrollbar
        body = table.region.height - 1
        if len(local) < body:
            assert "Loading" in line_text(table, len(local) + 1)
        server.answer.set()
        await wait_until(pilot, lambda: not window.provisional, what="the server's rows")
        await settle(pilot)
        # The placeholders went with the local rows: the server's rows, and one while more follow.
        assert table.row_count == window.row_count_known + (0 if window.exhausted else 1)
        shown = [t.id for t in (window.get(i) for i in range(window.row_count_known)) if t is not None]
        assert shown[:50] == server.ids[:50]
        assert cells(table.render_lines(whole(table))) == cells(textual_lines(table, whole(table)))


async def until_frame(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    drawn = asyncio.get_running_loop().create_future()
    original = app._display

    def display(screen: object, renderable: object) -> None:
        original(screen, renderable)
        if renderable is not None and not drawn.done():
            drawn.set_result(None)

    app._display = display
    try:
        await asyncio.wait_for(drawn, 10)
    finally:
        app._display = original


async def test_work_after_a_new_list_runs_once_the_frame_with_its_rows_is_drawn() -> None:
    app, table, queue = build(count=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frames: list[list[str]] = []
        original = app._display

        def display(screen: object, renderable: object) -> None:
            original(screen, renderable)
            if renderable is not None:
                frames.append([line_text(table, y) for y in range(1, 3)])

        app._display = display  # type: ignore[method-assign]
        ran: list[int] = []
        renamed = make_ticket(1).model_copy(update={"subject": "Drawn before the work"})
        queue.overrides[1] = renamed
        table.set_window(TicketWindow(queue.fetch, sort_key=sort_key_for(TicketSort.CREATED)))
        await wait_until(pilot, lambda: "Drawn before the work" in line_text(table, 1), what="the new rows")
        table.call_after_rows_shown(lambda: ran.append(len(frames)))
        table.refresh()
        await wait_until(pilot, lambda: ran, what="the work after the frame")
        assert ran[0] >= 1 and any("Drawn before the work" in frame[0] for frame in frames[: ran[0]])

        # Not on the screen: nothing will draw it, the work is not held back.
        table.display = False
        await settle(pilot)
        table.call_after_rows_shown(lambda: ran.append(-1))
        await wait_until(pilot, lambda: -1 in ran, what="the work without a frame")


async def test_the_scrollbar_put_together_from_lines_drawn_before_is_the_bar_textual_draws() -> None:
    # A list of another length moves the thumb; its lines come from those drawn for other thumbs,
    # in the same colours: after a theme change, in the new ones.
    app, table, _queue = build(count=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table.focus()
        bar = table.vertical_scrollbar
        for theme in ("textual-dark", "textual-light", "shorter", "monochrome"):
            if theme == "monochrome":
                app._filters.append(Monochrome())  # as NO_COLOR does: the same cells, other colours
            elif theme == "shorter":  # as while the filter bar is shown: the lines drawn still fit
                await pilot.resize_terminal(SIZE[0], SIZE[1] - 3)
            else:
                app.theme = theme
            for count in (40, 61, 1_000, 100_000):
                window = TicketWindow(FakeQueue(count).fetch, sort_key=sort_key_for(TicketSort.CREATED))
                window.total_hint = count
                table.set_window(window, sort=TicketSort.CREATED)
                await settle(pilot)
                for _ in range(2):
                    crop = Region(0, 0, bar.region.width, bar.region.height)
                    drawn = cells(bar.render_lines(crop))
                    bar._styles_cache.clear()
                    bar._dirty_regions.add(bar.size.region)
                    assert drawn == cells(ScrollBar.render_lines(bar, crop)), (theme, count)
                    await pilot.press("pagedown")
                    await settle(pilot)


def test_rows_picked_locally_from_a_list_in_the_same_order_keep_that_order() -> None:
    tickets = [make_ticket(i) for i in (5, 3, 9, 1)]
    kept = TicketWindow(FakeQueue(10).fetch, sort_key=sort_key_for(TicketSort.CREATED))
    kept.show_provisional(tickets, in_order=True)
    assert [kept.get(i).id for i in range(4)] == [5, 3, 9, 1]  # type: ignore[union-attr]
    sorted_window = TicketWindow(FakeQueue(10).fetch, sort_key=sort_key_for(TicketSort.CREATED))
    sorted_window.show_provisional(tickets)
    assert [sorted_window.get(i).id for i in range(4)] == [1, 3, 5, 9]  # type: ignore[union-attr]
