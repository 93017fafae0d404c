"""The cold-start baseline: a trivial Textual app that paints one label and nothing else."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label

READY_TEXT = "BENCH-TRIVIAL-READY"


class TrivialApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(READY_TEXT)


if __name__ == "__main__":
    TrivialApp().run()
