"""Small keyboard modals that return typed results: pick one of a list, or type a line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from supportdesk_tui.domain.safe_text import one_line, safe_text
from supportdesk_tui.i18n import N_, _

T = TypeVar("T")

_MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; height: auto; max-height: 80%; border: round $primary; background: $surface; padding: 0 1;
}}
{name} .modal-title {{ text-style: bold; padding: 1 0 0 0; }}
{name} .modal-hint {{ color: $text-muted; padding-bottom: 1; }}
{name} .modal-error {{ color: $error; }}
"""


class ChoiceModal(ModalScreen[T | None], Generic[T]):
    """Choose one value; enter picks, escape cancels (returns None)."""

    DEFAULT_CSS = (_MODAL_CSS.format(name="ChoiceModal")
                   + "ChoiceModal OptionList { height: auto; max-height: 20; }")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"), id="modal.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[T, str]], *, current: T | None = None,
                 hint: str = "") -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)
        self._current = current
        self._hint = hint or _("↑/↓ to move, enter to choose, esc to cancel")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self._title), classes="modal-title")
            yield Static(safe_text(self._hint), classes="modal-hint")
            yield OptionList(*[Option(safe_text(label, single_line=True), id=str(i))
                               for i, (_value, label) in enumerate(self._choices)])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, (value, _label) in enumerate(self._choices):
            if value == self._current:
                options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self._choices[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPromptModal(ModalScreen[str | None]):
    """Type one line (e.g. tags); enter confirms, escape cancels."""

    DEFAULT_CSS = _MODAL_CSS.format(name="TextPromptModal")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"), id="modal.cancel")]

    def __init__(self, title: str, *, value: str = "", hint: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._hint = hint
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self._title), classes="modal-title")
            if self._hint:
                yield Static(safe_text(self._hint), classes="modal-hint")
            yield Input(value=self._value, placeholder=self._placeholder)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A question with the facts behind it; y/enter confirms, n/escape declines."""

    DEFAULT_CSS = _MODAL_CSS.format(name="ConfirmModal") + "ConfirmModal > Vertical { width: 80; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", N_("Yes"), id="modal.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="modal.no"),
    ]

    def __init__(self, title: str, body: Text, *, question: str) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self._title), classes="modal-title")
            yield Static(self._body)
            yield Static(Text(one_line(self._question) + "  [y/n]"), classes="modal-hint")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
