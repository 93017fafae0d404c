"""Who is on shift: state, what each agent is working on, open tickets, time since the last reply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.contract.models import AgentActivity
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import agent_state_label
from supportdesk_tui.i18n.times import time_ago

STATE_ORDER = {"busy": 0, "online": 1, "away": 2, "offline": 3}
STATE_GLYPHS = {"busy": "●", "online": "●", "away": "◐", "offline": "○"}


class AgentsTable(Widget):
    """A rendered table (not a DataTable): a refresh never moves a cursor or the scroll position."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "agents-table--header",
        "agents-table--busy",
        "agents-table--online",
        "agents-table--away",
        "agents-table--offline",
    }
    DEFAULT_CSS = """
    AgentsTable { height: auto; }
    AgentsTable > .agents-table--header { color: $text-muted; text-style: bold; }
    AgentsTable > .agents-table--busy { color: $presence-composing; }
    AgentsTable > .agents-table--online { color: $success; }
    AgentsTable > .agents-table--away { color: $text-muted; }
    AgentsTable > .agents-table--offline { color: $text-disabled; }
    """

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.agents: tuple[AgentActivity, ...] = ()

    def show(self, agents: list[AgentActivity]) -> None:
        ordered = tuple(sorted(agents, key=lambda a: (STATE_ORDER.get(a.state, 9), a.agent.name)))
        if ordered != self.agents:
            # Only a different number of rows changes the height; a new value is a repaint.
            self.refresh(layout=len(ordered) != len(self.agents))
            self.agents = ordered

    def render(self) -> RenderableType:
        header = self.get_component_rich_style("agents-table--header", partial=True)
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style=header, expand=True)
        table.add_column(_("Agent"), no_wrap=True, ratio=3)
        table.add_column(_("State"), no_wrap=True)
        table.add_column(_("Working on"), no_wrap=True, ratio=2)
        table.add_column(_("Open"), justify="right", no_wrap=True)
        table.add_column(_("Last reply"), justify="right", no_wrap=True)
        now = self.clock()
        for activity in self.agents:
            style = self.get_component_rich_style(f"agents-table--{activity.state}", partial=True)
            state = Text(f"{STATE_GLYPHS.get(activity.state, '?')} {agent_state_label(activity.state)}",
                         style=style)
            working = ", ".join(f"#{ticket_id}" for ticket_id in activity.working_on) or "—"
            last = time_ago(activity.last_reply_at, now) if activity.last_reply_at else "—"
            table.add_row(safe_text(activity.agent.name, single_line=True), state, working,
                          str(activity.open_assigned), last)
        if not self.agents:
            table.add_row(_("No agents."), "", "", "", "")
        return table
