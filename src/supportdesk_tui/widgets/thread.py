"""The conversation: customer messages, public replies and internal notes, each unmistakable.

Every mounted widget costs each scroll ~0.3 ms, so at most `MAX_MOUNTED` cards are
mounted; the messages loaded around them wait in memory and are swapped in as the
agent scrolls. Memory follows the view too: the thread holds its messages as the pages
they came in (each with the server's cursors to read past either end of it again), and
once it holds more than `MAX_HELD` it lets the pages farthest from the view go. Nearing
either end of what it holds posts `NeedOlder` / `NeedNewer` with the cursor to read on.

Home and end go to the first and the newest message of the conversation, not to the
edges of the mounted window: when that message is not held, `NeedFirst` / `NeedNewest`
ask for one page read from that end of the conversation (one request, whatever its length).
The first page home read is kept aside (one page more than `MAX_HELD`): home again shows it from
memory. A page asked for by home or end is dropped if the other key was answered after it.
Live messages that arrive while the newest ones are not held wait aside (`MAX_HELD` at most)
and join when the pages reach the end again, so none is lost in a request's flight.

The agent's replies and notes still in the outbox follow the messages as "waiting to send"
cards (`set_waiting`); when one lands its card gives way to the real message, so the text is
never shown twice and never nowhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual.actions import SkipAction
from textual.await_complete import AwaitComplete
from textual.await_remove import AwaitRemove
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.css.styles import RenderStyles
from textual.geometry import Size
from textual.layout import DockArrangeResult
from textual.message import Message as TextualMessage
from textual.strip import Strip
from textual.timer import Timer
from textual.visual import Visual, visualize
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import HistoryEntry, Message, MessageKind
from supportdesk_tui.domain.outbox import OutboxItem, OutboxState
from supportdesk_tui.domain.safe_text import find_links, one_line, safe_text
from supportdesk_tui.domain.secrets import mask_secrets, masked_except
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.times import date_time, time_ago
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.widgets.attachment_list import AttachmentList


def kind_title(kind: MessageKind) -> str:
    if kind is MessageKind.NOTE:
        return _("INTERNAL NOTE · only agents see this")
    if kind is MessageKind.REPLY:
        return _("Reply to customer")
    return _("Customer")


_CARD_COMPONENTS = frozenset({
    "card-header--line",
    "card-header--customer",
    "card-header--reply",
    "card-header--note",
    "card-header--author",
    "card-box--links",
})
"""The parts of a message's box coloured by CSS; declared on the `Thread`, which styles them once
for all its cards (a widget's component classes are styled again for each instance mounted)."""


class DrawnLines:
    """The lines drawn for the last messages shown, kept across their cards.

    Cards come and go as the agent scrolls (at most `Thread.MAX_MOUNTED` mounted); one that comes
    back (reading down again, end after home, the same ticket opened again) takes its lines from
    here instead of wrapping its text again. The key holds everything the lines show, so a line
    is never shown for a message, a state or a width it was not drawn for.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lines: dict[object, list[Strip]] = {}

    def get(self, key: object) -> list[Strip] | None:
        lines = self._lines.pop(key, None)
        if lines is not None:
            self._lines[key] = lines  # the most recent last: the first is let go first
        return lines

    def put(self, key: object, lines: list[Strip]) -> None:
        self._lines[key] = lines
        while len(self._lines) > self._size:
            del self._lines[next(iter(self._lines))]


class _DrawsMessage(Widget):
    """Draws what one message says: the header (kind, author, time), the body, its links.

    One widget draws all three (they were four widgets: a box, a header, the body, the links) and
    keeps its lines for the width it was last drawn at. Every widget mounted in the thread costs
    each layout and each scroll (a container draws its own lines under its children's), and the
    thread mounts and drops cards as the agent reads on, so fewer widgets per card is what keeps a
    scroll key within a frame. The lines go through the same path as a `Static` (Textual's
    `Content`, never markup), so they look exactly the same.
    """

    def __init__(self, *, classes: str) -> None:
        super().__init__(classes=classes)
        self._drawn: tuple[object, list[Strip]] | None = None  # (what they were drawn for, lines)
        self._secret_timers: list[Timer] = []  # secrets shown for a while: hidden again when they run out

    def get_component_styles(self, *names: str) -> RenderStyles:
        """The thread's styles for these parts (`_CARD_COMPONENTS`), the same for every card."""
        if not _CARD_COMPONENTS.issuperset(names):
            return super().get_component_styles(*names)
        thread = next(node for node in self.ancestors if isinstance(node, Thread))
        return thread.get_component_styles(*names)

    @property
    def card(self) -> MessageCard:
        raise NotImplementedError

    @property
    def draws_message(self) -> bool:
        return True

    def redraw(self, *, layout: bool = False) -> None:
        """The card's state changed (time label, secrets shown): draw the lines again."""
        self._drawn = None
        if self.is_mounted:
            self.refresh(layout=layout)

    def header_text(self) -> Text:
        card = self.card
        kind = card.message.kind
        header = Text(no_wrap=True, overflow="ellipsis")
        title = kind_title(kind)
        header.append(f" {title} " if kind is MessageKind.NOTE else title,
                      style=self.get_component_rich_style(f"card-header--{kind.value}", partial=True))
        header.append("  ")
        header.append(one_line(card.message.author.name),
                      style=self.get_component_rich_style("card-header--author", partial=True))
        header.append(" · ")
        header.append(card.time_label())
        return header

    def links_text(self) -> Text | None:
        links = find_links(self.card.masked_body)
        if not links:
            return None
        lines = Text()
        for index, url in enumerate(links):
            if index:
                lines.append("\n")
            lines.append("↗ ")
            lines.append(one_line(url), style="underline")
        return lines

    def render(self) -> Text:
        """Everything the box says, as plain `Text` (text selection, and what tests read)."""
        if not self.draws_message:
            return Text()
        parts = [self.header_text(), self.card.body_text()]
        links = self.links_text()
        if links is not None:
            parts.append(links)
        return Text("\n").join(parts)

    def _lines(self, width: int) -> list[Strip]:
        style = self.visual_style
        key = (width, style, self.app.theme)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        card = self.card
        message = card.message
        shared_key = (key, type(self).__name__, message.id, message.kind, message.author.name,
                      message.body, card.body_shown, card.time_label(), kind_title(message.kind))
        shared = card.drawn_lines.get(shared_key)
        if shared is not None:
            self._drawn = (key, shared)
            return shared
        lines = Visual.to_strips(self, visualize(self, self.header_text()), width, 1,
                                 self.get_visual_style("card-header--line"))[:1]
        lines += Visual.to_strips(self, visualize(self, self.card.body_text()), width, None, style)
        links = self.links_text()
        if links is not None:
            lines += Visual.to_strips(self, visualize(self, links), width, None,
                                      self.get_visual_style("card-box--links"))
        self._drawn = (key, lines)
        card.drawn_lines.put(shared_key, lines)
        return lines

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # The size of a widget that draws its lines itself is what the layout made of those lines: its
        # change is the result of a layout, not a reason for another. (Textual would lay the whole
        # thread out again for it: after every window move, in the frame of the next key.)
        return super()._size_updated(size, virtual_size, container_size,
                                     layout=layout and not self.draws_message)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.draws_message:
            return super().get_content_height(container, viewport, width)
        return len(self._lines(width)) if width > 0 else 0

    def render_line(self, y: int) -> Strip:
        if not self.draws_message:
            return super().render_line(y)
        width = self.size.width
        lines = self._lines(width)
        return lines[y] if 0 <= y < len(lines) else Strip.blank(width, self.visual_style.rich_style)


class MessageBox(_DrawsMessage):
    """The box of a card that has more than its message: attachments, or history lines after it."""

    DEFAULT_CSS = "MessageBox { height: auto; }"

    def __init__(self, card: MessageCard, *, classes: str) -> None:
        super().__init__(classes=classes)
        self._card = card

    @property
    def card(self) -> MessageCard:
        return self._card


class MessageCard(_DrawsMessage):
    """One message: a header (kind, author, time), the body, and the links it contains (not opened).

    The message itself sits in a bordered `.card--message` box; the ticket's changes that came
    after it follow below that box, outside its border and background, so they never read as
    part of what the customer or agent wrote. A card with nothing but its message (most of them)
    is that box itself, one widget (`-boxed`); one with attachments or history lines holds a
    `MessageBox` (with the attachment lines in a box around both, when it has attachments) and
    the history lines."""

    DEFAULT_CSS = """
    MessageCard { height: auto; margin: 0 1 1 0; layout: vertical; }
    MessageCard.-boxed, MessageCard > .card--message {
        height: auto;
        padding: 0 1;
        border-left: thick $customer-border;
        background: $surface;
    }
    MessageCard.-reply.-boxed, MessageCard.-reply > .card--message {
        border-left: thick $reply-border; background: $reply-border 10%;
    }
    MessageCard.-note.-boxed, MessageCard.-note > .card--message {
        border-left: thick $note-border; background: $note-background;
    }
    MessageCard .card--body { height: auto; }
    MessageCard > .card--history {
        color: $text-muted;
        text-style: italic;
        height: auto;
        margin-top: 1;
        padding: 0 0 0 2;
    }
    """

    def __init__(self, message: Message, *, absolute_time: bool, now: datetime,
                 drawn_lines: DrawnLines | None = None) -> None:
        super().__init__(classes=f"-{message.kind.value} -boxed card--body")
        self.drawn_lines = drawn_lines or DrawnLines(1)
        # The ticket's changes between this message and the next (quiet lines after its box).
        self.history_lines: tuple[str, ...] = ()
        self._box: MessageBox | None = None
        self._bind(message, absolute_time=absolute_time, now=now)
        self._set_form()

    def _bind(self, message: Message, *, absolute_time: bool, now: datetime) -> None:
        self.message = message
        self._absolute = absolute_time
        self._now = now
        # Customers paste codes, passwords and cards; they stay masked unless revealed on purpose.
        self.masked_body, self._secrets = mask_secrets(message.body)
        self.has_secrets = bool(self._secrets)
        self.revealed = False
        self._shown: set[int] = set()  # secrets revealed one at a time (`reveal_next`)
        self._body_shown = self.masked_body

    @property
    def reusable(self) -> bool:
        """One widget with nothing but its message: it can show another one (`show_message`)."""
        return self._box is None and not self.history_lines and not self.message.attachments

    def show_message(self, message: Message, *, absolute_time: bool, now: datetime) -> None:
        """Show `message` instead (a window move reuses the cards it drops: no mount, no styling
        again): nothing of the message before stays, its text, secrets shown, timers or time label.

        Only for a `reusable` card and a `message` without attachments (those have a box of their own).
        """
        assert self.reusable and not message.attachments
        for timer in self._secret_timers:
            timer.stop()
        self._secret_timers.clear()
        old_kind = self.message.kind
        self._bind(message, absolute_time=absolute_time, now=now)
        if message.kind is not old_kind:
            self.remove_class(f"-{old_kind.value}")
            self.add_class(f"-{message.kind.value}")
        self.redraw(layout=True)

    @property
    def card(self) -> MessageCard:
        return self

    @property
    def draws_message(self) -> bool:
        return self._box is None

    def _set_form(self) -> None:
        """Boxed (the card draws its message) unless it holds more than its message."""
        boxed = not self.message.attachments and not self.history_lines
        self.set_class(boxed, "-boxed", "card--body")
        if boxed:
            self._box = None
        elif self._box is None or self._box.is_mounted:
            box_classes = "card--body" if self.message.attachments else "card--message card--body"
            self._box = MessageBox(self, classes=box_classes)
        self._drawn = None

    def compose(self) -> Iterable[Widget]:
        box = self._box
        if box is None:
            return
        if self.message.attachments:
            with Vertical(classes="card--message"):
                yield box
                yield AttachmentList(self.message.attachments)
        else:
            yield box
        if self.history_lines:
            yield Static(_history_text(self.history_lines), classes="card--history")

    def _drawing(self) -> _DrawsMessage:
        return self if self._box is None else self._box

    def header_text(self) -> Text:
        """The header line as shown (kind, author, time)."""
        if self._box is not None:
            return self._box.header_text()
        return super().header_text()

    @property
    def body_shown(self) -> str:
        """The body as shown now: masked, revealed, or with some secrets shown."""
        return self._body_shown

    def body_text(self) -> Text:
        """`body_shown`, sanitised: never markup, never a control sequence."""
        return safe_text(self._body_shown)

    def shown_text(self) -> str:
        """What the message's box says now, header line first (as plain text)."""
        return str(self._drawing().render())

    def set_history_lines(self, lines: Sequence[str]) -> None:
        """Show these timeline lines after the message, outside its box (none: the line block goes)."""
        lines = tuple(lines)
        if lines == self.history_lines:
            return
        was_boxed = self._box is None
        self.history_lines = lines
        if not self.is_mounted:
            self._set_form()  # composed with them
            return
        shown = self.query_children(".card--history")
        if not was_boxed and lines and shown:
            shown.first(Static).update(_history_text(lines))
            return
        if not was_boxed and self.message.attachments:
            if lines:
                self.mount(Static(_history_text(lines), classes="card--history"))
            else:
                shown.remove()
            return
        # From one widget to a box and its lines, or back: compose the card again.
        self._set_form()
        self.refresh(recompose=True, layout=True)

    def reveal(self, seconds: float) -> None:
        """Show the unmasked body for `seconds`; the caller records the reveal in the audit trail."""
        if not self.has_secrets:
            return
        self.revealed = True
        self._body_shown = self.message.body
        self._drawing().redraw(layout=True)
        self._secret_timers.append(self.set_timer(seconds, self.hide_secrets))

    def hide_secrets(self) -> None:
        self.revealed = False
        self._shown.clear()
        self._body_shown = self.masked_body
        self._drawing().redraw(layout=True)

    @property
    def secret_count(self) -> int:
        return len(self._secrets)

    @property
    def hidden_secrets(self) -> int:
        """How many of this message's secrets are still masked."""
        return 0 if self.revealed and not self._shown else len(self._secrets) - len(self._shown)

    def reveal_next(self, seconds: float) -> int | None:
        """Unmask the first secret still masked, in reading order, for `seconds`; its number
        (1 = the first in the message), or None when none is left. The caller records it."""
        index = next((i for i in range(len(self._secrets)) if i not in self._shown), None)
        if index is None:
            return None
        self._shown.add(index)
        self._show_partly()
        self._secret_timers.append(self.set_timer(seconds, lambda: self._hide_one(index)))
        return index + 1

    def _hide_one(self, index: int) -> None:
        self._shown.discard(index)
        self._show_partly()

    def _show_partly(self) -> None:
        self._body_shown = masked_except(self.message.body, self._secrets, self._shown)
        self._drawing().redraw(layout=True)

    def time_label(self) -> str:
        when = self.message.created_at
        if self._absolute:
            return date_time(when)
        return time_ago(when, self._now)

    def set_time_mode(self, *, absolute_time: bool, now: datetime) -> None:
        self._absolute = absolute_time
        self._now = now
        self._drawing().redraw()

    def redraw(self, *, layout: bool = False) -> None:
        """Draw the message again (another language: the kind labels and times are translated)."""
        if self._box is not None:
            self._box.redraw(layout=layout)
        else:
            super().redraw(layout=layout)


def _history_text(lines: Sequence[str]) -> Text:
    # Each line is built by domain/ticket_history.py from server values cut to one line: plain
    # Text, never markup.
    text = Text()
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        text.append("╶ " + one_line(line))
    return text


class WaitingCard(Widget):
    """A reply or note of the agent's still in the outbox: its text, and that it has not gone yet.

    One widget drawing both lines (no child widgets): mounted, it is laid out in the next frame —
    the frame of the send key that shows it "sending…" — with nothing left to compose first."""

    DEFAULT_CSS = """
    WaitingCard {
        height: auto;
        margin: 0 1 1 0;
        padding: 0 1;
        border-left: dashed $warning;
        background: $surface;
        color: $text-muted;
    }
    WaitingCard.-refused { border-left: dashed $error; }
    WaitingCard > .waiting--header { color: $warning; text-style: bold; }
    WaitingCard.-refused > .waiting--header { color: $error; }
    WaitingCard.-sending { border-left: dashed $primary; }
    WaitingCard.-sending > .waiting--header { color: $primary; text-style: italic; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"waiting--header"}

    def __init__(self, item: OutboxItem, *, sending: bool = False) -> None:
        refused = item.state is OutboxState.FAILED
        sending = sending and not refused
        # Classed before mounting: styles are matched once (a class set afterwards restyles the card).
        classes = [f"-{item.kind.message_kind.value}"] + ["-refused"] * refused + ["-sending"] * sending
        super().__init__(classes=" ".join(classes))
        self.item = item
        # The agent's own text, but pasted from anywhere: data, never markup, secrets masked.
        self._body = safe_text(mask_secrets(item.body)[0])
        self.sending = sending

    @property
    def key(self) -> str:
        return self.item.id

    @property
    def refused(self) -> bool:
        return self.item.state is OutboxState.FAILED

    def show(self, item: OutboxItem, *, sending: bool = False) -> None:
        """The same item after another attempt, a refusal or a resend (its text does not change).

        `sending`: its first attempt is out now (shown at once, before the server has answered)."""
        self.item = item
        self.sending = sending and not self.refused
        self.set_class(self.refused, "-refused")
        self.set_class(self.sending, "-sending")
        self.refresh()  # the header's words; its one line, so not the layout

    def _header(self) -> Text:
        if self.refused:
            state = _("Not sent: the server refused it — see the outbox")
        else:
            state = _("Sending…") if self.sending else _("Waiting to send")
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(kind_title(self.item.kind.message_kind))
        header.append(" · " + state)
        return header

    def render(self) -> Group:
        header = self._header()
        header.stylize(self.get_component_rich_style("waiting--header", partial=True))
        return Group(header, self._body)

    def header_text(self) -> str:
        return self._header().plain

    def body_text(self) -> str:
        return self._body.plain


class WaitingReplies(Vertical):
    """The waiting cards, always after the last message."""

    DEFAULT_CSS = """
    WaitingReplies { height: auto; }
    """


class Thread(VerticalScroll, can_focus=True):
    """The messages of one ticket, oldest at the top, newest at the bottom."""

    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("T", "toggle_time", N_("Relative/absolute time"), id="thread.toggle_time"),
    ])

    COMPONENT_CLASSES: ClassVar[set[str]] = set(_CARD_COMPONENTS)

    DEFAULT_CSS = """
    Thread { height: 1fr; padding: 0 0 0 1; background: $background; }
    Thread > .card-header--line { color: $text-muted; }
    Thread > .card-box--links { color: $text-muted; }
    Thread > .card-header--customer { color: $customer-border; text-style: bold; }
    Thread > .card-header--reply { color: $reply-border; text-style: bold; }
    Thread > .card-header--note { color: $note-border; text-style: bold reverse; }
    Thread > .card-header--author { color: $foreground; text-style: bold; }
    Thread > .thread--empty { color: $text-muted; text-style: italic; padding: 1 2; }
    Thread > .thread--older { color: $text-muted; text-style: italic; height: 1; content-align: center middle;
                              width: 100%; }
    """

    MAX_MOUNTED = 50
    MAX_HELD = 250
    """Messages held before the pages farthest from the view are let go (a page more may be in flight)."""
    FIRST_PAGE_AHEAD_AFTER = 0.3
    """Seconds after a conversation is shown (at its newest) before its first page is read ahead."""
    FRAME_HELD_AT_MOST = 0.5
    """Seconds a jump holds the app's frames for its cards at most (they take milliseconds)."""
    MIN_CARD_HEIGHT = 3
    GROW_AHEAD_PAGES = 1
    """A window not full (a jump mounts a screenful first) grows at once while fewer lines than this
    many views are mounted on the side the reader goes."""
    JUMP_MOUNTS_VIEWS = 2
    """Views' worth of cards home and end mount before their frame (the rest grows after it)."""
    READ_AHEAD_VIEWS = 3
    """Views left to the last held message when the next page is asked for (keys going that way)."""
    GROW_IDLE_AFTER = 0.15
    """Seconds without a scroll key before such a window grows on toward full (a screenful a frame)."""
    """The smallest card (header, one line of body, margin): a view holds at most height / this."""

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
        self._pages: list[_HeldPage] = []  # what `_messages` is made of, oldest first
        self._live: list[Message] = []  # arrived while the newest were not held
        self._first = 0  # index in `_messages` of the first mounted card
        self._older_requested = False
        self._newer_requested = False
        self._jumping = False  # home or end asked for a page from that end of the conversation
        self._pending_jump: str | None = None  # which end ("first", "newest") that page is from
        # Pages home or end asked for and then did without (the other key, or home from memory, came
        # first): dropped when they arrive, so a late answer never takes the view from where it went.
        self._superseded: set[str] = set()
        # A window move (cards mounted at one end, dropped at the other) waits for its layout to keep
        # the view still; a second move measured before that layout would shift the view twice.
        self._moving = False
        # A window not full growing by a screenful on one side (`_grow_window`): it waits for its layout
        # too, but scroll keys whose page is mounted and laid out go on meanwhile (nothing they show moves).
        self._growing = False
        self._grow_timer: Timer | None = None
        self._last_key = 0.0  # `time.monotonic()` of the last scroll, home or end key
        self._reading = 0  # the way the last scroll key went: -1 up, 1 down, 0 none since the window
        self._windows = 0  # windows replaced whole (a jump, a conversation shown from scratch)
        # The card a window move keeps in place on screen: (card, its top in the last layout). Each
        # layout moves the scroll offset by as much as the cards above it grew or shrank, in that same
        # layout, so no frame shows the view between a move and its correction.
        self._held_still: tuple[Widget, int] | None = None
        self._arranged: DockArrangeResult | None = None
        self._layouts = 0
        self._edge_check_due = False
        # Scroll keys not applied yet, oldest first: (pages, lines) each. One is applied a frame,
        # after any window move under way (`_next_scroll_step`).
        self._scroll_steps: list[tuple[int, int]] = []
        self._scroll_step_due = False
        self._loading = False
        self._empty_message = "No messages yet."
        self._waiting: list[OutboxItem] = []
        self._sending: frozenset[str] = frozenset()  # of `_waiting`, those whose first attempt is out
        # Outbox items whose message already arrived (by the stream, before the outbox let go of
        # them): never shown as waiting again.
        self._landed: set[str] = set()
        self._waiting_box: WaitingReplies | None = None
        self._waiting_cards: dict[str, WaitingCard] = {}
        self._history: list[HistoryEntry] = []
        self._history_line: Callable[[HistoryEntry], str] | None = None
        self._drawn_lines = DrawnLines(self.MAX_MOUNTED * 3)
        self._frame_holds: set[asyncio.Future[None]] = set()
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
        self._newest_page: _KeptNewest | None = None

    # --- public API ---------------------------------------------------------

    @property
    def messages(self) -> list[Message]:
        """The messages held in memory (around the view), oldest first."""
        return list(self._messages)

    @property
    def mounted_cards(self) -> list[MessageCard]:
        return list(self.query_children(MessageCard))

    @property
    def waiting_cards(self) -> list[WaitingCard]:
        """The waiting cards shown (or being mounted), oldest first."""
        return list(self._waiting_cards.values())

    def set_waiting(self, items: Sequence[OutboxItem], *, sending: Collection[str] = ()) -> AwaitComplete:
        """The ticket's replies and notes still in the outbox, shown after the messages.

        `sending`: the keys of those whose first attempt is out now, shown as "sending…".
        Awaited, it returns once the new cards are mounted (so the next layout places them)."""
        self._landed &= {item.id for item in items}
        waiting = [item for item in items if item.id not in self._landed]
        in_flight = frozenset(sending) & {item.id for item in waiting}
        if waiting == self._waiting and in_flight == self._sending:
            return AwaitComplete()
        self._waiting = waiting
        self._sending = in_flight
        return self._show_waiting()

    def waiting_key_for(self, message: Message) -> str | None:
        """The waiting item `message` (the agent's own, just arrived) delivers, if one shows it."""
        return next((item.id for item in self._waiting
                     if item.kind.message_kind is message.kind and item.body == message.body), None)

    def last_masked_card(self) -> MessageCard | None:
        """The newest message with a masked secret."""
        return next((c for c in reversed(self.mounted_cards) if c.has_secrets), None)

    def next_masked_card(self) -> MessageCard | None:
        """The newest message with a secret still masked: what the reveal key acts on next."""
        return next((c for c in reversed(self.mounted_cards) if c.hidden_secrets), None)

    # --- the ticket's history, as quiet lines between the messages ------------

    def set_history(self, entries: Sequence[HistoryEntry],
                    line: Callable[[HistoryEntry], str] | None) -> None:
        """Show `entries` under the messages they followed, each as `line(entry)`; `line=None`
        hides them (the entries are kept for when they are shown again)."""
        self._history = sorted(entries, key=lambda e: (e.at, e.id))
        self._history_line = line
        for card in self.query_children(MessageCard):
            card.set_history_lines(self._history_lines_after(card.message))

    def _history_lines_after(self, message: Message, index: int | None = None) -> list[str]:
        """The lines for the changes from `message` on, before the next message held."""
        line = self._history_line
        if line is None or not self._history:
            return []
        if index is None:
            index = next((i for i, m in enumerate(self._messages) if m.id == message.id), -1)
        if index < 0:
            return []
        last = index == len(self._messages) - 1
        if last and self.has_newer:
            return []  # the next message is not held: its changes wait for its page
        start = None if index == 0 and not self.has_older else message.created_at
        end = None if last else self._messages[index + 1].created_at
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
        self.scroll_home(animate=False, immediate=True)
        self.show_loading()

    def show_loading(self) -> None:
        self._loading = True
        self.set_messages([])

    def set_messages(self, messages: Iterable[Message], *, has_older: bool = False,
                     older_cursor: str | None = None) -> None:
        """Show a conversation from scratch (its newest messages), scrolled to the newest message."""
        self._hold([_sorted(messages)], older_cursor=older_cursor, newer_cursor=None,
                   has_older=has_older, has_newer=False)
        if self._messages:
            self._loading = False
        self._first = max(0, len(self._messages) - self.MAX_MOUNTED)
        self._scroll_steps.clear()
        self._first_page = None
        self._superseded.clear()
        self._read_first_page_ahead_soon()
        self._remove_messages()
        if not self._messages:
            self._mount_before_waiting(Static(self._empty_label(), classes="thread--empty"))
            return
        self._mount_before_waiting(*self._cards(self._messages[self._first :]))
        # Anchored, the view stays on the newest message while the layout settles (the sidebar and
        # the playbook arrive after the messages and narrow the thread, so every card grows taller).
        self.anchor()
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def show_newest(self, messages: Iterable[Message], *, has_older: bool,
                    older_cursor: str | None) -> None:
        """The newest page, loaded after `NeedNewest`: held instead of everything, the view at its end."""
        if "newest" in self._superseded:
            self._superseded.discard("newest")
            return
        self._show_newest(_sorted(messages), has_older=has_older, older_cursor=older_cursor)

    def _show_newest(self, page: list[Message], *, has_older: bool, older_cursor: str | None) -> None:
        newest = self._with_live(page)
        if not newest:
            self.set_messages([], has_older=has_older, older_cursor=older_cursor)
            return
        self._hold([newest], older_cursor=older_cursor, newer_cursor=None, has_older=has_older,
                   has_newer=False)
        # A screenful first, the rest of the window after that frame (as end from memory does).
        self._show_window(max(0, len(self._messages) - self.MAX_MOUNTED), at_end=True)

    def show_first(self, messages: Iterable[Message], *, has_newer: bool, newer_cursor: str | None) -> None:
        """The oldest page, loaded after `NeedFirst`: held instead of everything, the view at its top."""
        if "first" in self._superseded:
            self._superseded.discard("first")
            return
        self._show_first(_sorted(messages), has_newer=has_newer, newer_cursor=newer_cursor)

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
        page = _sorted(messages)
        if not page or not has_newer or self._first_page is not None or not self._messages:
            return  # (a page that reaches the newest message: home holds what it shows then)
        if page[0].ticket_id != self._messages[0].ticket_id or not self.has_older:
            return  # another conversation is shown now, or its first message is held
        self._first_page = (page, newer_cursor)
        if self._pending_jump == "first":
            self._from_memory()
            self._show_first(page, has_newer=True, newer_cursor=newer_cursor)

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
        if self._moving or self._scroll_steps:
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
        fresh = _sorted(m for m in older if m.id not in known)
        self.has_older = has_older
        if not fresh:
            if self._pages:
                self._pages[0].older_cursor = older_cursor
            return
        self._messages[:0] = fresh
        self._pages.insert(0, _HeldPage(len(fresh), older_cursor, newer_cursor))
        self._first += len(fresh)
        self._let_go(newest=True)
        self._near_edge()  # a page that arrives after the agent scrolled away waits in memory

    def append_page(self, newer: Iterable[Message], *, has_newer: bool, newer_cursor: str | None,
                    older_cursor: str | None = None, after_id: int | None = None) -> None:
        """Newer messages the screen loaded after `NeedNewer` (`after_id`: the last one held then)."""
        if after_id is not None and (not self._messages or self._messages[-1].id != after_id):
            return
        self._newer_requested = False
        known = {m.id for m in self._messages}
        fresh = _sorted(m for m in newer if m.id not in known)
        if not has_newer:
            fresh = self._with_live(fresh, after=self._messages)
            self._newest_page = None  # held again: live messages join what is held
        self.has_newer = has_newer
        if fresh:
            self._messages.extend(fresh)
            self._pages.append(_HeldPage(len(fresh), older_cursor, newer_cursor))
        elif self._pages:
            self._pages[-1].newer_cursor = newer_cursor
        self._let_go(newest=False)
        self._near_edge()

    def loading_failed(self) -> None:
        """A page asked for did not come: the next approach to that end asks again."""
        self._older_requested = self._newer_requested = False
        self._jumping = False
        self._pending_jump = None
        self._superseded.clear()
        self.remove_children(".thread--older")

    def append_message(self, message: Message, *, delivers: str | None = None) -> None:
        """A live message; followed to the bottom only if the agent was already reading the end.

        `delivers`: the key of the waiting item this message is (its card goes in the same step).
        """
        if delivers is not None:
            self._landed.add(delivers)
            if any(item.id == delivers for item in self._waiting):
                self._waiting = [item for item in self._waiting if item.id != delivers]
                self._show_waiting()
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
            self.set_messages([message], has_older=self.has_older,
                              older_cursor=self._pages[0].older_cursor if self._pages else None)
            return
        at_bottom = self.scroll_y >= self.max_scroll_y - 1
        tail_mounted = self._first + len(self.query_children(MessageCard)) >= len(self._messages)
        self._messages.append(message)
        self._pages[-1].size += 1
        if self._history and tail_mounted:
            previous = self.query_children(MessageCard)
            if previous:
                last_card = previous.last(MessageCard)
                last_card.set_history_lines(self._history_lines_after(last_card.message))
        if tail_mounted:
            self._mount_before_waiting(*self._cards([message]))
            self._trim_top()
        if at_bottom:
            self.call_after_refresh(self.scroll_end, animate=False)

    def set_empty_message(self, message: str) -> None:
        self._empty_message = message

    def _empty_label(self) -> Text:
        label = _("Loading conversation…") if self._loading else _(self._empty_message)
        return safe_text(label)  # may be a server's message

    def relabel(self) -> None:
        # Cards draw their headers again in the new language; the empty thread's line was stored.
        for card in self.query_children(MessageCard):
            card.redraw()
        for empty in self.query_children(".thread--empty").results(Static):
            empty.update(self._empty_label())

    # --- time mode ----------------------------------------------------------

    def action_toggle_time(self) -> None:
        self.absolute_time = not self.absolute_time
        now = self.clock()
        for card in self.query_children(MessageCard):
            card.set_time_mode(absolute_time=self.absolute_time, now=now)

    def refresh_times(self) -> None:
        """Relative times age: the screen may call this on a slow timer."""
        now = self.clock()
        for card in self.query_children(MessageCard):
            card.set_time_mode(absolute_time=self.absolute_time, now=now)

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
        when the key came.

        Textual's own keys work out the offset to go to at once and scroll there after the next
        frame; a window move in that frame moves the offset under them (`arrange` keeps the view
        still), so the key would land that far off: past messages never shown. Here each key is
        applied after any move under way, relative to the view the move kept, one key a frame
        (keys that come faster than frames each still show their page), without animation (a
        glide's end could not follow a move either).
        """
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self._last_key = time.monotonic()
        self._scroll_steps.append((pages, lines))
        if len(self._scroll_steps) == 1 and not (self._scroll_step_due or self._moving
                                                 or self._edge_check_due):
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
        if not self._scroll_steps or self._moving or self._edge_check_due:
            return  # a window move is settling, or may start after this frame: `_near_edge` resumes
        pages, lines = self._scroll_steps[0]
        height = self.scrollable_content_region.height
        target = self.scroll_y + pages * height + lines
        if self._growing and not 0 <= target <= self.max_scroll_y:
            return  # its page is among the cards growing the window: their layout resumes (`_near_edge`)
        self._scroll_steps.pop(0)
        self._reading = -1 if target < self.scroll_y else 1 if target > self.scroll_y else self._reading
        self.scroll_to(y=target, animate=False, immediate=True)
        if self._scroll_steps:
            self._schedule_scroll_step()  # after the frame that shows this one

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
        self.scroll_home(animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        """The newest message, wherever the mounted window is."""
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
        self.scroll_end(animate=False, immediate=True)

    def _from_memory(self) -> None:
        """Home or end shown from what is held: a page still on its way for a key before is not wanted."""
        self._jumping = False
        if self._pending_jump is not None:
            self._superseded.add(self._pending_jump)
            self._pending_jump = None
        self.remove_children(".thread--older")

    def _jump(self, request: TextualMessage) -> None:
        """Ask for a page from one end of the conversation; say so where the view goes meanwhile."""
        self._jumping = True
        self._pending_jump = "first" if isinstance(request, self.NeedFirst) else "newest"
        self._superseded.discard(self._pending_jump)  # asked again: its answer is wanted
        self.remove_children(".thread--older")
        notice = Static(_("Loading…"), classes="thread--older")
        cards = self.query_children(MessageCard)
        if isinstance(request, self.NeedFirst) and cards:
            self.mount(notice, before=cards.first())
        else:
            self._mount_before_waiting(notice)
        self.post_message(request)

    def _show_window(self, start: int, *, at_end: bool) -> None:
        """Mount the cards from `start` on (at most `MAX_MOUNTED`) and scroll to that window's top or end.

        A screenful of cards is mounted first and painted; the rest of the window grows from it
        after that frame (`_grow_window`), so the key that asked for it is answered in a fraction of
        the mount time, and so is the key after it.
        """
        cards = list(self.query_children(MessageCard))
        stop = min(len(self._messages), start + self.MAX_MOUNTED)
        wanted = self._messages[start:stop]
        others = len(self.children) - len(cards) - (0 if self._waiting_box is None else 1)
        if [c.message.id for c in cards] == [m.id for m in wanted] and others == 0:
            self._first = start
            self._scroll_to_edge(at_end=at_end)
            return
        # Two views' worth: the key after the jump finds its page mounted and laid out.
        screenful = self._screenful(wanted[::-1] if at_end else wanted, views=self.JUMP_MOUNTS_VIEWS)
        shown = wanted[-screenful:] if at_end else wanted[:screenful]
        self._first = stop - len(shown) if at_end else start
        self._remove_messages()
        window = self._windows
        first_batch = self._cards(shown)
        mounted = self._mount_before_waiting(*first_batch)
        self._scroll_to_edge(at_end=at_end)
        # Like a window move: no other move, and no scroll key, until the screenful is laid out; then
        # a key whose page is not mounted yet waits for the cards that grow the window (a key measured
        # against the screenful alone would stop at its end, and reaching that end puts Textual's
        # bottom anchor back on: the rest's layout would then jump to its end).
        self._moving = True

        def mount_rest() -> None:
            if window != self._windows:
                return  # another window replaced this one
            self._moving = False
            # The rest of the window grows from the screenful a screenful at a time, on the side the
            # reader goes (`_grow_window`, from `_near_edge`): a key right after the jump waits for
            # a screenful's cards at most, not the window's (≈ 44 cards mounted in one frame).
            self._near_edge()

        self._no_frame_until(mounted, then=mount_rest)

    def _screenful(self, messages: Sequence[Message], views: int = 1) -> int:
        """How many of `messages`, in this order, surely fill the view once laid out.

        Each card counts the fewest lines it can take (header, its text unwrapped on the widest
        line the thread has, the margin), so the screenful is never short; wrapping only adds."""
        region = self.scrollable_content_region
        width, needed = max(1, region.width), region.height * views
        count = 0
        for message in messages:
            if needed <= 0:
                break
            count += 1
            needed -= self.MIN_CARD_HEIGHT - 1 + max(1, -(-len(message.body) // width),
                                                     message.body.count("\n") + 1)
        return max(1, count)

    def _scroll_to_edge(self, *, at_end: bool) -> None:
        if at_end:
            self.anchor()
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
        else:
            # At once too: the frame that shows the window's first cards shows them at the top (the
            # window's rest is mounted after that frame).
            self.scroll_home(animate=False, immediate=True)
            self.call_after_refresh(self.scroll_home, animate=False, immediate=True)

    # --- waiting cards ------------------------------------------------------

    def _mount_before_waiting(self, *widgets: Widget) -> AwaitMount:
        """Mount after the messages: at the end, but above the waiting cards."""
        if self._waiting_box is not None:
            return self.mount(*widgets, before=self._waiting_box)
        return self.mount(*widgets)

    def _remove_messages(self) -> AwaitRemove:
        """Everything but the waiting cards (a window or a conversation shown from scratch)."""
        box = self._waiting_box
        self._held_still = None
        self._windows += 1
        self._moving = False
        self._growing = False
        self._reading = 0
        return self.remove_children([child for child in self.children if child is not box])

    def _no_frame_until(self, *changes: Awaitable[object], then: Callable[[], object]) -> None:
        """Paint no frame until these changes to the cards are done; `then` after the frame that
        shows them.

        Mounting and removing are finished by the cards' own tasks: a frame painted between the
        key and then lays out the thread with the old cards going and the new ones not placed yet
        (CPU spent on a view nobody should see). The next frame shows the changes whole."""
        batch = self.app.batch_update()
        batch.__enter__()

        async def done() -> None:
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.gather(*changes), self.FRAME_HELD_AT_MOST)
            finally:
                batch.__exit__(None, None, None)
                if self.is_attached:
                    self.call_after_refresh(then)
                    self.screen.check_idle()

        hold = asyncio.ensure_future(done())
        self._frame_holds.add(hold)  # a task only weakly referenced could be collected mid-way
        hold.add_done_callback(self._frame_holds.discard)

    def _show_waiting(self) -> AwaitComplete:
        at_bottom = self.scroll_y >= self.max_scroll_y - 1
        box = self._waiting_box
        if not self._waiting:
            self._waiting_cards = {}
            if box is not None:
                self._waiting_box = None
                box.remove()
            return AwaitComplete()
        shown = self._waiting_cards
        self._waiting_cards = {}
        mounts: list[Awaitable[None]] = []
        if box is None:
            box = self._waiting_box = WaitingReplies()
            mounts.append(self.mount(box))
        wanted = {item.id for item in self._waiting}
        for key, card in shown.items():
            if key not in wanted:
                card.remove()
        # Cards still wanted stay (updated in place): replacing them all would show both for a frame.
        following: WaitingCard | None = None
        for item in reversed(self._waiting):
            known = shown.get(item.id)
            sending = item.id in self._sending
            if known is None:
                card = WaitingCard(item, sending=sending)
                mounts.append(box.mount(card, before=following))
            else:
                card = known
                card.show(item, sending=sending)
            self._waiting_cards[item.id] = card
            following = card
        self._waiting_cards = dict(reversed(self._waiting_cards.items()))
        if at_bottom:
            self.call_after_refresh(self.scroll_end, animate=False)
        return AwaitComplete(*mounts) if mounts else AwaitComplete()

    # --- what is held -------------------------------------------------------

    def _hold(self, pages: list[list[Message]], *, older_cursor: str | None, newer_cursor: str | None,
              has_older: bool, has_newer: bool) -> None:
        """Hold these messages instead of everything held so far."""
        self._keep_newest()
        self._messages = [m for page in pages for m in page]
        self._pages = [_HeldPage(len(self._messages), older_cursor, newer_cursor)] if self._messages else []
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
        self._newest_page = _KeptNewest(self._messages[-count:],
                                        has_older=self.has_older or taken < len(self._pages),
                                        older_cursor=self._pages[-taken].older_cursor)

    def _with_live(self, newest: list[Message], *, after: Sequence[Message] = ()) -> list[Message]:
        """`newest` (a page that reaches the newest message, read `after` those held) and the live
        messages set aside after it.

        A live message the page missed arrived after the server read it: it is newer than all of it.
        """
        live, self._live = self._live, []
        known = {m.id for m in newest} | {m.id for m in after}
        last = max([m.id for m in after[-1:]] + [m.id for m in newest], default=0)
        return newest + _sorted(m for m in live if m.id > last and m.id not in known)

    def _let_go(self, *, newest: bool) -> None:
        """Let go of whole pages at one end while over `MAX_HELD` are held, keeping those near the view."""
        mounted = len(self.query_children(MessageCard))
        near_start = max(0, self._first - self.MAX_MOUNTED)
        near_stop = self._first + mounted + self.MAX_MOUNTED
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

    # --- windowing ----------------------------------------------------------

    def _cards(self, messages: Iterable[Message],
               reuse: list[MessageCard] | None = None) -> list[MessageCard]:
        """Cards for `messages`: new ones, or cards from `reuse` (dropped by a window move; those
        taken are removed from it) showing them instead."""
        now = self.clock()
        cards: list[MessageCard] = []
        for message in messages:
            if reuse and not message.attachments:
                card = reuse.pop()
                card.show_message(message, absolute_time=self.absolute_time, now=now)
            else:
                card = MessageCard(message, absolute_time=self.absolute_time, now=now,
                                   drawn_lines=self._drawn_lines)
            cards.append(card)
        if self._history and self._history_line is not None:
            where = {m.id: i for i, m in enumerate(self._messages)}
            for card in cards:
                card.set_history_lines(self._history_lines_after(card.message,
                                                                 where.get(card.message.id, -1)))
        return cards

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # After the frame that shows the scroll: mounting the next cards (a window move) then costs
        # the key nothing; the layout that takes them in keeps the view still (`arrange`).
        if not self._edge_check_due:
            self._edge_check_due = True
            self.call_after_refresh(self._near_edge_after_scroll)

    def _near_edge_after_scroll(self) -> None:
        self._edge_check_due = False
        self._near_edge()

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        """The cards laid out; the card held still keeps its place on screen (`_hold_still`)."""
        arranged = super().arrange(size, optimal)
        if arranged is not self._arranged:
            self._layouts += 1
        self._arranged = arranged
        held = self._held_still
        if held is not None:
            card, top = held
            now_top = _placed_top(arranged, card)
            if now_top is None:
                self._held_still = None  # gone (a window dropped it)
            elif now_top != top:
                self._held_still = (card, now_top)
                scroll_y = max(0, self.scroll_y + now_top - top)
                # As Textual's own anchor does inside a layout: the offset this layout is drawn at.
                self.set_reactive(Widget.scroll_y, scroll_y)
                self.set_reactive(Widget.scroll_target_y, scroll_y)
                self.vertical_scrollbar.position = scroll_y
        return arranged

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # The cards' total height (the virtual size) changes with every window move; the layout that
        # changed it has placed them already, so only a new size of the thread asks for another
        # (Textual would lay the whole thread out again: in the frame of the next key).
        return super()._size_updated(size, virtual_size, container_size, layout=layout and size != self.size)

    def _hold_still(self, card: Widget) -> None:
        """Keep `card` where it is on screen while cards are mounted or dropped above it."""
        top = None if self._arranged is None else _placed_top(self._arranged, card)
        self._held_still = None if top is None else (card, top)

    def _near_edge(self) -> None:
        """At either end of the mounted cards: mount more from memory, or ask for the next page.

        Then the scroll keys waiting for a move go on (from the view it kept, once it is laid out)."""
        if not self._grow_window():
            self._read_ahead()
            if self.scroll_y <= 0:
                self._at_top()
            elif self.scroll_y >= self.max_scroll_y > 0:
                self._at_bottom()
        if self._scroll_steps:
            self._schedule_scroll_step()

    def _grow_window(self, *, idle: bool = False) -> bool:
        """A window not full (after a jump's screenful) grows by a screenful of held messages on the
        side the reader goes: at once while fewer than `GROW_AHEAD_PAGES` views are mounted there,
        otherwise once the keys pause (`GROW_IDLE_AFTER`), until it is full. True: it is growing.

        Only cards are added (none dropped), so the keys whose page is already laid out go on while
        the new cards come; a card above the view is held still as a window move does."""
        if self._growing or self._moving or self._jumping or self._loading:
            return self._growing
        cards = list(self.query_children(MessageCard))
        room = self.MAX_MOUNTED - len(cards)
        end = self._first + len(cards)
        below = end < len(self._messages)
        above = self._first > 0
        if room <= 0 or not cards or not (below or above):
            return False
        lines_below = self.max_scroll_y - self.scroll_y
        lines_above = self.scroll_y
        downward = below and (not above or lines_below <= lines_above)
        ahead = self.GROW_AHEAD_PAGES * max(1, self.scrollable_content_region.height)
        if (lines_below if downward else lines_above) >= ahead and not idle:
            # On a timer even when the keys paused long ago: a screenful a frame, in idle time.
            if self._grow_timer is None:
                waited = time.monotonic() - self._last_key
                self._grow_timer = self.set_timer(max(self.GROW_IDLE_AFTER - waited, 0.001),
                                                  self._grow_when_idle, name="thread-grow")
            return False
        if downward:
            newer = self._messages[end:]
            count = min(room, self._screenful(newer))
            self.release_anchor()  # the view is not at the end of what is to be mounted
            self._place(self._cards(newer[:count]), before=None)
        else:
            count = min(room, self._screenful(self._messages[: self._first][::-1]))
            self._hold_still(cards[0])  # before anything moves: where it is now
            new_cards = self._cards(self._messages[self._first - count : self._first])
            self._first -= count
            self._place(new_cards, before=cards[0])
        self._settle_growth()
        return True

    def _read_ahead(self) -> None:
        """Scroll keys going towards the end of what is held, every held message there mounted:
        ask for the next page while `READ_AHEAD_VIEWS` views are left, so its answer (a request and
        a page parsed) lands between keys, not in the frame of the key that reaches the edge.
        (A window's edge short of what is held asks when the window moves, `_reveal_older`.)"""
        height = max(1, self.scrollable_content_region.height)
        near = self.READ_AHEAD_VIEWS * height
        if self._reading < 0 and self._first == 0 and 0 < self.scroll_y < near:
            self._ask_older()
        elif (self._reading > 0 and self._first + len(self.query_children(MessageCard)) == len(self._messages)
              and 0 < self.max_scroll_y - self.scroll_y < near):
            self._ask_newer()

    def _grow_when_idle(self) -> None:
        self._grow_timer = None
        if self._edge_check_due or self._scroll_steps:
            return  # keys under way: their edge check comes back here
        if time.monotonic() - self._last_key < self.GROW_IDLE_AFTER:
            self._grow_window()  # a key came meanwhile: the timer again
        elif not self._grow_window(idle=True):
            self._near_edge()

    def _settle_growth(self) -> None:
        """As `_settle_move`, for cards added to a window not full (`_growing`, not `_moving`)."""

        def laid_out() -> None:
            self._growing = False
            under_way.stop()
            if not self._moving:
                self._held_still = None
            self._near_edge()

        self._growing = True
        # Shows the growth as under way to whoever waits for the app's timers (tests settle on them);
        # it does nothing when it fires.
        under_way = self.set_timer(self.FRAME_HELD_AT_MOST, lambda: None, name="thread-growing")
        self._when_laid_out(laid_out, holding_still=False)

    def _at_top(self) -> None:
        if self._jumping or self._moving or self._growing:
            return  # the whole window is replaced when the page arrives; or a move is settling
        if self._first > 0:
            self._reveal_older()
        else:
            self._ask_older()

    def _at_bottom(self) -> None:
        if self._jumping or self._moving or self._growing:
            return
        cards = list(self.query_children(MessageCard))
        end = self._first + len(cards)
        if end < len(self._messages):
            # Reaching the bottom re-anchors the view; not here, where newer cards are still to come.
            self.release_anchor()
            newer = self._messages[end : end + self.MAX_MOUNTED // 2]
            excess = max(0, len(cards) + len(newer) - self.MAX_MOUNTED)
            dropped = cards[:excess]
            if excess:
                self._hold_still(cards[excess])  # before anything moves: where it is now
            # The cards dropped above show the newer messages (moved down, not mounted again).
            reuse = [card for card in reversed(dropped) if card.reusable]
            new_cards = self._cards(newer, reuse=reuse)
            self._place(new_cards, before=None)
            _remove_unused(dropped, new_cards)
            self._first += excess
            end += len(newer)
            if excess:
                self._settle_move()
        if len(self._messages) - end < self.MAX_MOUNTED:
            self._ask_newer()  # read ahead, so the next page is here before the view reaches it

    def _reveal_older(self, limit: int | None = None) -> None:
        """Show up to half a window of older cards above, drop as many below, keep the view still.

        The cards dropped below show the older messages (moved up, not mounted again) when they can."""
        cards = list(self.query_children(MessageCard))
        anchor = cards[0] if cards else None
        count = min(self._first, self.MAX_MOUNTED // 2 if limit is None else limit)
        if self._first - count < self.MAX_MOUNTED:
            self._ask_older()  # read ahead, so the next page is here before the view reaches it
        if count == 0:
            return
        start = self._first - count
        excess = max(0, len(cards) + count - self.MAX_MOUNTED)
        dropped = cards[len(cards) - excess :]
        if anchor is not None:
            self._hold_still(anchor)  # before anything moves: where it is now
        reuse = [card for card in dropped if card.reusable and card is not anchor]
        new_cards = self._cards(self._messages[start : self._first], reuse=reuse)
        self._first = start
        self._place(new_cards, before=anchor)
        _remove_unused(dropped, new_cards)
        self._settle_move()

    def _place(self, cards: Sequence[MessageCard], *, before: Widget | None) -> None:
        """Put `cards`, in order, before `before` (None: after the messages, above the waiting cards):
        those already mounted (reused) are moved there, the others mounted."""
        target = before if before is not None else self._waiting_box
        fresh: list[MessageCard] = []

        def mount_fresh() -> None:
            if fresh:
                if target is None:
                    self.mount(*fresh)
                else:
                    self.mount(*fresh, before=target)
                fresh.clear()

        for card in cards:
            if card.parent is not self:
                fresh.append(card)
                continue
            mount_fresh()
            if target is not None:
                self.move_child(card, before=target)
            elif card is not self.children[-1]:
                self.move_child(card, after=self.children[-1])
        mount_fresh()

    def _settle_move(self) -> None:
        """No other move until this one is laid out (measured before it, it would shift twice)."""

        def laid_out() -> None:
            self._moving = False
            self._held_still = None  # laid out: later changes (a narrower thread) keep the offset
            self._near_edge()

        self._moving = True
        self._when_laid_out(laid_out, holding_still=True)

    def _when_laid_out(self, then: Callable[[], None], *, holding_still: bool) -> None:
        """`then()` once the thread was laid out after now (at most 5 refreshes on; with
        `holding_still`, as soon as no card is held still), unless the window is replaced meanwhile:
        its own change settles then."""
        layouts = self._layouts
        window = self._windows
        waits = 0

        def settled() -> None:
            nonlocal waits
            if window != self._windows:
                return
            waiting = self._layouts == layouts and (not holding_still or self._held_still is not None)
            if waiting and waits < 5:
                waits += 1
                self.call_after_refresh(settled)  # not laid out yet
                return
            then()

        self.call_after_refresh(settled)

    def _trim_top(self) -> None:
        cards = list(self.query_children(MessageCard))
        excess = len(cards) - self.MAX_MOUNTED
        if excess <= 0 or self._moving:
            return
        self._hold_still(cards[excess])
        for card in cards[:excess]:
            card.remove()
        self._first += excess
        self._settle_move()


@dataclass
class _HeldPage:
    """One page of the messages held: how many, and the server's cursors past either end of it."""

    size: int
    older_cursor: str | None
    newer_cursor: str | None


@dataclass
class _KeptNewest:
    """The newest messages when they were last held (`Thread._keep_newest`)."""

    messages: list[Message]
    has_older: bool
    older_cursor: str | None


def _remove_unused(dropped: Iterable[Widget], used: Iterable[Widget]) -> None:
    """Remove the cards a window move dropped and did not reuse."""
    kept = {id(card) for card in used}
    for card in dropped:
        if id(card) not in kept:
            card.remove()


def _placed_top(arranged: DockArrangeResult, widget: Widget) -> int | None:
    """Where `widget`'s top is in this layout of its container (None: not in it)."""
    return next((placement.region.y for placement in arranged.placements if placement.widget is widget), None)


def _sorted(messages: Iterable[Message]) -> list[Message]:
    return sorted(messages, key=lambda m: (m.created_at, m.id))
