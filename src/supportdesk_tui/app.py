"""Wiring only: the session (one API client, who I am), the live event hub, global bindings, and
the navigator that shows the screen a screen or a palette command asks for."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual._styles_cache import StylesCache
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.geometry import Size
from textual.message import Message as TextualMessage
from textual.notifications import SeverityLevel
from textual.widget import Widget

from supportdesk_tui import messages, navigation
from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.api.failover import ServerListError, parse_server_list
from supportdesk_tui.commands import (
    ActionCommands,
    CannedCommands,
    EscalationCommands,
    LanguageCommands,
    PaletteHost,
    QueueCommands,
    SystemCommands,
    ThemeCommands,
    TicketCommands,
)
from supportdesk_tui.config import ConfigError
from supportdesk_tui.config_file import save_ui_choice
from supportdesk_tui.contract.models import MessageKind
from supportdesk_tui.credentials import save_login
from supportdesk_tui.domain.gc_policy import IdleCollector
from supportdesk_tui.domain.safe_text import safe_format, safe_text
from supportdesk_tui.i18n import N_, _, current_language, ngettext, set_language
from supportdesk_tui.keymap import apply_keymap, with_cyrillic_aliases
from supportdesk_tui.navigator import Navigator
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.sign_in import SignInScreen
from supportdesk_tui.screens.too_small import TooSmallNotice, too_small
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.themes import APP_TOKEN_DEFAULTS, apply_theme, register_all_themes
from supportdesk_tui.widgets.log_hint import with_log_hint
from supportdesk_tui.widgets.relabel import ScreenLanguages
from supportdesk_tui.widgets.safe_notify import Shown, safe_notification
from supportdesk_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.command import Provider
    from textual.screen import Screen
    from textual.theme import Theme
    from textual.worker import Worker

    from supportdesk_tui.api.client import SupportDeskClient
    from supportdesk_tui.contract.models import Me, Queue
    from supportdesk_tui.screens.conversation import ConversationScreen
    from supportdesk_tui.screens.queue import QueueScreen
    from supportdesk_tui.session import Session
    from supportdesk_tui.widgets.notification_center import NotificationCenter

log = logging.getLogger("supportdesk.app")
# Long enough after sign-in for the first screen and its first page to exist.
FREEZE_AFTER_SIGN_IN_SECONDS = 1.0
GC_CHECK_SECONDS = 1.0


def forget_closed_widgets_styles() -> int:
    """Let go of the rendered lines of widgets already removed; returns how many were held.

    Textual memoises `StylesCache.get_inner_outer` with `lru_cache` on the instance method, so
    its key holds each widget's style cache — with every line it rendered — for the last 1,024
    calls: after a few dozen tickets opened, tens of MB of lines of widgets long gone. The cache
    only saves building two `Style`s per line; emptying it when the agent pauses costs nothing.
    """
    held: int = StylesCache.get_inner_outer.cache_info().currsize
    StylesCache.get_inner_outer.cache_clear()
    return held


class SupportDeskApp(App[None]):
    CSS_PATH = "app.tcss"
    # Screens fold in a fixed order as the terminal shrinks (see the `-narrow`/`-short` rules in
    # the screens' CSS): sidebars and the preview give way first, so an 80×24 terminal keeps the
    # list and the conversation readable.
    # (Textual declares these as plain attributes: a ClassVar annotation would not type-check.)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (140, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    TITLE = "SupportDesk"
    ENABLE_COMMAND_PALETTE = True
    # Textual's system commands too, in our subclass, so every hit is ranked by the same matcher.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        SystemCommands, ActionCommands, QueueCommands, TicketCommands, EscalationCommands,
        LanguageCommands, ThemeCommands, CannedCommands}

    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("question_mark", "help", N_("Help"), id="app.help", key_display="?"),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True, show=False),
        # Declared here (not left to Textual) so its footer label is translated.
        Binding("ctrl+p", "command_palette", N_("palette"), id="app.command_palette", show=False,
                priority=True, tooltip=N_("Open the command palette")),
        # Hidden from the key bar (it would crowd every screen's): the status line names the key
        # whenever the outbox holds something, and the help lists it.
        Binding("O", "outbox", N_("Outbox"), id="app.outbox", show=False,
                tooltip=N_("Replies and notes not sent yet, and the ones the server refused")),
    ])

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings
        self._session: Session | None = None
        self._subscribers: list[Widget] = []
        self.notifications: NotificationCenter | None = None
        self.theme_problems: list[str] = []
        self.screen_languages = ScreenLanguages()
        self.collector = IdleCollector()
        self._take_over_pending = False  # the GC policy takes over once, soon after sign-in
        self.navigator = Navigator(self, desk=self, on_ticket_opened=self.collector.note_ticket_opened)
        self._timed_flush: Worker[None] | None = None
        # The token came from the sign-in screen (not the environment, config or stored login).
        self._typed_token = False

    def notify(
        self,
        message: Shown,
        *,
        title: Shown = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,  # ignored: a toast is never parsed as markup (see safe_notify.py)
    ) -> None:
        """Every toast of the app (screens' and widgets' `notify` end here): literal, sanitised;
        an error's ends with where the log is."""
        text, heading = safe_notification(message, title)
        if severity == "error":
            text = with_log_hint(text)
        super().notify(text, title=heading, severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's one door for a failure nothing caught (it then exits and prints the traceback):
        # the log keeps its type and stack too, without its message (client_log.py).
        log.error("unexpected failure", exc_info=error)
        super()._handle_exception(error)

    # --- session -------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self._session is not None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("no session yet")
        return self._session

    @property
    def api(self) -> SupportDeskClient:
        return self.session.api

    @property
    def me(self) -> Me:
        return self.session.me

    @property
    def queues(self) -> list[Queue]:
        return self.session.queues

    @property
    def current_theme(self) -> Theme:
        # Textual asks for the theme on every rendered line, and its lookup copies the dict of
        # all registered themes each time (≈ 20 ms per full repaint here); `App.theme` is always
        # one validated name, so a direct lookup is the same answer.
        registered = self._registered_themes
        return registered.get(self.theme) or registered["textual-dark"]

    @property
    def _background_screens(self) -> list[Screen[object]]:
        # Textual counts the screen under the one in front as visible even when the one in front
        # is opaque (only a translucent one, a modal, shows what is under it). The queue under an
        # open ticket then stayed "current": each repaint of it (its countdowns every second, its
        # preview) was handed to the conversation as a repaint of the whole screen, 5-13 ms each,
        # several times while a ticket opened. Covered, it is now left alone until it is back in
        # front (Textual's resume lays it out again at the terminal's size and repaints it).
        stack = self._screen_stack
        if stack and stack[-1].styles.background.a == 1:
            return []
        return super()._background_screens

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_TOKEN_DEFAULTS)

    def on_mount(self) -> None:
        set_language(self.settings.language)
        self.screen_change_signal.subscribe(self, self.screen_languages.screen_shown)
        self.screen_change_signal.subscribe(self, self._mind_the_size)
        self.theme_problems = register_all_themes(self)
        theme_problem = apply_theme(self, self.settings.theme)
        if theme_problem:
            self.theme_problems.append(theme_problem)
        problems = [*self.settings.startup_warnings, *self.theme_problems,
                    *apply_keymap(self, self.settings.keymap, scopes=self._keymap_scopes())]
        for problem in problems:
            self.notify(safe_text(problem), title=_("Configuration"), severity="warning", timeout=10)
        if self.settings.token is None:
            # No token stored (or a browser session, which never reads one): the agent signs in here.
            self.push_screen(SignInScreen(", ".join(url for url in self.settings.instances if url)))
            return
        self.push_screen(ConnectScreen(", ".join(self.settings.instances),
                                       cached=self.settings.cached_first_page))
        self.call_after_refresh(self.connect)

    def _keymap_scopes(self) -> list[type[DOMNode]]:
        # lazy: checking a keymap needs every screen class; without one, start-up need not import them
        from supportdesk_tui.screens import screen_classes

        return screen_classes() if self.settings.keymap else []

    @work(exclusive=True, group="session")
    async def connect(self) -> None:
        """Sign in and open the first screen; errors stay on the connect screen with what to do."""
        from supportdesk_tui.session import Session  # lazy: httpx loads after the connect screen is up

        screen = self.screen
        if isinstance(screen, ConnectScreen):
            screen.show_progress()
        try:
            session = await Session.open(self.settings)
        except ApiError as exc:
            if isinstance(screen, ConnectScreen | SignInScreen):
                screen.show_error(exc)
            if self.settings.wallboard and not isinstance(screen, SignInScreen):
                self.set_timer(5.0, self.connect)  # a wall screen has nobody to press retry
            return
        self._session = session
        if self._typed_token and not self.settings.in_browser:
            await self._remember_login()
        self.start_notifications(session)
        self.start_live_updates()
        self.navigator.open_start_screen()
        self.outbox_changed()
        self._tell_about_failed(self.session.sender.failed)
        self.set_interval(2.0, self._flush_outbox_if_due)
        freeze = self.settings.freeze_gc_after_sign_in
        if freeze or (freeze is None and not self.is_headless):
            self._take_over_pending = True
            self.set_timer(FREEZE_AFTER_SIGN_IN_SECONDS, self._take_over_garbage_collection)

    def on_queue_screen_first_rows_shown(self, _event: QueueScreen.FirstRowsShown) -> None:
        # Sooner than the timer, and while the agent reads the rows: the timer's moment (a second
        # after sign-in) fell among the first keys, and preparing the conversation takes ≈ 0.1 s.
        self._take_over_garbage_collection()

    def _take_over_garbage_collection(self) -> None:
        if not self._take_over_pending:
            return
        self._take_over_pending = False
        # A worker: keys keep reaching the app while the conversation screen mounts.
        self.run_worker(self._prepare_then_take_over(), group="gc-policy", exit_on_error=False)

    async def _prepare_then_take_over(self) -> None:
        # The conversation screen is composed first so that it is frozen with the rest: every
        # full collection then skips its widgets, and the first ticket opened is not the slowest.
        if not self.settings.wallboard:
            await self.navigator.prepare_conversation()
        # Full collections paused the UI 50-100 ms in the middle of ticket opens; see
        # domain/gc_policy.py and docs/benchmarks.md.
        self.collector.take_over(time.monotonic())
        self.set_interval(GC_CHECK_SECONDS, self._collect_garbage_when_idle)

    def _collect_garbage_when_idle(self) -> None:
        if self.collector.due(time.monotonic()):
            self.drop_watchers_of_closed_widgets()
            forget_closed_widgets_styles()
        self.collector.collect_if_due(time.monotonic())

    def on_conversation_screen_ticket_shown(self, _event: ConversationScreen.TicketShown) -> None:
        # Right after the frame that shows a ticket: the agent reads it now, and no key is waiting
        # on the collection, as one was when it ran at the next periodic check.
        if self.collector.due_after_ticket_shown():
            self.drop_watchers_of_closed_widgets()
            forget_closed_widgets_styles()
            self.collector.collect_after_ticket_shown(time.monotonic())

    def drop_watchers_of_closed_widgets(self) -> int:
        """Forget watchers whose widget is gone; returns how many were dropped.

        A widget watching an app attribute (Textual's TextArea watches `theme`) stays in the
        app's watcher list until that attribute next changes, so every closed conversation's
        composer, with everything it references, stayed alive: 2-3 MB per ticket opened.
        """
        watchers: dict[str, list[tuple[object, object]]] | None = getattr(self, "__watchers", None)
        dropped = 0
        for entries in (watchers or {}).values():
            alive = [(node, callback) for node, callback in entries
                     if not (getattr(node, "_closing", False) or getattr(node, "_closed", False))]
            dropped += len(entries) - len(alive)
            entries[:] = alive
        return dropped

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.collector.note_input(time.monotonic())
        if isinstance(event, events.Key) and event.key.startswith("alt+") and event.character:
            # Alt with a letter is a command, never text: without its character a text field
            # does not type the letter, and the key reaches the bindings (the web keymap's alt+t…).
            event = events.Key(event.key, None)
        await super().on_event(event)

    def on_resize(self, event: events.Resize) -> None:
        self._mind_the_size(size=event.size)

    def _mind_the_size(self, _screen: object = None, *, size: Size | None = None) -> None:
        """Below the minimum size the screen in front says how big the terminal must be (instead
        of a squashed picture); the notice goes once the terminal is big enough."""
        if not self.is_running or not self._screen_stack:
            return
        size = size or self.size
        if too_small(size):
            notices = self.screen.query(TooSmallNotice)
            if notices:
                notices.first().explain(size)
            else:
                self.screen.mount(TooSmallNotice(size))
        else:
            for screen in self.screen_stack:
                # Mounted on the screen itself: its children, not a walk of every widget (this runs
                # on every change of screen, opening each ticket).
                screen.query_children(TooSmallNotice).remove()

    @on(navigation.Reconnect)
    def _reconnect(self) -> None:
        self.connect()

    @on(navigation.SignIn)
    def _sign_in(self, request: navigation.SignIn) -> None:
        screen = self.screen
        try:
            urls = parse_server_list(request.server)
        except ServerListError as exc:
            if isinstance(screen, SignInScreen):
                screen.show_problem(str(exc))
            return
        self.settings = replace(self.settings, server_url=urls[0], server_urls=urls if len(urls) > 1 else (),
                                token=request.token)
        self._typed_token = True
        self.connect()

    async def _remember_login(self) -> None:
        """In the terminal, a token typed on the sign-in screen is stored as `supportdesk login`
        stores it, so the next start signs in by itself. (A browser session stores nothing.)"""
        settings = self.settings
        if settings.token is None:
            return
        try:
            where = await asyncio.to_thread(save_login, ",".join(settings.instances), settings.token)
        except OSError as exc:
            self.notify(safe_text(str(exc)), title=_("Token not stored"), severity="warning", timeout=8)
            return
        self.notify(safe_format(_("Signed in. Your token is stored in {where}."), where=where))

    async def on_unmount(self) -> None:
        self.collector.release()
        if self._session is not None:
            await self._session.close()

    # --- live updates --------------------------------------------------------

    def subscribe(self, widget: Widget) -> None:
        """`widget` receives the cross-screen messages of `supportdesk_tui.messages`."""
        if widget not in self._subscribers:
            self._subscribers.append(widget)

    def unsubscribe(self, widget: Widget) -> None:
        if widget in self._subscribers:
            self._subscribers.remove(widget)

    def publish(self, build: type[TextualMessage], /, **fields: object) -> None:
        """Post a fresh message instance to every subscriber (messages can't be shared)."""
        for widget in list(self._subscribers):
            if not widget.is_attached:
                self._subscribers.remove(widget)
                continue
            widget.post_message(build(**fields))

    def start_notifications(self, session: Session) -> None:
        """Toasts (and the bell, a desktop notification) for what concerns the agent, once each."""
        if self.notifications is not None:
            self.notifications.stop()
            self.notifications = None
        if session.me.role == "intake" or self.settings.wallboard or not self.settings.live_updates:
            return
        # lazy: like the session, after sign-in; a wallboard or an intake token never loads them
        from supportdesk_tui.domain.notifications import NotificationPolicy
        from supportdesk_tui.widgets.notification_center import NotificationCenter

        self.notifications = NotificationCenter(self, session.api, session.me,
                                                self.settings.notifications or NotificationPolicy(),
                                                clock=self.settings.clock)
        self.notifications.start()

    def _publish_live(self, build: type[TextualMessage], /, **fields: object) -> None:
        if self.notifications is not None:
            self.notifications.observe(build, fields)
        self.publish(build, **fields)

    def start_live_updates(self) -> None:
        if self.settings.live_updates:
            self.run_worker(self.session.live_updates(self._publish_live), group="live", exclusive=True)
        else:
            self.session.stream_state = "off"

    # --- outbox -----------------------------------------------------------------

    def outbox_changed(self) -> None:
        sender = self.session.sender
        self.publish(messages.OutboxChanged, waiting=sender.waiting, failed=sender.failed)

    def _tell_about_failed(self, count: int, *, new: bool = False) -> None:
        """A sentence about refused messages, naming the key that lists them."""
        if not count:
            return
        key = self.key_for("app.outbox") or "O"
        if new:
            sentence = ngettext("The server refused a queued message.",
                                "The server refused {n} queued messages.", count)
        else:
            sentence = ngettext("{n} message from an earlier session was refused by the server.",
                                "{n} messages from an earlier session were refused by the server.",
                                count)
        # The key name comes from the agent's config file: a value filled in, never markup.
        sentence += " " + _("Press {key} to edit, resend or discard it.")
        self.notify(safe_format(sentence, n=count, key=key),
                    title=_("Outbox"), severity="error", timeout=10)

    def key_for(self, binding_id: str) -> str | None:
        """The key of `binding_id` as the agent's keymap has it (for naming keys in text)."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == binding_id and not active.binding.system:
                return self.get_key_display(active.binding)
        return None

    def on_status_line_outbox_requested(self, _event: StatusLine.OutboxRequested) -> None:
        self.action_outbox()

    def action_outbox(self) -> None:
        self.navigator.show_outbox()

    def _flush_outbox_if_due(self) -> None:
        if self._timed_flush is not None and self._timed_flush.is_running:
            return  # still waiting for the server: a new flush would cancel it and ask again
        if self._session is not None and self._session.sender.outbox.due(self.settings.clock()):
            self._timed_flush = self.flush_outbox()

    @work(exclusive=True, group="outbox")
    async def flush_outbox(self) -> None:
        """Retry queued replies; each lands once thanks to its idempotency key."""
        sender = self.session.sender
        failed_before = {item.id for item in sender.outbox.failed()}
        landed = await sender.flush_due()
        if landed:
            self.session.server_answered()
        for posted in landed:
            self.publish(messages.MessageArrived, ticket_id=posted.ticket.id, message=posted.message)
            self.publish(messages.TicketChanged, ticket=posted.ticket)
            if posted.message.kind is MessageKind.NOTE:
                sentence = _("Note added to #{id} (it was waiting in the outbox).")
            else:
                sentence = _("Reply to #{id} sent (it was waiting in the outbox).")
            self.notify(safe_format(sentence, id=posted.ticket.id))
        refused = [item for item in sender.outbox.failed() if item.id not in failed_before]
        self.outbox_changed()
        self._tell_about_failed(len(refused), new=True)

    # --- language and theme ----------------------------------------------------------

    def switch_language(self, language: str) -> None:
        """Show every screen in `language` now, in place (drafts, scroll positions and the open
        ticket stay), and remember it for the next start."""
        if language == current_language():
            return
        set_language(language)
        self.screen_languages.language_switched(self.screen_stack)
        self._remember("language", language)

    def switch_theme(self, name: str) -> None:
        problem = apply_theme(self, name)
        if problem:
            self.notify(safe_text(problem), severity="warning")
            return
        self._remember("theme", name)

    def _remember(self, key: str, value: str) -> None:
        """Save a UI choice in the config file; a file we can't write costs only the memory.

        Not in a browser session: the config file is shared by every session of `supportdesk web`,
        and one agent's language is not the next one's."""
        if self.settings.in_browser:
            return
        try:
            save_ui_choice(key, value)
        except (ConfigError, OSError) as exc:
            self.notify(safe_text(str(exc)), title=_("Not remembered"), severity="warning", timeout=8)

    # --- navigation: screens and palette commands ask, the navigator shows ----------------------

    @on(navigation.OpenTicket)
    @on(navigation.ShowQueue)
    @on(navigation.ShowDashboard)
    @on(navigation.ShowEscalations)
    @on(navigation.NextTicket)
    @on(navigation.ReturnTo)
    @on(navigation.ShowIncident)
    @on(navigation.LinkToEscalation)
    def _navigate(self, request: navigation.NavigationRequest) -> None:
        self.navigator.go(request)

    @on(navigation.PrepareTicket)
    def _prepare_ticket(self, request: navigation.PrepareTicket) -> None:
        self.navigator.prepare_ticket(request.prefetched)

    # --- actions ---------------------------------------------------------------

    def action_help(self) -> None:
        self.navigator.show_help()


if TYPE_CHECKING:
    # Screens see the app as a `DeskContext` (desk.py) and palette commands as a `PaletteHost`
    # (commands.py, which extends it); neither may import this module, so mypy checks it here.
    _as_seen_by_screens_and_commands: type[PaletteHost] = SupportDeskApp
