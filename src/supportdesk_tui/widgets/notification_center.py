"""Live notifications in the app: a toast, optionally the bell, and a desktop notification through
the terminal while the app is not focused (Textual's AppBlur/AppFocus keep `App.app_focus`).

What notifies and when is decided by `domain/notifications.py`; this module only watches the
event stream's messages, asks the server what it needs (my tickets at start, a ticket's history to
learn who assigned it), and delivers. `delivered` keeps what was announced, newest last.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.message import Message as TextualMessage
from textual.timer import Timer

from supportdesk_tui import messages
from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import Message, Ticket
from supportdesk_tui.domain.notifications import (
    Notice,
    NotificationPolicy,
    NotificationRules,
    osc_notification,
)
from supportdesk_tui.domain.safe_text import safe_text

if TYPE_CHECKING:
    from textual.app import App

    from supportdesk_tui.api.client import SupportDeskClient
    from supportdesk_tui.contract.models import Me

SLA_CHECK_SECONDS = 30.0
PRIMED_TICKETS = 200
TOAST_SECONDS = 8.0


class NotificationCenter:
    def __init__(self, app: App[Any], api: SupportDeskClient, me: Me, policy: NotificationPolicy,
                 clock: Clock = utc_now) -> None:
        self.app = app
        self.api = api
        self.policy = policy
        self.clock = clock
        self.rules = NotificationRules(me.id, me.login, policy)
        self.delivered: list[Notice] = []
        # Where the desktop notification's escape sequence goes (tests look at it here).
        self.write_terminal: Callable[[str], None] = self._write_to_terminal
        self._sla_timer: Timer | None = None

    def start(self) -> None:
        self.app.run_worker(self._prime(), group="notifications")
        self._sla_timer = self.app.set_interval(SLA_CHECK_SECONDS, self.check_sla)

    def stop(self) -> None:
        """Signed in again (a new session): this one's timer goes with it."""
        if self._sla_timer is not None:
            self._sla_timer.stop()
            self._sla_timer = None

    async def _prime(self) -> None:
        with contextlib.suppress(ApiError):  # without it only SLA warnings for older tickets wait
            page = await self.api.list_tickets({"assignee": "me"}, page_size=PRIMED_TICKETS)
            self.rules.prime(page.items)
            self.check_sla()

    # --- the stream's messages ------------------------------------------------------

    def observe(self, build: type[TextualMessage], fields: dict[str, object]) -> None:
        """Called with each live message before it is published to the views."""
        if build is messages.TicketChanged:
            ticket = fields["ticket"]
            assert isinstance(ticket, Ticket)
            if self.rules.ticket_changed(ticket):
                self.app.run_worker(self._check_assignment(ticket), group="notifications")
        elif build is messages.MessageArrived:
            ticket_id, message = fields["ticket_id"], fields["message"]
            assert isinstance(ticket_id, int) and isinstance(message, Message)
            notice = self.rules.message_arrived(ticket_id, message)
            if notice is not None:
                self.deliver(notice)

    async def _check_assignment(self, ticket: Ticket) -> None:
        try:
            history = await self.api.ticket_history(ticket.id)
        except ApiError:
            return  # a missed toast, never a wrong one
        notice = self.rules.assignment(ticket, history)
        if notice is not None:
            self.deliver(notice)

    def check_sla(self) -> None:
        for notice in self.rules.sla_due(self.clock()):
            self.deliver(notice)

    # --- delivery ---------------------------------------------------------------------

    def deliver(self, notice: Notice) -> None:
        self.delivered.append(notice)
        # The body holds a customer's subject and names: the safe-text path, never markup.
        self.app.notify(safe_text(notice.body), title=notice.title, timeout=TOAST_SECONDS)  # type: ignore[arg-type]
        if self.policy.quiet_at(datetime.now().astimezone()):
            return
        if self.policy.bell:
            self.app.bell()
        if self.policy.desktop and not self.app.app_focus:
            self.write_terminal(osc_notification(notice, self.policy.protocol))

    def _write_to_terminal(self, sequence: str) -> None:
        # As Textual's own `bell()` writes BEL: straight to the terminal, between frames.
        driver = self.app._driver
        if not self.app.is_headless and driver is not None:
            driver.write(sequence)
