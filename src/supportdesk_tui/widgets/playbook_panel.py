"""The playbook checklist shown beside the thread for account tickets.

The panel only shows state and announces intent: ticking a step posts `StepTicked`
(with the *names* of the evidence fields filled, never their values) and an action
step posts `ActionRequested`; the screen talks to the API and calls `mark_done` /
`show_refusal` back. Steps and hints come from the backend, so they are rendered
from plain strings, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from supportdesk_tui.contract.models import AccountAction, Language, Playbook, PlaybookStep
from supportdesk_tui.domain.safe_text import one_line, safe_text
from supportdesk_tui.i18n import N_, _

__all__ = ["PlaybookPanel", "StepRow", "step_title"]


def step_title(step: PlaybookStep, language: Language) -> str:
    """The step in the ticket's language, else whichever language the backend has."""
    return step.title.get(language) or next(iter(step.title.values()), step.id)


def _hint(step: PlaybookStep, language: Language) -> str:
    return step.hint.get(language) or ""


class StepRow(Vertical, can_focus=True):
    """One step: a tick box, the title, evidence inputs, and for actions why they are refused."""

    DEFAULT_CSS = """
    StepRow { height: auto; padding: 0 1; }
    StepRow:focus { background: $boost; }
    StepRow .step-title { height: auto; }
    StepRow .step-hint { height: auto; color: $text-muted; }
    StepRow .step-refusal { height: auto; color: $warning; }
    StepRow Input { height: 1; border: none; padding: 0 1; background: $panel; margin-left: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", N_("Tick step"), id="playbook.tick"),
    ]

    def __init__(self, step: PlaybookStep, language: Language) -> None:
        super().__init__(id=f"step-{step.id}")
        self.step = step
        self.language = language
        self.done = False
        self.refusal = ""

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), classes="step-title")
        hint = _hint(self.step, self.language)
        if hint:
            yield Static(Text(one_line(hint)), classes="step-hint")
        for name in self.step.evidence_fields:
            yield Input(placeholder=one_line(name), classes="step-evidence", name=name)
        if self.step.action is not None:
            yield Static("", classes="step-refusal")

    def _title_text(self) -> Text:
        text = Text(no_wrap=False)
        if self.step.action is not None:
            text.append("▶ " if not self.done else "✔ ", style="bold")
        else:
            text.append("[x] " if self.done else "[ ] ", style="bold")
        text.append(one_line(step_title(self.step, self.language)),
                    style="dim" if self.done else "")
        if self.step.verification and not self.done:
            text.append("  " + _("verification"), style="italic dim")
        return text

    def filled_fields(self) -> list[str]:
        return [str(i.name) for i in self.query(".step-evidence").results(Input) if i.value.strip()]

    def set_done(self, done: bool) -> None:
        self.done = done
        if self.is_mounted:
            self.query_one(".step-title", Static).update(self._title_text())

    def relabel(self) -> None:
        self.set_done(self.done)

    def set_refusal(self, reason: str) -> None:
        self.refusal = reason
        for box in self.query(".step-refusal").results(Static):
            box.update(safe_text(reason))

    def action_tick(self) -> None:
        panel = next((a for a in self.ancestors if isinstance(a, PlaybookPanel)), None)
        if panel is not None:
            panel.tick(self)


class PlaybookPanel(VerticalScroll):
    DEFAULT_CSS = """
    PlaybookPanel { width: 42; height: 1fr; border-left: vkey $panel; }
    PlaybookPanel #playbook-title { height: auto; padding: 0 1; text-style: bold; color: $primary; }
    """

    @dataclass
    class StepTicked(Message):
        """A check/evidence/reply step was completed; `evidence_fields` are names, never values."""

        panel: PlaybookPanel
        step: PlaybookStep
        evidence_fields: list[str]

        @property
        def control(self) -> PlaybookPanel:
            return self.panel

    @dataclass
    class ActionRequested(Message):
        panel: PlaybookPanel
        step: PlaybookStep
        action: AccountAction

        @property
        def control(self) -> PlaybookPanel:
            return self.panel

    def __init__(self, playbook: Playbook, language: Language, *, done: Iterable[str] = (),
                 id: str | None = "playbook-panel") -> None:
        super().__init__(id=id)
        self.playbook = playbook
        self.language = language
        self._done = set(done)

    def compose(self) -> ComposeResult:
        title = self.playbook.title.get(self.language) or next(iter(self.playbook.title.values()), "")
        yield Static(Text(one_line(title)), id="playbook-title")
        for step in self.playbook.steps:
            row = StepRow(step, self.language)
            row.done = step.id in self._done
            yield row

    def on_mount(self) -> None:
        self._update_refusals()

    def relabel(self) -> None:
        self._update_refusals()

    @property
    def done_steps(self) -> frozenset[str]:
        return frozenset(self._done)

    def missing_verification(self) -> list[PlaybookStep]:
        return [s for s in self.playbook.steps if s.verification and s.id not in self._done]

    def rows(self) -> list[StepRow]:
        return list(self.query(StepRow).results(StepRow))

    def tick(self, row: StepRow) -> None:
        step = row.step
        if step.action is not None:
            self.post_message(self.ActionRequested(self, step, step.action))
            return
        if row.done:
            return
        self.post_message(self.StepTicked(self, step, row.filled_fields()))

    def mark_done(self, step_id: str) -> None:
        """Called once the server recorded the step."""
        self._done.add(step_id)
        for row in self.rows():
            if row.step.id == step_id:
                row.set_done(True)
        self._update_refusals()

    def show_refusal(self, missing_steps: Iterable[str]) -> None:
        """The server refused an action: name the steps still to verify on every action step."""
        by_id = {s.id: s for s in self.playbook.steps}
        names = [step_title(by_id[i], self.language) if i in by_id else i for i in missing_steps]
        self._set_refusal(_("Refused until verified: {steps}").format(steps=", ".join(names)))

    def _update_refusals(self) -> None:
        missing = self.missing_verification()
        if missing:
            names = ", ".join(step_title(s, self.language) for s in missing)
            self._set_refusal(_("Refused until verified: {steps}").format(steps=names))
        else:
            self._set_refusal("")

    def _set_refusal(self, reason: str) -> None:
        for row in self.rows():
            if row.step.action is not None:
                row.set_refusal(reason)
