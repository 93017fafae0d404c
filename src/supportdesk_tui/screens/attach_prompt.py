"""Asks for the path of a file to attach to the reply, completing it as it is typed.

The suggestion (the rest of the path, dimmed) is taken with Tab or →; Enter attaches the file if
it is a readable regular file within the size limit; an empty Enter removes the files already
attached. Dismisses with the path, `DETACH`, or None.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from supportdesk_tui.contract.models import ATTACHMENT_MAX_BYTES
from supportdesk_tui.domain.path_completion import complete_path, path_choices
from supportdesk_tui.domain.safe_text import safe_format, safe_text
from supportdesk_tui.i18n import N_, _, ngettext

DETACH = Path()  # the answer "remove the attached files"
MAX_CHOICES_SHOWN = 40

__all__ = ["DETACH", "AttachPrompt"]


class PathSuggester(Suggester):
    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


def _problem(path: Path) -> str | None:
    try:
        if not path.is_file():
            return _("No such file.")
        if path.stat().st_size > ATTACHMENT_MAX_BYTES:
            return _("The file is over {limit} MiB.").format(limit=ATTACHMENT_MAX_BYTES // (1024 * 1024))
        with path.open("rb"):
            pass
    except OSError:
        return _("The file can't be read.")
    return None


class AttachPrompt(ModalScreen[Path | None]):
    DEFAULT_CSS = """
    AttachPrompt { align: center middle; }
    AttachPrompt > #attach-box {
        width: 90%; max-width: 110; height: auto; border: round $primary; background: $surface;
        padding: 0 1; border-title-color: $primary; border-subtitle-color: $text-muted;
    }
    AttachPrompt #attach-problem { height: auto; color: $error; }
    AttachPrompt #attach-choices { height: auto; max-height: 6; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="attach.cancel"),
        Binding("tab", "complete", N_("Complete the path"), id="attach.complete", show=False),
    ]

    def __init__(self, *, attached: int = 0) -> None:
        super().__init__()
        self.attached = attached

    def compose(self) -> ComposeResult:
        with Vertical(id="attach-box"):
            yield Input(placeholder="~/Downloads/screenshot.png", suggester=PathSuggester(), id="attach-path")
            choices = Static("", id="attach-choices")
            choices.display = False
            yield choices
            yield Static("", id="attach-problem")

    def on_mount(self) -> None:
        box = self.query_one("#attach-box")
        box.border_title = _("Attach a file to the reply")
        hint = _("tab completes · enter attaches · esc cancels")
        if self.attached:
            hint += " · " + _("empty enter removes the {n} attached").format(n=self.attached)
        box.border_subtitle = hint
        self.query_one(Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_complete(self) -> None:
        field = self.query_one(Input)
        completed = complete_path(field.value)
        if completed is not None:
            field.value = completed
            field.cursor_position = len(completed)
            return
        # Nothing more to add: where the names part ways, show them, as a shell's second Tab does.
        choices = path_choices(field.value)
        shown = "   ".join(choices[:MAX_CHOICES_SHOWN])
        if len(choices) > MAX_CHOICES_SHOWN:
            more = len(choices) - MAX_CHOICES_SHOWN
            shown += "   … " + ngettext("and {n} more", "and {n} more", more).format(n=more)
        self._show_choices(shown if len(choices) > 1 else "")

    @on(Input.Changed, "#attach-path")
    def _typed(self) -> None:
        self._show_choices("")

    def _show_choices(self, text: str) -> None:
        shown = self.query_one("#attach-choices", Static)
        shown.update(safe_text(text))
        shown.display = bool(text)  # the prompt keeps its old height until there is something to list

    @on(Input.Submitted, "#attach-path")
    def _submitted(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            self.dismiss(DETACH if self.attached else None)
            return
        path = Path(typed).expanduser()
        problem = _problem(path)
        if problem is not None:
            self.query_one("#attach-problem", Static).update(safe_format("{path}: {problem}", path=typed,
                                                                         problem=problem))
            return
        self.dismiss(path.resolve())
