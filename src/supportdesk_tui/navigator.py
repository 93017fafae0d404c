"""Builds and shows screens when a screen or a palette command asks (the messages of
navigation.py, which the app forwards here). Besides `screens/__init__` (keymap scopes), this is
the only module that knows every screen class; screens know none but their own.

The working screens are imported when first shown: before sign-in only the connect screen is
needed, and a lead's start never loads the conversation (cold start, docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, assert_never

from textual import events

from supportdesk_tui.api.errors import ApiError, NotFoundError
from supportdesk_tui.contract.models import Role
from supportdesk_tui.domain.incident_links import link_summary
from supportdesk_tui.domain.safe_text import safe_format, safe_text
from supportdesk_tui.i18n import _, ngettext
from supportdesk_tui.navigation import (
    LinkToEscalation,
    NavigationRequest,
    NextTicket,
    OpenTicket,
    Prefetched,
    ReturnTo,
    ShowDashboard,
    ShowEscalations,
    ShowIncident,
    ShowQueue,
)
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.widgets.safe_notify import safe_notification

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from supportdesk_tui.desk import DeskContext

# Installed screens: one queue and one dashboard for the app's life, so switching back and forth
# keeps the queue's filter and cursor and the dashboard's history.
QUEUE_SCREEN = "queue"
DASHBOARD_SCREEN = "dashboard"
# One conversation screen for every ticket opened: composing and styling it again was most of what
# opening a ticket cost. It forgets each ticket when shown the next (ConversationScreen.show_ticket).
CONVERSATION_SCREEN = "conversation"


class Navigator:
    def __init__(self, app: App[Any], desk: DeskContext,
                 on_ticket_opened: Callable[[], None] = lambda: None) -> None:
        self._app = app
        self._desk = desk
        self._on_ticket_opened = on_ticket_opened

    def go(self, request: NavigationRequest) -> None:
        match request:
            case OpenTicket():
                self.open_ticket(request.ticket_id, request.prefetched,
                                 instead_of_current=request.instead_of_current)
            case ShowQueue():
                self.show_queue(request.queue_id)
            case ShowDashboard():
                self.show_dashboard()
            case ShowEscalations():
                self.show_escalations()
            case NextTicket():
                self.next_ticket()
            case ReturnTo():
                self.return_to(request.screen)
            case ShowIncident():
                self.show_incident(request.key)
            case LinkToEscalation():
                self.link_to_escalation(request.ticket_ids, request.key)
            case _:
                assert_never(request)

    def open_start_screen(self) -> None:
        """After sign-in: the dashboard for a lead (or when asked for), else the queue."""
        settings = self._desk.settings
        mode = settings.start_mode
        if settings.wallboard or mode == "dashboard" or (mode is None and self._desk.me.role == "lead"):
            self.show_dashboard()
            return
        from supportdesk_tui.screens.queue import QueueScreen  # lazy: loads after the connect screen paints

        # The start's queue saves its first page for the next start to paint before Textual loads.
        self._app.switch_screen(QueueScreen(remember_first_page=settings.first_page_cache is not None))

    async def prepare_conversation(self) -> None:
        """Compose the conversation screen aside, before the first ticket is opened.

        Composing, styling and mounting it (and importing its modules) made the first open of a
        session 30-40 ms slower than the next ones: the slowest open of every session. Done in a
        quiet moment after sign-in, the first open only shows the ticket, as every later one does.
        """
        from supportdesk_tui.screens.conversation import ConversationScreen  # lazy: after the first rows show

        app = self._app
        if app.is_screen_installed(CONVERSATION_SCREEN):
            return
        screen = ConversationScreen()
        app.install_screen(screen, CONVERSATION_SCREEN)
        # What pushing it would do first, without showing it: its CSS read, then its widgets
        # composed, styled and mounted (tests/packaging/test_textual_internals.py).
        app._load_screen_css(screen)
        _screen, mounted = app._get_screen(screen)
        await mounted
        # Its breakpoint classes for the terminal's size now (restyling every widget, ≈ 20 ms), not
        # when the first ticket is shown; a later resize reaches it as it reaches a screen kept aside.
        screen.post_message(events.Resize(app.size, app.size))
        drawn = asyncio.Event()
        screen.call_later(screen.draw_aside, drawn)  # after the resize, in the screen's own queue
        await drawn.wait()

    def prepare_ticket(self, prefetched: Prefetched) -> None:
        """Lay the ticket out on the conversation screen kept aside, if there is one and it is not
        in use (on the stack); the next open of that ticket takes it (`ConversationScreen.show_ticket`)."""
        from supportdesk_tui.screens.conversation import (
            ConversationScreen,  # lazy: as in prepare_conversation
        )

        app = self._app
        if not app.is_screen_installed(CONVERSATION_SCREEN):
            return
        screen = app.get_screen(CONVERSATION_SCREEN)
        if isinstance(screen, ConversationScreen) and not any(s is screen for s in app.screen_stack):
            screen.stage_ticket(prefetched)

    def open_ticket(self, ticket_id: int, prefetched: Prefetched | None = None, *,
                    instead_of_current: bool = False) -> None:
        # lazy: the conversation (composer, thread) loads with the first ticket opened
        from supportdesk_tui.screens.conversation import ConversationScreen

        app = self._app
        self._on_ticket_opened()
        if not app.is_screen_installed(CONVERSATION_SCREEN):
            app.install_screen(ConversationScreen(ticket_id, prefetched), CONVERSATION_SCREEN)
            screen = app.get_screen(CONVERSATION_SCREEN)
        else:
            screen = app.get_screen(CONVERSATION_SCREEN)
            assert isinstance(screen, ConversationScreen)
            if any(stacked is screen for stacked in app.screen_stack):
                # Another ticket from the conversation itself (the customer's other tickets, the
                # palette): shown in its place, whatever was on top of it closed.
                self.return_to(screen)
                screen.show_ticket(ticket_id, prefetched)
                return
            screen.show_ticket(ticket_id, prefetched)
        if instead_of_current:
            app.switch_screen(screen)
        else:
            app.push_screen(screen)

    def show_queue(self, queue_id: str | None = None) -> None:
        from supportdesk_tui.screens.queue import QueueScreen  # lazy: a lead's start shows the dashboard

        app = self._app
        if queue_id is None:
            if not app.is_screen_installed(QUEUE_SCREEN):
                app.install_screen(QueueScreen(), QUEUE_SCREEN)
            app.switch_screen(QUEUE_SCREEN)
            return
        underneath = [screen for screen in app.screen_stack if isinstance(screen, QueueScreen)]
        if not underneath:
            return
        target = underneath[-1]
        while app.screen is not target:
            app.pop_screen()
        target.show_queue(queue_id)

    def show_dashboard(self) -> None:
        """The dashboard (or, with `--wallboard`, the wallboard); one key switches back to the queue."""
        app = self._app
        if self._desk.settings.wallboard:
            from supportdesk_tui.screens.wallboard import WallboardScreen  # lazy: only a wall shows it

            app.switch_screen(WallboardScreen())
            return
        # lazy: an agent's start shows the queue; the dashboard loads when first shown
        from supportdesk_tui.screens.dashboard import DashboardScreen
        from supportdesk_tui.screens.queue import QueueScreen

        current = app.screen
        if isinstance(current, QueueScreen) and not app.is_screen_installed(QUEUE_SCREEN):
            app.install_screen(current, QUEUE_SCREEN)  # keep this queue (filter, cursor) for the way back
        if not app.is_screen_installed(DASHBOARD_SCREEN):
            app.install_screen(DashboardScreen(), DASHBOARD_SCREEN)
        app.switch_screen(DASHBOARD_SCREEN)

    def show_escalations(self) -> None:
        """Show the list to a lead; anyone else hears why not."""
        app = self._app
        if self._desk.me.role is not Role.LEAD:
            app.notify(_("The list of all escalations is for leads only. Your own tickets show their "
                         "escalation in the queue and the ticket header."),
                       title=_("Leads only"), severity="warning")
            return
        from supportdesk_tui.screens.escalations import EscalationsScreen  # lazy: leads only, on demand

        if not isinstance(app.screen, EscalationsScreen):
            app.push_screen(EscalationsScreen())

    def show_incident(self, key: str) -> None:
        from supportdesk_tui.screens.incident import IncidentScreen  # lazy: opened on demand

        screen = self._app.screen
        if not (isinstance(screen, IncidentScreen) and screen.key == key):
            self._app.push_screen(IncidentScreen(key))

    def link_to_escalation(self, ticket_ids: tuple[int, ...], key: str | None) -> None:
        """Ask for the escalation's key when not given, link, and say what happened."""
        from supportdesk_tui.screens.pickers import TextPromptModal  # lazy: on demand

        app = self._app
        if key is not None:
            app.run_worker(self._link_and_tell(key, ticket_ids), group="links")
            return

        def chosen(typed: str | None) -> None:
            if typed and typed.strip():
                self.link_to_escalation(ticket_ids, typed.strip().upper())

        count = len(ticket_ids)
        app.push_screen(TextPromptModal(
            ngettext("Link {n} ticket to an escalation", "Link {n} tickets to an escalation",
                     count).format(n=count),
            hint=_("The escalation's key, as in the ticket header (e.g. ENG-1001)"), placeholder="ENG-"),
            chosen)

    async def _link_and_tell(self, key: str, ticket_ids: tuple[int, ...]) -> None:
        try:
            result = await self._desk.api.link_tickets(key, list(ticket_ids))
        except NotFoundError:
            # Most likely a mistyped key: say so in the agent's words, not the server's.
            text = _("There is no escalation {key}: check the key in the escalated ticket's header.")
            shown, title = safe_notification(safe_format(text, key=key), _("Not linked"))
            self._app.notify(shown, title=title, severity="warning", markup=False)
            return
        except ApiError as exc:
            text, title = safe_notification(safe_text(f"{exc.title}: {exc.message}"), _("Not linked"))
            self._app.notify(text, title=title, severity="error", markup=False)
            return
        text, title = safe_notification(safe_text(link_summary(result)), safe_text(key, single_line=True))
        self._app.notify(text, title=title, severity="warning" if result.skipped else "information",
                         timeout=8, markup=False)

    def show_outbox(self) -> None:
        from supportdesk_tui.screens.outbox import OutboxScreen  # lazy: opened on demand

        if self._desk.signed_in and not isinstance(self._app.screen, OutboxScreen):
            self._app.push_screen(OutboxScreen())

    def show_help(self) -> None:
        if not isinstance(self._app.screen, HelpScreen):
            self._app.push_screen(HelpScreen(self._app.screen))

    def next_ticket(self) -> None:
        """Close the ticket in front of the agent and let the queue underneath open the next one."""
        from supportdesk_tui.screens.queue import QueueScreen  # lazy: a lead's start shows the dashboard

        app = self._app
        for screen in reversed(app.screen_stack):
            if isinstance(screen, QueueScreen):
                if app.screen is not screen:
                    app.pop_screen()
                screen.next_ticket()
                return

    def return_to(self, screen: Screen[Any]) -> None:
        app = self._app
        while app.screen is not screen and len(app.screen_stack) > 1:
            app.pop_screen()
