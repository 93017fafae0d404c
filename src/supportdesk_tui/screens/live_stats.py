"""The fetch loop the lead's dashboard and the wallboard share.

Numbers come only from `/stats/live` (replaced whole each time). Live events just mark the
view stale; any number of marks becomes at most one fetch per `MIN_FETCH_INTERVAL`, started the
moment the interval allows (not on the next tick), never two at once, and not while the screen
is hidden. Without the event stream the same timer
polls, and the notice line says so. After a reconnect one more fetch converges on the server.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual import on, work
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from supportdesk_tui import messages
from supportdesk_tui.api.errors import ApiError, ForbiddenError
from supportdesk_tui.contract.models import LiveStats
from supportdesk_tui.domain.dashboard_state import HOUR, AlarmEntry, DashboardState, RefreshGate
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import _
from supportdesk_tui.screens._status import StatusLineScreen

TICK_SECONDS = 0.1
# At most twenty fetches a second whatever the event rate: a change shows within the interval +
# a fetch + a draw (under 100 ms), and a storm costs a bounded amount (a fetch answers in ~5 ms
# and its draw repaints only what changed, so this is well under one redraw per frame).
MIN_FETCH_INTERVAL = 0.05
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
        self._due_timer: Timer | None = None
        self._notice_shown: tuple[str, str] | None = None

    def on_mount(self) -> None:
        settings = self.desk.settings
        self.state = DashboardState(settings.dashboard_thresholds)
        self.desk.subscribe(self)
        self.init_status_line()
        self.gate.request()
        self.update_notice()
        self.set_interval(TICK_SECONDS, self._tick)

    def on_unmount(self) -> None:
        self.desk.unsubscribe(self)

    def queue_name(self, queue_id: str) -> str:
        return self.desk.session.queue_name(queue_id)

    # --- when to fetch ------------------------------------------------------------------

    def request_refresh(self, *, history: bool = False) -> None:
        self.gate.request()
        self._history_wanted = self._history_wanted or history

    def _tick(self) -> None:
        if self.forbidden or not self.is_current:
            return  # hidden: nothing fetched, nothing drawn; a resume catches up
        now = time.monotonic()
        stream = self.desk.session.stream_state
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

    def _fetch_when_due(self) -> None:
        """Fetch now if the gate allows, else exactly when it will: waiting for the next tick
        added up to a tick to every change's way to the screen."""
        if self.forbidden or not self.is_current or self._due_timer is not None:
            return
        now = time.monotonic()
        wait = self.gate.wait_for(now)
        if wait is None:
            return  # nothing pending, or a fetch in flight: its end looks again
        if wait <= 0:
            self._fetch_live_if_due(now)
        else:
            self._due_timer = self.set_timer(wait, self._due, name="dashboard fetch gate")

    def _due(self) -> None:
        self._due_timer = None
        self._fetch_when_due()

    def _changed(self) -> None:
        """Something moved: fetch as soon as the gate allows."""
        self.events_seen += 1
        self.gate.request()
        self._fetch_when_due()

    @work(exclusive=True, group="dashboard-live", exit_on_error=False)
    async def fetch_live(self) -> None:
        drawing = False
        try:
            try:
                stats = await self.desk.api.live_stats()
            except ForbiddenError:
                self.show_forbidden()
                return
            except ApiError as exc:
                self.failing = exc
                self.update_notice()
                return
            self._show_live(stats)
            # The gate stays shut until this answer is on screen: at most one redraw per frame,
            # however quickly the answers come back.
            self._hand_repaints_to_screen()
            drawing = self.call_after_refresh(self._drawn)
        finally:
            if not drawing:
                self.gate.end()

    def _hand_repaints_to_screen(self) -> None:
        """Tell the screen now which widgets this answer made dirty.

        Textual runs after-refresh callbacks on the screen's first idle moment with nothing dirty
        (else right after the update timer has displayed the frame). A widget only tells the screen
        it is dirty from its own idle handler, in its own task: that often came after the screen's
        idle, so the gate opened before the answer's frame was drawn. Passing the news on here puts
        it in the screen's queue ahead of the callback, so the callback waits for that frame.
        """
        for widget in self.walk_children(Widget, with_self=False):
            widget._check_refresh()

    def _drawn(self) -> None:
        self.gate.end()
        self._fetch_when_due()  # events that came while this fetch was in flight

    def _show_live(self, stats: LiveStats) -> None:
        self.failing = None
        settings = self.desk.settings
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
            history = await self.desk.api.stats_history(self.history_window)
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
        if self._loaded and self.desk.settings.dashboard_bell and any(
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
        stream = self.desk.session.stream_state
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
        if (text, kind) == self._notice_shown:
            return
        self._notice_shown = (text, kind)
        notice = self.query_one("#dashboard-notice", Static)
        # One line high whatever it says: a layout pass of the whole dashboard on every live
        # answer (the time in it changes each second) was most of that answer's frame.
        notice.update(Text(one_line(text)), layout=False)
        for name in ("-error", "-live", "-off", "-polling"):
            notice.set_class(name == kind, name)

    def show_forbidden(self) -> None:
        self.forbidden = True
        self.add_class("-forbidden")
        me = self.desk.me
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
