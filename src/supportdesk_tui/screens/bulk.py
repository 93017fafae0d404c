"""Applying one change to the marked tickets: progress while it runs, then what happened to each.

A `ModalScreen[BulkSummary | None]` the queue opens with the requests to make; it runs them in
its own worker (bounded concurrency, see domain/bulk.py), shows progress, stops starting new
ones on esc, and then shows the summary: changed, conflicted (someone else changed the ticket
after it was marked: left alone), failed, not attempted. None when closed before it ran.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from supportdesk_tui.contract.models import TicketStamp
from supportdesk_tui.domain.bulk import BulkResult, BulkSummary, Outcome, run_bulk, summarize
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import N_, _, ngettext
from supportdesk_tui.i18n.labels import priority_label, status_label

ApplyOne = Callable[[TicketStamp], Awaitable[BulkResult]]
IDS_SHOWN = 40  # a long "changed" list shows this many ids, then how many more


def _id_list(results: Sequence[BulkResult]) -> str:
    ids = [f"#{result.ticket_id}" for result in results[:IDS_SHOWN]]
    more = len(results) - len(ids)
    text = ", ".join(ids)
    if more > 0:
        text += " " + ngettext("and {n} more", "and {n} more", more).format(n=more)
    return text


def summary_text(summary: BulkSummary, style_of: Callable[[str], Style]) -> Text:
    """The summary as literal text: our words, ticket ids, and server text folded to one line.

    `style_of(outcome)`: the colour of that section's heading (from the theme).
    """
    out = Text()

    def section(label: str, outcome: str) -> None:
        if out:
            out.append("\n\n")
        out.append(label, style=style_of(outcome))

    changed = summary.of(Outcome.CHANGED)
    if changed:
        section(ngettext("Changed: {n} ticket", "Changed: {n} tickets", len(changed)).format(n=len(changed)),
                "changed")
        out.append("\n" + _id_list(changed))
    queued = summary.of(Outcome.QUEUED)
    if queued:
        section(ngettext("In the outbox: {n} reply, sent once the server answers",
                         "In the outbox: {n} replies, sent once the server answers", len(queued))
                .format(n=len(queued)), "queued")
        out.append("\n" + _id_list(queued))
    conflicts = summary.of(Outcome.CONFLICT)
    if conflicts:
        section(ngettext("Conflict: {n} ticket was changed by someone else after you marked it",
                         "Conflict: {n} tickets were changed by someone else after you marked them",
                         len(conflicts)).format(n=len(conflicts)), "conflict")
        out.append("\n" + _("Left as they are and still marked: look at them, then apply again."))
        for result in conflicts:
            out.append(f"\n  #{result.ticket_id}  ")
            ticket = result.ticket
            if ticket is None:
                continue
            now = _("now {status}, {priority}").format(status=status_label(ticket.status),
                                                      priority=priority_label(ticket.priority))
            if ticket.assignee is not None:
                now += ", " + _("assigned to {name}").format(name=one_line(ticket.assignee.name))
            out.append(now)
    failed = summary.of(Outcome.FAILED)
    if failed:
        section(ngettext("Failed: {n} ticket", "Failed: {n} tickets", len(failed)).format(n=len(failed)),
                "failed")
        for result in failed:
            out.append(f"\n  #{result.ticket_id}  ")
            out.append(one_line(result.detail)[:200])
    skipped = summary.of(Outcome.NOT_ATTEMPTED)
    if skipped:
        section(ngettext("Not attempted (stopped): {n} ticket", "Not attempted (stopped): {n} tickets",
                         len(skipped)).format(n=len(skipped)), "not-attempted")
        out.append("\n" + _id_list(skipped))
    unchanged = summary.of(Outcome.UNCHANGED)
    if unchanged:
        section(ngettext("Already so: {n} ticket", "Already so: {n} tickets", len(unchanged))
                .format(n=len(unchanged)), "unchanged")
        out.append("\n" + _id_list(unchanged))
    return out


class BulkRunModal(ModalScreen[BulkSummary | None]):
    DEFAULT_CSS = """
    BulkRunModal { align: center middle; }
    BulkRunModal > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    BulkRunModal .modal-title { text-style: bold; padding: 1 0 0 0; }
    BulkRunModal .modal-hint { color: $text-muted; padding: 1 0 0 0; }
    BulkRunModal ProgressBar { padding: 1 0 0 0; }
    BulkRunModal #bulk-summary { height: auto; max-height: 24; }
    BulkRunModal > .bulk--changed { color: $success; text-style: bold; }
    BulkRunModal > .bulk--conflict { color: $warning; text-style: bold; }
    BulkRunModal > .bulk--failed { color: $error; text-style: bold; }
    BulkRunModal > .bulk--queued { color: $warning; }
    BulkRunModal > .bulk--not-attempted { text-style: bold; }
    BulkRunModal > .bulk--unchanged { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bulk--changed", "bulk--queued", "bulk--conflict", "bulk--failed", "bulk--not-attempted",
        "bulk--unchanged",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop_or_close", N_("Stop / close"), id="bulk.stop"),
        Binding("enter", "close", N_("Close"), id="bulk.close"),
    ]

    def __init__(self, title: str, stamps: Sequence[TicketStamp], apply_one: ApplyOne, *,
                 concurrency: int) -> None:
        super().__init__()
        self._title = title
        self._stamps = list(stamps)
        self._apply_one = apply_one
        self._concurrency = concurrency
        self._stopping = False
        self._done = 0
        self.summary: BulkSummary | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(one_line(self._title)), classes="modal-title", id="bulk-title")
            yield ProgressBar(total=len(self._stamps), show_eta=False, id="bulk-progress")
            with VerticalScroll(id="bulk-summary"):
                yield Static(id="bulk-summary-text")
            yield Static(id="bulk-hint", classes="modal-hint")

    def on_mount(self) -> None:
        self._show_progress()
        self._run()

    def _show_progress(self) -> None:
        hint = _("{done} of {total} done · esc stops (requests already sent finish)").format(
            done=self._done, total=len(self._stamps))
        if self._stopping:
            hint = _("Stopping… {done} of {total} done").format(done=self._done, total=len(self._stamps))
        self.query_one("#bulk-hint", Static).update(Text(hint))

    def _one_done(self, _result: BulkResult) -> None:
        self._done += 1
        self.query_one(ProgressBar).advance(1)
        self._show_progress()

    @work(group="bulk-run", exit_on_error=False)
    async def _run(self) -> None:
        results = await run_bulk(self._stamps, self._apply_one, concurrency=self._concurrency,
                                 on_result=self._one_done, cancelled=lambda: self._stopping)
        self.summary = summarize(results)
        self._show_summary(self.summary)

    def _show_summary(self, summary: BulkSummary) -> None:
        self.query_one(ProgressBar).display = False
        title = self._title + " — " + (_("done") if summary.all_done else _("not all applied"))
        self.query_one("#bulk-title", Static).update(Text(one_line(title)))
        self.query_one("#bulk-summary-text", Static).update(summary_text(
            summary, lambda outcome: self.get_component_rich_style(f"bulk--{outcome}", partial=True)))
        self.query_one("#bulk-hint", Static).update(Text(_("enter or esc closes")))

    def action_stop_or_close(self) -> None:
        if self.summary is not None:
            self.dismiss(self.summary)
            return
        self._stopping = True
        self._show_progress()

    def action_close(self) -> None:
        if self.summary is not None:
            self.dismiss(self.summary)
