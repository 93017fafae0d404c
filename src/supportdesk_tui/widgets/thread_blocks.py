"""The lines of one block of the conversation: a message's card, a waiting reply, a label.

The thread draws its blocks as lines (Textual's line API), not as widgets: each block here draws its
`Strip`s for a width once and keeps them, with a key holding everything those lines show (message,
secrets shown, time label, language, theme, width, history lines), so a line is never shown for a
state it was not drawn for. The look is the one the cards had as widgets: a box with a thick left
border in the kind's colour and its background, one column of padding on either side, one of margin
on the right and one line of margin below; the history lines follow outside the box.

Every untrusted string (bodies, names, file names, history lines) is data: `safe_text`/`one_line`,
never markup, never a control sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.timer import Timer
from textual.visual import Visual, visualize

from supportdesk_tui.contract.models import Message, MessageKind
from supportdesk_tui.domain.outbox import OutboxItem, OutboxState
from supportdesk_tui.domain.safe_text import find_links, one_line, safe_text
from supportdesk_tui.domain.secrets import mask_secrets, masked_except
from supportdesk_tui.i18n import _, current_language
from supportdesk_tui.i18n.times import date_time, time_ago
from supportdesk_tui.widgets.attachment_list import attachment_line

if TYPE_CHECKING:
    from textual.widget import Widget

BLOCK_COMPONENTS = frozenset({
    "card-header--line",
    "card-header--customer",
    "card-header--reply",
    "card-header--note",
    "card-header--author",
    "card-box--links",
    "card-box--customer",
    "card-box--reply",
    "card-box--note",
    "card-border--customer",
    "card-border--reply",
    "card-border--note",
    "card--files",
    "card--history",
    "waiting--box",
    "waiting--border",
    "waiting--border-refused",
    "waiting--border-sending",
    "waiting--header",
    "waiting--header-refused",
    "waiting--header-sending",
    "thread--empty",
    "thread--older",
})
"""The parts of the blocks coloured by CSS: component classes of the `Thread` (its DEFAULT_CSS)."""

THICK_EDGE = "█"  # Textual's "thick" left border
DASHED_EDGE = "╏"  # Textual's "dashed" left border


def kind_title(kind: MessageKind) -> str:
    if kind is MessageKind.NOTE:
        return _("INTERNAL NOTE · only agents see this")
    if kind is MessageKind.REPLY:
        return _("Reply to customer")
    return _("Customer")


class DrawnLines:
    """The lines drawn for the last messages shown, kept across their cards.

    Cards come and go as the agent reads on; one that comes back (reading down again, end after
    home, the same ticket opened again) takes its lines from here instead of wrapping its text
    again. The key holds everything the lines show, so a line is never shown for a message, a
    state or a width it was not drawn for.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lines: dict[object, list[Strip]] = {}
        # Lines drawn ahead for a jump (home's first screenfuls, end's last), by what they are for:
        # held apart from the recent ones, so reading on never pushes them out before the jump.
        self._ahead: dict[str, dict[object, list[Strip]]] = {}

    def get(self, key: object) -> list[Strip] | None:
        lines = self._lines.pop(key, None)
        if lines is not None:
            self._lines[key] = lines  # the most recent last: the first is let go first
            return lines
        for ahead in self._ahead.values():
            lines = ahead.get(key)
            if lines is not None:
                return lines
        return None

    def drawn_ahead(self, purpose: str) -> dict[object, list[Strip]]:
        """The lines kept for `purpose` (what a jump will show), by key."""
        return self._ahead.get(purpose, {})

    def keep_ahead(self, purpose: str, lines: dict[object, list[Strip]]) -> None:
        """Keep `lines` for `purpose` instead of those kept for it before."""
        if lines:
            self._ahead[purpose] = lines
        else:
            self._ahead.pop(purpose, None)

    def put(self, key: object, lines: list[Strip]) -> None:
        self._lines[key] = lines
        while len(self._lines) > self._size:
            del self._lines[next(iter(self._lines))]


class Block:
    """Lines of the thread drawn for one width (`lines`), and where they are (`region`)."""

    classes: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self._drawn: tuple[object, list[Strip]] | None = None
        self._fresh_for: object = None  # the thread's context the lines are known to be current for
        self.top = 0
        """The block's first line in the thread's lines (set by the thread's layout)."""
        self._place: Callable[[Block], tuple[Region, Region]] | None = None

    def placed_by(self, place: Callable[[Block], tuple[Region, Region]]) -> None:
        """Its regions are asked of `place` (the thread that shows it)."""
        self._place = place

    def has_class(self, *names: str) -> bool:
        return all(name in self.classes for name in names)

    def key(self, widget: Widget, width: int) -> object:
        """Everything the lines show: drawn again when it changes."""
        raise NotImplementedError

    def draw(self, widget: Widget, width: int) -> list[Strip]:
        raise NotImplementedError

    def lines(self, widget: Widget, width: int, context: object = None) -> list[Strip]:
        """The lines for `width`, drawn again only when what they show changed.

        `context`: the thread's width, theme and language; lines known to be current for it are
        returned without working out their key (a layout asks every block in the window)."""
        if context is not None and self._fresh_for == context and self._drawn is not None:
            return self._drawn[1]
        key = self.key(widget, width)
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, self.draw(widget, width))
        self._fresh_for = context
        return self._drawn[1]

    @property
    def height(self) -> int:
        return 0 if self._drawn is None else len(self._drawn[1])

    def drawn_strips(self) -> list[Strip]:
        """The lines as last drawn (none before the thread laid it out)."""
        return [] if self._drawn is None else list(self._drawn[1])

    def drawn_text(self) -> list[str]:
        """The lines as last drawn, as plain text."""
        return [] if self._drawn is None else [strip.text for strip in self._drawn[1]]

    def drawn_box_lines(self) -> list[str]:
        """The lines drawn inside the block's box (without its edge and padding), as plain text."""
        return [line[2:].rstrip() for line in self.drawn_text() if line[:1] in (THICK_EDGE, DASHED_EDGE)]

    def drawn_box_text(self) -> str:
        """`drawn_box_lines` joined with spaces: the box's words as drawn (wrapping aside)."""
        return " ".join(self.drawn_box_lines())

    def redraw(self) -> None:
        self._drawn = None
        self._fresh_for = None

    def stale(self) -> None:
        """What the lines show may have changed: their key is worked out again at the next layout."""
        self._fresh_for = None

    @property
    def virtual_region(self) -> Region:
        """Where the block is in the thread's lines (as a widget's `virtual_region`)."""
        return Region(0, 0, 0, 0) if self._place is None else self._place(self)[1]

    @property
    def region(self) -> Region:
        """Where the block is on screen, cut to the thread's view (empty: not in view)."""
        return Region(0, 0, 0, 0) if self._place is None else self._place(self)[0]


def _edge_style(widget: Widget, edge_part: str, box: str) -> tuple[Style, Style]:
    """The edge's style (its colour over the box's background) and the box's."""
    box_style = widget.get_visual_style(box)
    edge_colour = widget.get_visual_style(edge_part).foreground
    base = widget.get_visual_style().background or Color(0, 0, 0)
    box_rich = box_style.rich_style
    edge_colour = base + edge_colour if edge_colour is not None else base
    box_background = box_style.background.rich_color if box_style.background is not None else None
    return Style(color=edge_colour.rich_color, bgcolor=box_background), box_rich


def _boxed(widget: Widget, content: Sequence[Strip], width: int, edge: str, edge_style: Style,
           box_style: Style) -> list[Strip]:
    """`content` (each line `width - 4` wide) in a box: the left edge, one column of padding either
    side, one column of the thread's background as margin on the right (as Textual pads a widget:
    blank cells in the background colour alone)."""
    inner = max(0, width - 4)
    padding = Style(bgcolor=box_style.bgcolor)
    left = [Segment(edge, edge_style), Segment(" ", padding)]
    right = [Segment(" ", padding), Segment(" ", background_only(widget))]
    return [Strip.join([Strip(left, 2), line.crop_extend(0, inner, padding), Strip(right, 2)]).simplify()
            for line in content]


def background_only(widget: Widget) -> Style:
    """Blank cells of the thread's own (its padding, margins, empty lines), styled as Textual styles
    a widget's padding (so a line of them and the padding are one run of cells)."""
    base, background = widget.background_colors
    return VisualStyle(background=base + background).rich_style


def _text_lines(widget: Widget, text: Text, width: int, style_names: Sequence[str],
                height: int | None = None) -> list[Strip]:
    style = widget.get_visual_style(*style_names)
    lines = Visual.to_strips(widget, visualize(widget, text), width, height, style)
    return list(lines if height is None else lines[:height])


def _blank(widget: Widget, width: int) -> Strip:
    return Strip.blank(width, background_only(widget))


class MessageCard(Block):
    """One message: a header (kind, author, time), the body, its links (not opened), its attachments,
    then the ticket's changes that came after it (outside its box, never read as part of it)."""

    def __init__(self, message: Message, *, absolute_time: bool, now: datetime,
                 drawn_lines: DrawnLines | None = None) -> None:
        super().__init__()
        self.drawn_lines = drawn_lines or DrawnLines(1)
        # The ticket's changes between this message and the next (quiet lines after its box).
        self.history_lines: tuple[str, ...] = ()
        self._secret_timers: list[Timer] = []  # secrets shown for a while: hidden again when they run out
        self._timers: Callable[[float, Callable[[], None]], Timer] | None = None
        self._on_change: Callable[[MessageCard], None] | None = None
        self.message = message
        self.classes = frozenset({f"-{message.kind.value}"})
        self._absolute = absolute_time
        self._now = now
        # Customers paste codes, passwords and cards; they stay masked unless revealed on purpose.
        self.masked_body, self._secrets = mask_secrets(message.body)
        self.has_secrets = bool(self._secrets)
        self.revealed = False
        self._shown: set[int] = set()  # secrets revealed one at a time (`reveal_next`)
        self._body_shown = self.masked_body

    def attach(self, *, timers: Callable[[float, Callable[[], None]], Timer],
               changed: Callable[[MessageCard], None],
               place: Callable[[Block], tuple[Region, Region]]) -> None:
        """Shown by a thread: its timers hide secrets again, `changed` draws the card again."""
        self._timers = timers
        self._on_change = changed
        self.placed_by(place)

    def detach(self) -> None:
        """No longer shown: its timers stop (a secret shown is hidden with it)."""
        for timer in self._secret_timers:
            timer.stop()
        self._secret_timers.clear()
        self._on_change = None
        self._place = None

    def _changed(self) -> None:
        self.stale()
        if self._on_change is not None:
            self._on_change(self)

    # --- what it says ---------------------------------------------------------------

    def header_text(self, widget: Widget | None = None) -> Text:
        """The header line as shown (kind, author, time); styled with `widget`'s component styles."""
        kind = self.message.kind
        header = Text(no_wrap=True, overflow="ellipsis")
        title = kind_title(kind)

        def style(name: str) -> Style | str:
            return "" if widget is None else widget.get_component_rich_style(name, partial=True)

        title_style = style(f"card-header--{kind.value}")
        header.append(f" {title} " if kind is MessageKind.NOTE else title, style=title_style)
        header.append("  ")
        header.append(one_line(self.message.author.name), style=style("card-header--author"))
        header.append(" · ")
        header.append(self.time_label())
        return header

    def links_text(self) -> Text | None:
        links = find_links(self.masked_body)
        if not links:
            return None
        lines = Text()
        for index, url in enumerate(links):
            if index:
                lines.append("\n")
            lines.append("↗ ")
            lines.append(one_line(url), style="underline")
        return lines

    @property
    def body_shown(self) -> str:
        """The body as shown now: masked, revealed, or with some secrets shown."""
        return self._body_shown

    def body_text(self) -> Text:
        """`body_shown`, sanitised: never markup, never a control sequence."""
        return safe_text(self._body_shown)

    def shown_text(self) -> str:
        """What the message's box says now, header line first (as plain text)."""
        parts = [self.header_text(), self.body_text()]
        links = self.links_text()
        if links is not None:
            parts.append(links)
        return str(Text("\n").join(parts))

    def time_label(self) -> str:
        when = self.message.created_at
        if self._absolute:
            return date_time(when)
        return time_ago(when, self._now)

    # --- state ----------------------------------------------------------------------

    def set_history_lines(self, lines: Sequence[str]) -> None:
        """Show these timeline lines after the message, outside its box (none: no lines)."""
        lines = tuple(lines)
        if lines != self.history_lines:
            self.history_lines = lines
            self._changed()

    def set_time_mode(self, *, absolute_time: bool, now: datetime) -> None:
        self._absolute = absolute_time
        self._now = now
        self._changed()

    def reveal(self, seconds: float) -> None:
        """Show the unmasked body for `seconds`; the caller records the reveal in the audit trail."""
        if not self.has_secrets:
            return
        self.revealed = True
        self._body_shown = self.message.body
        self._changed()
        self._start_timer(seconds, self.hide_secrets)

    def hide_secrets(self) -> None:
        self.revealed = False
        self._shown.clear()
        self._body_shown = self.masked_body
        self._changed()

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
        self._start_timer(seconds, lambda: self._hide_one(index))
        return index + 1

    def _start_timer(self, seconds: float, then: Callable[[], None]) -> None:
        if self._timers is not None:
            self._secret_timers.append(self._timers(seconds, then))

    def _hide_one(self, index: int) -> None:
        self._shown.discard(index)
        self._show_partly()

    def _show_partly(self) -> None:
        self._body_shown = masked_except(self.message.body, self._secrets, self._shown)
        self._changed()

    # --- lines ----------------------------------------------------------------------

    def key(self, widget: Widget, width: int) -> object:
        message = self.message
        return (width, widget.app.theme, current_language(), message.id, message.kind, message.author.name,
                message.body, self._body_shown, self.time_label(), self.history_lines,
                len(message.attachments))

    def lines(self, widget: Widget, width: int, context: object = None) -> list[Strip]:
        if context is not None and self._fresh_for == context and self._drawn is not None:
            return self._drawn[1]
        key = self.key(widget, width)
        if self._drawn is None or self._drawn[0] != key:
            shared = self.drawn_lines.get(key)
            if shared is None:
                shared = self.draw(widget, width)
                self.drawn_lines.put(key, shared)
            self._drawn = (key, shared)
        self._fresh_for = context
        return self._drawn[1]

    def draw(self, widget: Widget, width: int) -> list[Strip]:
        kind = self.message.kind.value
        box = f"card-box--{kind}"
        edge_style, box_style = _edge_style(widget, f"card-border--{kind}", box)
        inner = max(1, width - 4)
        content = _text_lines(widget, self.header_text(widget), inner, (box, "card-header--line"), 1)
        content += _text_lines(widget, self.body_text(), inner, (box,))
        links = self.links_text()
        if links is not None:
            content += _text_lines(widget, links, inner, (box, "card-box--links"))
        for attachment in self.message.attachments:
            content += _text_lines(widget, attachment_line(attachment), inner, (box, "card--files"), 1)
        lines = _boxed(widget, content, width, THICK_EDGE, edge_style, box_style)
        if self.history_lines:
            lines.append(_blank(widget, width))
            text = history_text(self.history_lines)
            indent = Strip([Segment("  ", background_only(widget))], 2)
            margin = Strip([Segment(" ", background_only(widget))], 1)
            history_style = widget.get_visual_style("card--history").rich_style
            inner_history = max(1, width - 3)
            for line in _text_lines(widget, text, inner_history, ("card--history",)):
                shown = line.crop_extend(0, inner_history, history_style)
                lines.append(Strip.join([indent, shown, margin]).simplify())
        lines.append(_blank(widget, width))  # the margin below the card
        return lines


def history_text(lines: Sequence[str]) -> Text:
    # Each line is built by domain/ticket_history.py from server values cut to one line: plain
    # Text, never markup.
    text = Text()
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        text.append("╶ " + one_line(line))
    return text


class WaitingCard(Block):
    """A reply or note of the agent's still in the outbox: its text, and that it has not gone yet."""

    def __init__(self, item: OutboxItem, *, sending: bool = False) -> None:
        super().__init__()
        self.item = item
        # The agent's own text, but pasted from anywhere: data, never markup, secrets masked.
        self._body = safe_text(mask_secrets(item.body)[0])
        self.sending = sending and not self.refused
        self._set_classes()

    def _set_classes(self) -> None:
        names = {f"-{self.item.kind.message_kind.value}"}
        if self.refused:
            names.add("-refused")
        if self.sending:
            names.add("-sending")
        self.classes = frozenset(names)

    @property
    def refused(self) -> bool:
        return self.item.state is OutboxState.FAILED

    def show(self, item: OutboxItem, *, sending: bool = False) -> None:
        """The same item after another attempt, a refusal or a resend (its text does not change)."""
        self.item = item
        self.sending = sending and not self.refused
        self._set_classes()
        self.stale()

    def _header(self) -> Text:
        if self.refused:
            state = _("Not sent: the server refused it — see the outbox")
        else:
            state = _("Sending…") if self.sending else _("Waiting to send")
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(kind_title(self.item.kind.message_kind))
        header.append(" · " + state)
        return header

    def header_text(self) -> str:
        return self._header().plain

    def body_text(self) -> str:
        return self._body.plain

    def _state(self) -> str:
        return "-refused" if self.refused else "-sending" if self.sending else ""

    def key(self, widget: Widget, width: int) -> object:
        return (width, widget.app.theme, current_language(), self._state(), self.item.kind)

    def draw(self, widget: Widget, width: int) -> list[Strip]:
        state = self._state()
        edge_style, box_style = _edge_style(widget, f"waiting--border{state}", "waiting--box")
        header = self._header()
        header.stylize(widget.get_component_rich_style(f"waiting--header{state}", partial=True))
        style = widget.get_visual_style("waiting--box")
        content = Visual.to_strips(widget, visualize(widget, Group(header, self._body)), max(1, width - 4),
                                   None, style)
        return [*_boxed(widget, content, width, DASHED_EDGE, edge_style, box_style), _blank(widget, width)]


class Label(Block):
    """A line of the thread's own: "Loading…" while a page from an end is on its way (`.thread--older`),
    or what an empty thread says (`.thread--empty`)."""

    PADDED: ClassVar[dict[str, tuple[int, int]]] = {"thread--empty": (1, 2), "thread--older": (0, 0)}

    def __init__(self, kind: str, text: Callable[[], Text]) -> None:
        super().__init__()
        self.kind = kind
        self.classes = frozenset({kind})
        self._text = text

    def text(self) -> Text:
        return self._text()

    def lines(self, widget: Widget, width: int, context: object = None) -> list[Strip]:
        return super().lines(widget, width)  # its words follow the thread's state: the key is asked

    def render(self) -> Text:
        """What it says (as a `Static`'s render did)."""
        return self._text()

    def key(self, widget: Widget, width: int) -> object:
        return (width, widget.app.theme, current_language(), self._text().plain)

    def draw(self, widget: Widget, width: int) -> list[Strip]:
        style = widget.get_visual_style(self.kind).rich_style
        text = self._text()
        if self.kind == "thread--older":  # one line, centred
            shown = _text_lines(widget, text, width, (self.kind,), 1)[0]
            used = min(width, cell_len(text.plain))
            left = (width - used) // 2
            right = Strip.blank(width - left - used, style)
            return [Strip.join([Strip.blank(left, style), shown.crop(0, used), right])]
        vertical, horizontal = self.PADDED[self.kind]
        inner = max(1, width - 2 * horizontal)
        pad = Strip.blank(horizontal, style)
        body = [Strip.join([pad, line.crop_extend(0, inner, style), pad])
                for line in _text_lines(widget, text, inner, (self.kind,))]
        blank = Strip.blank(width, style)
        return [blank] * vertical + body + [blank] * vertical
