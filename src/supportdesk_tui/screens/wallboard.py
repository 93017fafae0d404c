"""`supportdesk dashboard --wallboard`: big numbers for a screen on the wall, read-only.

No key is needed (q quits): it fetches like the dashboard, polls while the stream is down and retries
for as long as it runs (the session's event stream reconnects on its own).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Static

from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.times import wait_in_words
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.screens.live_stats import LiveStatsScreen
from supportdesk_tui.widgets.dashboard_alarms import AlarmLog
from supportdesk_tui.widgets.dashboard_format import level_badge
from supportdesk_tui.widgets.dashboard_wall import WallFigure
from supportdesk_tui.widgets.status_line import StatusLine

TOTALS = ("open", "unassigned", "at-risk", "breached")
TOTAL_LABELS = {"open": N_("Open"), "unassigned": N_("Unassigned"), "at-risk": N_("At SLA risk"),
                "breached": N_("SLA breached")}


class WallboardScreen(LiveStatsScreen):
    DEFAULT_CSS = """
    WallboardScreen #wall-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    WallboardScreen #dashboard-notice { height: 1; padding: 0 1; color: $text-muted; }
    WallboardScreen #dashboard-notice.-live { color: $success; }
    WallboardScreen #dashboard-notice.-polling { color: $warning; text-style: bold; }
    WallboardScreen #dashboard-notice.-error { color: $error; text-style: bold; }
    WallboardScreen #leads-only-box { align-horizontal: center; height: auto; }
    WallboardScreen #leads-only { display: none; width: 72; height: auto; margin: 4 0 0 0;
                                  border: heavy $warning; padding: 1 2; }
    WallboardScreen.-forbidden #leads-only { display: block; }
    WallboardScreen.-forbidden #wall-body { display: none; }
    WallboardScreen #wall-body { height: 1fr; padding: 0 1; }
    WallboardScreen #wall-totals { height: auto; }
    WallboardScreen #wall-totals > WallFigure { width: 1fr; }
    WallboardScreen #wall-queues { grid-size: 4; grid-rows: 6; grid-gutter: 0 1; height: auto; }
    WallboardScreen #wall-alarms { height: auto; min-height: 4; margin-top: 1; padding: 0 1;
                                   border: round $panel-lighten-2; border-title-color: $text-muted;
                                   border-title-style: bold; }
    """
    # Nothing to press to keep it running; q leaves it, as it leaves the dashboard and the queue.
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("q", "app.quit", N_("Quit"), id="wallboard.quit"),
    ])

    def compose(self) -> ComposeResult:
        yield Static(id="wall-title")
        yield Static(id="dashboard-notice")
        with Horizontal(id="leads-only-box"):
            yield Static(id="leads-only")
        with Vertical(id="wall-body"):
            with Horizontal(id="wall-totals"):
                for total in TOTALS:
                    yield WallFigure(_(TOTAL_LABELS[total]), id=f"wall-{total}")
            with Grid(id="wall-queues"):
                for queue in self.desk.queues:
                    yield WallFigure(queue.name, id=f"wall-queue-{queue.id}")
            yield AlarmLog(self.queue_name, shown=4, id="wall-alarms")
        yield StatusLine(id="status")

    def on_mount(self) -> None:
        self._show_labels()

    def relabel(self) -> None:
        super().relabel()
        self._show_labels()
        for total in TOTALS:
            self.query_one(f"#wall-{total}", WallFigure).rename(_(TOTAL_LABELS[total]))

    def _show_labels(self) -> None:
        title = Text("SupportDesk  ·  " + _("Queues right now"))
        self.query_one("#wall-title", Static).update(title)
        self.query_one("#wall-alarms").border_title = _("Alarms")

    def off_hint(self) -> str:
        return _("Live updates are off")

    def forbidden_hint(self) -> str:
        return _("Start the wallboard with a shift lead's token.")

    def show_state(self) -> None:
        state = self.state
        live = state.live
        if live is None:
            return
        total = live.total
        self.query_one("#wall-open", WallFigure).show(
            total.open, _("oldest waiting {age}").format(age=wait_in_words(total.oldest_waiting_seconds)))
        self.query_one("#wall-unassigned", WallFigure).show(total.unassigned)
        self.query_one("#wall-at-risk", WallFigure).show(
            total.sla_at_risk, level="warning" if total.sla_at_risk else "ok")
        self.query_one("#wall-breached", WallFigure).show(
            total.sla_breached, level="alarm" if total.sla_breached else "ok")
        for queue in self.desk.queues:
            counts = state.queue_counts(queue.id)
            if counts is None:
                continue
            level = state.level(queue.id)
            badge = level_badge(state.checks(queue.id), level)
            detail = _("{unassigned} unassigned · oldest {age}").format(
                unassigned=counts.unassigned, age=wait_in_words(counts.oldest_waiting_seconds))
            self.query_one(f"#wall-queue-{queue.id}", WallFigure).show(counts.open, detail, level, badge)
        self.query_one(AlarmLog).show(state.alarms, configured=bool(state.thresholds))
