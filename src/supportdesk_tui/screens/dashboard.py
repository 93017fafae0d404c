"""The shift lead's live dashboard, and the fetch loop it shares with the wallboard.

Numbers come only from `/stats/live` (replaced whole each time). Live events just mark the
view stale; a timer turns any number of marks into at most one fetch per `MIN_FETCH_INTERVAL`,
never two at once, and not while the screen is hidden. Without the event stream the same timer
polls, and the notice line says so. After a reconnect one more fetch converges on the server.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from supportdesk_tui import messages
from supportdesk_tui.api.errors import ApiError, ForbiddenError
from supportdesk_tui.domain.dashboard_state import HOUR, SHIFT, AlarmEntry, DashboardState, RefreshGate
from supportdesk_tui.domain.safe_text import one_line, safe_format
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.screens._status import StatusLineScreen
from supportdesk_tui.widgets.dashboard_agents import AgentsTable
from supportdesk_tui.widgets.dashboard_alarms import AlarmLog
from supportdesk_tui.widgets.dashboard_escalations import EscalationsList
from supportdesk_tui.widgets.dashboard_tiles import CountsBreakdown, QueueTile
from supportdesk_tui.widgets.dashboard_trend import TrendChart, TrendRow
from supportdesk_tui.widgets.dashboard_worst import WorstTickets
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from supportdesk_tui.app import SupportDeskApp

DASHBOARD_SCREEN = "dashboard"
QUEUE_SCREEN = "queue"
TOTAL_TILE = "__total__"

TICK_SECONDS = 0.1
# At most ~seven fetches a second whatever the event rate: short enough that a change shows
# within 250 ms (interval + fetch + draw), long enough that a storm costs a bounded amount.
MIN_FETCH_INTERVAL = 0.15
POLL_SECONDS = 5.0  # while the event stream is down
# The server writes a history point a little after each minute ends: until it has, asking again
# on every live answer only re-reads the same points.
HISTORY_RETRY_SECONDS = 5.0
QUIET_REFRESH_SECONDS = 30.0  # waiting times grow even when nothing happens
_STREAM_OK = ("live", "off")


class LiveStatsScreen(StatusLineScreen):
    """Keeps a `DashboardState` in step with the server; subclasses draw it in `show_state()`."""

    def __init__(self) -> None:
        super().__init__()
        self.state = DashboardState()
        self.gate = RefreshGate(MIN_FETCH_INTERVAL)
        self.history_window = HOUR
        self.forbidden = False
        self.failing: ApiError | None = None
        self.updated_at: str = ""
        self.redraws = 0
        self.events_seen = 0
        self._history_wanted = True
        self._history_busy = False
        self._history_asked_at = -math.inf
        self._loaded = False

    @property
    def sd_app(self) -> SupportDeskApp:
        from supportdesk_tui.app import SupportDeskApp

        assert isinstance(self.app, SupportDeskApp)
        return self.app

    def on_mount(self) -> None:
        settings = self.sd_app.settings
        self.state = DashboardState(settings.dashboard_thresholds)
        self.sd_app.subscribe(self)
        self.init_status_line()
        self.gate.request()
        self.update_notice()
        self.set_interval(TICK_SECONDS, self._tick)

    def on_unmount(self) -> None:
        self.sd_app.unsubscribe(self)

    def queue_name(self, queue_id: str) -> str:
        return self.sd_app.session.queue_name(queue_id)

    # --- when to fetch ------------------------------------------------------------------

    def request_refresh(self, *, history: bool = False) -> None:
        self.gate.request()
        self._history_wanted = self._history_wanted or history

    def _tick(self) -> None:
        if self.forbidden or not self.is_current:
            return  # hidden: nothing fetched, nothing drawn; a resume catches up
        now = time.monotonic()
        stream = self.sd_app.session.stream_state
        idle = self.gate.idle_for(now)
        down = stream not in _STREAM_OK or self.failing is not None
        if (down and idle >= POLL_SECONDS) or (stream == "live" and idle >= QUIET_REFRESH_SECONDS):
            self.gate.request()
        if self._history_wanted and not self._history_busy:
            self._history_wanted = False
            self._history_busy = True
            self._history_asked_at = now
            self.fetch_history()
        self._fetch_live_if_due(now)

    def _fetch_live_if_due(self, now: float) -> None:
        if self.gate.due(now):
            self.gate.begin(now)
            self.fetch_live()

    def _changed(self) -> None:
        """Something moved: fetch at once when the gate allows, else the next tick will."""
        self.events_seen += 1
        self.gate.request()
        if not self.forbidden and self.is_current:
            self._fetch_live_if_due(time.monotonic())

    @work(exclusive=True, group="dashboard-live", exit_on_error=False)
    async def fetch_live(self) -> None:
        try:
            stats = await self.sd_app.api.live_stats()
        except ForbiddenError:
            self.show_forbidden()
            return
        except ApiError as exc:
            self.failing = exc
            self.update_notice()
            return
        finally:
            self.gate.end()
        self.failing = None
        settings = self.sd_app.settings
        changes = self.state.apply_live(stats, now=settings.clock())
        self.updated_at = settings.clock().astimezone().strftime("%H:%M:%S")
        if self.state.history_due(stats.at) and \
                time.monotonic() - self._history_asked_at >= HISTORY_RETRY_SECONDS:
            self._history_wanted = True
        self._ring_for(changes)
        self._loaded = True
        self.redraws += 1
        self.show_state()
        self.update_notice()

    @work(exclusive=True, group="dashboard-history", exit_on_error=False)
    async def fetch_history(self) -> None:
        try:
            history = await self.sd_app.api.stats_history(self.history_window)
        except ForbiddenError:
            self.show_forbidden()
            return
        except ApiError:
            self._history_wanted = True  # the next tick after a live answer tries again
            return
        finally:
            self._history_busy = False
        self.state.apply_history(history)
        if self.state.live is not None:
            self.redraws += 1
            self.show_state()

    def _ring_for(self, changes: list[AlarmEntry]) -> None:
        # The first answer only describes how things are; a bell is for a change while watching.
        if self._loaded and self.sd_app.settings.dashboard_bell and any(
                c.level == "alarm" for c in changes):
            self.app.bell()

    # --- what the live stream says ------------------------------------------------------------

    def on_ticket_changed(self, event: messages.TicketChanged) -> None:
        self.state.note_ticket(event.ticket)
        self._changed()

    def on_queues_changed(self, _event: messages.QueuesChanged) -> None:
        self._changed()

    def on_escalation_changed(self, _event: messages.EscalationChanged) -> None:
        self._changed()

    def on_presence_changed(self, _event: messages.PresenceChanged) -> None:
        self.events_seen += 1
        self.gate.request()

    def on_message_arrived(self, _event: messages.MessageArrived) -> None:
        self.events_seen += 1
        self.gate.request()

    def on_stream_reset(self, _event: messages.StreamReset) -> None:
        self.request_refresh(history=True)

    @on(messages.ConnectionChanged)
    def _connection_changed(self, event: messages.ConnectionChanged) -> None:
        if event.state == "live":
            # Events missed while away may not all be replayed: converge on the server's numbers.
            self.request_refresh(history=True)
        self.update_notice()

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.request_refresh(history=True)

    # --- drawing -----------------------------------------------------------------------------

    def show_state(self) -> None:
        """Draw `self.state`; called at most once per fetch."""

    def relabel(self) -> None:
        self.update_notice()
        if self.forbidden:
            self.show_forbidden()
        self.show_state()

    def notice(self) -> tuple[str, str]:
        """The notice line's text and its class: how fresh the numbers are and why."""
        stream = self.sd_app.session.stream_state
        updated = _("updated {time}").format(time=self.updated_at) if self.updated_at else _("loading…")
        if self.failing is not None:
            return (_("Cannot load the numbers: {error} Retrying every {n} s; {updated}.").format(
                error=self.failing.message, n=int(POLL_SECONDS), updated=updated), "-error")
        if stream == "live":
            return "● " + _("Live") + " · " + updated, "-live"
        if stream == "off":
            return self.off_hint() + " · " + updated, "-off"
        return (_("Live updates interrupted: polling the server every {n} s").format(n=int(POLL_SECONDS))
                + " · " + updated, "-polling")

    def update_notice(self) -> None:
        if not self.is_mounted:
            return
        text, kind = self.notice()
        notice = self.query_one("#dashboard-notice", Static)
        notice.update(Text(one_line(text)))
        for name in ("-error", "-live", "-off", "-polling"):
            notice.set_class(name == kind, name)

    def show_forbidden(self) -> None:
        self.forbidden = True
        self.add_class("-forbidden")
        me = self.sd_app.me
        text = Text()
        text.append(_("The dashboard is for shift leads only") + "\n\n", style="bold")
        text.append(_("You are signed in as {name} ({role}). The server refused the team statistics "
                      "(HTTP 403): only shift leads may see them.").format(
                          name=one_line(me.name), role=_(me.role.value)))
        text.append("\n\n" + self.forbidden_hint())
        self.query_one("#leads-only", Static).update(text)

    def forbidden_hint(self) -> str:
        return _("Press D to go to your queue.")

    def off_hint(self) -> str:
        return _("Live updates are off: press r to refresh")


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
        app = self.sd_app
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

    def relabel(self) -> None:
        super().relabel()
        self._show_labels()
        self.query_one("#tile-total", QueueTile).rename(_("All queues"))

    def _show_labels(self) -> None:
        app = self.sd_app
        bar = Text()
        bar.append("SupportDesk", style="bold")
        bar.append("  ·  " + _("Dashboard") + "  ·  ")
        bar.append(one_line(app.me.name))
        bar.append("  ·  " + _(app.me.role.value) + "  ·  ")
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
        from supportdesk_tui.screens.conversation import ConversationScreen

        self.app.push_screen(ConversationScreen(ticket_id))

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
        open_queue(self.sd_app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.forbidden and action in ("open_worst", "open_number", "toggle_window", "refresh"))


def open_queue(app: SupportDeskApp) -> None:
    """The queue, kept installed so its filter and cursor survive switching back and forth."""
    from supportdesk_tui.screens.queue import QueueScreen

    if not app.is_screen_installed(QUEUE_SCREEN):
        app.install_screen(QueueScreen(), QUEUE_SCREEN)
    app.switch_screen(QUEUE_SCREEN)


def open_dashboard(app: SupportDeskApp) -> None:
    """The dashboard (or, with `--wallboard`, the wallboard); one key switches back to the queue."""
    from supportdesk_tui.screens.queue import QueueScreen

    if app.settings.wallboard:
        from supportdesk_tui.screens.wallboard import WallboardScreen

        app.switch_screen(WallboardScreen())
        return
    current = app.screen
    if isinstance(current, QueueScreen) and not app.is_screen_installed(QUEUE_SCREEN):
        app.install_screen(current, QUEUE_SCREEN)  # keep this queue (filter, cursor) for the way back
    if not app.is_screen_installed(DASHBOARD_SCREEN):
        app.install_screen(DashboardScreen(), DASHBOARD_SCREEN)
    app.switch_screen(DASHBOARD_SCREEN)
