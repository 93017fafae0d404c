"""`?`: the bindings of the screen underneath, with their ids (for `[keymap]` in the config)."""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.widgets.colour_legend import ColourLegend
from supportdesk_tui.widgets.relabel import Caption


def format_key(key: str) -> str:
    return key.replace("question_mark", "?").replace("ctrl+", "Ctrl+").replace("shift+", "Shift+")


@runtime_checkable
class ExplainsKeys(Protocol):
    """A screen with more to say than its key list (e.g. how to move in a panel it shows)."""

    def help_notes(self) -> list[str]: ...


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 96; max-width: 100%; height: auto; max-height: 96%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; padding: 1 0 0 0; }
    HelpScreen #help-hint { color: $text-muted; padding-bottom: 1; }
    HelpScreen .help-note { padding-bottom: 1; }
    HelpScreen DataTable { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", N_("Close"), id="help.close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        # One scrolling box: on a small terminal the keys come first and the rest follows below,
        # rather than every part squeezed until the key list has no room left.
        with VerticalScroll(id="help-box"):
            yield Caption(N_("Keyboard help"), id="help-title")
            yield Caption(N_("Remap any key in the config file: [keymap] <id> = \"key\". "
                             "Single keys also work with the Russian layout."), id="help-hint")
            if isinstance(self.under, ExplainsKeys):
                for note in self.under.help_notes():
                    # Key names in a note can come from the user's keymap: literal text.
                    yield Static(safe_text(note), classes="help-note")
            yield DataTable(cursor_type="none", zebra_stripes=True)
            yield ColourLegend(id="help-legend")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.can_focus = False
        self._fill(table)
        self.query_one("#help-box").focus()

    def relabel(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._fill(table)

    def _fill(self, table: DataTable[Text]) -> None:
        table.add_columns(_("Key"), _("Action"), _("Binding id"))
        rows: list[tuple[int, str, str, str]] = []
        seen: set[str] = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            ident = binding.id or ""
            # Layout twins are `system` bindings; Textual's own scrolling keys have no namespaced id.
            if binding.system or not binding.description or "." not in ident:
                continue
            if (marker := f"{ident}\0{key}") in seen:
                continue
            seen.add(marker)
            order = 1 if ident.startswith(("app.", "screen.")) else 0
            rows.append((order, format_key(binding.key_display or key), _(binding.description), ident))
        for _order, key_label, description, ident in sorted(rows, key=lambda row: row[0]):
            # A str cell is parsed as markup; keys and ids can come from the user's keymap.
            table.add_row(*(safe_text(cell, single_line=True) for cell in (key_label, description, ident)))
