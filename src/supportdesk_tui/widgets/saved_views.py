"""The agent's saved views with their live counts, under the queues in the sidebar.

Choosing one posts `Chosen(index)`; shift+↑/↓ post `MoveRequested(index, delta)` and the screen
reorders (and saves) the list. The counts are set from above (`set_counts`): this widget never
asks the server anything.
"""

from __future__ import annotations

from collections.abc import Sequence
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

from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.domain.saved_views import SavedView
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.widgets.relabel import Caption


class SavedViewsList(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("shift+up", "move(-1)", N_("Move view up"), id="views.move_up"),
        Binding("shift+down", "move(1)", N_("Move view down"), id="views.move_down"),
        Binding("delete", "remove", N_("Remove view"), id="views.remove", show=False),
    ])
    DEFAULT_CSS = """
    SavedViewsList { height: auto; max-height: 14; background: $panel; }
    SavedViewsList > .saved-views--title { color: $text-muted; text-style: bold; padding: 0 1; height: 1; }
    SavedViewsList > OptionList {
        height: auto; max-height: 12; border: none; background: $panel; padding: 0;
    }
    SavedViewsList > OptionList:focus { border: none; }
    SavedViewsList > OptionList > .option-list--option { padding: 0 1; }
    """

    @dataclass
    class Chosen(Message):
        views: SavedViewsList
        index: int

        @property
        def control(self) -> SavedViewsList:
            return self.views

    @dataclass
    class MoveRequested(Message):
        views: SavedViewsList
        index: int
        delta: int

        @property
        def control(self) -> SavedViewsList:
            return self.views

    @dataclass
    class RemoveRequested(Message):
        views: SavedViewsList
        index: int

        @property
        def control(self) -> SavedViewsList:
            return self.views

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: list[SavedView] = []
        self.counts: list[int | None] = []
        self.display = False  # until there is a view to show

    def compose(self) -> ComposeResult:
        yield Caption(N_("Views"), classes="saved-views--title")
        yield OptionList(id="view-options")

    def on_mount(self) -> None:
        self._rebuild()

    def relabel(self) -> None:
        self._rebuild()

    @property
    def options(self) -> OptionList:
        return self.query_one("#view-options", OptionList)

    def set_views(self, views: Sequence[SavedView]) -> None:
        """A new list: counts unknown until the next `set_counts`."""
        self._views = list(views)
        self.counts = [None] * len(self._views)
        self.display = bool(self._views)
        if self.is_mounted:
            self._rebuild()

    def set_counts(self, counts: Sequence[int | None]) -> None:
        if len(counts) != len(self._views):
            return  # an answer about a list that has changed since
        self.counts = list(counts)
        if self.is_mounted:
            self._rebuild()

    def highlight(self, index: int) -> None:
        if 0 <= index < self.options.option_count:
            self.options.highlighted = index

    def _rebuild(self) -> None:
        options = self.options
        keep = options.highlighted
        options.clear_options()
        options.add_options([Option(self._prompt(n, view), id=str(n)) for n, view in enumerate(self._views)])
        if keep is not None and self._views:
            options.highlighted = min(keep, len(self._views) - 1)

    def _prompt(self, index: int, view: SavedView) -> Text:
        count = self.counts[index] if index < len(self.counts) else None
        text = Text(no_wrap=True, overflow="ellipsis")
        if index < 9:
            text.append(f"{index + 1} ", style="dim")
        text.append(one_line(view.name), style="bold")
        text.append("  " + ("…" if count is None else str(count)), style="dim")
        return text

    def action_move(self, delta: int) -> None:
        index = self.options.highlighted
        if index is not None:
            self.post_message(self.MoveRequested(self, index, delta))

    def action_remove(self) -> None:
        index = self.options.highlighted
        if index is not None:
            self.post_message(self.RemoveRequested(self, index))

    @on(OptionList.OptionSelected, "#view-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self, int(event.option.id or 0)))

    def describe(self) -> str:
        """Plain text of the list as shown (for tests and screen readers)."""
        return "\n".join(str(self._prompt(n, v)) for n, v in enumerate(self._views)) or _("No views")
