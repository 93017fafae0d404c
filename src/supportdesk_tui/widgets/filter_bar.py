"""The query line (`status:open lang:ru priority:urgent …`); parsing belongs to the screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import N_, _

PLACEHOLDER = N_("Filter: status:open priority:urgent lang:ru assignee:me tag:billing text…")


class FilterBar(Vertical):
    """An input for the query language plus one line for the screen's parse error."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel filter edit"), id="filter.cancel"),
        Binding("ctrl+s", "save_view", N_("Save as view"), id="filter.save_view",
                tooltip=N_("Keep this filter under a name in the sidebar (and the config file)")),
    ]

    DEFAULT_CSS = """
    FilterBar { height: auto; padding: 0 1; background: $panel; }
    FilterBar > Input { border: tall $panel-lighten-1; background: $surface; }
    FilterBar > Input:focus { border: tall $primary; }
    FilterBar > #filter-error { color: $error; height: auto; display: none; padding: 0 1; }
    FilterBar.-error > #filter-error { display: block; }
    FilterBar.-error > Input { border: tall $error; }
    """

    @dataclass
    class Submitted(Message):
        """Enter in the input: the screen parses `text` and either applies it or calls `show_error`."""

        filter_bar: FilterBar
        text: str

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    @dataclass
    class Cancelled(Message):
        """Escape: the text went back to the last applied query."""

        filter_bar: FilterBar

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    @dataclass
    class Edited(Message):
        """The text changed (not applied yet): the screen may prepare what enter will show."""

        filter_bar: FilterBar
        text: str

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    @dataclass
    class SaveRequested(Message):
        """ctrl+s in the bar: keep `text` as a saved view (the screen asks for a name)."""

        filter_bar: FilterBar
        text: str

        @property
        def control(self) -> FilterBar:
            return self.filter_bar

    def __init__(
        self,
        value: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._applied = value

    def compose(self) -> ComposeResult:
        yield Input(
            self._applied,
            placeholder=_(PLACEHOLDER),
            id="filter-input",
        )
        yield Static("", id="filter-error")

    def set_shown(self, shown: bool) -> None:
        """Show or hide the bar. Its own display, not a class: a class makes Textual restyle the
        bar, its input and their component styles (≈ 2 ms in the frame of every `/` and esc),
        where the display alone changes nothing but the layout."""
        self.display = shown

    def relabel(self) -> None:
        self.input.placeholder = _(PLACEHOLDER)

    @property
    def input(self) -> Input:
        return self.query_one("#filter-input", Input)

    @property
    def value(self) -> str:
        return self.input.value

    def set_value(self, text: str) -> None:
        """The query now in force (also what escape goes back to)."""
        self._applied = text
        self.input.value = text
        self.clear_error()

    def show_error(self, message: str) -> None:
        # Parse errors quote what the agent typed: shown literally.
        self.query_one("#filter-error", Static).update(Text("⚠ " + one_line(message)))
        self.add_class("-error")

    def clear_error(self) -> None:
        self.remove_class("-error")

    def focus_input(self) -> None:
        self.input.focus()

    def action_save_view(self) -> None:
        self.post_message(self.SaveRequested(self, self.input.value))

    def action_cancel(self) -> None:
        self.input.value = self._applied
        self.clear_error()
        self.post_message(self.Cancelled(self))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._applied = event.value
        self.clear_error()
        self.post_message(self.Submitted(self, event.value))

    @on(Input.Changed, "#filter-input")
    def _edited(self, event: Input.Changed) -> None:
        event.stop()
        if self.input.has_focus:  # typed, not set by the screen
            self.post_message(self.Edited(self, event.value))
