"""One big number for the wallboard: a label, the figure in large digits, a detail line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from supportdesk_tui.domain.dashboard_state import Level
from supportdesk_tui.domain.safe_text import one_line, safe_text


class WallFigure(Vertical):
    DEFAULT_CSS = """
    WallFigure { height: auto; border: round $panel-lighten-2; padding: 0 1;
                 border-title-style: bold; border-title-color: $text; }
    WallFigure > Digits { width: auto; }
    WallFigure > .wall-figure--detail { color: $text-muted; height: 1; }
    WallFigure.-warning { border: heavy $alarm-warning; }
    WallFigure.-warning > Digits { color: $alarm-warning; }
    WallFigure.-alarm { border: heavy $alarm-critical; background: $alarm-critical 15%; }
    WallFigure.-alarm > Digits { color: $alarm-critical; }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.value: int | None = None

    def compose(self) -> ComposeResult:
        yield Digits("—")
        yield Static(classes="wall-figure--detail")

    def on_mount(self) -> None:
        self.border_title = safe_text(self.label, single_line=True)

    def rename(self, label: str) -> None:
        self.label = label
        self.border_title = safe_text(label, single_line=True)

    def show(self, value: int, detail: str = "", level: Level = "ok", badge: str = "") -> None:
        self.value = value
        self.query_one(Digits).update(str(value))
        self.query_one(".wall-figure--detail", Static).update(Text(one_line(detail)))
        self.set_class(level == "warning", "-warning")
        self.set_class(level == "alarm", "-alarm")
        self.border_subtitle = safe_text(badge, single_line=True)
