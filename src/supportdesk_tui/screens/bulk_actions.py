"""The queue's marking keys and what they lead to: a bulk change, or a merge of duplicates.

Kept out of screens/queue.py (which only binds the keys): marking, "mark all that match" (one
`GET /ticket-ids`, confirmed with its count before anything is marked), choosing the change,
running it (screens/bulk.py) and merging.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.screen import ModalScreen

from supportdesk_tui import messages, navigation
from supportdesk_tui.api.client import new_idempotency_key
from supportdesk_tui.api.errors import ApiError, ValidationFailed, VersionConflict
from supportdesk_tui.contract.models import (
    MAX_MERGE,
    AssignableAgent,
    CannedReply,
    Language,
    MessagePosted,
    Priority,
    Role,
    Status,
    Ticket,
    TicketMerge,
    TicketStamp,
)
from supportdesk_tui.domain.bulk import (
    DEFAULT_CONCURRENCY,
    BulkAction,
    BulkKind,
    BulkResult,
    BulkSummary,
    ReplyPlan,
    apply_patch,
    apply_reply,
)
from supportdesk_tui.domain.canned_pick import describe_actions, title_in
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.safe_text import safe_format, safe_text
from supportdesk_tui.domain.selection import Selection
from supportdesk_tui.i18n import N_, _, current_language, ngettext
from supportdesk_tui.i18n.labels import priority_label, status_label
from supportdesk_tui.screens.base import DeskScreen
from supportdesk_tui.screens.bulk import BulkRunModal
from supportdesk_tui.screens.pickers import ChoiceModal, ConfirmModal, TextPromptModal

if TYPE_CHECKING:
    from supportdesk_tui.widgets.ticket_table import TicketTable

# The changes offered, in the order shown; the value is chosen next where there is one.
ACTION_CHOICES: tuple[tuple[str, str], ...] = (
    ("status", N_("Set status…")),
    ("priority", N_("Set priority…")),
    ("add_tag", N_("Add a tag…")),
    ("remove_tag", N_("Remove a tag…")),
    ("assign_me", N_("Assign to me")),
    ("assign_other", N_("Assign to an agent…")),
    ("unassign", N_("Unassign")),
    ("canned", N_("Send a canned reply…")),
    ("merge", N_("Merge into one ticket (same customer)…")),
    ("link", N_("Link to an escalation (one bug, many customers)…")),
)


class MarkingQueue(Protocol):
    """What the queue offers the marking keys (screens never import one another)."""

    selection: Selection

    @property
    def table(self) -> TicketTable: ...

    def current_params(self) -> dict[str, str]: ...

    def selection_changed(self) -> None: ...


@dataclass
class BulkActions:
    screen: DeskScreen
    queue: MarkingQueue

    # --- marking ---------------------------------------------------------------------

    def toggle_mark(self) -> None:
        table = self.queue.table
        ticket = table.cursor_ticket
        if ticket is None:
            return
        self.queue.selection.toggle(TicketStamp(id=ticket.id, version=ticket.version))
        self.queue.selection_changed()
        table.action_cursor_down()

    def unmark_all(self) -> None:
        if len(self.queue.selection):
            self.queue.selection.clear()
            self.queue.selection_changed()

    def mark_all(self) -> None:
        self.screen.run_worker(self._mark_all(), group="mark-all", exclusive=True, exit_on_error=False)

    async def _mark_all(self) -> None:
        screen = self.screen
        try:
            found = await screen.desk.api.ticket_stamps(self.queue.current_params())
        except ApiError as exc:
            screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        if not found.data:
            screen.notify(_("No ticket matches the current filter."), severity="warning")
            return
        body = Text(ngettext("{n} ticket matches the current filter.",
                             "{n} tickets match the current filter.", found.total).format(n=found.total))
        if found.truncated:
            body.append("\n" + _("Only the oldest {n} can be marked at once.").format(n=len(found.data)))
        marked = len(found.data)
        question = ngettext("Mark {n} ticket?", "Mark {n} tickets?", marked).format(n=marked)

        def answered(yes: bool | None) -> None:
            if yes:
                added = self.queue.selection.add_all(found.data)
                self.queue.selection_changed()
                marked = ngettext("{n} ticket marked.", "{n} tickets marked.", added)
                screen.notify(safe_format(marked, n=added))

        self._push(ConfirmModal(_("Mark all that match"), body, question=question), answered)

    # --- bulk changes -------------------------------------------------------------------

    def choose_action(self) -> None:
        count = len(self.queue.selection)
        if not count:
            self.screen.notify(_("Mark tickets first: space marks one, * marks all that match."),
                               severity="warning")
            return
        title = ngettext("Apply to {n} marked ticket", "Apply to {n} marked tickets", count).format(n=count)
        # Only a lead may assign to someone else (the server refuses an agent): not offered to agents.
        offered = [(key, label) for key, label in ACTION_CHOICES
                   if key != "assign_other" or self.screen.desk.me.role is Role.LEAD]
        choices = [(key, _(label)) for key, label in offered]
        self._push(ChoiceModal(title, choices), self._action_chosen)

    def _action_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        me = self.screen.desk.me
        if choice == "status":
            statuses = [(status, status_label(status)) for status in Status if status is not Status.NEW]
            self._push(ChoiceModal(_("Set status"), statuses), self._status_chosen)
        elif choice == "priority":
            priorities = [(priority, priority_label(priority)) for priority in Priority]
            self._push(ChoiceModal(_("Set priority"), priorities), self._priority_chosen)
        elif choice in ("add_tag", "remove_tag"):
            kind = BulkKind.ADD_TAG if choice == "add_tag" else BulkKind.REMOVE_TAG
            title = _("Add a tag") if kind is BulkKind.ADD_TAG else _("Remove a tag")

            def tag_typed(value: str | None) -> None:
                if value and value.strip():
                    self.run(BulkAction(kind, tag=value.strip()))

            self._push(TextPromptModal(title, placeholder="spam-wave"), tag_typed)
        elif choice == "assign_me":
            self.run(BulkAction(BulkKind.ASSIGN, assignee_id=me.id))
        elif choice == "assign_other":
            self.screen.run_worker(self._choose_assignee(), group="bulk-assignee", exclusive=True,
                                   exit_on_error=False)
        elif choice == "unassign":
            self.run(BulkAction(BulkKind.ASSIGN, assignee_id=0))
        elif choice == "canned":
            self.screen.run_worker(self._choose_canned(), group="bulk-canned", exclusive=True,
                                   exit_on_error=False)
        elif choice == "merge":
            self.merge()
        elif choice == "link":
            ids = tuple(stamp.id for stamp in self.queue.selection.stamps())
            self.screen.post_message(navigation.LinkToEscalation(ticket_ids=ids))

    def _status_chosen(self, status: Status | None) -> None:
        if status is not None:
            self.run(BulkAction(BulkKind.STATUS, status=status))

    def _priority_chosen(self, priority: Priority | None) -> None:
        if priority is not None:
            self.run(BulkAction(BulkKind.PRIORITY, priority=priority))

    # --- assigning to someone else -----------------------------------------------------------

    async def _choose_assignee(self) -> None:
        desk = self.screen.desk
        try:
            agents = await desk.api.assignable_agents()
        except ApiError as exc:
            self.screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        others = [agent for agent in agents if agent.id != desk.me.id]
        if not others:
            self.screen.notify(_("There is no one else you may assign tickets to."), severity="warning")
            return
        choices = [(agent, self._assignee_label(agent)) for agent in others]
        self._push(ChoiceModal(_("Assign to"), choices,
                               hint=_("A ticket goes only to someone who works its queue.")),
                   self._assignee_chosen)

    def _assignee_label(self, agent: AssignableAgent) -> str:
        """"Name — the queues they work": a ticket of another queue would be refused for them.
        Plain text: the picker shows it without markup."""
        if agent.role is Role.LEAD:
            works = _("shift lead, every queue")
        else:
            works = ", ".join(self.screen.desk.session.queue_name(queue) for queue in agent.queues)
        return f"{agent.name} — {works}"

    def _assignee_chosen(self, agent: AssignableAgent | None) -> None:
        if agent is not None:
            self.run(BulkAction(BulkKind.ASSIGN, assignee_id=agent.id, assignee_name=agent.name))

    # --- a canned reply to every marked ticket ---------------------------------------------

    async def _choose_canned(self) -> None:
        entries, problems = await self.screen.desk.session.canned_library()
        if not entries:
            why = problems[0] if problems else _("There are no canned replies.")
            self.screen.notify(safe_text(why), severity="warning")
            return
        language = Language.RU if current_language() == "ru" else Language.EN
        choices = [(entry.reply, title_in(entry.reply, language)) for entry in entries]
        self._push(ChoiceModal(_("Send a canned reply"), choices), self._canned_chosen)

    def _canned_chosen(self, reply: CannedReply | None) -> None:
        if reply is None:
            return
        count = len(self.queue.selection)
        language = Language.RU if current_language() == "ru" else Language.EN
        title = title_in(reply, language)
        body = safe_format(_("“{title}” goes to {n} customers, each in their own language and with their own "
                             "names; every reply through the outbox, once."), title=title, n=count)
        actions = describe_actions(reply.actions)
        if actions:
            body.append("\n" + _("Then: {actions}").format(actions=actions))

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_reply(reply, title)

        self._push(ConfirmModal(_("Send a canned reply"), body, question=_("Send it?")), answered)

    def run_reply(self, reply: CannedReply, title: str) -> None:
        desk = self.screen.desk
        session = desk.session
        plan = ReplyPlan(reply, desk.me.name, session.queue_name)

        async def send(ticket_id: int, body: str, status: Status | None,
                       seen_up_to: int | None) -> Ticket | None:
            item = session.sender.queue(ticket_id, DraftKind.REPLY, body, status_after=status,
                                        seen_up_to=seen_up_to)
            desk.outbox_changed()
            try:
                result = await session.sender.deliver(item, forget_draft=False)
            finally:
                desk.outbox_changed()
            return result.ticket if isinstance(result, MessagePosted) else None

        async def apply_one(stamp: TicketStamp) -> BulkResult:
            return await apply_reply(desk.api, plan, stamp, send)

        stamps = self.queue.selection.stamps()
        label = ngettext("Reply “{title}” to {n} ticket", "Reply “{title}” to {n} tickets",
                         len(stamps)).format(title=title, n=len(stamps))
        self._push(BulkRunModal(label, stamps, apply_one, concurrency=DEFAULT_CONCURRENCY), self._finished)

    def describe(self, action: BulkAction) -> str:
        kind = action.kind
        if kind is BulkKind.STATUS and action.status is not None:
            return _("Status → {status}").format(status=status_label(action.status))
        if kind is BulkKind.PRIORITY and action.priority is not None:
            return _("Priority → {priority}").format(priority=priority_label(action.priority))
        if kind is BulkKind.ADD_TAG:
            return _("Add tag {tag}").format(tag=action.tag)
        if kind is BulkKind.REMOVE_TAG:
            return _("Remove tag {tag}").format(tag=action.tag)
        if not action.assignee_id:
            return _("Unassign")
        if action.assignee_id == self.screen.desk.me.id:
            return _("Assign to me")
        return _("Assign to {name}").format(name=action.assignee_name)

    def run(self, action: BulkAction) -> None:
        screen = self.screen
        stamps = self.queue.selection.stamps()
        api = screen.desk.api
        window = self.queue.table.window

        def known(ticket_id: int) -> Ticket | None:
            index = window.index_of(ticket_id) if window is not None else None
            return window.get(index) if window is not None and index is not None else None

        async def apply_one(stamp: TicketStamp) -> BulkResult:
            return await apply_patch(api, action, stamp, known(stamp.id))

        count = len(stamps)
        title = ngettext("{action} on {n} ticket", "{action} on {n} tickets", count).format(
            action=self.describe(action), n=count)
        self._push(BulkRunModal(title, stamps, apply_one, concurrency=DEFAULT_CONCURRENCY), self._finished)

    def _finished(self, summary: BulkSummary | None) -> None:
        if summary is None:
            return
        for result in summary.results:
            if result.ticket is not None:
                # As if the live stream said it: the queue re-checks its filter (a solved ticket
                # leaves an "open" view) before the stream's own event arrives.
                self.screen.post_message(messages.TicketChanged(result.ticket))
        self.queue.selection = summary.still_selected(self.queue.selection)
        self.queue.selection_changed()

    # --- merge ----------------------------------------------------------------------------

    def merge(self) -> None:
        screen = self.screen
        stamps = self.queue.selection.stamps()
        if not 2 <= len(stamps) <= MAX_MERGE:
            too_few = _("Mark 2 to {most} tickets of one customer to merge them.")
            screen.notify(safe_format(too_few, most=MAX_MERGE), severity="warning")
            return
        ids = ", ".join(f"#{stamp.id}" for stamp in stamps)
        body = Text(_("Tickets {ids} become one: the oldest keeps every message, in time order; the "
                      "others are closed with a note pointing to it. The customer is not written to.")
                    .format(ids=ids))
        question = _("Merge these {n} tickets?").format(n=len(stamps))

        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.run_worker(self._merge(stamps), group="merge", exit_on_error=False)

        self._push(ConfirmModal(_("Merge duplicates"), body, question=question), answered)

    async def _merge(self, stamps: list[TicketStamp]) -> None:
        screen = self.screen
        request = TicketMerge.model_validate({"tickets": [s.model_dump() for s in stamps]})
        try:
            merged = await screen.desk.api.merge_tickets(request, idempotency_key=new_idempotency_key())
        except VersionConflict as exc:
            changed = exc.current.id if exc.current is not None else "?"
            screen.notify(safe_format(_("#{id} changed since you marked it: nothing was merged. Look at it, "
                                        "then mark it again."), id=changed),
                          title=_("Changed by someone else"), severity="warning")
            return
        except ValidationFailed as exc:
            # A refusal the agent can act on (unmark the other customer's tickets), not a fault.
            text = (_("Only tickets of one customer merge into one: the marked tickets come from "
                      "different customers. Nothing was merged.")
                    if exc.code == "different_customers" else exc.message)
            screen.notify(safe_text(text), title=_("Not merged"), severity="warning")
            return
        except ApiError as exc:
            screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        for ticket in (merged.survivor, *merged.closed):
            self.screen.post_message(messages.TicketChanged(ticket))
            if ticket.id in self.queue.selection:
                self.queue.selection.toggle(TicketStamp(id=ticket.id, version=ticket.version))
        self.queue.selection_changed()
        screen.notify(safe_format(_("Merged {n} tickets into #{id}."), n=len(merged.closed) + 1,
                                  id=merged.survivor.id))

    # --- helpers -----------------------------------------------------------------------------

    def _push(self, modal: ModalScreen[Any], callback: Callable[[Any], None]) -> None:
        self.screen.app.push_screen(modal, callback)
