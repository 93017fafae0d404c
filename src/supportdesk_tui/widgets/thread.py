"""The conversation: customer messages, public replies and internal notes, each unmistakable.

One widget draws the whole thread as lines (Textual's line API, as its `Log` does): each message,
waiting reply and label is a block of lines drawn once for a width and kept (`thread_blocks`), placed
one under the other (`thread_layout`). A scroll key changes `scroll_y` and paints the lines in view
from what is drawn; nothing is mounted, and nothing but the thread's own lines is laid out.

Wrapping a message costs a fraction of a millisecond, so not every held message is drawn: a window
of at most `MAX_MOUNTED` messages is, around the view. A key whose page is not drawn yet draws it
(a screenful at most) before it scrolls; after the frame, the window is drawn on ahead the way the
agent reads, and grows to full once the keys pause. Whatever is added or dropped above the view
moves `scroll_y` by as much in the same step: no frame shows the view jump.

Memory follows the view too: the thread holds its messages as the pages they came in (each with the
server's cursors to read past either end of it again), and once it holds more than `MAX_HELD` it lets
the pages farthest from the view go. Nearing either end of what it holds posts `NeedOlder` /
`NeedNewer` with the cursor to read on.

Home and end go to the first and the newest message of the conversation, not to the edges of the
drawn window: when that message is not held, `NeedFirst` / `NeedNewest` ask for one page read from
that end of the conversation (one request, whatever its length). The first page home read is kept
aside (one page more than `MAX_HELD`): home again shows it from memory. A page asked for by home or
end is dropped if the other key was answered after it. Live messages that arrive while the newest
ones are not held wait aside (`MAX_HELD` at most) and join when the pages reach the end again, so
none is lost in a request's flight.

The agent's replies and notes still in the outbox follow the messages as "waiting to send" blocks
(`set_waiting`); when one lands its block gives way to the real message in the same step, so the
text is never shown twice and never nowhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.actions import SkipAction
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message as TextualMessage
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.selection import Selection
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import HistoryEntry, Message
from supportdesk_tui.domain.gc_policy import collect_young_if_half_due
from supportdesk_tui.domain.outbox import OutboxItem
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import N_, _, current_language
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.widgets.steady_scrollbar import steady_vertical_scrollbar
from supportdesk_tui.widgets.thread_blocks import (
    BLOCK_COMPONENTS,
    DASHED_EDGE,
    THICK_EDGE,
    Block,
    DrawnLines,
    Label,
    MessageCard,
    WaitingCard,
    background_only,
    kind_title,
)
from supportdesk_tui.widgets.thread_layout import BlockLayout
from supportdesk_tui.widgets.thread_pages import HeldPage, KeptNewest, in_time_order

__all__ = ["DrawnLines", "Label", "MessageCard", "Thread", "WaitingCard", "kind_title"]

Pin = Literal["top", "end"] | None


class Thread(ScrollView, can_focus=True):
    """The messages of one ticket, oldest at the top, newest at the bottom."""

    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("T", "toggle_time", N_("Relative/absolute time"), id="thread.toggle_time"),
    ])

    COMPONENT_CLASSES: ClassVar[set[str]] = set(BLOCK_COMPONENTS)

    DEFAULT_CSS = """
    Thread { height: 1fr; padding: 0 0 0 1; background: $background; overflow-x: hidden; overflow-y: auto; }
    Thread > .card-header--line { color: $text-muted; }
    Thread > .card-box--links { color: $text-muted; }
    Thread > .card-header--customer { color: $customer-border; text-style: bold; }
    Thread > .card-header--reply { color: $reply-border; text-style: bold; }
    Thread > .card-header--note { color: $note-border; text-style: bold reverse; }
    Thread > .card-header--author { color: $foreground; text-style: bold; }
    Thread > .card-box--customer { background: $surface; }
    Thread > .card-box--reply { background: $reply-border 10%; }
    Thread > .card-box--note { background: $note-background; }
    Thread > .card-border--customer { color: $customer-border; }
    Thread > .card-border--reply { color: $reply-border; }
    Thread > .card-border--note { color: $note-border; }
    Thread > .card--files { color: $text-muted; }
    Thread > .card--history { color: $text-muted; text-style: italic; }
    Thread > .waiting--box { background: $surface; color: $text-muted; }
    Thread > .waiting--border { color: $warning; }
    Thread > .waiting--border-refused { color: $error; }
    Thread > .waiting--border-sending { color: $primary; }
    Thread > .waiting--header { color: $warning; text-style: bold; }
    Thread > .waiting--header-refused { color: $error; text-style: bold; }
    Thread > .waiting--header-sending { color: $primary; text-style: italic; }
    Thread > .thread--empty { color: $text-muted; text-style: italic; }
    Thread > .thread--older { color: $text-muted; text-style: italic; }
    """

    MAX_MOUNTED = 50
    """Messages drawn at most (the window around the view); the others held wait as data."""
    MAX_HELD = 250
    """Messages held before the pages farthest from the view are let go (a page more may be in flight)."""
    FIRST_PAGE_AHEAD_AFTER = 0.3
    """Seconds after a conversation is shown (at its newest) before its first page is read ahead."""
    MIN_CARD_HEIGHT = 3
    """The smallest card (header, one line of body, margin): a view holds at most height / this."""
    DRAW_AHEAD_VIEWS = 1
    """Views drawn ahead of the view, the way the agent reads, after each key's frame."""
    JUMP_DRAWS_VIEWS = 2
    """Views' worth of messages home and end draw before their frame (the rest grows after it)."""
    READ_AHEAD_VIEWS = 3
    """Views left to the last held message when the next page is asked for (keys going that way)."""
    GROW_IDLE_AFTER = 0.15
    """Seconds without a scroll key before the window grows on toward full (a screenful a frame)."""
    AHEAD_PER_TURN = 2
    """Blocks drawn ahead for home and end in one idle turn (≈ 0.3 ms each)."""
    PAINTED_AT_MOST = 2_000
    """Painted lines kept (`_painted`): a few views each way and home's first."""
    AHEAD_IDLE_AFTER = 0.04
    """Seconds after a scroll key before blocks are drawn ahead for home and end (its frame is out)."""

    @dataclass
    class NeedOlder(TextualMessage):
        """Few or no older messages are held: load the page before `before_id` and `prepend_messages`."""

        thread: Thread
        before_id: int | None
        cursor: str | None = None
        """The server's cursor to the messages before `before_id` (None: the screen has no way on)."""

        @property
        def control(self) -> Thread:
            return self.thread

    @dataclass
    class NeedNewer(TextualMessage):
        """Few or no newer messages are held: load the page after `after_id` and `append_page`."""

        thread: Thread
        after_id: int
        cursor: str | None

        @property
        def control(self) -> Thread:
            return self.thread

    @dataclass
    class NeedFirst(TextualMessage):
        """Home, and the first message is not held: load the oldest page and `show_first`."""

        thread: Thread

        @property
        def control(self) -> Thread:
            return self.thread

    @dataclass
    class FirstPageAhead(TextualMessage):
        """Idle with the first message not held: read the oldest page and `keep_first_page` (quietly:
        it is only a head start for home, which reads it itself when it has none)."""

        thread: Thread

        @property
        def control(self) -> Thread:
            return self.thread

    @dataclass
    class NeedNewest(TextualMessage):
        """End, and the newest messages are not held: load the newest page and `show_newest`."""

        thread: Thread

        @property
        def control(self) -> Thread:
            return self.thread

    def __init__(
        self,
        *,
        clock: Clock = utc_now,
        live: Callable[[], bool] = lambda: True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock
        self.live = live
        """Whether every message the server stores for this ticket from now on reaches
        `append_message` (the screen's event stream is live): only then is end shown from memory."""
        self.absolute_time = False
        self.has_older = False
        """The server holds messages older than the first one held."""
        self.has_newer = False
        """The server holds messages newer than the last one held (they were let go, or not read yet)."""
        self._messages: list[Message] = []
        self._pages: list[HeldPage] = []  # what `_messages` is made of, oldest first
        self._live: list[Message] = []  # arrived while the newest were not held
        self._first = 0  # index in `_messages` of the first drawn card
        self._cards: list[MessageCard] = []  # the drawn window: `_messages[_first : _first + len(_cards)]`
        self._older_requested = False
        self._newer_requested = False
        self._jumping = False  # home or end asked for a page from that end of the conversation
        self._pending_jump: str | None = None  # which end ("first", "newest") that page is from
        # Pages home or end asked for and then did without (the other key, or home from memory, came
        # first): dropped when they arrive, so a late answer never takes the view from where it went.
        self._superseded: set[str] = set()
        self._last_key = 0.0  # `time.monotonic()` of the last scroll, home or end key
        self._reading = 0  # the way the last scroll key went: -1 up, 1 down, 0 none since the window
        self._windows = 0  # windows replaced whole (a jump, a conversation shown from scratch)
        # Where the view stays while the lines change under it: the top or the end of the thread (a jump
        # or a conversation shown from scratch), else the line it shows at its top (`_keeping_view`).
        self._pin: Pin = None
        self._setting_scroll = False
        self._edge_check_due = False
        self._grow_timer: Timer | None = None
        # Scroll keys not applied yet, oldest first: (pages, lines) each. One is applied a frame
        # (`_next_scroll_step`), so keys that come faster than frames each still show their page.
        self._scroll_steps: list[tuple[int, int]] = []
        self._scroll_step_due = False
        self._loading = False
        self._empty_message = "No messages yet."
        self._empty = Label("thread--empty", self._empty_label)
        self._loading_line = Label("thread--older", lambda: Text(_("Loading…")))
        self._loading_at: Literal["top", "end"] | None = None  # where "Loading…" shows while a jump waits
        self._waiting: list[OutboxItem] = []
        self._sending: frozenset[str] = frozenset()  # of `_waiting`, those whose first attempt is out
        # Outbox items whose message already arrived (by the stream, before the outbox let go of
        # them): never shown as waiting again.
        self._landed: set[str] = set()
        self._waiting_cards: dict[str, WaitingCard] = {}
        self._history: list[HistoryEntry] = []
        self._history_line: Callable[[HistoryEntry], str] | None = None
        self._drawn_lines = DrawnLines(self.MAX_MOUNTED * 3)
        self._layout = BlockLayout()
        self._layout_key: object = None
        # Asked once a frame by `render_lines` for its `render_line`s: (the thread's line at the view's
        # top, the style of blank cells, the text selection).
        self._frame: tuple[int, Style, Selection | None] | None = None
        self._quiet = False  # cards changing together (`_each_card`): one layout after them all
        # The conversation's first page as home last read it (`show_first`), kept when the pages held
        # move on: the next home shows it from memory (no request, no "Loading…" frame in between).
        # A conversation's oldest messages do not change; a conversation shown from scratch (another
        # ticket, a reload) lets it go.
        self._first_page: tuple[list[Message], str | None] | None = None
        self._first_ahead: Timer | None = None  # reads the first page ahead once the thread is idle
        # The newest messages as they were held when the pages held moved away from them (`_keep_newest`):
        # end shows them from memory with the live messages that arrived since (`_live`) after them,
        # which is what the thread would hold had it kept the newest all along. Let go whenever the
        # newest are held again, when the stream may have missed a message (`forget_newest`) and
        # when more arrived than `_live` keeps.
        self._newest_page: KeptNewest | None = None
        self._ahead_timer: Timer | None = None  # draws what home and end would show, once idle
        # Lines as painted (padding, filters, offsets), by their place and block line: a view painted
        # ahead or before is handed to the compositor as it is (`_render_plainly`).
        self._painted: dict[tuple[int, int], tuple[Strip, Strip]] = {}
        self._painted_look: tuple[object, ...] | None = None

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Every key moves the bar, and Textual draws it again whole (≈ 2 ms a frame); the steady
        # one puts a new thumb together from the bar's cells drawn before.
        return steady_vertical_scrollbar(self)

    # --- public API ---------------------------------------------------------

    @property
    def messages(self) -> list[Message]:
        """The messages held in memory (around the view), oldest first."""
        return list(self._messages)

    @property
    def mounted_cards(self) -> list[MessageCard]:
        """The messages drawn (the window around the view), oldest first."""
        return list(self._cards)

    drawn_cards = mounted_cards

    @property
    def waiting_cards(self) -> list[WaitingCard]:
        """The waiting cards shown, oldest first."""
        return list(self._waiting_cards.values())

    @property
    def loading_shown(self) -> bool:
        """The "Loading…" line is shown (home or end waits for its page)."""
        return self._loading_at is not None

    @property
    def empty_label(self) -> Label | None:
        """What an empty thread says, when it says it."""
        return self._empty if not self._messages else None

    @property
    def blocks(self) -> list[Block]:
        """Everything the thread shows, top to bottom."""
        return self._blocks()

    def shown_text(self) -> str:
        """Every line drawn, as plain text (what the thread would show scrolled through its window)."""
        self._ensure_layout()
        return "\n".join(line for block in self._layout.blocks for line in block.drawn_text())

    def set_waiting(self, items: Sequence[OutboxItem], *, sending: Collection[str] = ()) -> AwaitComplete:
        """The ticket's replies and notes still in the outbox, shown after the messages.

        `sending`: the keys of those whose first attempt is out now, shown as "sending…". They are
        drawn at once (awaited, it returns at once: nothing is mounted)."""
        self._landed &= {item.id for item in items}
        waiting = [item for item in items if item.id not in self._landed]
        in_flight = frozenset(sending) & {item.id for item in waiting}
        if waiting == self._waiting and in_flight == self._sending:
            return AwaitComplete()
        self._waiting = waiting
        self._sending = in_flight
        self._show_waiting()
        return AwaitComplete()

    def waiting_key_for(self, message: Message) -> str | None:
        """The waiting item `message` (the agent's own, just arrived) delivers, if one shows it."""
        return next((item.id for item in self._waiting
                     if item.kind.message_kind is message.kind and item.body == message.body), None)

    def last_masked_card(self) -> MessageCard | None:
        """The newest message with a masked secret."""
        return next((c for c in reversed(self._cards) if c.has_secrets), None)

    def next_masked_card(self) -> MessageCard | None:
        """The newest message with a secret still masked: what the reveal key acts on next."""
        return next((c for c in reversed(self._cards) if c.hidden_secrets), None)

    # --- the ticket's history, as quiet lines between the messages ------------

    def set_history(self, entries: Sequence[HistoryEntry],
                    line: Callable[[HistoryEntry], str] | None) -> None:
        """Show `entries` under the messages they followed, each as `line(entry)`; `line=None`
        hides them (the entries are kept for when they are shown again)."""
        self._history = sorted(entries, key=lambda e: (e.at, e.id))
        self._history_line = line
        with self._keeping_view():
            for index, card in enumerate(self._cards, start=self._first):
                card.set_history_lines(self._history_lines_after(card.message, index))

    def _history_lines_after(self, message: Message, index: int | None = None) -> list[str]:
        """The lines for the changes from `message` on, before the next message held."""
        if index is None:
            index = next((i for i, m in enumerate(self._messages) if m.id == message.id), -1)
        return self._history_lines_in(self._messages, index, has_older=self.has_older,
                                      has_newer=self.has_newer)

    def _history_lines_in(self, messages: Sequence[Message], index: int, *, has_older: bool,
                          has_newer: bool) -> list[str]:
        """The lines for the changes from `messages[index]` on, before the next of `messages`."""
        line = self._history_line
        if line is None or not self._history or index < 0:
            return []
        message = messages[index]
        last = index == len(messages) - 1
        if last and has_newer:
            return []  # the next message is not held: its changes wait for its page
        start = None if index == 0 and not has_older else message.created_at
        end = None if last else messages[index + 1].created_at
        return [line(e) for e in self._history
                if (start is None or e.at >= start) and (end is None or e.at < end)]

    def reset(self) -> None:
        """Empty and loading, for another ticket on a reused conversation screen: nothing of the
        previous ticket stays (messages, waiting cards, time mode, an error line, the scroll)."""
        self._history = []
        self._landed.clear()
        self._waiting = []
        self._show_waiting()
        self.absolute_time = False
        self._empty_message = "No messages yet."
        self.show_loading()

    def show_loading(self) -> None:
        self._loading = True
        self.set_messages([])

    def set_messages(self, messages: Iterable[Message], *, has_older: bool = False,
                     older_cursor: str | None = None) -> None:
        """Show a conversation from scratch (its newest messages), scrolled to the newest message."""
        self._hold([in_time_order(messages)], older_cursor=older_cursor, newer_cursor=None,
                   has_older=has_older, has_newer=False)
        if self._messages:
            self._loading = False
        self._scroll_steps.clear()
        self._first_page = None
        self._superseded.clear()
        self._read_first_page_ahead_soon()
        # From scratch: new cards (a revealed secret or a time label of the cards before never stays).
        self._show_window(max(0, len(self._messages) - self.MAX_MOUNTED), at_end=True, fresh=True)

    def show_newest(self, messages: Iterable[Message], *, has_older: bool,
                    older_cursor: str | None) -> None:
        """The newest page, loaded after `NeedNewest`: held instead of everything, the view at its end."""
        if "newest" in self._superseded:
            self._superseded.discard("newest")
            return
        self._show_newest(in_time_order(messages), has_older=has_older, older_cursor=older_cursor)

    def _show_newest(self, page: list[Message], *, has_older: bool, older_cursor: str | None) -> None:
        newest = self._with_live(page)
        if not newest:
            self.set_messages([], has_older=has_older, older_cursor=older_cursor)
            return
        self._hold([newest], older_cursor=older_cursor, newer_cursor=None, has_older=has_older,
                   has_newer=False)
        self._show_window(max(0, len(self._messages) - self.MAX_MOUNTED), at_end=True)

    def show_first(self, messages: Iterable[Message], *, has_newer: bool, newer_cursor: str | None) -> None:
        """The oldest page, loaded after `NeedFirst`: held instead of everything, the view at its top."""
        if "first" in self._superseded:
            self._superseded.discard("first")
            return
        self._show_first(in_time_order(messages), has_newer=has_newer, newer_cursor=newer_cursor)

    def _show_first(self, page: list[Message], *, has_newer: bool, newer_cursor: str | None) -> None:
        # Kept for the next home only while newer messages follow it (a page that reaches the newest
        # message is the whole conversation: held, and home needs no page then).
        self._first_page = (page, newer_cursor) if has_newer and page else None
        self._hold([page if has_newer else self._with_live(page)], older_cursor=None,
                   newer_cursor=newer_cursor, has_older=False, has_newer=has_newer)
        self._show_window(0, at_end=False)

    def keep_first_page(self, messages: Iterable[Message], *, has_newer: bool,
                        newer_cursor: str | None) -> None:
        """The first page read ahead after `FirstPageAhead`, kept for home.

        Home asked meanwhile (its own page on the way): shown now, and home's page dropped when it comes."""
        page = in_time_order(messages)
        if not page or not has_newer or self._first_page is not None or not self._messages:
            return  # (a page that reaches the newest message: home holds what it shows then)
        if page[0].ticket_id != self._messages[0].ticket_id or not self.has_older:
            return  # another conversation is shown now, or its first message is held
        self._first_page = (page, newer_cursor)
        if self._pending_jump == "first":
            self._from_memory()
            self._show_first(page, has_newer=True, newer_cursor=newer_cursor)
        self._draw_jumps_ahead_soon()

    def _read_first_page_ahead_soon(self) -> None:
        if self._first_ahead is not None:
            self._first_ahead.stop()
            self._first_ahead = None
        if self.has_older and self.is_mounted:
            self._first_ahead = self.set_timer(self.FIRST_PAGE_AHEAD_AFTER, self._read_first_page_ahead)

    def _read_first_page_ahead(self) -> None:
        self._first_ahead = None
        if (self._first_page is not None or not self.has_older or self._jumping or not self._messages
                or not self.screen.is_current):
            return  # home has it or is reading it; the first message is held; or nobody sees it
        if self._scroll_steps or self._grow_timer is not None:
            self._read_first_page_ahead_soon()  # not in the frames of a key
            return
        self.post_message(self.FirstPageAhead(self))

    def prepend_messages(self, older: Iterable[Message], *, has_older: bool = False,
                         older_cursor: str | None = None, newer_cursor: str | None = None,
                         before_id: int | None = None) -> None:
        """Older messages the screen loaded after `NeedOlder`; the reading position does not jump.

        `before_id`: the first message held when they were asked for; a page for a window
        replaced meanwhile (home, end) is dropped.
        """
        if before_id is not None and (not self._messages or self._messages[0].id != before_id):
            return
        self._older_requested = False
        known = {m.id for m in self._messages}
        fresh = in_time_order(m for m in older if m.id not in known)
        self.has_older = has_older
        if not fresh:
            if self._pages:
                self._pages[0].older_cursor = older_cursor
            return
        self._messages[:0] = fresh
        self._pages.insert(0, HeldPage(len(fresh), older_cursor, newer_cursor))
        self._first += len(fresh)
        if self._cards and self._history:
            # The first card's history lines may start later now that a message is held before it.
            with self._keeping_view():
                first = self._cards[0]
                first.set_history_lines(self._history_lines_after(first.message, self._first))
        self._let_go(newest=True)
        self._near_edge()  # a page that arrives after the agent scrolled away waits in memory

    def append_page(self, newer: Iterable[Message], *, has_newer: bool, newer_cursor: str | None,
                    older_cursor: str | None = None, after_id: int | None = None) -> None:
        """Newer messages the screen loaded after `NeedNewer` (`after_id`: the last one held then)."""
        if after_id is not None and (not self._messages or self._messages[-1].id != after_id):
            return
        self._newer_requested = False
        known = {m.id for m in self._messages}
        fresh = in_time_order(m for m in newer if m.id not in known)
        if not has_newer:
            fresh = self._with_live(fresh, after=self._messages)
            self._newest_page = None  # held again: live messages join what is held
        self.has_newer = has_newer
        if fresh:
            self._messages.extend(fresh)
            self._pages.append(HeldPage(len(fresh), older_cursor, newer_cursor))
        elif self._pages:
            self._pages[-1].newer_cursor = newer_cursor
        if self._cards and self._history and self._window_end() == len(self._messages) - len(fresh):
            with self._keeping_view():
                last = self._cards[-1]
                last.set_history_lines(self._history_lines_after(last.message, self._window_end() - 1))
        self._let_go(newest=False)
        self._near_edge()

    def loading_failed(self) -> None:
        """A page asked for did not come: the next approach to that end asks again."""
        self._older_requested = self._newer_requested = False
        self._jumping = False
        self._pending_jump = None
        self._superseded.clear()
        self._show_loading_line(None)

    def append_message(self, message: Message, *, delivers: str | None = None) -> None:
        """A live message; followed to the bottom only if the agent was already reading the end.

        `delivers`: the key of the waiting item this message is (its card goes in the same step).
        """
        with self._keeping_view(follow_end=True):
            if delivers is not None:
                self._landed.add(delivers)
                if any(item.id == delivers for item in self._waiting):
                    self._waiting = [item for item in self._waiting if item.id != delivers]
                    self._update_waiting_cards()
            self._append_message(message)

    def _append_message(self, message: Message) -> None:
        if any(m.id == message.id for m in self._messages):
            return
        if self.has_newer:
            # The newest messages are not held: this one joins them when they are read again.
            if all(m.id != message.id for m in self._live):
                if len(self._live) >= self.MAX_HELD:
                    self._newest_page = None  # the oldest live message is let go: end reads the server
                self._live = [*self._live, message][-self.MAX_HELD :]
            return
        if not self._messages:
            self._hold([[message]], older_cursor=self._pages[0].older_cursor if self._pages else None,
                       newer_cursor=None, has_older=self.has_older, has_newer=False)
            self._loading = False
            self._first = 0
            self._set_cards([self._card(message, 0)])
            self._pin = "end"
            return
        tail_drawn = self._window_end() == len(self._messages)
        self._messages.append(message)
        self._pages[-1].size += 1
        if not tail_drawn:
            return
        if self._history and self._cards:
            last = self._cards[-1]
            last.set_history_lines(self._history_lines_after(last.message, len(self._messages) - 2))
        self._set_cards([*self._cards, self._card(message, len(self._messages) - 1)])
        if len(self._cards) > self.MAX_MOUNTED:
            self._drop_above(len(self._cards) - self.MAX_MOUNTED)

    def set_empty_message(self, message: str) -> None:
        self._empty_message = message
        self._empty.redraw()
        self._invalidate()

    def _empty_label(self) -> Text:
        label = _("Loading conversation…") if self._loading else _(self._empty_message)
        return safe_text(label)  # may be a server's message

    def relabel(self) -> None:
        """Another language: the kind labels, times and labels are drawn again (their keys hold the
        language, so the next layout draws them)."""
        self._invalidate()

    # --- time mode ----------------------------------------------------------

    def action_toggle_time(self) -> None:
        self.absolute_time = not self.absolute_time
        self.refresh_times()

    def refresh_times(self) -> None:
        """Relative times age: the screen may call this on a slow timer."""
        now = self.clock()
        with self._keeping_view():
            for card in self._cards:
                card.set_time_mode(absolute_time=self.absolute_time, now=now)
        self._draw_jumps_ahead_soon()  # their time labels may have changed too

    # --- scroll keys ------------------------------------------------------------

    def action_page_down(self) -> None:
        self._scroll_key(pages=1)

    def action_page_up(self) -> None:
        self._scroll_key(pages=-1)

    def action_scroll_down(self) -> None:
        self._scroll_key(lines=1)

    def action_scroll_up(self) -> None:
        self._scroll_key(lines=-1)

    def _scroll_key(self, *, pages: int = 0, lines: int = 0) -> None:
        """A page or a line on from where the view is when the key is applied, not where it was
        when the key came: one key a frame (keys that come faster than frames each still show their
        page), without animation. A key whose page is not drawn yet draws it first (`_make_room`)."""
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self._last_key = time.monotonic()
        self._scroll_steps.append((pages, lines))
        if len(self._scroll_steps) == 1 and not (self._scroll_step_due or self._edge_check_due):
            # Nothing under way and the last step painted: this key is answered in the next frame.
            self._next_scroll_step()
        else:
            self._schedule_scroll_step()

    def _schedule_scroll_step(self) -> None:
        if not self._scroll_step_due:
            self._scroll_step_due = True
            self.call_after_refresh(self._next_scroll_step)

    def _next_scroll_step(self) -> None:
        self._scroll_step_due = False
        if not self._scroll_steps:
            return
        pages, lines = self._scroll_steps.pop(0)
        self._ensure_layout()
        height = max(1, self.scrollable_content_region.height)
        now = round(self.scroll_y)
        target = self._make_room(now + pages * height + lines, height)
        self._reading = -1 if pages < 0 or lines < 0 else 1 if pages > 0 or lines > 0 else self._reading
        self._pin = None
        self._set_scroll(target)
        self._schedule_edge_check()
        if self._scroll_steps:
            self._schedule_scroll_step()  # after the frame that shows this one

    def _make_room(self, target: int, height: int) -> int:
        """Draw the held messages the view at `target` shows and are not drawn yet (a screenful at
        a time); `target` moved by the lines drawn or dropped above it."""
        for _step in range(4):
            if target + height > self._cards_bottom() and self._window_end() < len(self._messages):
                self._draw_below(self._screenful(self._messages[self._window_end():]))
            elif target < self._cards_top() and self._first > 0:
                target += self._draw_above(self._screenful(self._messages[: self._first][::-1]))
            else:
                break
        return target - self._trim(keep_from=target, keep_to=target + height)

    # --- first and newest message ---------------------------------------------

    def action_scroll_home(self) -> None:
        """The first message of the conversation: from memory, or one page read from its start."""
        self._scroll_steps.clear()  # keys before it land nowhere: the view goes to the start
        self._last_key = time.monotonic()
        if not self._messages:
            return
        if not self.has_older:
            self._from_memory()
            self._show_window(0, at_end=False)
            return
        first_page = self._first_page
        if first_page is not None and first_page[0][0].ticket_id == self._messages[0].ticket_id:
            self._from_memory()
            self._show_first(first_page[0], has_newer=True, newer_cursor=first_page[1])
            return
        # Asked again even when a request is out: the screen's loader restarts it, and a failed
        # one (which never answers) does not leave home stuck.
        self._jump(self.NeedFirst(self))

    def action_scroll_end(self) -> None:
        """The newest message, wherever the drawn window is."""
        self._scroll_steps.clear()
        self._last_key = time.monotonic()
        if not self._messages:
            return
        if not self.has_newer:
            self._from_memory()
            self._show_window(max(0, len(self._messages) - self.MAX_MOUNTED), at_end=True)
            return
        kept = self._newest_page
        if kept is not None and not self.live():
            self._newest_page = kept = None  # messages may have come that nothing told the thread of
        if kept is not None and kept.messages[0].ticket_id == self._messages[0].ticket_id:
            self._from_memory()
            self._show_newest(kept.messages, has_older=kept.has_older, older_cursor=kept.older_cursor)
            return
        self._jump(self.NeedNewest(self))

    def _from_memory(self) -> None:
        """Home or end shown from what is held: a page still on its way for a key before is not wanted."""
        self._jumping = False
        if self._pending_jump is not None:
            self._superseded.add(self._pending_jump)
            self._pending_jump = None
        self._loading_at = None

    def _jump(self, request: TextualMessage) -> None:
        """Ask for a page from one end of the conversation; say so where the view goes meanwhile."""
        first = isinstance(request, self.NeedFirst)
        self._jumping = True
        self._pending_jump = "first" if first else "newest"
        self._superseded.discard(self._pending_jump)  # asked again: its answer is wanted
        self._cancel_growth()
        self._show_loading_line("top" if first and self._cards else "end")
        self._pin = "top" if first else "end"
        self._set_scroll(0 if first else self.max_scroll_y)
        self.post_message(request)

    def _show_loading_line(self, where: Literal["top", "end"] | None) -> None:
        if where != self._loading_at:
            with self._keeping_view():
                self._loading_at = where

    def _show_window(self, start: int, *, at_end: bool, fresh: bool = False) -> None:
        """Draw the messages from `start` on (`MAX_MOUNTED` at most) and show that window's top or end.

        Only `JUMP_DRAWS_VIEWS` views' worth of them are drawn before the frame; the window grows
        from there after it (`_near_edge`), so the key that asked for it is answered in a fraction
        of the time the whole window would take, and so is the key after it."""
        self._windows += 1
        self._reading = 0
        self._cancel_growth()
        stop = min(len(self._messages), start + self.MAX_MOUNTED)
        wanted = self._messages[start:stop]
        kept = None if fresh else self._kept_window(wanted, at_end=at_end)
        with self._keeping_view():
            self._pin = "end" if at_end else "top"
            self._loading_at = None
            if kept is not None:
                self._first = kept
            else:
                count = self._screenful(wanted[::-1] if at_end else wanted, views=self.JUMP_DRAWS_VIEWS)
                shown = wanted[-count:] if at_end else wanted[:count]
                self._first = stop - len(shown) if at_end else start
                self._set_cards([self._card(message, index)
                                 for index, message in enumerate(shown, start=self._first)])
        if self.is_attached:
            self._schedule_edge_check()

    def _kept_window(self, wanted: Sequence[Message], *, at_end: bool) -> int | None:
        """Where the cards drawn now start in `_messages`, if they show the `wanted` window's end
        (`at_end`) or start as they are (then they stay: nothing is drawn again)."""
        if not self._cards or not wanted:
            return None
        ids = [card.message.id for card in self._cards]
        edge = wanted[-1].id if at_end else wanted[0].id
        if edge != (ids[-1] if at_end else ids[0]):
            return None
        first = next((i for i, m in enumerate(self._messages) if m.id == ids[0]), None)
        if first is None or [m.id for m in self._messages[first : first + len(ids)]] != ids:
            return None
        return first

    def _screenful(self, messages: Sequence[Message], views: int = 1) -> int:
        """How many of `messages`, in this order, surely fill the view once drawn.

        Each card counts the fewest lines it can take (header, its text unwrapped on the widest
        line the thread has, the margin), so the screenful is never short; wrapping only adds."""
        region = self.scrollable_content_region
        height = region.height or self.app.size.height
        width, needed = max(1, region.width or self.app.size.width), height * views
        count = 0
        for message in messages:
            if needed <= 0:
                break
            count += 1
            needed -= self.MIN_CARD_HEIGHT - 1 + max(1, -(-len(message.body) // width),
                                                     message.body.count("\n") + 1)
        return max(1, count)

    # --- the drawn window ---------------------------------------------------------

    def _window_end(self) -> int:
        return self._first + len(self._cards)

    def _card(self, message: Message, index: int) -> MessageCard:
        card = MessageCard(message, absolute_time=self.absolute_time, now=self.clock(),
                           drawn_lines=self._drawn_lines)
        if self._history and self._history_line is not None:
            card.history_lines = tuple(self._history_lines_after(message, index))
        card.attach(timers=self.set_timer, changed=self._card_changed, place=self._place)
        return card

    def _set_cards(self, cards: list[MessageCard]) -> None:
        kept = {id(card) for card in cards}
        for card in self._cards:
            if id(card) not in kept:
                card.detach()
        self._cards = cards

    def _cards_top(self) -> int:
        self._ensure_layout()
        top = self._layout.top_of(self._cards[0]) if self._cards else None
        return 0 if top is None else top

    def _cards_bottom(self) -> int:
        self._ensure_layout()
        if not self._cards:
            return 0
        last = self._cards[-1]
        top = self._layout.top_of(last)
        return 0 if top is None else top + last.height

    def _draw_below(self, count: int) -> None:
        end = self._window_end()
        newer = self._messages[end : end + count]
        with self._keeping_view():
            self._set_cards([*self._cards, *(self._card(m, i) for i, m in enumerate(newer, start=end))])

    def _draw_above(self, count: int) -> int:
        """Draw `count` held messages above the window; the lines added above it (the view stays)."""
        start = max(0, self._first - count)
        before = self._cards_top()
        with self._keeping_view():
            older = [self._card(m, i) for i, m in enumerate(self._messages[start : self._first], start=start)]
            self._set_cards([*older, *self._cards])
            self._first = start
        return self._cards_top() - before + sum(card.height for card in older)

    def _drop_above(self, count: int) -> int:
        """Let the first `count` cards go; the lines they took (the view stays)."""
        dropped = self._cards[:count]
        removed = sum(card.height for card in dropped)
        with self._keeping_view():
            self._set_cards(self._cards[count:])
            self._first += len(dropped)
        return removed

    def _trim(self, *, keep_from: int, keep_to: int) -> int:
        """Over `MAX_MOUNTED` cards: let those farthest from the lines `keep_from`..`keep_to` go (never
        one in them). The lines removed above `keep_from`."""
        excess = len(self._cards) - self.MAX_MOUNTED
        if excess <= 0:
            return 0
        self._ensure_layout()
        above = [card for card in self._cards[:excess] if card.top + card.height <= keep_from]
        below = [card for card in self._cards[len(self._cards) - excess :] if card.top >= keep_to]
        lines_above = keep_from - (self._cards[0].top if self._cards else 0)
        lines_below = self._cards_bottom() - keep_to
        if above and (lines_above >= lines_below or not below):
            return self._drop_above(len(above))
        if below:
            with self._keeping_view():
                self._set_cards(self._cards[: len(self._cards) - len(below)])
        return 0

    # --- after a key's frame: the window drawn ahead, pages asked ahead -------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._setting_scroll:
            # The agent scrolled (the wheel, the scrollbar): the view is no longer held at an end.
            left_end = self._pin == "end" and new_value < self.max_scroll_y
            if left_end or (self._pin == "top" and new_value > 0):
                self._pin = None
            self._reading = -1 if new_value < old_value else 1 if new_value > old_value else self._reading
        self._schedule_edge_check()

    def _schedule_edge_check(self) -> None:
        if not self._edge_check_due and self.is_attached:
            self._edge_check_due = True
            self.call_after_refresh(self._near_edge_after_frame)

    def _near_edge_after_frame(self) -> None:
        self._edge_check_due = False
        self._near_edge()

    def _near_edge(self) -> None:
        """After a frame: draw a screenful ahead of the view the way the agent reads while fewer than
        `DRAW_AHEAD_VIEWS` views are drawn there (one a frame), ask for the next page ahead, and grow
        the window toward full once the keys pause."""
        if not self._messages or not self.is_attached:
            return
        self._ensure_layout()
        height = max(1, self.scrollable_content_region.height)
        ahead = self.DRAW_AHEAD_VIEWS * height
        y = round(self.scroll_y)
        below = self._cards_bottom() - (y + height)
        above = y - self._cards_top()
        drew = False
        if self._reading >= 0 and below < ahead and self._window_end() < len(self._messages):
            self._draw_below(self._screenful(self._messages[self._window_end():]))
            drew = True
        elif self._reading <= 0 and above < ahead and self._first > 0:
            self._draw_above(self._screenful(self._messages[: self._first][::-1]))
            drew = True
        if drew:
            y = round(self.scroll_y)
            self._trim(keep_from=y - ahead, keep_to=y + height + ahead)
            self._schedule_edge_check()
        self._read_ahead(height)
        if not drew and not self._jumping:
            # The view the next key that way shows, painted now rather than in its frame.
            first_line = y - self._gap_above()
            way = self._reading or (1 if self._pin == "top" else -1 if self._pin == "end" else 0)
            if way and self._paint_ahead(first_line + way * height):
                collect_young_if_half_due()
            self._grow_soon()
            self._draw_jumps_ahead_soon()

    def _read_ahead(self, height: int) -> None:
        """Ask for the next page while `READ_AHEAD_VIEWS` views are left to the last message held
        the way the agent reads (or the view is at that end), so its answer (a request and a page
        parsed) lands between keys, not in the frame of the key that reaches the edge."""
        near = self.READ_AHEAD_VIEWS * height
        y = round(self.scroll_y)
        lines_above = y - self._cards_top()
        lines_below = self._cards_bottom() - (y + height)
        held_above = self._first
        held_below = len(self._messages) - self._window_end()
        # At the end of what is held, or reading toward it with little left there.
        few_above = held_above < self.MAX_MOUNTED if held_above else lines_above < near
        few_below = held_below < self.MAX_MOUNTED if held_below else lines_below < near
        if (held_above == 0 and lines_above <= 0) or (self._reading < 0 and few_above):
            self._ask_older()
        if (held_below == 0 and lines_below <= 0) or (self._reading > 0 and few_below):
            self._ask_newer()

    def _grow_soon(self) -> None:
        """Grow the window toward `MAX_MOUNTED` a screenful at a time once no key came for
        `GROW_IDLE_AFTER` (so a key later finds its page drawn)."""
        full = len(self._cards) >= self.MAX_MOUNTED
        if full or (self._first == 0 and self._window_end() == len(self._messages)):
            return
        if self._grow_timer is None:
            waited = time.monotonic() - self._last_key
            self._grow_timer = self.set_timer(max(self.GROW_IDLE_AFTER - waited, 0.001), self._grow,
                                              name="thread-grow")

    def _grow(self) -> None:
        self._grow_timer = None
        if self._scroll_steps or self._edge_check_due or self._jumping or not self._messages:
            return  # keys under way: their edge check comes back here
        if time.monotonic() - self._last_key < self.GROW_IDLE_AFTER:
            self._grow_soon()
            return
        room = self.MAX_MOUNTED - len(self._cards)
        if room <= 0:
            return
        y = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        lines_below = self._cards_bottom() - (y + height)
        lines_above = y - self._cards_top()
        newer = self._messages[self._window_end():]
        older = self._messages[: self._first][::-1]
        if newer and (not older or lines_below <= lines_above):
            self._draw_below(min(room, self._screenful(newer)))
        elif older:
            self._draw_above(min(room, self._screenful(older)))
        else:
            return
        self._grow_timer = self.set_timer(0.001, self._grow, name="thread-grow")

    # --- home's and end's screenfuls drawn ahead, once idle ---------------------------

    def _draw_jumps_ahead_soon(self) -> None:
        if self._ahead_timer is None and self.is_attached:
            self._ahead_timer = self.set_timer(self.AHEAD_IDLE_AFTER, self._draw_jumps_ahead,
                                               name="thread-jumps-ahead")

    def _draw_jumps_ahead(self) -> None:
        """Draw the blocks home and end would show from memory before their frame (a few a turn,
        while no key comes) and keep them apart from the recent ones (`DrawnLines.keep_ahead`):
        the jump then finds its lines drawn. Their keys hold all they show (time label, history
        lines, width, theme, language): lines that no longer fit are simply drawn at the jump."""
        self._ahead_timer = None
        if not self._messages or not self.is_attached:
            return
        if self._scroll_steps or self._scroll_step_due or self._edge_check_due or self._jumping:
            return  # not in the frames of a key: its edge check (`_near_edge`) comes back here
        if time.monotonic() - self._last_key < self.AHEAD_IDLE_AFTER:
            self._draw_jumps_ahead_soon()
            return
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        budget = self.AHEAD_PER_TURN
        views: list[tuple[Literal["first", "newest"], list[Strip]]] = []
        for purpose in ("first", "newest"):
            shows = self._jump_shows(purpose)
            if shows is None:
                self._drawn_lines.keep_ahead(purpose, {})
                continue
            held, shown, has_older, has_newer = shows
            kept = self._drawn_lines.drawn_ahead(purpose)
            drawn: dict[object, list[Strip]] = {}
            for index in shown:
                card = MessageCard(held[index], absolute_time=self.absolute_time, now=self.clock())
                card.history_lines = tuple(self._history_lines_in(held, index, has_older=has_older,
                                                                  has_newer=has_newer))
                key = card.key(self, width)
                lines = kept.get(key) or self._drawn_lines.get(key)
                if lines is None:
                    if budget <= 0:
                        continue
                    budget -= 1
                    lines = card.draw(self, width)
                drawn[key] = lines
            self._drawn_lines.keep_ahead(purpose, drawn)
            if len(drawn) == len(shown):
                views.append((purpose, [line for lines in drawn.values() for line in lines]))
        if budget > 0:
            # All drawn: the first view each jump shows is painted too (one jump's view a turn).
            for purpose, lines in views:
                if self._paint_jumps_view(purpose, lines):
                    collect_young_if_half_due()
                    budget = 0
                    break
        if budget <= 0:
            self._ahead_timer = self.set_timer(0.001, self._draw_jumps_ahead, name="thread-jumps-ahead")

    def _paint_jumps_view(self, purpose: Literal["first", "newest"], lines: list[Strip]) -> int:
        """Paint the view home ("first") or end ("newest") shows when its blocks are `lines`."""
        height = self.scrollable_content_region.height
        if purpose == "first":
            return self._paint_ahead(0, lines[:height])
        if self._waiting_cards or len(lines) < height:
            return 0  # blocks after the messages, or a gap above them: not worth working out
        return self._paint_ahead(len(lines) - height, lines[-height:])

    def _jump_shows(self, purpose: Literal["first", "newest"]
                    ) -> tuple[list[Message], range, bool, bool] | None:
        """What home ("first") or end ("newest") would hold and draw before its frame if pressed
        now and answered from memory: (the messages held then, the indexes drawn, has_older,
        has_newer); None when it would read the server."""
        ticket = self._messages[0].ticket_id
        views = self.JUMP_DRAWS_VIEWS
        if purpose == "first":
            if not self.has_older:
                held, has_older, has_newer = self._messages, False, self.has_newer
            elif self._first_page is not None and self._first_page[0][0].ticket_id == ticket:
                held, has_older, has_newer = self._first_page[0], False, True
            else:
                return None
            return held, range(min(len(held), self._screenful(held[: self.MAX_MOUNTED], views))), \
                has_older, has_newer
        kept = self._newest_page
        if not self.has_newer:
            held, has_older = self._messages, self.has_older
        elif kept is not None and self.live() and kept.messages[0].ticket_id == ticket:
            known = {m.id for m in kept.messages}
            last = max(m.id for m in kept.messages)
            held = kept.messages + in_time_order(m for m in self._live if m.id > last and m.id not in known)
            has_older = kept.has_older
        else:
            return None
        count = self._screenful(held[-self.MAX_MOUNTED:][::-1], views)
        return held, range(max(0, len(held) - count), len(held)), has_older, False

    def _cancel_growth(self) -> None:
        if self._grow_timer is not None:
            self._grow_timer.stop()
            self._grow_timer = None

    # --- waiting cards ------------------------------------------------------

    def _show_waiting(self) -> None:
        with self._keeping_view(follow_end=True):
            self._update_waiting_cards()

    def _update_waiting_cards(self) -> None:
        """Cards still wanted stay (updated in place): one block per item, in the outbox's order."""
        shown = self._waiting_cards
        self._waiting_cards = {}
        for item in self._waiting:
            sending = item.id in self._sending
            card = shown.get(item.id)
            if card is None:
                card = WaitingCard(item, sending=sending)
                card.placed_by(self._place)
            else:
                card.show(item, sending=sending)
            self._waiting_cards[item.id] = card

    # --- lines ----------------------------------------------------------------------

    def _blocks(self) -> list[Block]:
        blocks: list[Block] = []
        if self._loading_at == "top":
            blocks.append(self._loading_line)
        blocks.extend(self._cards)
        if not self._messages:
            blocks.append(self._empty)
        if self._loading_at == "end":
            blocks.append(self._loading_line)
        if self._window_end() == len(self._messages) and not self.has_newer:
            # After the newest message only: never between two messages of a window short of the end.
            blocks.extend(self._waiting_cards.values())
        return blocks

    def _at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    @contextmanager
    def _keeping_view(self, *, follow_end: bool = False) -> Iterator[None]:
        """Change the blocks; the view stays where it is: held at the top or end (`_pin`), at the end
        when it was there and `follow_end`, else on the line it showed at its top (whatever was added
        or dropped above it moves `scroll_y` by as much, in this same step)."""
        if self._quiet:
            yield  # inside another change: its layout comes after both
            return
        self._quiet = True
        at_end = follow_end and self._at_bottom()
        anchor = self._layout.block_at(round(self.scroll_y))
        try:
            yield
        finally:
            self._quiet = False
            self._relayout()
            if self._pin == "top":
                self._set_scroll(0)
            elif self._pin == "end" or at_end:
                self._set_scroll(self.max_scroll_y)
            elif anchor is not None:
                top = self._layout.top_of(anchor[0])
                if top is not None:
                    self._set_scroll(top + anchor[1])

    def _card_changed(self, card: MessageCard) -> None:
        """A card's lines changed (secrets shown, time label, history lines): laid out again."""
        with self._keeping_view():
            pass

    def _invalidate(self) -> None:
        """The lines' language or look changed: laid out again before the next frame paints."""
        self._layout_key = None
        self.refresh()

    def _ensure_layout(self) -> None:
        key = (self.scrollable_content_region.width, self.app.theme, current_language())
        if key != self._layout_key and not self._quiet:
            with self._keeping_view(follow_end=True):
                pass

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        self._layout_key = (width, self.app.theme, current_language())
        self._layout.lay_out(self._blocks(), self, width, self._layout_key)
        size = Size(width, self._layout.height)
        if size != self.virtual_size:
            # The thread's own size only: nothing else on the screen is laid out for it.
            self.set_reactive(Widget.virtual_size, size)
            self._setting_scroll = True  # its offset cut to the new size is no scroll of the agent's
            try:
                self._scroll_update(size)
            finally:
                self._setting_scroll = False
        self.refresh()

    def _set_scroll(self, y: int) -> None:
        self._setting_scroll = True
        try:
            self.scroll_to(y=max(0, min(y, self.max_scroll_y)), animate=False, immediate=True)
        finally:
            self._setting_scroll = False

    def _place(self, block: Block) -> tuple[Region, Region]:
        """Where `block` is on screen (empty when out of view) and in the thread's lines."""
        self._ensure_layout()
        top = self._layout.top_of(block)
        if top is None:
            return Region(0, 0, 0, 0), Region(0, 0, 0, 0)
        virtual = Region(0, top, self._layout.width, block.height)
        view = self.scrollable_content_region
        on_screen = Region(view.x, view.y + self._gap_above() + top - self.scroll_offset.y,
                           virtual.width, virtual.height)
        return (on_screen if on_screen.overlaps(view) else Region(0, 0, 0, 0)), virtual

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._invalidate()  # another theme or stylesheet: the blocks' colours are drawn again

    def _gap_above(self) -> int:
        """Lines left empty above a thread shorter than its view while it is held at its end: the
        messages sit at the bottom, by the composer, as a chat's do (Textual's anchor did the same)."""
        if self._pin != "end":
            return 0
        return max(0, self.scrollable_content_region.height - self._layout.height)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once a frame, before its lines are asked for one by one: the layout, where line 0 of the
        # view is in the thread's lines, the blank line's style and the selection.
        self._ensure_layout()
        self._frame = self._frame_now()
        try:
            if self._plainly_boxed():
                return self._render_plainly(crop)
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _plainly_boxed(self) -> bool:
        """Nothing around or over the lines but side padding: no border, outline, tint, hatch or
        opacity (the thread's own style; a stylesheet that adds one goes through Textual's styles cache)."""
        styles = self.styles
        top, _right, bottom, _left = styles.padding
        return (not top and not bottom and self.opacity == 1 and styles.text_opacity == 1
                and not styles.tint.a and not any(edge for edge, _colour in styles.border)
                and not any(edge for edge, _colour in styles.outline)
                and not (styles.has_rule("hatch") and styles.hatch != "none"))

    def _render_plainly(self, crop: Region) -> list[Strip]:
        """The view's lines as Textual's styles cache makes them for such a widget (its padding in the
        background colour, the app's line filters), without its per-line cache: a scroll changes
        every line of the view anyway, and the lines themselves are kept by their blocks. A line
        painted ahead (`_paint_ahead`) for the same place, block line and look is taken as it is."""
        look = self._paint_look()
        first_line, _blank, selection = self._frame or self._frame_now()
        painted = self._painted
        strips: list[Strip] = []
        for y in crop.line_range:
            line_y = first_line + y
            source = self._layout.line(line_y)
            if source is not None and (selection is None or selection.get_span(line_y) is None):
                hit = painted.get((line_y, id(source)))
                if hit is None or hit[0] is not source:
                    placed = self._layout.placed_line(line_y) or source
                    hit = (source, self._paint(placed, look))
                    self._remember_painted((line_y, id(source)), hit)
                strips.append(hit[1])
            else:
                strips.append(self._paint(self.render_line(y), look))
        width = self.region.width
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _paint_look(self) -> tuple[object, ...]:
        """What a painted line depends on besides its block line and place; a new look lets every
        line painted before go."""
        _top, pad_right, _bottom, pad_left = self.styles.padding
        blank = background_only(self)
        look = (self.region.width, self.content_region.width, pad_left, pad_right, blank,
                tuple(self.get_line_filters()), self.background_colors[1])
        if look != self._painted_look:
            self._painted_look = look
            self._painted = {}
        return look

    def _remember_painted(self, key: tuple[int, int], painted: tuple[Strip, Strip]) -> None:
        """Keep a painted line; the oldest go one by one past `PAINTED_AT_MOST` (letting them all
        go at once took ≈ 10 ms, in whichever frame it fell)."""
        lines = self._painted
        lines.pop(key, None)
        lines[key] = painted
        while len(lines) > self.PAINTED_AT_MOST:
            del lines[next(iter(lines))]

    @staticmethod
    def _paint(line: Strip, look: tuple[object, ...]) -> Strip:
        width, content_width, pad_left, pad_right, blank, filters, background = look
        assert isinstance(width, int) and isinstance(content_width, int) and isinstance(blank, Style)
        assert isinstance(pad_left, int) and isinstance(pad_right, int) and isinstance(filters, tuple)
        line = line.adjust_cell_length(content_width, blank)
        left = [Segment(" " * pad_left, blank)] if pad_left else []
        right = [Segment(" " * pad_right, blank)] if pad_right else []
        strip = Strip([*left, *line, *right], width)
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)  # type: ignore[arg-type]
        return strip

    def _paint_ahead(self, first_line: int, lines: Sequence[Strip] | None = None) -> int:
        """Paint the view's worth of lines from `first_line` before a key shows them (after a frame,
        where the agent reads next; home's first screen once drawn ahead). `lines`: the block lines
        that will be there (default: those laid out there now)."""
        if not self._plainly_boxed():
            return 0
        look = self._paint_look()
        height = self.scrollable_content_region.height
        count = 0
        for line_y in range(max(0, first_line), first_line + height):
            if lines is None:
                source = self._layout.line(line_y)
                placed = self._layout.placed_line(line_y)
            else:
                index = line_y - first_line
                source = lines[index] if index < len(lines) else None
                placed = source and (source.apply_offsets(0, line_y) if source.text.strip() else source)
            if source is None or placed is None:
                continue
            hit = self._painted.get((line_y, id(source)))
            if hit is None or hit[0] is not source:
                self._remember_painted((line_y, id(source)), (source, self._paint(placed, look)))
                count += 1
        return count

    def _frame_now(self) -> tuple[int, Style, Selection | None]:
        return self.scroll_offset.y - self._gap_above(), background_only(self), self.text_selection

    def render_line(self, y: int) -> Strip:
        if self._frame is None:  # asked outside a frame's `render_lines`
            self._ensure_layout()
        first_line, blank, selection = self._frame or self._frame_now()
        line_y = first_line + y
        width = self._layout.width
        strip = self._layout.placed_line(line_y)
        if strip is None:
            return Strip.blank(width, blank)  # nothing there to select
        if selection is not None and (span := selection.get_span(line_y)) is not None:
            start, end = span
            end = width if end == -1 else min(end, width)
            if start < end:
                style = self.screen.get_component_rich_style("screen--selection")
                picked = Strip(Segment.apply_style(strip.crop(start, end), post_style=style), end - start)
                strip = Strip.join([strip.crop(0, start), picked, strip.crop(end, width)])
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text selected with the mouse, without the boxes' left edges."""
        self._ensure_layout()
        lines = [(self._layout.line(y) or Strip([])).text.rstrip() for y in range(self._layout.height)]
        picked = selection.extract("\n".join(lines))
        return "\n".join(_without_edge(line) for line in picked.split("\n")), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # --- what is held -------------------------------------------------------

    def _hold(self, pages: list[list[Message]], *, older_cursor: str | None, newer_cursor: str | None,
              has_older: bool, has_newer: bool) -> None:
        """Hold these messages instead of everything held so far."""
        self._keep_newest()
        self._messages = [m for page in pages for m in page]
        self._pages = [HeldPage(len(self._messages), older_cursor, newer_cursor)] if self._messages else []
        self.has_older, self.has_newer = has_older, has_newer
        self._older_requested = self._newer_requested = False
        self._jumping = False
        self._pending_jump = None
        self._first = 0
        if not has_newer:
            self._live = []
            self._newest_page = None  # held: live messages join what is held

    def forget_newest(self) -> None:
        """The event stream may have missed messages (a reset): end reads the newest page again."""
        self._newest_page = None

    def _keep_newest(self) -> None:
        """Before the newest messages held are let go: keep whole pages from the end, at least a
        window's worth, for end to show from memory."""
        if self.has_newer or not self._pages:
            return
        count = taken = 0
        for page in reversed(self._pages):
            count += page.size
            taken += 1
            if count >= self.MAX_MOUNTED:
                break
        self._newest_page = KeptNewest(self._messages[-count:],
                                       has_older=self.has_older or taken < len(self._pages),
                                       older_cursor=self._pages[-taken].older_cursor)
        self._draw_jumps_ahead_soon()

    def _with_live(self, newest: list[Message], *, after: Sequence[Message] = ()) -> list[Message]:
        """`newest` (a page that reaches the newest message, read `after` those held) and the live
        messages set aside after it.

        A live message the page missed arrived after the server read it: it is newer than all of it.
        """
        live, self._live = self._live, []
        known = {m.id for m in newest} | {m.id for m in after}
        last = max([m.id for m in after[-1:]] + [m.id for m in newest], default=0)
        return newest + in_time_order(m for m in live if m.id > last and m.id not in known)

    def _let_go(self, *, newest: bool) -> None:
        """Let go of whole pages at one end while over `MAX_HELD` are held, keeping those near the view."""
        near_start = max(0, self._first - self.MAX_MOUNTED)
        near_stop = self._window_end() + self.MAX_MOUNTED
        while len(self._messages) > self.MAX_HELD and len(self._pages) > 1:
            if newest:
                size = self._pages[-1].size
                if len(self._messages) - size < near_stop:
                    return
                self._keep_newest()
                del self._messages[-size:]
                self._pages.pop()
                self.has_newer = True
                self._newer_requested = False
            else:
                size = self._pages[0].size
                if size > near_start:
                    return
                del self._messages[:size]
                self._pages.pop(0)
                self._first -= size
                near_start -= size
                near_stop -= size
                self.has_older = True
                self._older_requested = False

    def _ask_older(self) -> None:
        if self.has_older and not self._older_requested and self._messages and not self._jumping:
            self._older_requested = True
            cursor = self._pages[0].older_cursor if self._pages else None
            self.post_message(self.NeedOlder(self, self._messages[0].id, cursor))

    def _ask_newer(self) -> None:
        if self.has_newer and not self._newer_requested and self._messages and not self._jumping:
            self._newer_requested = True
            self.post_message(self.NeedNewer(self, self._messages[-1].id, self._pages[-1].newer_cursor))


def _without_edge(line: str) -> str:
    """A line as copied: without a box's left edge and its padding."""
    for edge in (THICK_EDGE, DASHED_EDGE):
        if line.startswith(edge):
            return line[2:]
    return line
