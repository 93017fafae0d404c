"""The agent's queues with live counts; choosing one posts `Selected(queue_id)`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from supportdesk_tui.contract.models import Queue, QueueCounts
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.widgets.relabel import Caption
from supportdesk_tui.widgets.saved_views import SavedViewsList

ALL_QUEUES = "__all__"
"""Option id of the "All my queues" entry; `Selected.queue_id` is `None` for it."""


class QueueSidebar(Vertical):
    """A short list (an agent has a handful of queues), so an `OptionList` is the right tool."""

    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("j", "cursor_down", N_("Next queue"), show=False, id="queues.cursor_down"),
        Binding("k", "cursor_up", N_("Previous queue"), show=False, id="queues.cursor_up"),
    ])

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-sidebar--name",
        "queue-sidebar--count",
        "queue-sidebar--unassigned",
        "queue-sidebar--at-risk",
        "queue-sidebar--breached",
    }

    DEFAULT_CSS = """
    QueueSidebar { width: 32; height: 1fr; background: $panel; }
    QueueSidebar > .queue-sidebar--title { color: $text-muted; text-style: bold; padding: 0 1; height: 1; }
    QueueSidebar > OptionList { height: 1fr; border: none; background: $panel; padding: 0; }
    QueueSidebar > OptionList:focus { border: none; }
    QueueSidebar > OptionList > .option-list--option { padding: 0 1 1 1; }
    QueueSidebar > .queue-sidebar--name { text-style: bold; }
    QueueSidebar > .queue-sidebar--count { color: $text-muted; }
    QueueSidebar > .queue-sidebar--unassigned { color: $status-new; }
    QueueSidebar > .queue-sidebar--at-risk { color: $sla-at-risk; }
    QueueSidebar > .queue-sidebar--breached { color: $sla-breached; text-style: bold; }
    """

    @dataclass
    class Selected(Message):
        """The agent chose a queue; `queue_id` is `None` for "All my queues"."""

        sidebar: QueueSidebar
        queue_id: str | None

        @property
        def control(self) -> QueueSidebar:
            return self.sidebar

    def __init__(
        self,
        queues: Iterable[Queue] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._queues: list[Queue] = list(queues)

    def compose(self) -> ComposeResult:
        yield Caption(N_("Queues"), classes="queue-sidebar--title")
        yield OptionList(id="queue-options")
        yield SavedViewsList(id="saved-views")

    def on_mount(self) -> None:
        self._rebuild()

    def relabel(self) -> None:
        self._rebuild()

    @property
    def options(self) -> OptionList:
        return self.query_one("#queue-options", OptionList)

    @property
    def selected_queue(self) -> str | None:
        index = self.options.highlighted
        if index is None:
            return None
        option_id = self.options.get_option_at_index(index).id
        return None if option_id in (None, ALL_QUEUES) else option_id

    def set_queues(self, queues: Iterable[Queue]) -> None:
        """New list (or new counts): the highlight stays on the same queue."""
        self._queues = list(queues)
        if self.is_mounted:
            self._rebuild()

    update_counts = set_queues

    def highlight_queue(self, queue_id: str | None) -> None:
        target = queue_id or ALL_QUEUES
        try:
            self.options.highlighted = self.options.get_option_index(target)
        except Exception:  # an unknown id: leave the highlight where it is
            return

    def action_cursor_down(self) -> None:
        self.options.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.options.action_cursor_up()

    def _rebuild(self) -> None:
        options = self.options
        keep = self.selected_queue if options.option_count else None
        was_all = options.option_count > 0 and keep is None
        totals = _sum_counts(q.counts for q in self._queues)
        entries = [Option(self._prompt(_("All my queues"), totals), id=ALL_QUEUES)]
        entries += [Option(self._prompt(one_line(q.name), q.counts), id=q.id) for q in self._queues]
        options.clear_options()
        options.add_options(entries)
        if was_all or keep is None:
            options.highlighted = 0
        else:
            self.highlight_queue(keep)

    def _prompt(self, title: str, counts: QueueCounts) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(title, style=self.get_component_rich_style("queue-sidebar--name", partial=True))
        text.append("\n")
        muted = self.get_component_rich_style("queue-sidebar--count", partial=True)
        text.append(_("{n} open").format(n=counts.open), style=muted)
        if counts.unassigned:
            text.append(" · ", style=muted)
            text.append(_("{n} unassigned").format(n=counts.unassigned),
                        style=self.get_component_rich_style("queue-sidebar--unassigned", partial=True))
        if counts.sla_at_risk or counts.sla_breached:
            text.append("\n")
        if counts.sla_at_risk:
            text.append(_("{n} at risk").format(n=counts.sla_at_risk),
                        style=self.get_component_rich_style("queue-sidebar--at-risk", partial=True))
        if counts.sla_breached:
            if counts.sla_at_risk:
                text.append(" · ", style=muted)
            text.append(_("{n} breached").format(n=counts.sla_breached),
                        style=self.get_component_rich_style("queue-sidebar--breached", partial=True))
        return text

    @on(OptionList.OptionSelected, "#queue-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        self.post_message(self.Selected(self, None if option_id in (None, ALL_QUEUES) else option_id))


def _sum_counts(counts: Iterable[QueueCounts]) -> QueueCounts:
    items = list(counts)
    oldest = [c.oldest_waiting_seconds for c in items if c.oldest_waiting_seconds is not None]
    return QueueCounts(
        open=sum(c.open for c in items),
        unassigned=sum(c.unassigned for c in items),
        oldest_waiting_seconds=max(oldest) if oldest else None,
        sla_at_risk=sum(c.sla_at_risk for c in items),
        sla_breached=sum(c.sla_breached for c in items),
    )
