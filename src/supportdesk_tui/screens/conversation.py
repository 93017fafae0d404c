"""One ticket: header, thread, customer sidebar and the composer.

One screen serves every ticket the agent opens (the navigator keeps it installed and calls
`show_ticket`): composing and styling it again for each ticket was most of what opening one cost
(docs/benchmarks.md). Leaving a ticket therefore has to forget it entirely — its text, draft,
playbook, sidebar, tags and scroll — and everything that answers late checks it is still the
ticket on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, ScreenStackError
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message as TextualMessage
from textual.timer import Timer
from textual.widget import AwaitMount

from supportdesk_tui import messages, paths
from supportdesk_tui.api.errors import ApiError, NewActivity, NotFoundError, VersionConflict
from supportdesk_tui.contract.models import (
    CannedActions,
    HistoryEntry,
    Language,
    Message,
    MessageKind,
    PresenceState,
    Priority,
    Status,
    Ticket,
    TicketPatch,
)
from supportdesk_tui.domain.canned_pick import describe_actions
from supportdesk_tui.domain.drafts import Draft, DraftKind, files_still_there
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text
from supportdesk_tui.domain.secrets import looks_sensitive_for_sending
from supportdesk_tui.domain.templates import context_for
from supportdesk_tui.domain.ticket_diff import describe_changes, patched_fields, touched_fields
from supportdesk_tui.domain.ticket_history import describe as describe_history
from supportdesk_tui.i18n import N_, _, current_language, ngettext
from supportdesk_tui.i18n.labels import priority_label, status_label
from supportdesk_tui.i18n.times import date_time
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import (
    FIRST_PAGE_MESSAGES,
    LinkToEscalation,
    NextTicket,
    OpenTicket,
    Prefetched,
)
from supportdesk_tui.screens._status import StatusLineScreen
from supportdesk_tui.screens.account_case import AccountCase
from supportdesk_tui.screens.attach_prompt import DETACH, AttachPrompt
from supportdesk_tui.screens.attachments import AttachmentsScreen
from supportdesk_tui.screens.canned import CannedInsert, CannedPicker
from supportdesk_tui.screens.pickers import ChoiceModal, ConfirmModal, TextPromptModal
from supportdesk_tui.sending import Queued
from supportdesk_tui.widgets.composer import Composer, external_editor_problem
from supportdesk_tui.widgets.customer_sidebar import CustomerSidebar
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_header import TicketHeader

if TYPE_CHECKING:
    from supportdesk_tui.api.answers import PageResult

__all__ = ["FIRST_PAGE_MESSAGES", "ConversationScreen", "Prefetched"]

PRESENCE_RENEW_SECONDS = 20
COMPOSING_IDLE_SECONDS = 15
# The pages the thread reads as the agent scrolls (and home and end read from either end of the
# conversation, one request whatever its length); it holds a few of them near the view.
THREAD_PAGE_MESSAGES = 100
# How long opening a ticket may leave the last frame (the queue) on the terminal while the ticket's
# messages load and mount. Drawn at once, the conversation was drawn 4-7 times on its way to the
# messages (empty, then header and sidebar, then the cards as they mounted, then laid out), each
# frame a layout and a paint; held, it is drawn once. Past this the agent sees it loading.
OPEN_HOLD_SECONDS = 0.1
# A ticket laid out unseen while the agent read its preview (`stage_ticket`) is shown as it is for
# this long; the cards' "… ago" labels were worked out when it was laid out, so an older one is
# shown afresh.
STAGED_FRESH_SECONDS = 10.0
# The ticket id of a screen composed ahead of the first ticket: the server numbers tickets from 1.
NO_TICKET = 0


class ConversationScreen(StatusLineScreen):
    DEFAULT_CSS = """
    ConversationScreen #conversation-body { height: 1fr; }
    ConversationScreen #conversation-main { width: 1fr; }
    ConversationScreen Thread { height: 1fr; }
    ConversationScreen Composer { height: 12; }
    ConversationScreen CustomerSidebar { width: 36; border-left: solid $panel; }
    /* The thread keeps the most room: the customer card, then the playbook, give way. */
    ConversationScreen.-medium CustomerSidebar { width: 30; }
    ConversationScreen.-medium PlaybookPanel { width: 36; }
    ConversationScreen.-narrow CustomerSidebar { display: none; }
    ConversationScreen.-narrow PlaybookPanel { width: 45%; }
    ConversationScreen.-short Composer { height: 8; }
    /* Too narrow for thread, playbook and sidebar side by side: the playbook wins while shown. */
    ConversationScreen.-medium CustomerSidebar.-beside-playbook { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("escape", "back", N_("Back"), id="ticket.back"),
        Binding("r", "compose('reply')", N_("Reply"), id="ticket.reply"),
        Binding("i", "compose('note')", N_("Note"), id="ticket.note"),
        Binding("t", "take", N_("Take"), id="ticket.take"),
        Binding("s", "set_status", N_("Status"), id="ticket.status"),
        Binding("p", "set_priority", N_("Priority"), id="ticket.priority"),
        Binding("g", "set_tags", N_("Tags"), id="ticket.tags"),
        Binding("u", "unassign", N_("Unassign"), id="ticket.unassign", show=False),
        Binding("n", "next_ticket", N_("Next for me"), id="ticket.next"),
        Binding("e", "escalate", N_("Escalate"), id="ticket.escalate"),
        Binding("L", "link_escalation", N_("Link to escalation"), id="ticket.link_escalation", show=False,
                tooltip=N_("Same bug as an existing escalation: count this customer in")),
        Binding("b", "toggle_playbook", N_("Playbook"), id="ticket.playbook"),
        Binding("j", "playbook_step(1)", N_("Next step"), id="playbook.next_step"),
        Binding("k", "playbook_step(-1)", N_("Previous step"), id="playbook.previous_step", show=False),
        Binding("v", "reveal_secret", N_("Reveal the next hidden secret"), id="ticket.reveal", show=False,
                tooltip=N_("One secret per press, for a few seconds; each reveal is audited")),
        Binding("a", "insert_article", N_("Article"), id="ticket.article"),
        Binding("l", "show_audit", N_("Audit trail"), id="ticket.audit", show=False),
        Binding("x", "cancel_deletion", N_("Cancel deletion"), id="ticket.cancel_deletion", show=False),
        Binding("c", "canned", N_("Canned"), id="ticket.canned",
                tooltip=N_("Insert a canned reply (or type :: in the composer)")),
        Binding("h", "toggle_history", N_("History"), id="ticket.history",
                tooltip=N_("Show or hide the ticket's changes (status, assignee, tags…) between "
                           "the messages")),
        Binding("f", "attachments", N_("Files"), id="ticket.attachments",
                tooltip=N_("The conversation's attachments: preview, save to Downloads, open")),
    ])

    def __init__(self, ticket_id: int | None = None, prefetched: Prefetched | None = None) -> None:
        """`ticket_id` None: composed ahead of the first ticket (`Navigator.prepare_conversation`),
        showing none until `show_ticket`."""
        super().__init__()
        self._ready = False  # mounted: a ticket is shown at once, not when mounting
        self._open = False  # a ticket is in front of the agent (not left yet)
        self._open_when_mounted = ticket_id is not None
        self._composing_timer: Timer | None = None
        self.history_shown = True  # the agent's choice stays for the next ticket
        # The ticket laid out unseen (`stage_ticket`): its id and when (time.monotonic).
        self._staged: tuple[int, float] | None = None
        self._forget_ticket(NO_TICKET if ticket_id is None else ticket_id, prefetched)

    def _forget_ticket(self, ticket_id: int, prefetched: Prefetched | None) -> None:
        """Everything this screen knows about a ticket, as for a screen just made for `ticket_id`."""
        self.ticket_id = ticket_id
        self.ticket: Ticket | None = None
        self.seen_up_to: int | None = None
        self._seen_from_draft = False
        self._prefetched = prefetched if prefetched is not None and prefetched.ticket.id == ticket_id \
            else None
        # What the thread shows: ticket version, last message id, message count.
        self._shown: tuple[int, int | None, int] | None = None
        # Set once the thread has this ticket's messages, or the load gave up, or the ticket was left.
        self._loaded = asyncio.Event()
        # The first frame of this ticket is on the terminal: what it did not need loads from then on
        # (presence, history, the customer's other tickets, the playbook, a prefetched ticket's refresh).
        self._drawn = False
        self._composing = False
        self._history_version: int | None = None  # the ticket version whose history is shown
        if self._composing_timer is not None:
            self._composing_timer.stop()
            self._composing_timer = None
        self.account_case = AccountCase(self, ticket_id, show_ticket=self.set_ticket,
                                        still_shown=self._shows(ticket_id))

    async def ticket_shown(self) -> None:
        """Returns once the thread has mounted this ticket's messages (or what stands in for them:
        the load failed) — the first frame worth drawing — or the ticket was left meanwhile."""
        loaded = self._loaded
        await loaded.wait()
        if self._open and self._loaded is loaded:
            thread = self.thread
            # Only those still mounting: awaiting a mounted widget asks for another layout of the
            # thread (a ticket laid out unseen has every card mounted already).
            mounting = [child for child in thread.children if not child.is_mounted]
            if mounting:
                await AwaitMount(thread, mounting)

    def _shows(self, ticket_id: int) -> Callable[[], bool]:
        """Asked by work that answers late: is `ticket_id` still the ticket in front of the agent?"""
        return lambda: self._open and self.ticket_id == ticket_id

    def compose(self) -> ComposeResult:
        clock = self.desk.settings.clock
        yield TicketHeader(clock=clock, id="header")
        with Horizontal(id="conversation-body"):
            with Vertical(id="conversation-main"):
                yield Thread(clock=clock, id="thread", live=lambda: self.desk.session.stream_state == "live")
                # Kept by reference: on quit Textual removes the children before this screen's
                # unmount, and the last keystrokes are saved from it then.
                self._composer = Composer(id="composer")
                yield self._composer
            yield CustomerSidebar(id="customer")
        yield StatusLine(id="status")
        yield KeyFooter()

    @property
    def thread(self) -> Thread:
        return self.query_one(Thread)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    def composer_for(self, ticket_id: int) -> Composer | None:
        return self.composer if self._open and ticket_id == self.ticket_id else None

    @property
    def ticket_language(self) -> Language:
        """The ticket's language (the interface's until the ticket has loaded)."""
        return self.ticket.language if self.ticket else Language(current_language())

    def on_mount(self) -> None:
        header = self.query_one(TicketHeader)
        header.me_login = self.desk.me.login
        header.queue_names = {q.id: q.name for q in self.desk.queues}
        self.set_interval(PRESENCE_RENEW_SECONDS, self._renew_presence)
        self._ready = True
        if self._open_when_mounted:
            self._open_ticket()
        else:
            # Composed aside: styled with the CSS of now, so a theme changed before the first
            # ticket is applied when it is shown (StatusLineScreen._on_screen_resume).
            self._styled_at = self.app._css_update_count

    def draw_aside(self, drawn: asyncio.Event) -> None:
        """Lay out and draw this screen while another is in front, for nobody to see: its
        widgets' lines are then cached, and the first ticket shown draws only what it changes (a
        first full paint of every widget made the session's first open ≈ 20 ms slower than the
        next). Sets `drawn` when done."""
        try:
            if self.app.screen is not self and self.is_attached:
                # Not the current screen: Textual lays it out and draws it without displaying it
                # (tests/packaging/test_textual_internals.py).
                self._refresh_layout(self.app.size)
                self._compositor.render_update(full=True)
                # Textual starts a screen's frame timer when first asked for a frame, and its first
                # tick comes a whole period (1/60 s) later: started now, it ticks once unseen and
                # the first ticket's frame is drawn at once, as every later one is.
                self._update_timer.resume()
        finally:
            drawn.set()

    def show_ticket(self, ticket_id: int, prefetched: Prefetched | None = None) -> None:
        """Show another ticket on this screen, as if it had been made for it."""
        self._leave_ticket()
        staged_at = self._staged[1] if self._staged is not None else 0.0
        if self._take_staged(ticket_id, prefetched):
            # Laid out and drawn already: open it (what the agent and the others are told); the
            # frame only shows what is drawn. The header's countdowns are redrawn every second
            # while shown: drawn longer ago than that, they are redrawn now.
            if time.monotonic() - staged_at > 1.0:
                self.query_one(TicketHeader).refresh()
            self._open_ticket()
            return
        self._forget_ticket(ticket_id, prefetched)
        if self._ready:
            self._clear_widgets()
            self._open_ticket()
        else:  # composed ahead and still mounting: it opens this one when mounted
            self._open_when_mounted = True

    def stage_ticket(self, prefetched: Prefetched) -> None:
        """The agent is reading this ticket's preview (the queue fetched it): lay it out and draw it
        now, unseen, as `draw_aside` does, so that opening it only shows it (the layout and first
        paint of the header, sidebar and cards were most of an open's ≈ 25-35 ms of CPU). Only the
        picture: nothing an open does for the agent or the others (open state, presence, the
        draft, live updates, the extras) happens before `show_ticket` takes it; another ticket, or
        this one after `STAGED_FRESH_SECONDS`, is shown from scratch as before."""
        if not self._ready or self._open or self.app.screen is self or self in self.app.screen_stack:
            return
        ticket_id = prefetched.ticket.id
        self._forget_ticket(ticket_id, prefetched)
        self._clear_widgets()
        self._show_loaded(prefetched.ticket, prefetched.newest_first)
        self._staged = (ticket_id, time.monotonic())
        self.run_worker(self._draw_staged(ticket_id), group="stage", exclusive=True, exit_on_error=False)

    async def _draw_staged(self, ticket_id: int) -> None:
        thread = self.thread
        mounting = [child for child in thread.children if not child.is_mounted]
        if mounting:
            await AwaitMount(thread, mounting)
        # As `draw_aside` does, in two steps with the loop free between them (a key pressed
        # meanwhile waits for one of them, not both), each only while the ticket is still the one
        # laid out and not opened (the open draws it itself).
        if self._still_staged(ticket_id):
            self._refresh_layout(self.app.size)
            await asyncio.sleep(0)
        if self._still_staged(ticket_id):
            self._compositor.render_update(full=True)

    def _still_staged(self, ticket_id: int) -> bool:
        staged = self._staged
        return (staged is not None and staged[0] == ticket_id and not self._open and self.is_attached
                and self.app.screen is not self)

    def _take_staged(self, ticket_id: int, prefetched: Prefetched | None) -> bool:
        """Whether `ticket_id` is the ticket laid out unseen, fresh, and shown from what the queue
        has now (`prefetched` may carry a newer version of the ticket: `_open_ticket` shows it)."""
        staged, self._staged = self._staged, None
        if staged is None or prefetched is None or not self._ready or self._open:
            return False
        staged_id, staged_at = staged
        if staged_id != ticket_id or self.ticket_id != ticket_id or prefetched.ticket.id != ticket_id:
            return False
        if time.monotonic() - staged_at > STAGED_FRESH_SECONDS:
            return False
        self._prefetched = prefetched
        return True

    def _clear_widgets(self) -> None:
        """Nothing of the previous ticket stays on screen."""
        if self._prefetched is None:  # else the prefetched ticket replaces them at once
            self.query_one(TicketHeader).set_ticket(None)
            self.query_one(CustomerSidebar).set_ticket(None)
        self.thread.reset()
        self.composer.reset()
        self.account_case.remove_playbook()
        self.query_one(StatusLine).set_note("")
        self._set_sub_title("")

    def _open_ticket(self) -> None:
        self._draw_when_shown()
        self._open = True
        self.desk.subscribe(self)
        self.init_status_line()  # what the session said while another screen was in front
        thread = self.thread
        if self.focused is not thread:  # Textual repaints a widget on every focus() call
            thread.focus()
        draft = self.desk.session.drafts.load(self.ticket_id)
        if draft is not None:
            self.composer.set_draft(draft.body, draft.kind.message_kind)
            self.seen_up_to = draft.seen_up_to
            self._seen_from_draft = True
            self.notify(_("Your unsent draft is back."), timeout=3)
            self._restore_draft_files(draft)
        if self._prefetched is not None:
            self._show_loaded(self._prefetched.ticket, self._prefetched.newest_first)
        else:
            self.thread.show_loading()
            self.load()
        self._show_waiting()

    def _draw_when_shown(self) -> None:
        """Hold the app's drawing until this ticket's messages are mounted (`OPEN_HOLD_SECONDS` at
        most); keys reach the conversation meanwhile, only drawing waits. Held from now, not from
        when a worker starts, so that no frame of the screen half updated slips in."""
        hold = contextlib.ExitStack()
        hold.enter_context(self.app.batch_update())
        # Exclusive: a ticket shown while the last one is held ends that hold (its `finally`).
        self.run_worker(self._release_when_shown(hold, self.ticket_id), group="first-frame",
                        exclusive=True, exit_on_error=False)

    async def _release_when_shown(self, hold: contextlib.ExitStack, ticket_id: int) -> None:
        shown = False
        try:
            # NoMatches: the screen was taken apart meanwhile (the app quits).
            with contextlib.suppress(TimeoutError, NoMatches):
                await asyncio.wait_for(self.ticket_shown(), OPEN_HOLD_SECONDS)
                shown = True
        finally:
            hold.close()
            with contextlib.suppress(ScreenStackError):
                self.app.screen.check_idle()  # draw now, not at the screen's next message
        if self._shows(ticket_id)():
            self.call_after_refresh(self._after_first_frame, ticket_id, shown)

    class TicketShown(TextualMessage):
        """The frame showing a ticket with its messages is on the terminal: a moment the agent
        spends reading, when the app's garbage collection keeps out of every key's way."""

    def _after_first_frame(self, ticket_id: int, with_messages: bool = False) -> None:
        """The ticket is on the terminal: now what its first frame did not need."""
        if not self._shows(ticket_id)() or self._drawn:
            return
        self._drawn = True
        if with_messages:
            self.post_message(self.TicketShown())
        self.set_presence(PresenceState.VIEWING)
        if self._prefetched is not None:
            self.load()  # the preview's page is on screen: is it still the ticket as it is?
        elif self.ticket is not None:
            self._load_extras(self.ticket)
        # else still loading: the load loads them when it ends

    def _load_extras(self, ticket: Ticket) -> None:
        self.load_other_tickets(ticket)
        self.account_case.load_playbook(ticket)
        self._load_history_if_changed(ticket)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Kept aside, this screen heard no resize: its breakpoint classes may be from another size.
        size = self.app.size
        if self._ready and self.size != size:
            self.post_message(events.Resize(size, size))
        super()._on_screen_resume(event)

    def on_screen_suspend(self) -> None:
        # Suspended under a modal the ticket stays open; popped (no longer on the stack) it is left.
        if self not in self.app.screen_stack:
            self._leave_ticket()

    def on_unmount(self) -> None:
        self._leave_ticket()

    def _leave_ticket(self) -> None:
        """The agent is done with this ticket: keep the draft, tell the others, stop its reads."""
        if not self._open:
            return
        self._open = False
        self._loaded.set()  # nothing more to wait for before drawing
        self.desk.unsubscribe(self)
        self._save_draft_now()
        if self._composing_timer is not None:
            self._composing_timer.stop()
            self._composing_timer = None
        # Reads only: a send or a field change in flight still completes (for the ticket it was for).
        for group in ("load", "others", "older", "playbook", "audit-view", "history"):
            self.workers.cancel_group(self, group)
        self.app.run_worker(self._leave(self.ticket_id), group="presence")

    async def _leave(self, ticket_id: int) -> None:
        with contextlib.suppress(ApiError, RuntimeError):  # presence expires by itself on the server
            await self.desk.api.set_presence(ticket_id, PresenceState.LEFT)

    # --- loading ---------------------------------------------------------------

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        loaded = self._loaded
        try:
            await self._load()
        finally:
            loaded.set()  # shown, or the reason it is not, or left: drawing waits no longer

    async def _load(self) -> None:
        api = self.desk.api
        ticket_id = self.ticket_id
        still_shown = self._shows(ticket_id)
        try:
            # Both at once: on a slow link opening costs one round trip, not two in a row.
            ticket, page = await asyncio.gather(
                api.get_ticket(ticket_id),
                api.list_messages(ticket_id, order="desc", page_size=FIRST_PAGE_MESSAGES))
        except NotFoundError:
            if still_shown():
                self.notify(safe_format(_("Ticket #{id} does not exist or is in a queue you can't see."),
                                        id=ticket_id), severity="error")
                self.dismiss_screen()
            return
        except ApiError as exc:
            if still_shown():
                self.thread.set_empty_message(f"{exc.title}: {exc.message}")
                self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        if not self.is_attached or not still_shown():
            return  # the agent left (or went on to another ticket) while it loaded
        try:
            self._show_loaded(ticket, page)
        except NoMatches:
            return  # closed between the check and now: its widgets are already gone
        if self._drawn:
            self._load_extras(ticket)

    def _show_loaded(self, ticket: Ticket, newest_first: PageResult[Message]) -> None:
        shown = (ticket.version, ticket.last_message_id, len(newest_first.items))
        if shown == self._shown:
            return  # the refresh after a prefetched open found nothing new: keep the cards
        self._shown = shown
        self.set_ticket(ticket)
        self.thread.set_messages(list(reversed(newest_first.items)), has_older=newest_first.has_more,
                                 older_cursor=newest_first.next_cursor)
        self._loaded.set()
        if not self._seen_from_draft:
            # What the agent now has in front of them; a restored draft keeps what it was written against.
            self.seen_up_to = max(self.seen_up_to or 0, ticket.last_message_id or 0) or None

    def dismiss_screen(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    @work(exclusive=True, group="others")
    async def load_other_tickets(self, ticket: Ticket) -> None:
        still_shown = self._shows(ticket.id)
        try:
            page = await self.desk.api.list_tickets(
                {"requester": ticket.requester.account_id, "sort": "-created_at"}, page_size=10)
        except ApiError:
            return
        if not still_shown():
            return
        with contextlib.suppress(NoMatches):  # the agent left (or the app closed) while it loaded
            self.query_one(CustomerSidebar).set_other_tickets([t for t in page.items if t.id != ticket.id])

    # --- the thread's pages: the thread asks, with the cursors it holds; answers go back to it ----

    @on(Thread.NeedOlder)
    def _need_older(self, event: Thread.NeedOlder) -> None:
        if event.cursor is not None and event.before_id is not None:
            self.load_older(event.cursor, event.before_id)

    @work(exclusive=True, group="older")
    async def load_older(self, cursor: str, before_id: int) -> None:
        page = await self._thread_page("desc", cursor)
        if page is not None:
            self.thread.prepend_messages(list(reversed(page.items)), has_older=page.has_more,
                                         older_cursor=page.next_cursor, newer_cursor=page.prev_cursor,
                                         before_id=before_id)

    @on(Thread.NeedNewer)
    def _need_newer(self, event: Thread.NeedNewer) -> None:
        if event.cursor is not None:
            self.load_newer(event.cursor, event.after_id)

    @work(exclusive=True, group="newer")
    async def load_newer(self, cursor: str, after_id: int) -> None:
        page = await self._thread_page("asc", cursor)
        if page is not None:
            self.thread.append_page(page.items, has_newer=page.has_more, newer_cursor=page.next_cursor,
                                    older_cursor=page.prev_cursor, after_id=after_id)

    @on(Thread.NeedFirst)
    def _need_first(self) -> None:
        self.load_first()

    @work(exclusive=True, group="jump")
    async def load_first(self) -> None:
        page = await self._thread_page("asc", None)
        if page is not None:
            self.thread.show_first(page.items, has_newer=page.has_more, newer_cursor=page.next_cursor)

    @on(Thread.FirstPageAhead)
    @work(exclusive=True, group="ahead")
    async def read_first_page_ahead(self) -> None:
        ticket_id = self.ticket_id
        still_shown = self._shows(ticket_id)
        try:
            page = await self.desk.api.list_messages(ticket_id, order="asc", page_size=THREAD_PAGE_MESSAGES)
        except ApiError:
            return  # quietly: home reads the page itself then
        if still_shown():
            self.thread.keep_first_page(page.items, has_newer=page.has_more, newer_cursor=page.next_cursor)

    @on(Thread.NeedNewest)
    def _need_newest(self) -> None:
        self.load_newest()

    @work(exclusive=True, group="jump")
    async def load_newest(self) -> None:
        page = await self._thread_page("desc", None)
        if page is not None:
            self.thread.show_newest(list(reversed(page.items)), has_older=page.has_more,
                                    older_cursor=page.next_cursor)

    async def _thread_page(self, order: str, cursor: str | None) -> PageResult[Message] | None:
        ticket_id = self.ticket_id
        still_shown = self._shows(ticket_id)
        try:
            page = await self.desk.api.list_messages(ticket_id, order=order,
                                                     page_size=THREAD_PAGE_MESSAGES, after=cursor)
        except ApiError as exc:
            if still_shown():
                self.notify(safe_text(exc.message), title=exc.title, severity="error")
                with contextlib.suppress(NoMatches):
                    self.thread.loading_failed()
            return None
        # A page for the ticket shown before this one is of no use now.
        return page if still_shown() else None

    def set_ticket(self, ticket: Ticket) -> None:
        if ticket.id != self.ticket_id:
            return  # an answer about a ticket the agent has since left
        self.ticket = ticket
        try:
            header, sidebar = self.query_one(TicketHeader), self.query_one(CustomerSidebar)
        except NoMatches:
            return  # the screen is being torn down
        header.set_ticket(ticket)
        sidebar.set_ticket(ticket)
        self._set_sub_title(f"#{ticket.id}")
        if self._drawn:
            self._load_history_if_changed(ticket)

    def _set_sub_title(self, sub_title: str) -> None:
        """Textual repaints the whole screen when its sub-title changes (the reactive's refresh), for
        a `Header` this screen does not have: every widget's lines went through the compositor again
        in each open. Set without that refresh."""
        self.set_reactive(ConversationScreen.sub_title, sub_title)

    def _load_history_if_changed(self, ticket: Ticket) -> None:
        if self.history_shown and ticket.version != self._history_version:
            self._history_version = ticket.version
            self.load_history(ticket.id)

    # --- the ticket's history: quiet lines between the messages ------------------------

    def action_toggle_history(self) -> None:
        self.history_shown = not self.history_shown
        if not self.history_shown:
            self.thread.set_history([], None)
            self._history_version = None
        elif self.ticket is not None:
            self._history_version = self.ticket.version
            self.load_history(self.ticket.id)
        self.notify(_("History shown between the messages.") if self.history_shown
                    else _("History hidden."), timeout=2)

    @work(exclusive=True, group="history")
    async def load_history(self, ticket_id: int) -> None:
        still_shown = self._shows(ticket_id)
        try:
            entries = await self.desk.api.ticket_history(ticket_id)
        except ApiError:
            self._history_version = None  # asked again with the next change of the ticket
            return  # the timeline is extra: the conversation itself reads fine without it
        if not still_shown() or not self.history_shown:
            return
        queue_names = {q.id: q.name for q in self.desk.queues}

        def line(entry: HistoryEntry) -> str:
            return f"{date_time(entry.at)} · {describe_history(entry, lambda q: queue_names.get(q, q))}"

        with contextlib.suppress(NoMatches):
            self.thread.set_history(entries, line)

    @on(CustomerSidebar.OpenTicket)
    def _open_other(self, event: CustomerSidebar.OpenTicket) -> None:
        self.post_message(OpenTicket(event.ticket_id, instead_of_current=True))

    # --- composing and sending ---------------------------------------------------

    def action_compose(self, kind: str) -> None:
        composer = self.composer
        if composer.kind.value != kind:
            composer.action_toggle_kind()
        composer.focus_editor()

    def action_back(self) -> None:
        if self.composer.has_focus_within:
            self.thread.focus()
            return
        self.dismiss_screen()

    @on(Composer.Changed)
    def _composer_changed(self, event: Composer.Changed) -> None:
        # Off the UI loop: the write and its fsync would land in whichever key comes next. Leaving
        # the ticket (or quitting) saves it at once, after any of these still waiting.
        self._save_draft(soon=True)
        if event.text.strip():
            if not self._composing:
                self._composing = True
                self.set_presence(PresenceState.COMPOSING)
            if self._composing_timer is not None:
                self._composing_timer.stop()
            self._composing_timer = self.set_timer(COMPOSING_IDLE_SECONDS, self._stop_composing)

    def _stop_composing(self) -> None:
        if self._composing:
            self._composing = False
            self.set_presence(PresenceState.VIEWING)

    def _save_draft_now(self) -> None:
        self._save_draft(soon=False)

    def _save_draft(self, *, soon: bool) -> None:
        composer = getattr(self, "_composer", None)
        if composer is None:
            return
        kind = DraftKind.NOTE if composer.kind is MessageKind.NOTE else DraftKind.REPLY
        files = tuple(str(path) for path in composer.files)
        # An empty draft (no text, no files) deletes the saved one.
        draft = Draft(self.ticket_id, composer.text, kind, self.seen_up_to, files=files)
        drafts = self.desk.session.drafts
        (drafts.save_soon if soon else drafts.save)(self.ticket_id, draft)

    def _restore_draft_files(self, draft: Draft) -> None:
        """The files the draft was saved with, attached again; one gone since is named, not fatal."""
        present, missing = files_still_there(draft)
        for path in present:
            self.composer.attach(path)
        if not missing:
            return
        self._save_draft_now()  # said once: the draft forgets the files that are gone
        self.notify(safe_format(ngettext("A file attached to this draft is gone: {names}",
                                         "Files attached to this draft are gone: {names}", len(missing)),
                                names=", ".join(one_line(path.name) for path in missing)),
                    title=_("Draft"), severity="warning")

    @on(Composer.ExternalEditRequested)
    def _external_edit_requested(self, event: Composer.ExternalEditRequested) -> None:
        # Saved before the editor runs and again after: a crash or a killed terminal while the
        # agent is in the editor loses nothing that was in the composer.
        self._save_draft_now()
        outcome = event.composer.edit_outside(label=f"ticket-{self.ticket_id}")
        self._save_draft_now()
        if outcome.failure is None:
            return
        reason = external_editor_problem(outcome)
        event.composer.show_blocked(reason)
        self.notify(safe_text(reason), title=_("Editor"), severity="warning")

    @on(Composer.SendRequested)
    def _send_requested(self, event: Composer.SendRequested) -> None:
        if event.kind is not MessageKind.REPLY or not looks_sensitive_for_sending(event.body):
            self.send(event.body, event.kind, event.status_after, event.actions, event.files)
            return

        def answered(go: bool | None) -> None:
            if go:
                self.send(event.body, event.kind, event.status_after, event.actions, event.files)

        self.app.push_screen(ConfirmModal(
            _("This reply looks like it contains a password or a full card number"),
            Text(_("The customer will see it, and it stays in the conversation history.")),
            question=_("Send it anyway?")), answered)

    @work(group="send")
    async def send(self, body: str, kind: MessageKind, status_after: Status | None,
                   actions: CannedActions | None = None, files: tuple[Path, ...] = ()) -> None:
        """Shown in the thread at once as "sending…", confirmed when the server answers.

        The composer is emptied before the request goes out, so on a slow link the agent writes
        the next message meanwhile; the item is in the outbox first (keyed by its idempotency
        key), so it is never lost and never lands twice."""
        composer = self.composer
        draft_kind = DraftKind.NOTE if kind is MessageKind.NOTE else DraftKind.REPLY
        sender = self.desk.session.sender
        ticket_id = self.ticket_id
        # The agent is still on this ticket (the answer may come after they moved on).
        still_here = self._shows(ticket_id)
        try:
            item = sender.queue(ticket_id, draft_kind, body, status_after=status_after,
                                seen_up_to=self.seen_up_to, files=files)
        except ApiError as exc:  # refused by the contract before anything went out
            self._not_sent(body, kind, exc)
            return
        # One frame shows the composer emptied and the reply as "sending…". The thread draws the
        # reply's block itself (nothing mounted): only its own size changes, so nothing on the
        # screen is laid out again for it.
        try:
            with self.app.batch_update():
                composer.clear()
                # The outbox holds the text now. Off the loop, by the writer thread that has the
                # outbox's entry to write first: the draft is never emptied on disk before it is.
                self._save_draft(soon=True)
                self._show_waiting()
            # The presence request, the wait for the disk and the request itself after that frame
            # (none of them changes what it shows).
            await self.wait_for_refresh()
        except asyncio.CancelledError:
            # Cancelled before its first attempt (the app quits): the outbox's retries own it now.
            sender.sending.discard(item.id)
            raise
        self._stop_composing()
        try:
            result = await sender.deliver(item, forget_draft=False)
        except NewActivity as exc:
            if not still_here():
                self._keep_as_draft(item.ticket_id, body, draft_kind, exc)
                return
            self._show_waiting()
            for message in exc.messages:
                self._show_message(message)
            self._give_back(body, kind, files)
            self.composer.show_blocked(_("New activity arrived while you were writing. Read it, then "
                                         "send again — your text is kept."))
            return
        except ApiError as exc:
            if still_here():
                self._show_waiting()
                self._not_sent(body, kind, exc, files)
            else:
                self._keep_as_draft(item.ticket_id, body, draft_kind, exc)
            return
        if not still_here():
            self.desk.outbox_changed()
            return
        if isinstance(result, Queued):
            self.desk.outbox_changed()
            self._show_waiting()
            self.notify(safe_format(_("Not sent yet: {error}. It is kept in the outbox and will be sent "
                                      "automatically."), error=result.error.message),
                        title=_("Queued"), severity="warning")
            if self.ticket is not None:
                self._apply_canned_actions(self.ticket, actions)
            return
        self._show_message(result.message, delivers=item.id)
        self.desk.outbox_changed()
        self._show_waiting()
        self.set_ticket(result.ticket)
        self.notify(_("Internal note added.") if kind is MessageKind.NOTE else _("Reply sent."))
        self._apply_canned_actions(result.ticket, actions)

    def _give_back(self, body: str, kind: MessageKind, files: tuple[Path, ...] = ()) -> None:
        """A send refused for good: its text goes back to the composer, before anything typed since,
        and its files are attached again."""
        composer = self.composer
        typed = composer.text
        composer.set_draft(body if not typed.strip() else f"{body}\n\n{typed}", kind)
        for path in files:
            composer.attach(path)
        self._save_draft_now()

    def _keep_as_draft(self, ticket_id: int, body: str, kind: DraftKind, exc: ApiError) -> None:
        """Refused after the agent left the ticket: the text becomes its draft, before any draft
        written since, and the agent is told where it is."""
        drafts = self.desk.session.drafts
        kept = drafts.load(ticket_id)
        text = body if kept is None or not kept.body.strip() else f"{body}\n\n{kept.body}"
        drafts.save(ticket_id, Draft(ticket_id, text, kind, kept.seen_up_to if kept else None,
                                     files=kept.files if kept else ()))
        self.notify(safe_format(_("Not sent to #{id}: {reason} Your text is kept as the ticket's draft."),
                                id=ticket_id, reason=exc.message), title=_("Not sent"), severity="error")

    def _not_sent(self, body: str, kind: MessageKind, exc: ApiError, files: tuple[Path, ...] = ()) -> None:
        # Refused for good (403, 404, 413, 422...): nothing stays queued and the text is back in the
        # composer and its draft. The reason is the server's text: one line, never markup.
        self._give_back(body, kind, files)
        sentence = _("Not sent: {reason} Your text is still in the composer.")
        self.composer.show_blocked(sentence.format(reason=one_line(exc.message)))
        self.notify(safe_format(sentence, reason=exc.message), title=_("Not sent"), severity="error")

    # --- canned replies -------------------------------------------------------------

    def _apply_canned_actions(self, ticket: Ticket, actions: CannedActions | None) -> None:
        """Priority and tags of the inserted canned replies (the status went with the message)."""
        if actions is None or not (actions.priority or actions.add_tags):
            return
        tags = sorted({*ticket.tags, *actions.add_tags}) if actions.add_tags else None
        patch = TicketPatch(priority=actions.priority if actions.priority != ticket.priority else None,
                            tags=tags if tags != sorted(ticket.tags) else None)
        if patch.priority is None and patch.tags is None:
            return
        shown = CannedActions(priority=patch.priority, add_tags=actions.add_tags if patch.tags else [])
        self.apply_patch(ticket, patch, _("Canned reply actions applied: {actions}").format(
            actions=describe_actions(shown)), merge_untouched=True)

    def action_attachments(self) -> None:
        files = [a for message in self.thread.messages for a in message.attachments]
        if not files:
            self.notify(_("No files in this conversation."))
            return
        settings = self.desk.settings
        self.app.push_screen(AttachmentsScreen(
            files, download=self.desk.api.download_attachment,
            downloads_dir=settings.downloads_dir or paths.downloads_dir(), renderer=settings.image_renderer,
        ))

    @on(Composer.AttachRequested)
    def _attach_requested(self, event: Composer.AttachRequested) -> None:
        composer = event.composer

        def chosen(path: Path | None) -> None:
            if path == DETACH:
                composer.detach_all()
            elif path is not None:
                composer.attach(path)
            self._save_draft_now()  # the draft keeps the files too
            composer.focus_editor()

        self.app.push_screen(AttachPrompt(attached=len(composer.files)), chosen)

    def action_canned(self) -> None:
        self.open_canned_picker()

    @on(Composer.CannedRequested)
    def _canned_requested(self) -> None:
        self.open_canned_picker()

    def open_canned_picker(self) -> None:
        ticket = self.ticket
        if ticket is None:
            self.notify(_("The ticket is still loading."), severity="warning")
            return
        session = self.desk.session
        context = context_for(ticket, self.desk.me.name, session.queue_name(ticket.queue),
                              ticket.language)
        usage = session.canned_usage

        def inserted(choice: CannedInsert | None) -> None:
            if choice is None:
                return
            composer = self.composer
            composer.insert_snippet(choice.text, choice.actions)
            composer.focus_editor()
            usage.record(choice.entry_key)

        self.app.push_screen(CannedPicker(session.canned_library, language=ticket.language,
                                          context=context, boosts=usage.boosts(),
                                          recent=usage.recent()), inserted)

    def _show_waiting(self) -> AwaitComplete:
        """This ticket's replies and notes still in the outbox, after the messages: those being
        sent now as "sending…", the others as waiting. Awaited: until their new cards are mounted."""
        try:
            thread = self.thread
        except NoMatches:
            # The app is quitting and has taken the screen apart: a late answer shows nothing.
            return AwaitComplete()
        sender = self.desk.session.sender
        in_flight = sender.in_flight(self.ticket_id)
        items = sorted([*sender.waiting_for(self.ticket_id), *in_flight], key=lambda item: item.created_at)
        return thread.set_waiting(items, sending={item.id for item in in_flight})

    @on(messages.OutboxChanged)
    def _outbox_changed(self) -> None:
        self._show_waiting()

    def _delivered_key(self, message: Message) -> str | None:
        """The waiting card `message` delivers: the agent's own message with its kind and text.

        The stream may bring it before the outbox hears its answer; matched here, the card turns
        into the message at once instead of both showing until then."""
        author = message.author
        if author.type != "agent" or author.id != self.desk.me.login:
            return None
        return self.thread.waiting_key_for(message)

    def _show_message(self, message: Message, *, delivers: str | None = None) -> None:
        if message.ticket_id != self.ticket_id:
            return
        self.seen_up_to = max(self.seen_up_to or 0, message.id)
        self.thread.append_message(message, delivers=delivers or self._delivered_key(message))

    # --- field changes -------------------------------------------------------------

    def _patch(self, patch: TicketPatch, done: str) -> None:
        if self.ticket is None:
            self.notify(_("The ticket is still loading."), severity="warning")
            return
        self.apply_patch(self.ticket, patch, done)

    @work(group="writes")
    async def apply_patch(self, base: Ticket, patch: TicketPatch, done: str, *,
                          merge_untouched: bool = False) -> None:
        """`merge_untouched`: on a version conflict where nobody else changed the fields this patch
        sets (typically our own reply landed first, through the outbox), apply it on top without
        asking. Anything else that conflicts is shown to the agent."""
        try:
            updated = await self.desk.api.update_ticket(base.id, patch, version=base.version)
        except VersionConflict as exc:
            if exc.current is None:
                self.notify(safe_text(exc.message), title=exc.title, severity="error")
                return
            self.set_ticket(exc.current)
            if merge_untouched and not touched_fields(base, exc.current) & patched_fields(patch):
                self.apply_patch(exc.current, patch, done)
                return
            self.offer_reapply(base, exc.current, patch, done)
            return
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        self.set_ticket(updated)
        self.notify(safe_text(done))

    def offer_reapply(self, base: Ticket, current: Ticket, patch: TicketPatch, done: str) -> None:
        body = Text()
        who = current.assignee.name if current.assignee else _("someone")
        body.append(_("While you looked, the ticket changed (last by {who}):").format(who=one_line(who)))
        for name, old, new in describe_changes(base, current):
            body.append(f"\n  {_(name)}: {one_line(old)} → {one_line(new)}")
        mine = ", ".join(f"{k} = {v}" for k, v in patch.model_dump(exclude_none=True).items())
        body.append("\n\n" + _("Your change: {change}").format(change=one_line(mine)))

        def answered(reapply: bool | None) -> None:
            if reapply:
                self.apply_patch(current, patch, done)

        self.app.push_screen(ConfirmModal(_("Changed by someone else"), body,
                                          question=_("Apply your change on top?")), answered)

    def action_take(self) -> None:
        ticket = self.ticket
        take = TicketPatch(assignee_id=self.desk.me.id)
        if ticket is None:
            self._patch(take, _("The ticket is yours."))
            return
        owner = ticket.assignee
        if owner is not None and owner.id == self.desk.me.id:
            self.notify(_("The ticket is already yours."))
            return
        solved = ticket.status in (Status.SOLVED, Status.CLOSED)
        if owner is None and not solved:
            self.apply_patch(ticket, take, _("The ticket is yours."))
            return
        # A colleague's ticket or a finished one: taking it is a decision, not a keystroke.
        body = Text()
        if owner is not None:
            body.append(_("It is assigned to {name}; taking it moves it to you.").format(
                name=one_line(owner.name)))
        if solved:
            if owner is not None:
                body.append("\n")
            body.append(_("Its status is {status}.").format(status=status_label(ticket.status)))
        title = (_("Take #{id} from {name}?").format(id=ticket.id, name=one_line(owner.name))
                 if owner is not None else _("Take #{id}?").format(id=ticket.id))

        def answered(go: bool | None) -> None:
            if go:
                self.apply_patch(ticket, take, _("The ticket is yours."))

        self.app.push_screen(ConfirmModal(title, body, question=_("Take it?")), answered)

    def action_unassign(self) -> None:
        self._patch(TicketPatch(assignee_id=0), _("The ticket is unassigned."))

    def action_set_status(self) -> None:
        current = self.ticket.status if self.ticket else None

        def chosen(status: Status | None) -> None:
            if status is not None and status != current:
                self._patch(TicketPatch(status=status),
                            _("Status set to {status}.").format(status=status_label(status)))

        choices = [(s, status_label(s)) for s in Status if s is not Status.NEW]
        self.app.push_screen(ChoiceModal(_("Set status"), choices, current=current), chosen)

    def action_set_priority(self) -> None:
        current = self.ticket.priority if self.ticket else None

        def chosen(priority: Priority | None) -> None:
            if priority is not None and priority != current:
                self._patch(TicketPatch(priority=priority),
                            _("Priority set to {priority}.").format(priority=priority_label(priority)))

        choices = [(p, priority_label(p)) for p in Priority]
        self.app.push_screen(ChoiceModal(_("Set priority"), choices, current=current), chosen)

    def action_set_tags(self) -> None:
        if self.ticket is None:
            return

        def entered(value: str | None) -> None:
            if value is None:
                return
            tags = sorted({t.strip().lower() for t in value.replace(",", " ").split() if t.strip()})
            self._patch(TicketPatch(tags=tags), _("Tags updated."))

        self.app.push_screen(TextPromptModal(
            _("Tags"), value=", ".join(self.ticket.tags),
            hint=_("Separate tags with commas or spaces; enter saves, esc cancels.")), entered)

    def action_escalate(self) -> None:
        # lazy: the escalation form (Select, SelectionList) loads when first used, not with every ticket
        from supportdesk_tui.screens.escalate import start_escalation

        start_escalation(self, self.ticket, on_created=self.load)

    def action_link_escalation(self) -> None:
        if self.ticket is not None:
            self.post_message(LinkToEscalation((self.ticket.id,)))

    def action_next_ticket(self) -> None:
        self.post_message(NextTicket())

    # --- account cases: the keys b, v, a, l, x above; `AccountCase` does the work ------------------

    def action_toggle_playbook(self) -> None:
        self.account_case.toggle_playbook()

    def help_notes(self) -> list[str]:
        note = self.account_case.help_note(self.desk.settings.keymap)
        return [note] if note else []

    def action_playbook_step(self, delta: int) -> None:
        self.account_case.move_in_playbook(delta)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "playbook_step":  # only where there is a playbook on screen to move in
            return self.account_case.shown_playbook() is not None
        return True

    def action_reveal_secret(self) -> None:
        self.account_case.reveal_secret(self.thread)

    def action_insert_article(self) -> None:
        self.account_case.insert_article(self.composer, self.ticket_language)

    def action_show_audit(self) -> None:
        self.account_case.show_audit(self.ticket_language)

    def action_cancel_deletion(self) -> None:
        self.account_case.cancel_deletion(self.ticket, self.ticket_language)

    @on(PlaybookPanel.StepTicked)
    def _step_ticked(self, event: PlaybookPanel.StepTicked) -> None:
        self.account_case.record_step(event.panel, event.step.id, event.evidence_fields)

    @on(PlaybookPanel.ActionRequested)
    def _action_requested(self, event: PlaybookPanel.ActionRequested) -> None:
        language = self.ticket_language
        self.account_case.request_account_action(event.action, event.panel, self.ticket, language,
                                                 previously=event.previously,
                                                 hint=event.step.hint.get(language, ""))

    # --- presence --------------------------------------------------------------------

    def set_presence(self, state: PresenceState) -> None:
        self._send_presence(self.ticket_id, state)

    @work(group="presence")
    async def _send_presence(self, ticket_id: int, state: PresenceState) -> None:
        with contextlib.suppress(ApiError):  # presence is best effort; it expires on the server
            await self.desk.api.set_presence(ticket_id, state)

    def _renew_presence(self) -> None:
        if not self._open:
            return  # kept aside for the next ticket: nobody is viewing anything here
        self.set_presence(PresenceState.COMPOSING if self._composing else PresenceState.VIEWING)

    # --- live updates ----------------------------------------------------------------

    def on_ticket_changed(self, event: messages.TicketChanged) -> None:
        if event.ticket.id == self.ticket_id and (
                self.ticket is None or event.ticket.version >= self.ticket.version):
            self.set_ticket(event.ticket)

    def on_message_arrived(self, event: messages.MessageArrived) -> None:
        if event.ticket_id != self.ticket_id:
            return
        self.thread.append_message(event.message, delivers=self._delivered_key(event.message))
        if not self.composer.text.strip():
            self.seen_up_to = max(self.seen_up_to or 0, event.message.id)

    def on_stream_reset(self, _event: messages.StreamReset) -> None:
        self.thread.forget_newest()  # missed events: the newest page kept may lack messages

    def on_presence_changed(self, event: messages.PresenceChanged) -> None:
        if event.ticket_id == self.ticket_id and self.ticket is not None:
            self.set_ticket(self.ticket.model_copy(update={"presence": event.presence}))

