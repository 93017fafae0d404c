"""The queue table over a 100,000-ticket window: only visible rows render, the cursor keeps its ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from test_widget_fakes import NOW, FakeQueue, WidgetHost, make_ticket
from textual.binding import Binding, BindingType

from supportdesk_tui.contract.models import Status, TicketSort
from supportdesk_tui.domain.ticket_window import TicketWindow, sort_key_for
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until


class QueueHost(WidgetHost):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, table: TicketTable) -> None:
        super().__init__([table])
        self.highlighted: list[int] = []
        self.selected: list[int] = []
        self.failures: list[Exception] = []
        self.jumps: list[bool] = []

    def on_ticket_table_highlighted(self, event: TicketTable.Highlighted) -> None:
        self.highlighted.append(event.ticket.id)

    def on_ticket_table_selected(self, event: TicketTable.Selected) -> None:
        self.selected.append(event.ticket.id)

    def on_ticket_table_jump_requested(self, event: TicketTable.JumpRequested) -> None:
        self.jumps.append(event.to_end)

    def on_ticket_table_load_failed(self, event: TicketTable.LoadFailed) -> None:
        self.failures.append(event.error)


def build(count: int = 100_000, **window_kwargs: object) -> tuple[QueueHost, TicketTable, FakeQueue]:
    queue = FakeQueue(count)
    window = TicketWindow(queue.fetch, sort_key=sort_key_for(TicketSort.CREATED), **window_kwargs)  # type: ignore[arg-type]
    table = TicketTable(window, sort=TicketSort.CREATED, clock=lambda: NOW, id="table")
    return QueueHost(table), table, queue


def line_text(table: TicketTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def test_agent_sees_the_first_page_of_a_huge_queue_without_loading_it_all() -> None:
    app, table, queue = build()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        window = table.window
        assert window is not None
        assert queue.fetches <= 2  # the first screen plus one screen ahead
        assert window.rows_held <= 100
        assert "Subject" in line_text(table, 0)
        assert line_text(table, 1).split()[0] == "1"
        assert table.cursor_ticket is not None and table.cursor_ticket.id == 1
        await wait_until(pilot, lambda: app.highlighted, what="the highlight (debounced)")
        assert app.highlighted == [1]


async def test_only_visible_lines_are_rendered(monkeypatch: object) -> None:
    app, table, _queue = build()
    rendered: list[int] = []
    original = TicketTable._row_text

    def spy(self: TicketTable, ticket: object, *rest: object) -> object:
        rendered.append(1)
        return original(self, ticket, *rest)  # type: ignore[arg-type]

    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        TicketTable._row_text = spy  # type: ignore[assignment,method-assign]
        try:
            table._row_cache.clear()
            table.refresh()
            await pilot.pause()
        finally:
            TicketTable._row_text = original  # type: ignore[method-assign]
        assert 0 < len(rendered) <= 30


async def test_a_changed_ticket_is_redrawn_while_unchanged_rows_come_from_the_cache() -> None:
    app, table, _queue = build(count=200)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        window = table.window
        assert window is not None
        second = window.get(1)
        assert second is not None
        rendered: list[int] = []
        original = TicketTable._row_text

        def spy(self: TicketTable, ticket: object, *rest: object) -> object:
            rendered.append(ticket.id)  # type: ignore[attr-defined]
            return original(self, ticket, *rest)  # type: ignore[arg-type]

        TicketTable._row_text = spy  # type: ignore[assignment,method-assign]
        try:
            window.apply_update(second.model_copy(update={"subject": "Renamed by a colleague",
                                                          "version": second.version + 1}))
            table.refresh()
            await pilot.pause()
        finally:
            TicketTable._row_text = original  # type: ignore[method-assign]
        assert rendered == [second.id]
        assert "Renamed by a colleague" in "".join(s.text for s in table.render_line(2))


async def test_agent_moves_through_the_queue_with_keys_and_pages_load_on_demand() -> None:
    app, table, queue = build()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table.focus()
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        step = table.scrollable_content_region.height - 2  # a page keeps one row of context
        for _ in range(10):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.cursor_row == 2 + 10 * step
        ticket = table.cursor_ticket
        assert ticket is not None and ticket.id == table.cursor_row + 1
        assert table.window is not None and table.window.pages_held <= 8
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_row == 0
        assert table.cursor_ticket is not None and table.cursor_ticket.id == 1
        assert queue.fetches < 30


async def test_end_of_a_long_list_asks_to_read_it_from_its_end_instead_of_walking() -> None:
    app, table, queue = build(count=100_000)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table.focus()
        fetches_before = queue.fetches
        await pilot.press("end")
        await settle(pilot)
        assert app.jumps == [True]
        assert queue.fetches == fetches_before, "no page walked"


async def test_end_walks_to_the_real_end_when_only_a_few_pages_are_left() -> None:
    app, table, _queue = build(count=200)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert table.window is not None
        table.window.total_hint = 200
        table.focus()
        await pilot.press("end")
        for _ in range(30):
            await settle(pilot)
            if table.window is not None and table.window.exhausted:
                break
        await settle(pilot)
        assert table.cursor_row == 199
        assert app.jumps == []


async def test_end_walks_to_the_real_end_and_enter_opens_the_ticket() -> None:
    app, table, _queue = build(count=1_000)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert table.window is not None
        table.window.total_hint = 1_000
        table.window.page_size = 400  # a few big pages: walking is the quick way here
        table.focus()
        await pilot.press("end")
        for _ in range(30):
            await settle(pilot)
            if table.window is not None and table.window.exhausted:
                break
        await settle(pilot)
        assert table.cursor_row == 999
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [1_000]


async def test_placeholder_rows_say_loading_until_their_page_arrives() -> None:
    app, table, queue = build()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        queue.fail = True
        table.focus()
        await pilot.press(*["pagedown"] * 5)
        await settle(pilot)
        assert app.failures and isinstance(app.failures[0], ConnectionError)
        texts = [line_text(table, y) for y in range(1, 30)]
        assert any("Could not load" in t or "Loading" in t for t in texts)
        queue.fail = False
        table.retry()
        await settle(pilot)
        assert all("Loading" not in line_text(table, y) for y in range(1, 20))


async def test_cursor_stays_on_the_same_ticket_when_a_new_one_is_inserted_above() -> None:
    app, table, _queue = build()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table.focus()
        await pilot.press("j", "j", "j", "j", "j")
        assert table.cursor_ticket is not None and table.cursor_ticket.id == 6
        base = table.cursor_ticket.created_at
        newcomer = make_ticket(900_001, created_at=base - timedelta(seconds=3.5))
        change = table.apply_created(newcomer)
        assert change.kind == "inserted" and change.new_index is not None and change.new_index < 5
        assert table.cursor_row == 6
        assert table.cursor_ticket is not None and table.cursor_ticket.id == 6


async def test_a_ticket_that_stops_matching_disappears_and_the_cursor_keeps_its_ticket() -> None:
    app, table, _queue = build(matches=lambda t: t.status is not Status.SOLVED)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table.move_cursor(10)
        assert table.cursor_ticket is not None and table.cursor_ticket.id == 11
        table.apply_update(make_ticket(3, status=Status.SOLVED))
        assert table.cursor_ticket is not None and table.cursor_ticket.id == 11
        assert table.cursor_row == 9


async def test_hostile_subjects_show_literally_and_trigger_nothing() -> None:
    app, table, queue = build(count=3)
    queue.overrides[1] = make_ticket(1, subject="[@click=app.quit]Click me[/] \x1b[2J\x1b]8;;http://evil\x07")
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        row = line_text(table, 1)
        assert "[@click=app.quit]Click me[/]" in row
        assert "\x1b" not in row and "\x07" not in row
        segments = list(table.render_line(1))
        assert all(not (s.style and s.style.meta) for s in segments)
        await pilot.click(TicketTable, offset=(30, 1))
        await pilot.pause()
        assert app.is_running


async def test_an_empty_queue_says_so() -> None:
    app, table, _queue = build(count=0)
    table.empty_message = "Nothing waiting — nice work."
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert "Nothing waiting — nice work." in line_text(table, 2)
        assert table.cursor_ticket is None


async def test_countdowns_follow_the_clock_without_refetching() -> None:
    app, table, queue = build(count=10)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        before = line_text(table, 1)
        fetches = queue.fetches
        table.clock = lambda: NOW + timedelta(minutes=90)
        table.refresh()
        await pilot.pause()
        assert line_text(table, 1) != before
        assert queue.fetches == fetches


async def test_sort_indicator_marks_the_sorted_column() -> None:
    app, table, _queue = build(count=10)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert "#▲" in line_text(table, 0)
        table.set_sort(TicketSort.SLA_DUE)
        assert "SLA▲" in line_text(table, 0).replace(" ", "")


async def test_rows_drawn_this_minute_are_reused_and_redrawn_when_their_minute_turns() -> None:
    app, table, _queue = build(count=10)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        # Ten seconds into a minute of every deadline and waiting time in the fixture.
        table.clock = lambda: NOW + timedelta(seconds=10)
        table.refresh()
        await settle(pilot)
        before = line_text(table, 2)
        rebuilt: list[int] = []
        original = TicketTable._row_text

        def spy(self: TicketTable, ticket: object, *rest: object) -> object:
            rebuilt.append(ticket.id)  # type: ignore[attr-defined]
            return original(self, ticket, *rest)  # type: ignore[arg-type]

        TicketTable._row_text = spy  # type: ignore[assignment,method-assign]
        try:
            # The countdown tick a second later: every cell still shows the same minutes.
            table.clock = lambda: NOW + timedelta(seconds=10.5)
            table.refresh()
            await settle(pilot)
            assert rebuilt == []
            assert line_text(table, 2) == before
            # A minute later the waiting times and SLA countdowns read one minute on.
            table.clock = lambda: NOW + timedelta(seconds=70)
            table.refresh()
            await settle(pilot)
        finally:
            TicketTable._row_text = original  # type: ignore[method-assign]
        assert rebuilt
        assert line_text(table, 2) != before
