"""Who the customer is (contact details masked) and what else they have asked us."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from supportdesk_tui.contract.models import Ticket
from supportdesk_tui.domain.masking import mask_email, mask_phone
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.labels import status_label
from supportdesk_tui.widgets.relabel import Caption


def _account_state_label(state: str) -> str:
    return {
        "active": _("active"),
        "locked": _("locked"),
        "deletion_scheduled": _("deletion scheduled"),
        "deleted": _("deleted"),
    }.get(state, state)


class CustomerSidebar(Vertical):
    """`set_ticket` fills the facts; `set_other_tickets` the list (loaded by the screen)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "customer-sidebar--label",
        "customer-sidebar--value",
        "customer-sidebar--warning",
        "customer-sidebar--muted",
    }

    DEFAULT_CSS = """
    CustomerSidebar { width: 34; height: 1fr; background: $panel; padding: 0 1; }
    CustomerSidebar > .customer-sidebar--title {
        color: $text-muted; text-style: bold; height: 1; margin-top: 1;
    }
    CustomerSidebar > #customer-facts { height: auto; }
    CustomerSidebar > #customer-others { height: 1fr; border: none; background: $panel; padding: 0; }
    CustomerSidebar > #customer-others:focus { border: none; }
    CustomerSidebar > .customer-sidebar--label { color: $text-muted; }
    CustomerSidebar > .customer-sidebar--value { color: $foreground; }
    CustomerSidebar > .customer-sidebar--warning { color: $error; text-style: bold; }
    CustomerSidebar > .customer-sidebar--muted { color: $text-muted; text-style: italic; }
    """

    @dataclass
    class OpenTicket(Message):
        """The agent chose one of the customer's other tickets."""

        sidebar: CustomerSidebar
        ticket_id: int

        @property
        def control(self) -> CustomerSidebar:
            return self.sidebar

    def __init__(
        self,
        ticket: Ticket | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._ticket = ticket
        self._others: list[Ticket] | None = None

    def compose(self) -> ComposeResult:
        yield Caption(N_("Customer"), classes="customer-sidebar--title")
        yield Static("", id="customer-facts")
        yield Caption(N_("Other tickets"), classes="customer-sidebar--title")
        yield OptionList(id="customer-others")

    def on_mount(self) -> None:
        self._show_facts()
        self._show_others()

    def relabel(self) -> None:
        options = self.query_one("#customer-others", OptionList)
        highlighted = options.highlighted
        self._show_facts()
        self._show_others()
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted

    def set_ticket(self, ticket: Ticket | None) -> None:
        previous = self._ticket
        if ticket is None or previous is None or ticket.id != previous.id \
                or ticket.requester != previous.requester:
            self._others = None  # another ticket's list left the new one out (and had this one)
        self._ticket = ticket
        if self.is_mounted:
            self._show_facts()
            self._show_others()

    def set_other_tickets(self, tickets: Iterable[Ticket]) -> None:
        """The requester's other tickets; the current one is left out."""
        current = self._ticket.id if self._ticket else None
        self._others = [t for t in tickets if t.id != current]
        if self.is_mounted:
            self._show_others()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"customer-sidebar--{name}", partial=True)

    def _show_facts(self) -> None:
        facts = self.query_one("#customer-facts", Static)
        ticket = self._ticket
        if ticket is None:
            facts.update(Text(_("No ticket selected."), style=self._style("muted")))
            return
        person = ticket.requester
        env = ticket.environment
        rows: list[tuple[str, str, str]] = [
            (_("Name"), one_line(person.name), "value"),
            (_("Account"), one_line(person.account_id), "value"),
            (_("Language"), person.language.value.upper(), "value"),
            (_("State"), _account_state_label(person.account_state),
             "value" if person.account_state == "active" else "warning"),
            (_("Email"), mask_email(one_line(person.email)) if person.email else "—", "value"),
            (_("Phone"), mask_phone(one_line(person.phone)) if person.phone else "—", "value"),
        ]
        if env is not None:
            platform = " ".join(one_line(part) for part in (env.platform, env.app_version) if part)
            rows.append((_("App"), platform or "—", "value"))
            rows.append((_("Device"), one_line(env.device) if env.device else "—", "value"))
        width = max(len(label) for label, _value, _kind in rows) + 1
        text = Text()
        for index, (label, value, kind) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(label.ljust(width), style=self._style("label"))
            text.append(value, style=self._style(kind))
        facts.update(text)

    def _show_others(self) -> None:
        options = self.query_one("#customer-others", OptionList)
        options.clear_options()
        if self._ticket is None:
            return
        if self._others is None:
            options.add_option(Option(Text(_("Loading…"), style=self._style("muted")), disabled=True))
            return
        if not self._others:
            empty = Text(_("No other tickets."), style=self._style("muted"))
            options.add_option(Option(empty, disabled=True))
            return
        for ticket in self._others:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append(f"#{ticket.id} ", style=self._style("label"))
            prompt.append(status_label(ticket.status), style=self._style("label"))
            prompt.append("\n")
            prompt.append(one_line(ticket.subject))
            options.add_option(Option(prompt, id=str(ticket.id)))
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#customer-others")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.OpenTicket(self, int(event.option.id)))
