"""Showing the interface in another language without rebuilding it.

Text drawn in `render()` (the key bar, the ticket table, the ticket header, the dashboard
panels) goes through `_()` as it is drawn, so a repaint is enough. Text a widget stored when it
was composed — a `Static`'s content, a border title, a placeholder, a column header — is set
again by that widget's own `relabel()`, from the state it already holds. Nothing is recomposed:
the composer's text, scroll positions, cursors and the open ticket stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable
from weakref import WeakKeyDictionary

from rich.console import RenderableType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Select, Static
from textual.widgets._select import SelectCurrent  # no public way to its placeholder
from textual.widgets.data_table import ColumnKey

from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import _, current_language


@runtime_checkable
class Relabels(Protocol):
    """A screen or widget holding labels it translated when it was built."""

    def relabel(self) -> None:
        """Set those labels again in the current language."""


def relabel_tree(root: DOMNode) -> None:
    """`root` and everything under it in the current language."""
    nodes = root.walk_children(with_self=True)
    for node in nodes:
        if isinstance(node, Relabels):
            node.relabel()
    for node in nodes:
        if isinstance(node, Widget) and node.is_mounted:
            # Translated text is usually longer or shorter: sizes measured from the old text go.
            node.clear_cached_dimensions()
            node.refresh(layout=True)


class ScreenLanguages:
    """Keeps every screen in the language of the moment.

    A switch relabels the screens of the stack at once. A screen kept aside (the installed queue
    while the dashboard shows) catches up when it is shown again: the app calls `screen_shown`
    from `App.screen_change_signal`.
    """

    def __init__(self) -> None:
        self._shown_in: WeakKeyDictionary[Screen[Any], str] = WeakKeyDictionary()

    def screen_shown(self, screen: Screen[Any]) -> None:
        language = current_language()
        if self._shown_in.get(screen, language) != language:
            relabel_tree(screen)
        self._shown_in[screen] = language

    def language_switched(self, screens: Iterable[Screen[Any]]) -> None:
        language = current_language()
        for screen in screens:
            relabel_tree(screen)
            self._shown_in[screen] = language


class Caption(Static):
    """A fixed piece of UI text (a title, a field label), in whichever language is current."""

    def __init__(self, message: str, *, id: str | None = None, classes: str | None = None) -> None:
        """`message` is the untranslated text, marked with `N_()` where it is written."""
        self.message = message
        super().__init__(safe_text(_(message)), id=id, classes=classes)

    def relabel(self) -> None:
        self.update(safe_text(_(self.message)))


def relabel_select(select: Select[Any], options: Iterable[tuple[RenderableType, Any]], *,
                   prompt: str | None = None) -> None:
    """The same choices under new labels (and a new prompt); the choice stays, and no
    `Select.Changed` is posted (nothing changed for the form)."""
    current = select.query_one(SelectCurrent)
    if prompt is not None:
        select.prompt = prompt
        current.placeholder = prompt  # the closed control's own copy, taken when it was composed
    value = select.value
    choices = list(options)
    with select.prevent(Select.Changed):
        select.set_options(choices)
        select.value = value
    # A value that ends up unchanged is not drawn again by the watcher: draw it here.
    current.update(next((label for label, choice in choices if choice == value), Select.NULL))


def relabel_columns(table: DataTable[Any], titles: dict[str, str]) -> None:
    """Column key → untranslated title: each title again in the current language (fixed widths)."""
    for key, title in titles.items():
        table.columns[ColumnKey(key)].label = safe_text(_(title))
    table.notify_style_update()  # drops the table's rendered-line caches
