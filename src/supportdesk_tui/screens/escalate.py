"""Escalation to engineering: `e` on a conversation loads what the form needs and opens it.

The form is a `ModalScreen[EscalationResult | None]`: it validates per field, creates the
engineering issue itself (so it can show the server's field errors next to the fields) and
returns the created escalation; the conversation then reloads and says the key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from supportdesk_tui.api.client import new_idempotency_key
from supportdesk_tui.api.errors import ApiError, ValidationFailed
from supportdesk_tui.contract.models import Component, Escalation, Message, Severity, Status, Ticket
from supportdesk_tui.domain.escalation_form import (
    AttachableMessage,
    EscalationDraft,
    attachable_messages,
    field_for_server_path,
    prefill,
    to_create,
    validate,
)
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.labels import escalation_status_label, severity_label, status_label
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.widgets._labels import ESCALATION_MARK
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.log_hint import with_log_hint
from supportdesk_tui.widgets.relabel import Caption, relabel_select
from supportdesk_tui.widgets.safe_notify import SafeNotify

if TYPE_CHECKING:
    from supportdesk_tui.api.client import SupportDeskClient
    from supportdesk_tui.screens.base import DeskScreen

MAX_THREAD_PAGES = 5
KEEP_STATUS = "keep"
# Statuses an escalated ticket sensibly moves to; "keep" sends `set_status: null`.
STATUS_CHOICES: tuple[str, ...] = ("on_hold", KEEP_STATUS, "open", "pending", "solved")
# Environment fields: (name, label, placeholder), the texts untranslated until shown.
ENVIRONMENT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("platform", N_("Platform"), N_("e.g. Android 14")),
    ("app_version", N_("App version"), N_("e.g. 8.41.0")),
    ("device", N_("Device"), N_("e.g. Pixel 6")),
)
COMPONENT_PROMPT = N_("Choose a component")
SUMMARY_PLACEHOLDER = N_("One line engineering will see first")


@dataclass(frozen=True, slots=True)
class EscalationResult:
    """What the form created; the server already added the note and set the status."""

    escalation: Escalation
    set_status: Status | None


# --- opening the form ------------------------------------------------------------------------


def start_escalation(screen: DeskScreen, ticket: Ticket | None, on_created: Callable[[], object]) -> None:
    """Load the components and the customer's messages, then open the form over `screen`;
    `on_created` runs once the escalation exists (the conversation reloads the ticket)."""
    if ticket is None:
        screen.notify(_("The ticket is still loading."), severity="warning")
        return
    screen.run_worker(_open_form(screen, ticket, on_created), group="escalate", exclusive=True)


async def _thread(api: SupportDeskClient, ticket_id: int) -> list[Message]:
    messages: list[Message] = []
    cursor: str | None = None
    for _page in range(MAX_THREAD_PAGES):
        page = await api.list_messages(ticket_id, order="asc", page_size=200, after=cursor)
        messages += page.items
        cursor = page.next_cursor
        if not page.has_more or cursor is None:
            break
    return messages


async def _open_form(screen: DeskScreen, ticket: Ticket, on_created: Callable[[], object]) -> None:
    api = screen.desk.api
    try:
        components = await api.components()
        messages = await _thread(api, ticket.id)
    except ApiError as exc:
        screen.notify(safe_text(exc.message), title=exc.title, severity="error")
        return

    def done(result: EscalationResult | None) -> None:
        if result is None:
            return
        screen.notify(safe_format(_("Escalated to engineering as {key}."), key=result.escalation.key),
                      title=_("Escalation created"))
        on_created()

    await screen.app.push_screen(EscalationForm(api, ticket, components, messages), done)


# --- the form --------------------------------------------------------------------------------


class EscalationForm(SafeNotify, ModalScreen[EscalationResult | None]):
    """Every field keyboard-reachable in reading order; ctrl+s escalates, esc cancels."""

    DEFAULT_CSS = """
    EscalationForm { align: center middle; }
    EscalationForm > #escalation-dialog {
        width: 110; max-width: 96%; height: auto; max-height: 96%; border: round $primary;
        background: $surface; border-title-style: bold; border-title-color: $text; padding: 0 1;
    }
    EscalationForm #escalation-fields { height: auto; max-height: 80vh; scrollbar-gutter: stable; }
    EscalationForm .field-row { height: auto; }
    EscalationForm .field { height: auto; width: 1fr; padding-right: 1; }
    EscalationForm .field-label { color: $text-muted; text-style: bold; }
    EscalationForm .field-error { color: $error; display: none; height: auto; }
    EscalationForm .field-error.-shown { display: block; }
    EscalationForm .field-hint { color: $text-muted; }
    EscalationForm #already { color: $warning; padding-bottom: 1; }
    EscalationForm #steps { height: 6; }
    EscalationForm #expected, EscalationForm #actual { height: 4; }
    EscalationForm #messages { height: auto; max-height: 8; }
    EscalationForm #message-preview {
        height: auto; max-height: 6; background: $boost; padding: 0 1; color: $text;
    }
    EscalationForm #status-row { height: auto; }
    EscalationForm #status-row > .field-label { width: auto; padding: 1 1 0 0; }
    EscalationForm #set-status { width: 32; }
    EscalationForm #form-state { height: auto; }
    EscalationForm #form-state.-error { color: $error; }
    EscalationForm.-busy #escalation-fields { opacity: 60%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", N_("Escalate"), id="escalate.submit", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="escalate.cancel"),
    ]

    def __init__(self, api: SupportDeskClient, ticket: Ticket, components: Sequence[Component],
                 messages: Sequence[Message]) -> None:
        super().__init__()
        self._api = api
        self._ticket = ticket
        self._components = list(components)
        self._attachable = attachable_messages(ticket, messages)
        self._initial = prefill(ticket, messages, components)
        # One key for the form's life: a double submit or a retried request creates one issue.
        self._idempotency_key = new_idempotency_key()
        self._busy = False

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        draft = self._initial
        with Vertical(id="escalation-dialog") as dialog:
            dialog.border_title = self._dialog_title()
            with VerticalScroll(id="escalation-fields"):
                if self._ticket.escalation is not None:
                    yield Static(self._already_text(), id="already")
                with Horizontal(classes="field-row"):
                    with Vertical(classes="field"):
                        yield self._label(N_("Component"))
                        yield Select(self._component_options(), prompt=_(COMPONENT_PROMPT), id="component",
                                     value=draft.component or Select.NULL)
                        yield self._error("component")
                    with Vertical(classes="field"):
                        yield self._label(N_("Severity"))
                        yield Select(self._severity_options(), allow_blank=False,
                                     value=draft.severity.value, id="severity")
                        yield self._error("severity")
                yield self._label(N_("Summary"))
                yield Input(draft.summary, id="summary", placeholder=_(SUMMARY_PLACEHOLDER))
                yield self._error("summary")
                yield self._label(N_("Steps to reproduce"))
                yield TextArea(draft.steps, id="steps", soft_wrap=True, show_line_numbers=False)
                yield self._error("steps")
                with Horizontal(classes="field-row"):
                    with Vertical(classes="field"):
                        yield self._label(N_("Expected"))
                        yield TextArea(draft.expected, id="expected", soft_wrap=True)
                        yield self._error("expected")
                    with Vertical(classes="field"):
                        yield self._label(N_("Actual"))
                        yield TextArea(draft.actual, id="actual", soft_wrap=True)
                        yield self._error("actual")
                with Horizontal(classes="field-row"):
                    for name, label, hint in ENVIRONMENT_FIELDS:
                        with Vertical(classes="field"):
                            yield self._label(label)
                            yield Input(getattr(draft, name), id=name.replace("_", "-"), placeholder=_(hint))
                            yield self._error(name)
                yield Static(self._attach_label(), id="attach-label", classes="field-label")
                if self._attachable:
                    yield SelectionList[int](*[self._selection(m, m.id in draft.message_ids)
                                               for m in self._attachable], id="messages")
                    yield Static(id="message-preview")
                else:
                    yield Caption(N_("The customer has written nothing in this thread yet."),
                                  classes="field-hint")
                yield self._error("message_ids")
                with Horizontal(id="status-row"):
                    yield self._label(N_("Then set the ticket to"))
                    yield Select(self._status_options(), allow_blank=False, value="on_hold", id="set-status")
                yield self._error("set_status")
            yield Static(id="form-state")
        yield KeyFooter()

    @staticmethod
    def _label(message: str) -> Caption:
        return Caption(message, classes="field-label")

    def _dialog_title(self) -> Text:
        return safe_format(_("Escalate #{id} to engineering"), id=self._ticket.id)

    def _already_text(self) -> Text:
        already = self._ticket.escalation
        if already is None:
            return Text()
        state = f"{ESCALATION_MARK[already.status]} {escalation_status_label(already.status)}"
        return safe_format(_("Already escalated as {key} ({state}); this creates another issue."),
                           key=already.key, state=state)

    @staticmethod
    def _attach_label() -> Text:
        label = Text(_("Customer messages to attach"))
        label.append("   " + _("space toggles a message; contact details are masked"), style="not bold")
        return label

    def _component_options(self) -> list[tuple[Text, str]]:
        return [(safe_text(c.name, single_line=True), c.id) for c in self._components]

    @staticmethod
    def _severity_options() -> list[tuple[str, str]]:
        return [(severity_label(s), s.value) for s in Severity]

    def _status_options(self) -> list[tuple[str, str]]:
        return [(self._status_choice_label(s), s) for s in STATUS_CHOICES]

    def relabel(self) -> None:
        self.query_one("#escalation-dialog").border_title = self._dialog_title()
        for already in self.query("#already").results(Static):
            already.update(self._already_text())
        self.query_one("#attach-label", Static).update(self._attach_label())
        self.query_one("#summary", Input).placeholder = _(SUMMARY_PLACEHOLDER)
        for name, _title, hint in ENVIRONMENT_FIELDS:
            self.query_one(f"#{name.replace('_', '-')}", Input).placeholder = _(hint)
        relabel_select(self.query_one("#component", Select), self._component_options(),
                       prompt=_(COMPONENT_PROMPT))
        relabel_select(self.query_one("#severity", Select), self._severity_options())
        relabel_select(self.query_one("#set-status", Select), self._status_options())

    @staticmethod
    def _error(name: str) -> Static:
        return Static(id=f"error-{name.replace('_', '-')}", classes="field-error")

    @staticmethod
    def _status_choice_label(choice: str) -> str:
        return _("Leave as is") if choice == KEEP_STATUS else status_label(choice)

    @staticmethod
    def _selection(message: AttachableMessage, selected: bool) -> Selection[int]:
        prompt = Text(no_wrap=True, overflow="ellipsis")
        prompt.append(message.created_at.astimezone().strftime("%d.%m %H:%M") + "  ", style="dim")
        prompt.append_text(safe_text(message.excerpt, single_line=True))
        return Selection(prompt, message.id, selected)

    def on_mount(self) -> None:
        self._place_cursors()
        first_gap = next(iter(validate(self.draft(), self._component_ids())), "summary")
        # Start where the agent has work to do: the component when none was guessed, else the steps.
        self._focus_field("component" if first_gap == "component" else "steps")
        if self._attachable:
            self._show_preview(self._attachable[0])

    def _place_cursors(self) -> None:
        """Put each editor's caret where the agent types next: the first blank step, the end of a lead-in."""
        steps = self.query_one("#steps", TextArea)
        lines = steps.text.split("\n")
        row = next((i for i, line in enumerate(lines) if line.strip().rstrip(".)").isdigit()), len(lines) - 1)
        steps.cursor_location = (row, len(lines[row]))
        for name in ("#expected", "#actual"):
            editor = self.query_one(name, TextArea)
            editor.cursor_location = editor.document.end

    # --- reading the form ------------------------------------------------------------

    def _component_ids(self) -> list[str]:
        return [c.id for c in self._components]

    def draft(self) -> EscalationDraft:
        """The form's current content."""
        component = self.query_one("#component", Select).value
        severity = self.query_one("#severity", Select).value
        status = self.query_one("#set-status", Select).value
        selected: list[int] = (list(self.query_one("#messages", SelectionList).selected)
                               if self._attachable else [])
        return EscalationDraft(
            component=component if isinstance(component, str) else "",
            severity=Severity(severity) if isinstance(severity, str) else self._initial.severity,
            summary=self.query_one("#summary", Input).value,
            steps=self.query_one("#steps", TextArea).text,
            expected=self.query_one("#expected", TextArea).text,
            actual=self.query_one("#actual", TextArea).text,
            platform=self.query_one("#platform", Input).value,
            app_version=self.query_one("#app-version", Input).value,
            device=self.query_one("#device", Input).value,
            message_ids=tuple(sorted(selected)),
            set_status=None if status == KEEP_STATUS or not isinstance(status, str) else Status(status),
            language=self._initial.language,
            skeleton=self._initial.skeleton,
        )

    def is_edited(self) -> bool:
        return self.draft() != self._initial

    # --- errors ------------------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message next to its field (others cleared); focus the first one in form order."""
        for widget in self.query(".field-error"):
            if isinstance(widget, Static):
                name = (widget.id or "").removeprefix("error-").replace("-", "_")
                message = errors.get(name, "")
                widget.update(Text("✕ " + one_line(message)) if message else Text())
                widget.set_class(bool(message), "-shown")
        general = errors.get("_")
        if general:
            self._set_state(general, error=True)
        elif errors:
            self._set_state(_("Fix the marked fields, then press ctrl+s again."), error=True)
        else:
            self._set_state("")
        for name in ("component", "severity", "summary", "steps", "expected", "actual",
                     "platform", "app_version", "device", "message_ids", "set_status"):
            if name in errors:
                self._focus_field(name)
                break

    def field_error(self, name: str) -> str:
        """The error shown next to field `name` ("" when none)."""
        widget = self.query_one(f"#error-{name.replace('_', '-')}", Static)
        return str(widget.render()).removeprefix("✕ ") if widget.has_class("-shown") else ""

    def _focus_field(self, name: str) -> None:
        target = {"message_ids": "messages", "set_status": "set-status"}.get(name, name.replace("_", "-"))
        for widget in self.query(f"#{target}"):
            if widget.focusable:
                widget.focus()
                return

    def _set_state(self, message: str, *, error: bool = False) -> None:
        state = self.query_one("#form-state", Static)
        state.update(safe_text(message))
        state.set_class(error, "-error")

    def _clear_error(self, widget: Widget | None) -> None:
        ident = (widget.id or "") if widget is not None else ""
        name = {"messages": "message_ids", "set-status": "set_status"}.get(ident, ident.replace("-", "_"))
        for error in self.query(f"#error-{name.replace('_', '-')}"):
            if isinstance(error, Static) and error.has_class("-shown"):
                error.update(Text())
                error.remove_class("-shown")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _edited(self, event: Input.Changed | TextArea.Changed | Select.Changed
                | SelectionList.SelectedChanged[int]) -> None:
        self._clear_error(event.control)

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    # --- message preview ----------------------------------------------------------------

    @on(SelectionList.SelectionHighlighted)
    def _highlighted(self, event: SelectionList.SelectionHighlighted[int]) -> None:
        message_id = event.selection.value
        for message in self._attachable:
            if message.id == message_id:
                self._show_preview(message)

    def _show_preview(self, message: AttachableMessage) -> None:
        body = Text()
        body.append(message.author + "  ", style="bold")
        body.append(message.created_at.astimezone().strftime("%d.%m.%Y %H:%M") + "\n", style="dim")
        body.append_text(safe_text(message.text))
        self.query_one("#message-preview", Static).update(body)

    # --- submit and cancel ------------------------------------------------------------

    def action_submit(self) -> None:
        if self._busy:
            return  # the first submit is still running; its key makes a retry harmless anyway
        draft = self.draft()
        errors = validate(draft, self._component_ids())
        self.show_errors(errors)
        if not errors:
            self.submit(draft)

    @work(group="escalate-submit")
    async def submit(self, draft: EscalationDraft) -> None:
        self._set_busy(True)
        try:
            escalation = await self._api.create_escalation(self._ticket.id, to_create(draft),
                                                           idempotency_key=self._idempotency_key)
        except ValidationFailed as exc:
            self._set_busy(False)
            # A refused request created nothing, and the server keeps its 422 under this key:
            # the corrected form must go out under a new one.
            self._idempotency_key = new_idempotency_key()
            errors: dict[str, str] = {}
            for path, message in exc.field_errors().items():
                errors.setdefault(field_for_server_path(path), one_line(message))
            if not errors:
                errors["_"] = one_line(exc.message)
            self.show_errors(errors)
            return
        except ApiError as exc:
            self._set_busy(False)
            self._set_state(with_log_hint(f"{exc.title}: {one_line(exc.message)}"), error=True)
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        self._set_busy(False)
        self.dismiss(EscalationResult(escalation, draft.set_status))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.set_class(busy, "-busy")
        if busy:
            self._set_state(_("Creating the engineering issue…"))

    def action_cancel(self) -> None:
        if self._busy:
            return
        if not self.is_edited():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal(
            _("Discard the escalation?"), Text(_("What you typed in this form will be lost.")),
            question=_("Discard it?")), answered)
