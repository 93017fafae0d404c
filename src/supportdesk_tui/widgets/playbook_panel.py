"""The playbook checklist shown beside the thread for account tickets.

The panel only shows state and announces intent: ticking a step posts `StepTicked`
(with the *names* of the evidence fields filled, never their values) and an action
step posts `ActionRequested`; the screen talks to the API and calls `mark_done` /
`show_refusal` back. Steps and hints come from the backend, so they are rendered
from plain strings, never markup.

Driving it: `j`/`k` (the conversation screen's keys) move between steps; space (or enter)
ticks the step or asks for its action; a step with evidence wants every field filled first,
and enter in a field goes on to the next empty one, then ticks; escape leaves a field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from supportdesk_tui.contract.models import AccountAction, Language, Playbook, PlaybookStep
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text
from supportdesk_tui.i18n import N_, _, gettext_in
from supportdesk_tui.i18n.labels import evidence_field_label
from supportdesk_tui.i18n.times import date_time

__all__ = ["DoneMark", "PlaybookPanel", "StepRow", "step_title"]


def step_title(step: PlaybookStep, language: Language) -> str:
    """The step in the ticket's language, else whichever language the backend has."""
    return step.title.get(language) or next(iter(step.title.values()), step.id)


def _hint(step: PlaybookStep, language: Language) -> str:
    return step.hint.get(language) or ""


@dataclass(frozen=True)
class DoneMark:
    """Who recorded a step or did an action, and when: from the server's audit trail."""

    who: str
    at: datetime


class StepRow(Vertical, can_focus=True):
    """One step: a tick box, the title, evidence inputs, and for actions why they are refused."""

    DEFAULT_CSS = """
    StepRow { height: auto; padding: 0 1; border-left: blank; }
    StepRow:focus-within { border-left: thick $accent 50%; }
    StepRow:focus { background: $accent 25%; border-left: thick $accent; }
    StepRow .step-title { height: auto; }
    StepRow .step-hint { height: auto; color: $text-muted; }
    StepRow .step-done { height: auto; color: $text-success; }
    StepRow .step-problem { height: auto; color: $text-warning; }
    StepRow .step-refusal { height: auto; color: $warning; }
    StepRow .step-label { height: auto; color: $text-muted; margin-left: 4; }
    StepRow Input { height: 1; border: none; padding: 0 1; background: $panel; margin-left: 4; }
    StepRow Input:focus { border: none; background: $accent 30%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "tick", N_("Tick step"), id="playbook.tick"),
        Binding("escape", "leave_field", N_("Back to the step"), id="playbook.leave_field", show=False),
    ]

    def __init__(self, step: PlaybookStep, language: Language) -> None:
        super().__init__(id=f"step-{step.id}")
        self.step = step
        self.language = language
        self.done = False
        self.mark: DoneMark | None = None
        self.refusal = ""
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), classes="step-title")
        yield Static(self._done_text(), classes="step-done")
        hint = self._hint_text()
        if hint:
            yield Static(hint, classes="step-hint")
        for name in self.step.evidence_fields:
            label = evidence_field_label(name, self.language)
            yield Static(Text(one_line(label)), classes="step-label")
            yield Input(classes="step-evidence", name=name, tooltip=safe_text(label, single_line=True))
        yield Static("", classes="step-problem")
        if self.step.action is not None:
            yield Static("", classes="step-refusal")

    def on_mount(self) -> None:
        self._show_done()
        self.set_problem("")

    def _title_text(self) -> Text:
        text = Text(no_wrap=False)
        if self.step.action is not None:
            text.append("▶ " if not self.done else "✔ ", style="bold")
        else:
            text.append("[x] " if self.done else "[ ] ", style="bold")
        text.append(one_line(step_title(self.step, self.language)),
                    style="dim" if self.done else "")
        return text

    def _hint_text(self) -> Text:
        # The kind of step leads its own line, in the step's language: appended to the title it
        # was wrapped into the title's last word and read as part of it.
        text = Text()
        if self.step.verification:
            text.append(gettext_in(self.language, N_("identity check")), style="italic")
        hint = _hint(self.step, self.language)
        if hint:
            if text:
                text.append(" · ")
            text.append(one_line(hint))
        return text

    def _done_text(self) -> Text:
        if not self.done or self.mark is None:
            return Text()
        if self.step.action is not None:
            sentence = _("Done by {who}, {when}")
        else:
            sentence = _("Checked by {who}, {when}")
        return safe_format(sentence, who=self.mark.who, when=date_time(self.mark.at))

    def _show_done(self) -> None:
        for box in self.query(".step-done").results(Static):
            box.update(self._done_text())
            box.display = self.done and self.mark is not None
        # A recorded check keeps no evidence (its values never leave the app): no empty boxes.
        for field in self.query(".step-label, .step-evidence"):
            field.display = not self.done

    def filled_fields(self) -> list[str]:
        return [str(i.name) for i in self.evidence_inputs() if i.value.strip()]

    def evidence_inputs(self) -> list[Input]:
        return list(self.query(".step-evidence").results(Input))

    def empty_inputs(self) -> list[Input]:
        return [i for i in self.evidence_inputs() if not i.value.strip()]

    def set_done(self, done: bool, mark: DoneMark | None = None) -> None:
        self.done = done
        self.mark = mark if done else None
        if self.is_mounted:
            self.query_one(".step-title", Static).update(self._title_text())
            self._show_done()
            if done:
                self.set_problem("")

    def relabel(self) -> None:
        self.set_done(self.done)

    def set_refusal(self, reason: str) -> None:
        self.refusal = reason
        for box in self.query(".step-refusal").results(Static):
            box.update(safe_text(reason))

    def set_problem(self, problem: str) -> None:
        """What stops this step from being ticked ("" clears it), shown under the step."""
        self.problem = problem
        for box in self.query(".step-problem").results(Static):
            box.update(safe_text(problem))
            box.display = bool(problem)

    def action_tick(self) -> None:
        panel = next((a for a in self.ancestors if isinstance(a, PlaybookPanel)), None)
        if panel is not None:
            panel.tick(self)

    def action_leave_field(self) -> None:
        if not isinstance(self.screen.focused, Input) or self.screen.focused not in self.evidence_inputs():
            raise SkipAction()  # escape elsewhere keeps its meaning (leave the ticket)
        self.focus()

    @on(Input.Submitted, ".step-evidence")
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        empty = self.empty_inputs()
        if empty:
            empty[0].focus()
            return
        self.focus()
        self.action_tick()

    @on(Input.Changed, ".step-evidence")
    def _field_changed(self, event: Input.Changed) -> None:
        if self.problem and not self.empty_inputs():
            self.set_problem("")


class PlaybookPanel(VerticalScroll, can_focus=False):
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
        """The agent asked for an account action; `previously` says who already did it, and when."""

        panel: PlaybookPanel
        step: PlaybookStep
        action: AccountAction
        previously: DoneMark | None = None

        @property
        def control(self) -> PlaybookPanel:
            return self.panel

    def __init__(self, playbook: Playbook, language: Language, *, done: Iterable[str] = (),
                 marks: Mapping[str, DoneMark] | None = None,
                 id: str | None = "playbook-panel") -> None:
        super().__init__(id=id)
        self.playbook = playbook
        self.language = language
        self._marks = dict(marks or {})
        self._done = set(done) | set(self._marks)
        self.leaving = False
        """Its ticket was left and it is being removed (that completes after the next ticket shows)."""

    def compose(self) -> ComposeResult:
        title = self.playbook.title.get(self.language) or next(iter(self.playbook.title.values()), "")
        yield Static(Text(one_line(title)), id="playbook-title")
        for step in self.playbook.steps:
            row = StepRow(step, self.language)
            row.done = step.id in self._done
            row.mark = self._marks.get(step.id)
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

    # --- moving -------------------------------------------------------------------

    def focus_step(self, row: StepRow | None = None) -> None:
        """Focus `row`, else the step the agent was on, else the first one still to do."""
        rows = self.rows()
        if row is None:
            row = next((r for r in rows if r.has_focus_within), None) \
                or next((r for r in rows if not r.done), None) or (rows[0] if rows else None)
        if row is not None:
            row.focus()
            row.scroll_visible()

    def move(self, delta: int) -> None:
        """Focus the step `delta` steps on from the focused one (from outside: the first to do)."""
        rows = self.rows()
        if not rows:
            return
        current = next((i for i, r in enumerate(rows) if r.has_focus_within), None)
        if current is None:
            self.focus_step()
            return
        self.focus_step(rows[max(0, min(len(rows) - 1, current + delta))])

    # --- ticking --------------------------------------------------------------------

    def tick(self, row: StepRow) -> None:
        step = row.step
        if step.action is not None:
            self.post_message(self.ActionRequested(self, step, step.action, self._marks.get(step.id)))
            return
        if row.done:
            row.set_problem(_("Already recorded."))
            return
        empty = row.empty_inputs()
        if empty:
            names = ", ".join(evidence_field_label(str(i.name), self.language) for i in empty)
            row.set_problem(_("Fill in {fields} first: a check counts only with its evidence.").format(
                fields=names))
            empty[0].focus()
            return
        row.set_problem("")
        self.post_message(self.StepTicked(self, step, row.filled_fields()))

    def mark_done(self, step_id: str, mark: DoneMark | None = None) -> None:
        """Called once the server recorded the step (`mark`: who and when, as the server has it)."""
        self._done.add(step_id)
        if mark is not None:
            self._marks[step_id] = mark
        for row in self.rows():
            if row.step.id == step_id:
                row.set_done(True, self._marks.get(step_id))
        self._update_refusals()

    def mark_undone(self, step_id: str) -> None:
        """The step's effect was undone (a scheduled deletion cancelled): it can be done again."""
        self._done.discard(step_id)
        self._marks.pop(step_id, None)
        for row in self.rows():
            if row.step.id == step_id:
                row.set_done(False)
        self._update_refusals()

    def steps_with_action(self, action: AccountAction) -> list[str]:
        return [s.id for s in self.playbook.steps if s.action is action]

    def show_refusal(self, missing_steps: Iterable[str]) -> None:
        """The server refused an action: name the steps still to verify on every action step."""
        by_id = {s.id: s for s in self.playbook.steps}
        names = [step_title(by_id[i], self.language) if i in by_id else i for i in missing_steps]
        self._set_refusal(self._refusal_sentence(names))

    def _update_refusals(self) -> None:
        missing = self.missing_verification()
        if missing:
            self._set_refusal(self._refusal_sentence([step_title(s, self.language) for s in missing]))
        else:
            self._set_refusal("")

    def _refusal_sentence(self, step_names: list[str]) -> str:
        # In the ticket's language, like the step names it lists.
        sentence = gettext_in(self.language, N_("Refused until verified: {steps}"))
        return sentence.format(steps=", ".join(step_names))

    def _set_refusal(self, reason: str) -> None:
        for row in self.rows():
            if row.step.action is not None:
                row.set_refusal(reason)
