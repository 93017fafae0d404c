"""The shift lead's live dashboard: tiles per queue, the trend, the worst tickets, agents,
escalations and alarms, drawn from the numbers `LiveStatsScreen` (live_stats.py) keeps fresh.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from supportdesk_tui.domain.dashboard_state import HOUR, SHIFT
from supportdesk_tui.domain.safe_text import one_line, safe_format
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import OpenTicket, ShowQueue
from supportdesk_tui.screens.live_stats import LiveStatsScreen
from supportdesk_tui.widgets.dashboard_agents import AgentsTable
from supportdesk_tui.widgets.dashboard_alarms import AlarmLog
from supportdesk_tui.widgets.dashboard_escalations import EscalationsList
from supportdesk_tui.widgets.dashboard_tiles import CountsBreakdown, QueueTile
from supportdesk_tui.widgets.dashboard_trend import TrendChart, TrendRow
from supportdesk_tui.widgets.dashboard_worst import WorstTickets
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.status_line import StatusLine

__all__ = ["DashboardScreen", "LiveStatsScreen"]

TOTAL_TILE = "__total__"


# The width from which the app bar has room for the server's address (the app's `-medium` breakpoint).
ADDRESS_SHOWN_FROM = 100

class DashboardScreen(LiveStatsScreen):
    DEFAULT_CSS = """
    DashboardScreen #app-bar { height: 1; background: $panel; padding: 0 1; }
    DashboardScreen #dashboard-notice { height: 1; padding: 0 1; color: $text-muted; }
    DashboardScreen #dashboard-notice.-live { color: $success; }
    DashboardScreen #dashboard-notice.-polling { color: $warning; text-style: bold; }
    DashboardScreen #dashboard-notice.-error { color: $error; text-style: bold; }
    DashboardScreen #leads-only { display: none; width: 72; height: auto; margin: 4 0 0 0;
                                  border: heavy $warning; padding: 1 2; }
    DashboardScreen.-forbidden #leads-only { display: block; }
    DashboardScreen.-forbidden #dashboard-body { display: none; }
    DashboardScreen #leads-only-box { align-horizontal: center; height: auto; }
    DashboardScreen #dashboard-body { height: 1fr; }
    DashboardScreen #tiles { grid-size: 4; grid-rows: 5; grid-gutter: 0 1; height: auto; padding: 0 1; }
    DashboardScreen #dashboard-middle { height: auto; max-height: 14; }
    DashboardScreen #dashboard-bottom { height: 1fr; min-height: 8; }
    DashboardScreen .panel { border: round $panel-lighten-2; border-title-color: $text-muted;
                             border-title-style: bold; padding: 0 1; height: 100%; }
    DashboardScreen #trend-panel { width: 1fr; height: auto; }
    DashboardScreen #breakdown-panel { width: 68; height: auto; }
    DashboardScreen #worst-panel { width: 1fr; }
    DashboardScreen #worst-panel:focus-within { border: round $primary; }
    DashboardScreen #agents-panel { width: 58; }
    DashboardScreen #side { width: 46; }
    DashboardScreen #escalations-panel { height: 1fr; }
    /* A small terminal keeps the tiles and the worst tickets (what a lead acts on); the trend,
       the breakdown and the side panels give way, in that order. */
    DashboardScreen.-narrow #trend-panel { display: none; }
    DashboardScreen.-narrow #breakdown-panel { width: 1fr; }
    DashboardScreen.-narrow #agents-panel { display: none; }
    DashboardScreen.-narrow #side { display: none; }
    DashboardScreen.-short #dashboard-middle { display: none; }
    DashboardScreen #alarms-panel { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("D", "queue", N_("Queue"), id="dashboard.queue"),
        Binding("o", "open_worst", N_("Open ticket"), id="dashboard.open"),
        Binding("1", "open_number(1)", N_("Open worst 1–9"), key_display="1…9", id="dashboard.open_1"),
        *[Binding(str(n), f"open_number({n})", show=False, id=f"dashboard.open_{n}") for n in range(2, 10)],
        Binding("h", "toggle_window", N_("Hour / shift"), id="dashboard.window"),
        Binding("r", "refresh", N_("Refresh"), id="dashboard.refresh"),
        Binding("q", "app.quit", N_("Quit"), id="dashboard.quit"),
    ])

    def compose(self) -> ComposeResult:
        app = self.desk
        clock = app.settings.clock
        yield Static(id="app-bar")
        yield Static(id="dashboard-notice")
        with Horizontal(id="leads-only-box"):
            yield Static(id="leads-only")
        with Vertical(id="dashboard-body"):
            with Grid(id="tiles"):
                for queue in app.queues:
                    yield QueueTile(queue.id, queue.name, id=f"tile-{queue.id}")
                yield QueueTile(TOTAL_TILE, _("All queues"), id="tile-total")
            with Horizontal(id="dashboard-middle"):
                with Vertical(id="trend-panel", classes="panel"):
                    yield TrendChart(id="trend")
                with Vertical(id="breakdown-panel", classes="panel"):
                    yield CountsBreakdown(id="breakdown")
            with Horizontal(id="dashboard-bottom"):
                with Vertical(id="worst-panel", classes="panel"):
                    yield WorstTickets(clock, self.queue_name, id="worst")
                with VerticalScroll(id="agents-panel", classes="panel"):
                    yield AgentsTable(clock, id="agents")
                with Vertical(id="side"):
                    with VerticalScroll(id="escalations-panel", classes="panel"):
                        yield EscalationsList(id="escalations")
                    with VerticalScroll(id="alarms-panel", classes="panel"):
                        yield AlarmLog(self.queue_name, id="alarms")
        yield StatusLine(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_labels()
        self.query_one(WorstTickets).focus()

    def on_resize(self) -> None:
        self._show_labels()

    def relabel(self) -> None:
        super().relabel()
        self._show_labels()
        self.query_one("#tile-total", QueueTile).rename(_("All queues"))

    def _show_labels(self) -> None:
        app = self.desk
        bar = Text()
        bar.append("SupportDesk", style="bold")
        bar.append("  ·  " + _("Dashboard") + "  ·  ")
        bar.append(one_line(app.me.name))
        bar.append("  ·  " + _(app.me.role.value))
        if self.app.size.width >= ADDRESS_SHOWN_FROM:  # on a narrow terminal it would only be cut off
            bar.append("  ·  ")
            bar.append(one_line(app.settings.server_url), style="dim")
        self.query_one("#app-bar", Static).update(bar)
        titles = {
            "#trend-panel": _("Trend"),
            "#breakdown-panel": _("By language and priority"),
            "#worst-panel": _("Worst tickets (enter or 1–9 opens)"),
            "#agents-panel": _("Agents"),
            "#escalations-panel": _("Open escalations"),
            "#alarms-panel": _("Alarms"),
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title

    # --- drawing ------------------------------------------------------------------------------

    def window_label(self) -> str:
        return _("last hour") if self.history_window == HOUR else _("this shift ({h} h)").format(
            h=SHIFT // 3600)

    def show_state(self) -> None:
        state = self.state
        live = state.live
        if live is None:
            return
        for tile in self.query(QueueTile):
            if tile.queue_id == TOTAL_TILE:
                tile.show(live.total, [], "ok")
            else:
                tile.show(state.queue_counts(tile.queue_id), state.checks(tile.queue_id),
                          state.level(tile.queue_id))
        self.query_one(CountsBreakdown).show(live.by_language, live.by_priority)
        rows = [TrendRow(self.queue_name(q), tuple(state.open_series(q)), state.level(q))
                for q in state.queue_ids]
        self.query_one(TrendChart).show(rows, state.intervals(), self.window_label())
        self.query_one(WorstTickets).show(live.worst)
        self.query_one(AgentsTable).show(live.agents)
        self.query_one(EscalationsList).show(live.open_escalations)
        self.query_one(AlarmLog).show(state.alarms, configured=bool(state.thresholds))

    # --- actions ------------------------------------------------------------------------------

    @on(WorstTickets.Open)
    def _open_from_list(self, event: WorstTickets.Open) -> None:
        self.open_ticket(event.ticket_id)

    def open_ticket(self, ticket_id: int) -> None:
        self.post_message(OpenTicket(ticket_id))

    def action_open_worst(self) -> None:
        worst = self.query_one(WorstTickets)
        ticket_id = worst.ticket_at(worst.highlighted)
        if ticket_id is not None:
            self.open_ticket(ticket_id)

    def action_open_number(self, number: int) -> None:
        ticket_id = self.query_one(WorstTickets).ticket_at(number - 1)
        if ticket_id is None:
            self.notify(safe_format(_("There is no worst ticket number {n}."), n=number), severity="warning")
            return
        self.open_ticket(ticket_id)

    def action_toggle_window(self) -> None:
        self.history_window = SHIFT if self.history_window == HOUR else HOUR
        self.request_refresh(history=True)

    def action_refresh(self) -> None:
        self.request_refresh(history=True)

    def action_queue(self) -> None:
        self.post_message(ShowQueue())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.forbidden and action in ("open_worst", "open_number", "toggle_window", "refresh"))
