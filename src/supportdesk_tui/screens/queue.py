"""The queue: queues sidebar, filter bar, the ticket list (a window onto the server) and a preview."""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message as TextualMessage
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from supportdesk_tui import messages
from supportdesk_tui.api.errors import ApiError, VersionConflict
from supportdesk_tui.config import ConfigError
from supportdesk_tui.config_file import save_views
from supportdesk_tui.contract.models import PresenceState, Queue, Ticket, TicketPatch, TicketSort
from supportdesk_tui.domain.query import QueryError, TicketQuery, format_query, parse_query, ticket_matches
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text
from supportdesk_tui.domain.saved_views import (
    MAX_VIEWS,
    SavedView,
    moved,
    view_filter,
    with_view,
    without_view,
)
from supportdesk_tui.domain.selection import Selection
from supportdesk_tui.domain.ticket_window import TicketWindow, backwards, sort_key_for
from supportdesk_tui.first_frame import CachedPage, save_cache
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import (
    FIRST_PAGE_MESSAGES,
    OpenTicket,
    Prefetched,
    PrepareTicket,
    ShowDashboard,
    ShowEscalations,
)
from supportdesk_tui.screens._status import StatusLineScreen
from supportdesk_tui.screens.bulk_actions import BulkActions
from supportdesk_tui.screens.pickers import ChoiceModal, TextPromptModal
from supportdesk_tui.widgets.filter_bar import FilterBar
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.queue_sidebar import QueueSidebar
from supportdesk_tui.widgets.saved_views import SavedViewsList
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.ticket_table import TicketTable, cached_first_page

# Role names are looked up with `_(role)` at render time; listed here so the catalogs have them.
ROLE_NAMES = (N_("agent"), N_("lead"), N_("intake"))

SORT_LABELS: dict[TicketSort, str] = {
    TicketSort.SLA_DUE: N_("Next SLA deadline first"),
    TicketSort.WAITING: N_("Longest waiting first"),
    TicketSort.PRIORITY: N_("Priority, then oldest"),
    TicketSort.CREATED: N_("Oldest first"),
    TicketSort.CREATED_DESC: N_("Newest first"),
    TicketSort.UPDATED_DESC: N_("Recently updated first"),
}


# The width under which the app's `-narrow` breakpoint folds the queue sidebar away (app.py).
SIDEBAR_FOLDS_BELOW = 100
# The cursor stayed this long on a ticket whose preview is shown: the agent is reading it, so the
# conversation lays it out unseen (`PrepareTicket`) and opening it only shows it. Longer than the
# gap between keys of somebody moving down the list, so moving pays nothing for it.
PREPARE_OPEN_AFTER_SECONDS = 0.15


class QueueScreen(StatusLineScreen):
    # Textual repaints the whole screen whenever the focus moves (this reactive's default), and
    # a filter applied hands the focus from the filter bar to the list: every widget was drawn
    # and sent to the terminal again in the frame with the new rows. What the focus changes
    # repaints itself: the widgets that gain and lose it, their styles (`:focus`, restyled by
    # Textual) and the footer's keys.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    class FirstRowsShown(TextualMessage):
        """This queue's first rows are on the terminal: the agent reads them before the first key,
        a moment the app uses to prepare what comes next (app.py)."""

    DEFAULT_CSS = """
    QueueScreen #app-bar { height: 1; background: $panel; padding: 0 1; }
    QueueScreen #queue-body { height: 1fr; }
    QueueScreen QueueSidebar { width: 30; }
    QueueScreen #queue-main { width: 1fr; }
    QueueScreen TicketTable { height: 1fr; }
    QueueScreen TicketPreview { height: 12; border-top: solid $panel; }
    /* Shown by `FilterBar.set_shown` (its own display, not a class: see there). */
    QueueScreen FilterBar { display: none; }
    QueueScreen.-narrow QueueSidebar { display: none; }
    QueueScreen.-short TicketPreview { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("slash", "filter", N_("Filter"), id="queue.filter", key_display="/"),
        Binding("t", "take", N_("Take"), id="queue.take"),
        Binding("n", "next_ticket", N_("Next for me"), id="queue.next"),
        Binding("o", "sort", N_("Sort"), id="queue.sort"),
        Binding("r", "refresh", N_("Refresh"), id="queue.refresh"),
        Binding("D", "dashboard", N_("Dashboard"), id="queue.dashboard"),
        Binding("E", "escalations", N_("Escalations"), id="queue.escalations", show=False),
        Binding("escape", "clear_filter", N_("Clear filter"), id="queue.clear_filter", show=False),
        Binding("space", "toggle_mark", N_("Mark"), id="queue.mark", key_display="space"),
        Binding("asterisk", "mark_all", N_("Mark all matching"), id="queue.mark_all", key_display="*",
                show=False),
        Binding("u", "unmark_all", N_("Unmark all"), id="queue.unmark_all", show=False),
        Binding("b", "bulk", N_("Bulk action"), id="queue.bulk"),
        Binding("M", "merge", N_("Merge marked"), id="queue.merge", show=False),
        Binding("q", "app.quit", N_("Quit"), id="queue.quit"),
        Binding("V", "save_view", N_("Save filter as view"), id="queue.save_view", show=False),
        Binding("1", "view(1)", N_("Saved views 1–9"), key_display="1…9", id="queue.view_1", show=False),
        *[Binding(str(n), f"view({n})", show=False, id=f"queue.view_{n}") for n in range(2, 10)],
    ])

    # A pause in typing the filter (shorter than before a deliberate enter) after which the rows
    # it would show are drawn ahead.
    FILTER_ROWS_AHEAD_SECONDS = 0.08

    def __init__(self, *, remember_first_page: bool = False) -> None:
        super().__init__()
        # The start-up queue's first page is cached for the next start (see first_frame.py).
        self._remember_first_page = remember_first_page
        self._first_rows_told = False
        self._prefetched: Prefetched | None = None
        self._prepare_open_timer: Timer | None = None
        self.from_end = False
        self.query_filter = TicketQuery()
        self.queue_id: str | None = None
        self.sort = TicketSort.SLA_DUE
        self.selection = Selection()
        """Tickets marked for a bulk action, at the version they were marked at."""
        self.saved_views: list[SavedView] = []
        self._counting_views = False
        self._view_counts_stale = False
        self._table: TicketTable | None = None
        self._filter_rows_timer: Timer | None = None
        self._filter_bar: FilterBar | None = None
        self._preview: TicketPreview | None = None

    def compose(self) -> ComposeResult:
        clock = self.desk.settings.clock
        yield Static(id="app-bar")
        with Horizontal(id="queue-body"):
            yield QueueSidebar(id="queues")
            with Vertical(id="queue-main"):
                yield FilterBar(id="filter")
                yield TicketTable(clock=clock, me_login=self.desk.me.login, id="tickets")
                yield TicketPreview(clock=clock, id="preview")
        yield StatusLine(id="status")
        yield KeyFooter()

    @property
    def table(self) -> TicketTable:
        # Held, not looked up: a query walks the screen's widgets (the sidebar's come first),
        # and the list is asked for several times in the frame of every filter applied.
        if self._table is None:
            self._table = self.query_one(TicketTable)
        return self._table

    @property
    def filter_bar(self) -> FilterBar:
        if self._filter_bar is None:
            self._filter_bar = self.query_one(FilterBar)
        return self._filter_bar

    @property
    def preview(self) -> TicketPreview:
        if self._preview is None:
            self._preview = self.query_one(TicketPreview)
        return self._preview

    def on_mount(self) -> None:
        desk = self.desk
        self._show_app_bar()
        self.query_one(QueueSidebar).set_queues(desk.queues)
        default = desk.settings.default_filter
        if default:
            try:
                self.query_filter = parse_query(default)
            except QueryError as exc:
                self.notify(safe_format(_("The default filter in the config is invalid: {error}"),
                                        error=exc.message), severity="warning")
        desk.subscribe(self)
        self.init_status_line()
        self._show_views([SavedView(name, query) for name, query in desk.settings.saved_views])
        self.reload()
        self.table.focus()
        self.set_interval(15, self._poll_when_offline)

    def _show_app_bar(self) -> None:
        desk = self.desk
        me = desk.me
        bar = Text()
        bar.append("SupportDesk", style="bold")
        bar.append("  ·  ")
        bar.append(one_line(me.name))
        bar.append("  ·  " + _(me.role.value) + "  ·  ")
        if self.app.size.width < SIDEBAR_FOLDS_BELOW:
            # The sidebar that names the queue on show is folded away: name it here instead (the
            # server's address would not fit beside it anyway).
            bar.append(self._queue_name(), style="bold")
        else:
            bar.append(one_line(desk.settings.server_url), style="dim")
        self.query_one("#app-bar", Static).update(bar)

    def _queue_name(self) -> str:
        if self.queue_id is None:
            return _("All my queues")
        names = {queue.id: queue.name for queue in self.desk.queues}
        return one_line(names.get(self.queue_id, self.queue_id))

    def on_resize(self) -> None:
        self._show_app_bar()

    def relabel(self) -> None:
        self._show_app_bar()

    def on_unmount(self) -> None:
        self.desk.unsubscribe(self)

    # --- the list ----------------------------------------------------------------

    def current_params(self) -> dict[str, str]:
        params = self.query_filter.to_params()
        if self.queue_id and "queue" not in params:
            params["queue"] = self.queue_id
        params["sort"] = (self.query_filter.sort or self.sort).value
        if self.from_end:
            params["reverse"] = "true"
        return params

    def reload(self, *, from_end: bool = False) -> None:
        """Point the table at a new window for the current queue, filter and sort.

        `from_end`: read the list backwards from its last ticket (`G` on a long list).
        """
        self.from_end = from_end
        api = self.desk.api
        params = self.current_params()
        page_size = self.desk.settings.page_size
        remember = self._remember_first_page and not from_end
        self._remember_first_page = False

        async def fetch_page(after: str | None) -> tuple[list[Ticket], str | None]:
            nonlocal remember
            page = await api.list_tickets(params, page_size=page_size, after=after)
            if not self._first_rows_told:
                self._first_rows_told = True
                self.call_after_refresh(self.post_message, self.FirstRowsShown())
            if remember and after is None:
                remember = False
                # Saved once the page is on screen: the file write never delays the rows.
                self.call_after_refresh(self._save_first_page, page.items)
            return page.items, page.next_cursor

        sort = self.query_filter.sort or self.sort
        me_login = self.desk.me.login
        sort_key = backwards(sort_key_for(sort)) if from_end else sort_key_for(sort)
        window = TicketWindow(
            fetch_page, page_size=page_size, sort_key=sort_key,
            matches=lambda t: ticket_matches(self.query_filter, t, me_login=me_login, queue=self.queue_id),
        )
        window.total_hint = self._total_hint()
        table = self.table
        shown = table.window
        if shown is not None and not from_end and not table.from_end:
            # At once from the rows already here (the same test as the server's, domain/query.py),
            # then replaced by the server's answer: on a slow link the filter still answers in a frame.
            window.show_provisional(shown.loaded_prefix(), in_order=table.sort == sort)
        # Message ids: the table translates them when it draws them.
        table.empty_message = (
            N_("No tickets match this filter. Press esc to clear it.") if not self.query_filter.is_empty
            else N_("Nothing waiting in this queue. New tickets appear here as they arrive."))
        table.set_window(window, sort=sort, from_end=from_end)
        preview = self.preview
        previewed = preview.ticket
        if previewed is not None:
            # After the frame with the new rows: taking the old preview down and mounting its
            # placeholder is a layout of the screen, and the rows are what the key is for.
            def show_nothing() -> None:
                if preview.ticket is previewed and preview.is_attached:
                    preview.show_nothing()

            table.call_after_rows_shown(show_nothing)

    def _save_first_page(self, tickets: list[Ticket]) -> None:
        """Cache what the start-up queue shows, for the next start to paint while the app loads."""
        key = self.desk.settings.first_page_cache
        if key is None:
            return
        page = cached_first_page(key.fingerprint, tickets, name=self.desk.me.name,
                                 server=self.desk.settings.server_url, saved_at=time.time())
        self._write_first_page(key.path, page)

    @work(thread=True, group="first-page-cache", exit_on_error=False)
    def _write_first_page(self, path: Path, page: CachedPage) -> None:
        with contextlib.suppress(OSError):  # unsaved: only the next start's first frame is slower
            save_cache(path, page)

    def _total_hint(self) -> int | None:
        if not self.query_filter.is_empty:
            return None
        queues = [q for q in self.desk.queues if self.queue_id in (None, q.id)]
        return sum(q.counts.open for q in queues) if queues else None

    @on(QueueSidebar.Selected)
    def _queue_chosen(self, event: QueueSidebar.Selected) -> None:
        self.show_queue(event.queue_id)

    def show_queue(self, queue_id: str | None) -> None:
        self.queue_id = queue_id
        self.query_one(QueueSidebar).highlight_queue(queue_id)
        self._show_app_bar()
        self.reload()
        self.table.focus()

    @on(TicketTable.Highlighted)
    def _highlighted(self, event: TicketTable.Highlighted) -> None:
        self.load_preview(event.ticket)

    @on(TicketTable.Selected)
    def _selected(self, event: TicketTable.Selected) -> None:
        self.open_ticket(event.ticket.id)

    @on(TicketTable.LoadFailed)
    def _load_failed(self, event: TicketTable.LoadFailed) -> None:
        error = event.error
        if isinstance(error, ApiError):
            self.query_one(StatusLine).set_offline()
            self.notify(safe_text(error.message), title=error.title, severity="error")

    @work(exclusive=True, group="preview")
    async def load_preview(self, ticket: Ticket) -> None:
        preview = self.preview
        preview.show_loading(ticket)
        self._prefetched = None
        if self._prepare_open_timer is not None:
            self._prepare_open_timer.stop()
            self._prepare_open_timer = None
        try:
            # The page the conversation starts with, so opening this ticket needs no wait.
            page = await self.desk.api.list_messages(ticket.id, order="desc", page_size=FIRST_PAGE_MESSAGES)
        except ApiError as exc:
            if preview.is_attached:
                preview.show_error(ticket, exc.message)
            return
        if not preview.is_attached:
            return  # the app is closing: the answer came after the preview was taken down
        self._prefetched = prefetched = Prefetched(ticket, page)
        preview.show_messages(ticket, list(reversed(page.items)))
        self._prepare_open_timer = self.set_timer(PREPARE_OPEN_AFTER_SECONDS,
                                                  lambda: self._prepare_open(prefetched))

    def _prepare_open(self, prefetched: Prefetched) -> None:
        self._prepare_open_timer = None
        if self._prefetched is prefetched and self.app.screen is self:
            self.post_message(PrepareTicket(prefetched))

    def open_ticket(self, ticket_id: int) -> None:
        prefetched = self._prefetched
        tables = self.query(TicketTable)  # may be asked before the screen has composed
        window = tables.first().window if tables else None
        if prefetched is not None and prefetched.ticket.id == ticket_id and window is not None:
            # Live events may have changed the row since the preview loaded: take the newer ticket.
            index = window.index_of(ticket_id)
            current = window.get(index) if index is not None else None
            if current is not None and current.version > prefetched.ticket.version:
                prefetched = replace(prefetched, ticket=current)
        self.post_message(OpenTicket(ticket_id, prefetched))

    # --- filter and sort -----------------------------------------------------------

    def action_filter(self) -> None:
        bar = self.filter_bar
        bar.set_shown(True)
        bar.set_value(format_query(self.query_filter))
        bar.focus_input()

    @on(FilterBar.Submitted)
    def _filter_submitted(self, event: FilterBar.Submitted) -> None:
        bar = self.filter_bar
        try:
            query = parse_query(event.text)
        except QueryError as exc:
            bar.show_error(exc.message)
            return
        bar.clear_error()
        if query.ticket_ref is not None:
            self.filter_bar.set_shown(False)
            self.table.focus()
            self.open_ticket(query.ticket_ref)
            return
        self.query_filter = query
        if query.is_empty:
            self.filter_bar.set_shown(False)
        self.reload()
        self.table.focus()

    @on(FilterBar.Edited)
    def _filter_edited(self, event: FilterBar.Edited) -> None:
        # Once the agent pauses typing: the rows enter would show first (the loaded ones that
        # match) are drawn ahead, so the frame of enter finds them drawn (≈ 0.2 ms a row, a
        # screenful the first time a filter is applied).
        if self._filter_rows_timer is not None:
            self._filter_rows_timer.stop()
        self._filter_rows_timer = self.set_timer(self.FILTER_ROWS_AHEAD_SECONDS,
                                                 lambda: self._draw_filter_rows_ahead(event.text))

    def _draw_filter_rows_ahead(self, text: str) -> None:
        self._filter_rows_timer = None
        table = self.table
        shown = table.window
        if shown is None or self.from_end or table.from_end:
            return
        try:
            query = parse_query(text)
        except QueryError:
            return
        if query.ticket_ref is not None or (query.sort or self.sort) != table.sort:
            return  # opens a ticket, or another order: the rows shown would not be these
        me_login = self.desk.me.login
        picked = [t for t in shown.loaded_prefix()
                  if ticket_matches(query, t, me_login=me_login, queue=self.queue_id)]
        table.prepare_rows(picked)

    @on(FilterBar.Cancelled)
    def _filter_cancelled(self) -> None:
        if self.query_filter.is_empty:
            self.filter_bar.set_shown(False)
        self.table.focus()

    def action_clear_filter(self) -> None:
        if not self.query_filter.is_empty:
            self.query_filter = TicketQuery()
            self.filter_bar.set_shown(False)
            self.reload()

    def action_sort(self) -> None:
        def chosen(sort: TicketSort | None) -> None:
            if sort is not None and sort != self.sort:
                self.sort = sort
                self.reload()

        choices = [(sort, _(label)) for sort, label in SORT_LABELS.items()]
        self.app.push_screen(ChoiceModal(_("Sort the queue"), choices, current=self.sort), chosen)

    def action_refresh(self) -> None:
        self.refresh_queues()
        self.reload(from_end=self.from_end)

    @on(TicketTable.JumpRequested)
    def _jump_requested(self, event: TicketTable.JumpRequested) -> None:
        self.reload(from_end=event.to_end)
        if event.to_end:
            self.notify(_("Showing the queue from its last ticket (the sort arrow is flipped). "
                          "g goes back to the first."), timeout=4)

    def action_dashboard(self) -> None:
        self.post_message(ShowDashboard())

    def action_escalations(self) -> None:
        self.post_message(ShowEscalations())

    @work(exclusive=True, group="queues")
    async def refresh_queues(self) -> None:
        try:
            queues = await self.desk.api.queues()
        except ApiError:
            return
        self.desk.session.queues = queues
        self._show_queues(queues)

    # --- take and next -------------------------------------------------------------

    def action_take(self) -> None:
        ticket = self.table.cursor_ticket
        if ticket is None:
            self.notify(_("No ticket under the cursor."), severity="warning")
            return
        self.take(ticket)

    @work(group="writes")
    async def take(self, ticket: Ticket) -> None:
        me = self.desk.me
        if ticket.assignee and ticket.assignee.id == me.id:
            self.notify(safe_format(_("Ticket #{id} is already yours."), id=ticket.id))
            return
        try:
            updated = await self.desk.api.update_ticket(ticket.id, TicketPatch(assignee_id=me.id),
                                                          version=ticket.version)
        except VersionConflict as exc:
            current = exc.current
            if current is not None:
                self.table.apply_update(current)
                if current.assignee and current.assignee.id != me.id:
                    # Another agent's display name is untrusted text like a customer's.
                    self.notify(safe_format(_("{name} took #{id} first."), name=current.assignee.name,
                                            id=ticket.id),
                                title=_("Changed by someone else"), severity="warning")
                    return
                self.take(current)
            return
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        self.table.apply_update(updated)
        self.notify(safe_format(_("Ticket #{id} is yours."), id=ticket.id))

    def action_next_ticket(self) -> None:
        self.next_ticket()

    @work(exclusive=True, group="next")
    async def next_ticket(self) -> None:
        """Oldest unassigned open ticket in my queues that nobody else is looking at."""
        me = self.desk.me
        try:
            page = await self.desk.api.list_tickets(
                {"assignee": "none", "status": "new,open", "sort": TicketSort.WAITING.value}, page_size=50)
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        for ticket in page.items:
            others = [p for p in ticket.presence
                      if p.agent.id != me.id and p.state != PresenceState.LEFT]
            if not others:
                self.open_ticket(ticket.id)
                return
        self.notify(_("Nothing needs you right now: every unassigned ticket is taken or being viewed."))

    # --- marking and bulk actions ------------------------------------------------------

    @property
    def bulk(self) -> BulkActions:
        return BulkActions(self, self)

    def selection_changed(self) -> None:
        """Show the marks and their count, and tell whoever acts on a selection."""
        for table in self.query(TicketTable):
            table.set_marked(self.selection.ids())
        for line in self.query(StatusLine):
            line.set_selected(len(self.selection))
        self.post_message(messages.SelectionChanged(tuple(self.selection.stamps())))

    def action_toggle_mark(self) -> None:
        self.bulk.toggle_mark()

    def action_mark_all(self) -> None:
        self.bulk.mark_all()

    def action_unmark_all(self) -> None:
        self.bulk.unmark_all()

    def action_bulk(self) -> None:
        self.bulk.choose_action()

    def action_merge(self) -> None:
        self.bulk.merge()

    # --- live updates ----------------------------------------------------------------

    def on_ticket_changed(self, event: messages.TicketChanged) -> None:
        self.count_views()
        table = self.table
        window = table.window
        if window is None:
            return
        if ticket_matches(self.query_filter, event.ticket, me_login=self.desk.me.login,
                          queue=self.queue_id):
            if window.index_of(event.ticket.id) is not None:
                table.apply_update(event.ticket)
            elif event.created or event.ticket.status.value in ("new", "open"):
                table.apply_created(event.ticket)
        elif window.index_of(event.ticket.id) is not None:
            table.remove_ticket(event.ticket.id)

    def on_presence_changed(self, event: messages.PresenceChanged) -> None:
        window = self.table.window
        if window is None:
            return
        index = window.index_of(event.ticket_id)
        ticket = window.get(index) if index is not None else None
        if ticket is not None:
            self.table.apply_update(ticket.model_copy(update={"presence": event.presence}))

    def _show_queues(self, queues: list[Queue]) -> None:
        if self.is_attached:
            self._show_app_bar()  # a renamed queue
        # A refresh may land after this screen left the stack: then there is no sidebar to fill.
        for sidebar in self.query(QueueSidebar):
            sidebar.set_queues(queues)

    def on_queues_changed(self, event: messages.QueuesChanged) -> None:
        self._show_queues(event.queues)
        if not self.is_attached:
            return
        window = self.table.window
        if window is not None:
            window.total_hint = self._total_hint()

    def on_stream_reset(self, _event: messages.StreamReset) -> None:
        self.action_refresh()
        self.count_views()

    # --- saved views ---------------------------------------------------------------------

    @property
    def views_list(self) -> SavedViewsList:
        return self.query_one(SavedViewsList)

    def _show_views(self, views: list[SavedView]) -> None:
        self.saved_views = views
        self.views_list.set_views(views)
        self.count_views()

    def count_views(self) -> None:
        """Recount every view with one request; a burst of changes makes one more count, not many."""
        if not self.saved_views:
            return
        if self._counting_views:
            self._view_counts_stale = True
            return
        self._counting_views = True
        self._count_views()

    @work(group="view-counts")
    async def _count_views(self) -> None:
        try:
            valid: list[int] = []
            filters = []
            for index, view in enumerate(self.saved_views):
                try:
                    filters.append(view_filter(view.parsed()))
                except (QueryError, ValueError):
                    continue  # a hand-edited filter the bar can't read: no count, the rest still count
                valid.append(index)
            if not filters:
                return
            try:
                counts = await self.desk.api.ticket_counts(filters)
            except ApiError:
                return  # the stream's next change (or reconnect) counts again
            shown: list[int | None] = [None] * len(self.saved_views)
            for index, count in zip(valid, counts, strict=False):
                shown[index] = count
            self.views_list.set_counts(shown)
        finally:
            self._counting_views = False
            if self._view_counts_stale:
                self._view_counts_stale = False
                self.count_views()

    def action_save_view(self) -> None:
        self.save_filter_as_view()

    def action_view(self, number: int) -> None:
        if number > len(self.saved_views):
            # A digit key that did nothing at all read as a broken key: say what it is for.
            text = (_("No saved views yet: type a filter (/), then ctrl+s saves it as view 1.")
                    if not self.saved_views else
                    _("No saved view {n}: you have {count}. Type a filter (/), then ctrl+s saves it."))
            self.notify(safe_format(text, n=number, count=len(self.saved_views)), timeout=4)
            return
        self.apply_view(number - 1)

    def apply_view(self, index: int) -> None:
        if not 0 <= index < len(self.saved_views):
            return
        view = self.saved_views[index]
        bar = self.filter_bar
        try:
            query = view.parsed()
        except QueryError as exc:
            bar.set_shown(True)
            bar.set_value(view.query)
            bar.show_error(exc.message)
            return
        self.query_filter = query
        bar.set_value(view.query)
        bar.set_shown(not query.is_empty)
        self.views_list.highlight(index)
        self.reload()
        self.table.focus()

    @on(SavedViewsList.Chosen)
    def _view_chosen(self, event: SavedViewsList.Chosen) -> None:
        self.apply_view(event.index)

    @on(SavedViewsList.MoveRequested)
    def _view_moved(self, event: SavedViewsList.MoveRequested) -> None:
        views = moved(self.saved_views, event.index, event.delta)
        if views != self.saved_views and self._save_views(views):
            self._show_views(views)
            self.views_list.highlight(max(0, min(len(views) - 1, event.index + event.delta)))

    @on(SavedViewsList.RemoveRequested)
    def _view_removed(self, event: SavedViewsList.RemoveRequested) -> None:
        name = self.saved_views[event.index].name
        views = without_view(self.saved_views, name)
        if self._save_views(views):
            self._show_views(views)
            self.notify(safe_format(_("View “{name}” removed."), name=name))

    @on(FilterBar.SaveRequested)
    def _save_filter_as_view(self, event: FilterBar.SaveRequested) -> None:
        self.save_filter_as_view(event.text)

    def save_filter_as_view(self, text: str | None = None) -> None:
        """Ask for a name and keep the filter (the bar's text, or the one in force) as a view."""
        text = format_query(self.query_filter) if text is None else text
        bar = self.filter_bar
        try:
            query = parse_query(text)
        except QueryError as exc:
            bar.set_shown(True)
            bar.show_error(exc.message)
            return
        if query.is_empty:
            self.notify(_("Type a filter first: an empty one is the whole queue."), severity="warning")
            return
        if len(self.saved_views) >= MAX_VIEWS:
            self.notify(_("That is as many views as the sidebar counts; remove one first."),
                        severity="warning")
            return

        def named(name: str | None) -> None:
            if not name or not name.strip():
                return
            view = SavedView(one_line(name).strip(), format_query(query))
            views = with_view(self.saved_views, view)
            if self._save_views(views):
                self._show_views(views)
                self.notify(safe_format(_("Saved view “{name}”."), name=view.name))

        self.app.push_screen(TextPromptModal(_("Save the filter as a view"), hint=format_query(query),
                                             placeholder=_("A short name, e.g. Spam wave")), named)

    def _save_views(self, views: list[SavedView]) -> bool:
        try:
            save_views([(v.name, v.query) for v in views], self.desk.settings.config_path)
        except (ConfigError, OSError) as exc:
            self.notify(safe_text(str(exc)), title=_("Views not saved"), severity="error")
            return False
        return True


    def _poll_when_offline(self) -> None:
        """Without the live stream, refresh counts by polling so numbers don't go stale."""
        if self.desk.session.stream_state != "live":
            self.refresh_queues()
            self.count_views()
