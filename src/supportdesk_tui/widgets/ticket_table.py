"""The queue: a line-rendered table over a `TicketWindow`.

Only the visible lines are rendered (`render_line`), so the cost of a frame is
the same for 50 tickets or 100,000. Rows the window has not loaded yet are drawn
as "Loading…" placeholders while a worker asks the window for them; the window's
fetcher (the only I/O) is injected by the screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.timer import Timer

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import (
    EscalationStatus,
    PresenceState,
    Ticket,
    TicketSort,
)
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.domain.sla import AT_RISK_WINDOW, SlaRisk, sla_state, waiting_seconds
from supportdesk_tui.domain.ticket_window import Change, TicketWindow
from supportdesk_tui.first_frame import MAX_ROWS, CachedPage, first_page_row, first_page_title
from supportdesk_tui.i18n import N_, NP_, _, pgettext
from supportdesk_tui.i18n.labels import priority_label, status_label
from supportdesk_tui.i18n.times import time_left, time_waited
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.widgets._component_styles import ComponentStyles
from supportdesk_tui.widgets._labels import ESCALATION_MARK
from supportdesk_tui.widgets._signals import breached_countdown, signal_classes, signal_css
from supportdesk_tui.widgets.steady_scrollbar import steady_vertical_scrollbar


@dataclass(frozen=True)
class _Column:
    key: str
    title: str  # untranslated; `_()` is applied when the header is drawn
    width: int
    flex: int = 0  # share of the spare width
    max_width: int = 0  # 0 = unbounded
    right: bool = False
    fold: int = 0  # 0 = always shown; otherwise the order in which it gives way to a narrow table


COLUMNS: tuple[_Column, ...] = (
    _Column("id", "#", 7, right=True),
    _Column("priority", NP_("column", "Priority"), 8),
    _Column("status", NP_("column", "Status"), 7, fold=6),
    _Column("language", NP_("column", "Ln"), 2, fold=1),
    _Column("subject", NP_("column", "Subject"), 14, flex=3),
    _Column("requester", NP_("column", "Requester"), 10, flex=1, max_width=24, fold=5),
    _Column("waiting", NP_("column", "Waiting"), 7, right=True, fold=3),
    _Column("sla", "SLA", 8, right=True),
    _Column("assignee", NP_("column", "Assignee"), 9, fold=7),
    _Column("presence", NP_("column", "Here"), 8, fold=4),
    _Column("escalation", NP_("column", "Escalation"), 10, fold=2),
    _Column("needs_reply", "↩", 1),
)
# Below this many cells for the subject, the least important columns fold away (see `fold`):
# the subject is what the agent reads to choose a ticket.
SUBJECT_MIN_WIDTH = 24

# Which column shows the sort indicator, and which way it points.
_SORT_MARK: dict[TicketSort, tuple[str, str]] = {
    TicketSort.SLA_DUE: ("sla", "▲"),
    TicketSort.CREATED: ("id", "▲"),
    TicketSort.CREATED_DESC: ("id", "▼"),
    TicketSort.UPDATED_DESC: ("subject", "▼"),
    TicketSort.PRIORITY: ("priority", "▲"),
    TicketSort.WAITING: ("waiting", "▼"),
}

_FOCUS_PSEUDO_CLASSES = frozenset({"focus", "blur", "focus-within"})

_PRESENCE_MARK = {PresenceState.COMPOSING: "✎", PresenceState.VIEWING: "◎"}


def column_title(column: _Column) -> str:
    """The header of `column` in the current language (short forms, translated in context)."""
    return _(column.title) if column.title in ("#", "SLA", "↩") else pgettext("column", column.title)


_SORTABLE = frozenset(key for key, _arrow in _SORT_MARK.values())


def _base_width(column: _Column) -> int:
    # A translated title is never cut: the column widens to it (and to the sort arrow beside it).
    arrow = 1 if column.key in _SORTABLE else 0
    return max(column.width, cell_len(column_title(column)) + arrow)


def layout_columns(width: int) -> list[tuple[_Column, int]]:
    """Column widths for `width` cells.

    Columns fold away in their `fold` order until the subject has `SUBJECT_MIN_WIDTH` cells;
    the spare width is then shared by the flexible columns, the subject taking most of it.
    """
    shown = list(COLUMNS)
    bases = {column.key: _base_width(column) for column in COLUMNS}

    def needed(columns: list[_Column]) -> int:
        return sum(max(bases[c.key], SUBJECT_MIN_WIDTH) if c.key == "subject" else bases[c.key]
                   for c in columns) + len(columns) - 1

    for column in sorted((c for c in COLUMNS if c.fold), key=lambda c: c.fold):
        if needed(shown) <= width:
            break
        shown.remove(column)
    fixed = sum(bases[c.key] for c in shown) + len(shown) - 1
    spare = max(0, width - fixed)
    weights = sum(c.flex for c in shown)
    widths: list[tuple[_Column, int]] = []
    left = spare
    for column in shown:
        extra = 0
        if column.flex:
            extra = spare * column.flex // weights
            if column.max_width:
                extra = min(extra, max(0, column.max_width - bases[column.key]))
            left -= extra
        widths.append((column, bases[column.key] + extra))
    if left > 0:  # the capped column's leftover goes to the subject
        widths = [(c, w + left if c.key == "subject" else w) for c, w in widths]
    return widths


def cached_first_page(fingerprint: str, tickets: list[Ticket], *, name: str, server: str,
                      saved_at: float) -> CachedPage:
    """The queue's first page as the plain strings the next start paints before Textual loads."""
    rows = [first_page_row(t.id, t.priority, t.status, t.subject, t.requester.name,
                           t.assignee.login if t.assignee else None) for t in tickets[:MAX_ROWS]]
    # The time is filled in when painted; the banner says the rows are not live yet.
    return CachedPage.of_rows(fingerprint, rows, title=first_page_title(name, server),
                              banner=_("Cached from {time}, not live — connecting…"), saved_at=saved_at)


# Rows kept drawn (a row under the cursor counts twice): about five screens at 48 lines, enough
# to scroll back and forth without drawing a row again. Each entry, with the strips Textual
# derives from it (cut at the scrollbar, filtered, rendered to the terminal), holds ≈ 11 KiB:
# 1,024 entries held 11 MiB once the agent had paged through a thousand tickets.
ROW_CACHE_LIMIT = 256
_FLIPPED = {"▲": "▼", "▼": "▲"}
# `G` walks forward when the window already knows most of the list; past this many pages it
# asks the screen to read the list from its end (one request instead of hundreds).
JUMP_WALK_PAGES = 3


ClockFace = tuple[object, ...]


@dataclass(frozen=True)
class _Frame:
    width: int  # of the rows, without the scrollbar
    top: int  # the first row shown under the header
    cursor_row: int
    focused: bool
    now: datetime


@dataclass(frozen=True)
class _CachedRow:
    ticket: Ticket  # the object rendered: the window swaps in a new one on every change
    face: ClockFace  # what the clock contributed to the row (see `_clock_face`)
    width: int
    strip: Strip
    drawn_at: datetime
    steady_until: datetime  # before this the face cannot have changed (see `_steady_for`)


def _clock_face(ticket: Ticket, now: datetime) -> ClockFace:
    """Everything the clock changes in a ticket's row at `now`, cheaper to compute than the row.

    The waiting and SLA cells show whole minutes, and a presence lasts until it expires: a row
    drawn with the same face looks the same, so it is re-used across seconds (the countdown
    tick and the first frame of each second would otherwise rebuild every visible row).
    """
    waited = waiting_seconds(ticket, now)
    sla = sla_state(ticket, now)
    remaining = sla.remaining_seconds
    return (
        None if waited is None else int(waited // 60),
        sla.risk,
        None if remaining is None else (remaining < 0, math.ceil(abs(remaining) / 60)),
        tuple(presence.expires_at > now for presence in ticket.presence),
    )


def _steady_for(ticket: Ticket, now: datetime) -> float:
    """Seconds from `now` during which `_clock_face(ticket, …)` cannot change (0: it may at once).

    Every visible line is looked up on every frame; comparing two times is cheaper than working
    out the face, which is then needed only once the window has passed.
    """
    spans = [60.0]
    waited = waiting_seconds(ticket, now)
    if waited is not None:
        spans.append(60.0 - waited % 60.0)  # the next whole minute waited
    remaining = sla_state(ticket, now).remaining_seconds
    if remaining is not None:
        if remaining > 0:
            spans.append(remaining - 60.0 * (math.ceil(remaining / 60.0) - 1))  # one minute fewer left
            at_risk = AT_RISK_WINDOW.total_seconds()
            if remaining > at_risk:
                spans.append(remaining - at_risk)
        else:
            overdue = -remaining
            spans.append(60.0 * math.ceil(overdue / 60.0) - overdue)  # one minute more overdue
    for presence in ticket.presence:
        left = (presence.expires_at - now).total_seconds()
        if left > 0:
            spans.append(left)
    return max(0.0, min(spans))


class TicketTable(ScrollView, can_focus=True):
    """A keyboard-driven ticket list over a `TicketWindow`, keyed by ticket id."""

    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("j,down", "cursor_down", N_("Next ticket"), show=False, id="queue.cursor_down"),
        Binding("k,up", "cursor_up", N_("Previous ticket"), show=False, id="queue.cursor_up"),
        Binding("pagedown", "page_down", N_("Page down"), show=False, id="queue.page_down"),
        Binding("pageup", "page_up", N_("Page up"), show=False, id="queue.page_up"),
        Binding("home,g", "first", N_("First ticket"), show=False, id="queue.first"),
        Binding("end,G", "last", N_("Last ticket"), show=False, id="queue.last"),
        Binding("enter", "select", N_("Open"), id="queue.open"),
    ])

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ticket-table--header",
        "ticket-table--sort",
        "ticket-table--cursor",
        "ticket-table--cursor-blurred",
        "ticket-table--placeholder",
        "ticket-table--empty",
        "ticket-table--muted",
        "ticket-table--presence-viewing",
        "ticket-table--presence-composing",
        "ticket-table--escalation",
        "ticket-table--needs-reply",
        "ticket-table--marked",
    } | signal_classes("ticket-table")

    DEFAULT_CSS = """
    TicketTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        height: 1fr;
    }
    TicketTable > .ticket-table--header { background: $panel; color: $text-muted; text-style: bold; }
    TicketTable > .ticket-table--sort { color: $accent; text-style: bold; }
    TicketTable > .ticket-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    TicketTable > .ticket-table--cursor-blurred { background: $primary 15%; }
    TicketTable > .ticket-table--placeholder { color: $text-muted; text-style: italic; }
    TicketTable > .ticket-table--empty { color: $text-muted; text-style: italic; }
    TicketTable > .ticket-table--muted { color: $text-muted; }
    TicketTable > .ticket-table--presence-viewing { color: $presence-viewing; }
    TicketTable > .ticket-table--presence-composing { color: $presence-composing; text-style: bold; }
    TicketTable > .ticket-table--escalation { color: $warning; }
    TicketTable > .ticket-table--needs-reply { color: $warning; text-style: bold; }
    TicketTable > .ticket-table--marked { background: $accent-muted; text-style: bold; }
    """ + signal_css("TicketTable", "ticket-table")

    # --- messages -----------------------------------------------------------

    @dataclass
    class Highlighted(Message):
        """The cursor settled on a ticket (debounced ~100 ms, for preview loading)."""

        ticket_table: TicketTable
        ticket: Ticket

        @property
        def control(self) -> TicketTable:
            return self.ticket_table

    @dataclass
    class Selected(Message):
        """The agent pressed enter (or double-clicked) on a ticket."""

        ticket_table: TicketTable
        ticket: Ticket

        @property
        def control(self) -> TicketTable:
            return self.ticket_table

    @dataclass
    class JumpRequested(Message):
        """The agent asked for the other end of a list this window has not read to the end:
        the screen reads it from that end instead of walking every page in between."""

        ticket_table: TicketTable
        to_end: bool

        @property
        def control(self) -> TicketTable:
            return self.ticket_table

    @dataclass
    class LoadFailed(Message):
        """The window's fetcher raised; rows stay placeholders until `retry()` or the next move."""

        ticket_table: TicketTable
        error: Exception

        @property
        def control(self) -> TicketTable:
            return self.ticket_table

    HIGHLIGHT_DELAY = 0.1
    ROWS_SHOWN_AT_THE_LATEST = 0.25
    TICK_SECONDS = 1.0
    PREFETCH_ROWS = 20

    def __init__(
        self,
        window: TicketWindow | None = None,
        *,
        sort: TicketSort = TicketSort.SLA_DUE,
        clock: Clock = utc_now,
        me_login: str | None = None,
        empty_message: str = "No tickets match this view.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._window = window
        self.sort = sort
        self.clock = clock
        """Where "now" comes from; tests pass a fixed clock so countdowns are deterministic."""
        self.me_login = me_login
        """Our own presence is not shown."""
        self._empty_message = empty_message
        self._cursor_row = 0
        self._cursor_id: int | None = None
        self._posted_id: int | None = None
        self._highlight_timer: Timer | None = None
        self._follow_end = False
        self._load_failed = False
        self.from_end = False
        self._widths: list[tuple[_Column, int]] = layout_columns(120)
        self._width = 0
        # Rendered rows by (ticket id, cursor look, width): a move that scrolls the list repaints
        # every visible line, and building twelve styled cells per row was most of that frame. By
        # width too: a short list (a filter's rows picked locally) has no scrollbar, so its rows
        # are a cell wider than the same rows in the server's longer page a moment later.
        self._row_cache: LRUCache[tuple[int, str, int], _CachedRow] = LRUCache(ROW_CACHE_LIMIT)
        self._cell_styles = ComponentStyles(self, "ticket-table")
        self._header: tuple[tuple[int, TicketSort, bool], Strip] | None = None
        self._marked: frozenset[int] = frozenset()
        # The table's own style the cached rows were drawn with (see `_base_style`).
        self._drawn_base: Style | None = None
        # Whether the stylesheet (by identity) styles the table by focus, for the selector names
        # it was asked with (see `watch_has_focus`).
        self._focus_rules: tuple[object, frozenset[str], bool] | None = None
        self._provisional_floor = 0  # see `set_window`
        # "Loading…" lines by label, style and width (a few: plain and under the cursor).
        self._placeholders: dict[tuple[str, Style, int], Strip] = {}
        self._after_shown: list[Callable[[], object]] = []  # see `call_after_rows_shown`
        self._after_shown_timer: Timer | None = None

    # --- public API ---------------------------------------------------------

    @property
    def window(self) -> TicketWindow | None:
        return self._window

    @property
    def cursor_row(self) -> int:
        return self._cursor_row

    @property
    def cursor_ticket(self) -> Ticket | None:
        """The ticket under the cursor, if its page is loaded."""
        return self._window.get(self._cursor_row) if self._window else None

    @property
    def row_count(self) -> int:
        """Rows shown: the known ones, plus placeholders while more may follow."""
        window = self._window
        if window is None:
            return 0
        known = window.row_count_known
        if window.exhausted:
            return known
        # The rows picked locally for a new filter (see `set_window`) fill the view with
        # placeholders down to the server's answer if the list before them had a scrollbar.
        floor = self._provisional_floor if window.provisional else 0
        return max(known + 1, window.total_hint or 0, floor)

    @property
    def empty_message(self) -> str:
        return self._empty_message

    @empty_message.setter
    def empty_message(self, message: str) -> None:
        self._empty_message = message
        self.refresh()

    def set_window(self, window: TicketWindow | None, *, sort: TicketSort | None = None,
                   from_end: bool = False) -> None:
        """Show another list (new queue, filter or sort); the cursor goes to the top.

        `from_end`: the window reads the list backwards from its last ticket (after `G`).
        """
        # While the server is asked, the rows picked locally (a short list) are followed by
        # placeholders as far as the list they narrow went, so the scrollbar stays as it was:
        # else the screen is laid out again for the scrollbar going in this frame and again for
        # it coming back with the server's page, the bar is drawn twice, and the short list's
        # rows, a cell wider, are built anew instead of coming from the rows drawn.
        self._provisional_floor = self.row_count if (
            window is not None and window.provisional and self.show_vertical_scrollbar) else 0
        self._window = window
        if sort is not None:
            self.sort = sort
        self.from_end = from_end
        self._cursor_row = 0
        self._cursor_id = None
        self._posted_id = None
        self._follow_end = False
        self._load_failed = False
        self.scroll_to(y=0, animate=False, immediate=True)
        if window is not None and window.provisional:
            self._rows_changed(ask=False)
            # The rows picked locally are drawn first, and the server's page is asked for once
            # that frame is out: building and sending the request is CPU the frame would wait for.
            self.call_after_rows_shown(partial(self._ask_for_server_rows, window))
        else:
            self._rows_changed()

    def call_after_rows_shown(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the frame with the rows now in the table has been drawn: for work
        that follows a new list (the server's page, the preview) and would otherwise share its
        frame. Textual's `call_after_refresh` may run before that frame (when the screen goes
        idle before the table's repaint reached it). At once if the table is not on the screen,
        and at the latest after `ROWS_SHOWN_AT_THE_LATEST` seconds (a dialog over the table)."""
        if not (self.is_attached and self.screen.is_current and self.display and self.region):
            self.call_later(callback)
            return
        self._after_shown.append(callback)
        self.refresh()
        if self._after_shown_timer is None:
            self._after_shown_timer = self.set_timer(self.ROWS_SHOWN_AT_THE_LATEST, self._rows_shown)

    def _rows_shown(self) -> None:
        if self._after_shown_timer is not None:
            self._after_shown_timer.stop()
            self._after_shown_timer = None
        callbacks, self._after_shown = self._after_shown, []
        for callback in callbacks:
            # As a message to the table: run after the frame being drawn is on the terminal.
            self.call_later(callback)

    def _ask_for_server_rows(self, window: TicketWindow) -> None:
        if window is self._window and window.provisional:
            self._replace_provisional(window)
            self._request_visible()

    def prepare_rows(self, tickets: list[Ticket]) -> None:
        """Draw ahead the rows of `tickets` that a new list starting with them would show at the
        table's width (the first under the focused cursor), into the cache of drawn rows: the
        frame that shows that list then finds them drawn. Drawn as any row is, so a ticket that
        changes before then is drawn again like any other."""
        if not self.is_mounted or not self.region or self._drawn_base is None:
            return
        if self.rich_style != self._drawn_base:
            return  # the next frame starts over with new colours anyway (`render_lines`)
        frame = self._frame()
        for row, ticket in enumerate(tickets[: self._body_height]):
            marked = ticket.id in self._marked
            look = "cursor" if row == 0 else "plain"
            self._row_strip(ticket, look + "+marked" if marked else look, marked, frame.now, frame.width)

    def set_marked(self, ticket_ids: frozenset[int]) -> None:
        """Show these tickets as marked for a bulk action (the screen owns the selection)."""
        if ticket_ids != self._marked:
            self._marked = ticket_ids
            self.refresh()

    def set_sort(self, sort: TicketSort) -> None:
        """Only moves the header indicator; the screen builds the window for the new order."""
        self.sort = sort
        self.refresh()

    def move_cursor(self, row: int) -> None:
        self._follow_end = False
        self._set_cursor(row)

    def select_ticket(self, ticket_id: int) -> bool:
        """Put the cursor on a loaded ticket; False if it is not in memory."""
        window = self._window
        index = window.index_of(ticket_id) if window else None
        if index is None:
            return False
        self.move_cursor(index)
        return True

    def apply_update(self, ticket: Ticket) -> Change:
        """A `ticket.updated` event: repaint in place, or move/drop the row, keeping the cursor's ticket."""
        if self._window is None:
            return Change("none")
        return self._after_change(self._window.apply_update(ticket))

    def apply_created(self, ticket: Ticket) -> Change:
        """A `ticket.created` event: insert it if it sorts into the loaded rows (else `pending_new`)."""
        if self._window is None:
            return Change("none")
        return self._after_change(self._window.apply_created(ticket))

    def remove_ticket(self, ticket_id: int) -> Change:
        if self._window is None:
            return Change("none")
        return self._after_change(self._window.remove(ticket_id))

    def rows_changed(self) -> None:
        """Call after editing the window directly (e.g. `reset()`), so the view re-reads it."""
        self._rows_changed()

    def retry(self) -> None:
        self._load_failed = False
        self._request_visible(force=True)
        self.refresh()

    # --- geometry -----------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Every scroll moves the bar; redrawing it each time cost as much as the rows.
        return steady_vertical_scrollbar(self)

    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    @property
    def _top_row(self) -> int:
        return round(self.scroll_y)

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        size = Size(width, self.row_count + 1)
        if size != self.virtual_size and self._scrollbar_stays(size):
            # A longer or shorter list under the same scrollbar: Textual would lay out the whole
            # screen again (a new list's frame then repainted every widget on it); the table's
            # place is the same, only its scrollbar's thumb changes.
            self.set_reactive(TicketTable.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
            return
        self.virtual_size = size

    def _scrollbar_stays(self, size: Size) -> bool:
        """Whether Textual would keep the scrollbars as they are for a content of `size`
        (`Widget._refresh_scrollbars`: a vertical one while the content is taller than the view)."""
        styles = self.styles
        container = self.container_size
        if not self.is_mounted or not container or styles.overflow_x != "hidden" \
                or styles.overflow_y != "auto":
            return False
        return (size.height > container.height) == self.show_vertical_scrollbar \
            and not self.show_horizontal_scrollbar

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self._request_visible()

    def on_mount(self) -> None:
        self.set_interval(self.TICK_SECONDS, self._tick, name="ticket-table countdowns")
        self._rows_changed()

    def watch_has_focus(self, has_focus: bool) -> None:
        # Textual restyles a widget, its scrollbars and each of its component classes on every
        # focus change (≈ 3 ms for the table's 30): the filter bar hands the focus back on every
        # filter applied. No rule the table or its parts match depends on the focus (the cursor's
        # look is chosen in `_content_line`), so that work would give the same styles again.
        if self._styles_follow_focus():
            super().watch_has_focus(has_focus)

    def _styles_follow_focus(self) -> bool:
        """Whether a rule that may style the table, its scrollbars or its components names a
        focus pseudo-class (a user's CSS or a theme may add one): then Textual restyles as usual."""
        stylesheet = self.app.stylesheet
        rules_map = stylesheet.rules_map  # a new map whenever the stylesheet is parsed again
        names = frozenset(self._selector_names)
        held = self._focus_rules
        if held is not None and held[0] is rules_map and held[1] == names:
            return held[2]
        candidates = set(names) | {"*"} | {f".{component}" for component in self._get_component_classes()}
        candidates |= self.vertical_scrollbar._selector_names | self.horizontal_scrollbar._selector_names
        follows = any(not rule.pseudo_classes.isdisjoint(_FOCUS_PSEUDO_CLASSES)
                      for name in candidates & rules_map.keys() for rule in rules_map[name])
        self._focus_rules = (rules_map, names, follows)
        return follows

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._request_visible()

    def _tick(self) -> None:
        # Countdowns move: repaint what is visible, fetch nothing.
        if self.screen.is_current and self.display:
            self.refresh()

    # --- cursor -------------------------------------------------------------

    def _set_cursor(self, row: int) -> None:
        count = self.row_count
        row = max(0, min(row, count - 1)) if count else 0
        previous = self._cursor_row
        self._cursor_row = row
        ticket = self.cursor_ticket
        self._cursor_id = ticket.id if ticket else None
        self._scroll_cursor_into_view()
        self.refresh_lines(previous + 1)
        self.refresh_lines(row + 1)
        self._request_visible()
        self._schedule_highlight()

    def _scroll_cursor_into_view(self) -> None:
        top = self._top_row
        body = self._body_height
        if self._cursor_row < top:
            self.scroll_to(y=self._cursor_row, animate=False, immediate=True)
        elif self._cursor_row >= top + body:
            self.scroll_to(y=self._cursor_row - body + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor_row + max(1, self._body_height - 1))

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor_row - max(1, self._body_height - 1))

    def action_first(self) -> None:
        window = self._window
        if self.from_end and window is not None:
            if window.exhausted:  # read backwards to the very first ticket: it is the last row here
                self.move_cursor(max(0, window.row_count_known - 1))
            else:
                self.post_message(self.JumpRequested(self, False))
            return
        self.move_cursor(0)

    def action_last(self) -> None:
        window = self._window
        if window is None:
            return
        if self.from_end:
            self.move_cursor(0)  # the list is read from its end: the last ticket is the top row
            return
        if not window.exhausted:
            hint = window.total_hint
            if hint is None or hint - window.row_count_known > window.page_size * JUMP_WALK_PAGES:
                self.post_message(self.JumpRequested(self, True))
                return
            # Only a few pages left: walking them keeps the whole list in one reading direction.
        self.move_cursor(max(0, window.row_count_known - 1))
        # Keep following the end while more pages arrive, until the agent moves.
        self._follow_end = not window.exhausted
        self._request_visible(force=True)

    def action_select(self) -> None:
        ticket = self.cursor_ticket
        if ticket is not None:
            self.post_message(self.Selected(self, ticket))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        self.move_cursor(self._top_row + event.y - 1)
        if event.chain >= 2:
            self.action_select()

    def _schedule_highlight(self) -> None:
        if self._highlight_timer is not None:
            self._highlight_timer.stop()
        self._highlight_timer = self.set_timer(self.HIGHLIGHT_DELAY, self._post_highlight)

    def _post_highlight(self) -> None:
        self._highlight_timer = None
        ticket = self.cursor_ticket
        if ticket is not None and ticket.id != self._posted_id:
            self._posted_id = ticket.id
            self.post_message(self.Highlighted(self, ticket))

    # --- data ---------------------------------------------------------------

    def _after_change(self, change: Change) -> Change:
        top = self._top_row
        # Rows added or removed above the viewport shift what the agent is reading: follow them.
        if change.kind == "inserted" and change.new_index is not None and change.new_index < top:
            self.scroll_to(y=top + 1, animate=False, immediate=True)
        elif change.kind == "removed" and change.old_index is not None and change.old_index < top:
            self.scroll_to(y=max(0, top - 1), animate=False, immediate=True)
        if change.kind == "updated" and change.new_index is not None:
            # Same row, new content: repaint that line only (the storm case: many updates a
            # second would otherwise repaint the whole table and re-check every visible page).
            line = change.new_index - top + 1
            if 1 <= line <= self._body_height:
                self.refresh(Region(0, line, self.size.width, 1))
            if change.new_index == self._cursor_row:
                ticket = self.cursor_ticket
                if ticket is not None and ticket.id != self._posted_id:
                    self._schedule_highlight()
            return change
        if change.kind != "none":
            self._rows_changed()
        return change

    def _rows_changed(self, *, ask: bool = True) -> None:
        """Re-read the window: size, cursor anchored on its ticket id, placeholders, highlight;
        `ask`: and load the rows in view that the window does not hold."""
        window = self._window
        self._update_virtual_size()
        if window is not None:
            if self._cursor_id is not None:
                index = window.index_of(self._cursor_id)
                if index is not None and index != self._cursor_row:
                    self._cursor_row = index
                    self._scroll_cursor_into_view()
            if self._follow_end and window.row_count_known:
                self._cursor_row = window.row_count_known - 1
                self._follow_end = not window.exhausted
                self._scroll_cursor_into_view()
            count = self.row_count
            self._cursor_row = max(0, min(self._cursor_row, count - 1)) if count else 0
            ticket = self.cursor_ticket
            self._cursor_id = ticket.id if ticket else self._cursor_id
            if ticket is not None and ticket.id != self._posted_id:
                self._schedule_highlight()
        self.refresh()
        if ask:
            self._request_visible()

    def _request_visible(self, *, force: bool = False) -> None:
        window = self._window
        if window is None or not self.is_mounted or (self._load_failed and not force):
            return
        top = self._top_row
        # One screen ahead is loaded too, so page-down never lands on placeholders once settled.
        stop = top + 2 * self._body_height + self.PREFETCH_ROWS
        stop = max(stop, self._cursor_row + 1)
        missing = (not window.exhausted and stop > window.row_count_known) or any(
            not window.is_loaded(i) for i in range(top, min(stop, window.row_count_known))
        )
        if missing:
            self._load(range(top, stop))

    @work(exclusive=True, group="ticket-table-provisional")
    async def _replace_provisional(self, window: TicketWindow) -> None:
        """The server's first page in place of the locally picked rows. Its own worker: the row
        loads that every cursor move restarts never cancel it, so it lands on a slow link too."""
        try:
            await window.ensure(range(0, 1))
        except Exception as error:  # the screen decides how to tell the agent
            if window is self._window:
                self._load_failed = True
                self.refresh()
                self.post_message(self.LoadFailed(self, error))
            return
        if window is self._window:
            self._load_failed = False
            self._rows_changed()

    @work(exclusive=True, group="ticket-table-rows")
    async def _load(self, rows: range) -> None:
        window = self._window
        if window is None:
            return
        try:
            await window.ensure(rows)
        except Exception as error:  # the screen decides how to tell the agent
            self._load_failed = True
            self.refresh()
            self.post_message(self.LoadFailed(self, error))
            return
        if window is self._window:
            self._load_failed = False
            self._rows_changed()

    # --- rendering ----------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self._cell_styles.get(name)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The rows drawn in old colours must go: a theme can recolour the components without
        # touching the table's own style, and a class or an ancestor can change that one alone.
        base = self.rich_style  # once a frame: every row built in it starts from this
        if self._cell_styles.changed() or base != self._drawn_base:
            self._forget_rendered()
        self._drawn_base = base
        if not self._plain_box():
            if self._after_shown:
                self._rows_shown()
            return super().render_lines(crop)
        # A table without border, padding or effects: Textual's styles cache would copy every
        # line into a new strip and filter it again on every frame (a scroll repaints all of
        # them). Handing the compositor the very strips cached per row lets the filter, cut and
        # terminal-output caches each strip carries answer instead.
        width = self.region.width
        base_background, background = self.background_colors
        pad_style = TextualStyle(background=base_background + background).rich_style
        filters = self.get_line_filters()
        frame = self._frame()
        strips: list[Strip] = []
        for y in crop.line_range:
            strip = self._content_line(y, frame).adjust_cell_length(width, pad_style)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        if self._after_shown:
            self._rows_shown()
        return strips

    def _plain_box(self) -> bool:
        """Whether Textual's styles cache would hand back the content lines as they are."""
        styles = self.styles
        return (
            not any(styles.gutter)
            and not any(edge for edge, _colour in styles.outline)
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and self.opacity == 1.0
        )

    def _frame(self) -> _Frame:
        """What every line of one frame shares: read once per frame, not once per line."""
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._widths = layout_columns(width)
        return _Frame(width, self._top_row, self._cursor_row, self.has_focus, self.clock())

    def render_line(self, y: int) -> Strip:
        return self._content_line(y, self._frame())

    def _content_line(self, y: int, frame: _Frame) -> Strip:
        width = frame.width
        row = frame.top + y - 1
        window = self._window
        ticket = window.get(row) if window is not None and y > 0 else None
        if ticket is None:
            return self._render_other_line(y, row, width)
        look = "plain" if row != frame.cursor_row else ("cursor" if frame.focused else "cursor-blurred")
        marked = ticket.id in self._marked
        if marked:
            look += "+marked"
        # A scroll repaints every visible line: most are rows drawn before, found here without
        # computing a single style.
        return self._row_strip(ticket, look, marked, frame.now, width)

    def _row_strip(self, ticket: Ticket, look: str, marked: bool, now: datetime, width: int) -> Strip:
        key = (ticket.id, look, width)
        cached = self._row_cache.get(key)
        if cached is not None and cached.ticket is not ticket and cached.width == width \
                and cached.ticket == ticket:
            # The same ticket in a new list (a filter's server page after the rows picked locally,
            # a reload): drawn the same, held from now on for the object the window now has.
            cached = replace(cached, ticket=ticket)
            self._keep_row(key, cached)
        if cached is not None and cached.ticket is ticket and cached.width == width:
            if cached.drawn_at <= now < cached.steady_until:
                return cached.strip
            face = _clock_face(ticket, now)
            if cached.face == face:
                self._keep_row(key, replace(cached, drawn_at=now,
                                            steady_until=now + timedelta(seconds=_steady_for(ticket, now))))
                return cached.strip
        else:
            face = _clock_face(ticket, now)
        cursor_look = look.removesuffix("+marked")
        if cursor_look == "cursor":
            # The cursor's style goes over every cell (see `_built_row`): the row as drawn without
            # the cursor, with that style on top, is the same line, and a move that scrolls then
            # builds one row (the one coming into view) instead of two.
            plain = self._row_strip(ticket, "plain+marked" if marked else "plain", marked, now, width)
            cursor = self._style("cursor")
            strip = Strip([Segment(text, style + cursor if style else cursor, control)
                           for text, style, control in plain], plain.cell_length)
        else:
            strip = self._built_row(ticket, cursor_look, marked, now, width)
        self._keep_row(key, _CachedRow(ticket, face, width, strip, now,
                                       now + timedelta(seconds=_steady_for(ticket, now))))
        return strip

    def _keep_row(self, key: tuple[int, str, int], row: _CachedRow) -> None:
        # Textual's LRUCache keeps the first value set for a key: replace, don't just set (else a
        # row that changed once missed the cache on every frame after).
        self._row_cache.discard(key)
        self._row_cache[key] = row

    def _built_row(self, ticket: Ticket, cursor_look: str, marked: bool, now: datetime, width: int) -> Strip:
        row_style = self._base_style()
        if marked:
            row_style = row_style + self._style("marked")
        cursor_style = None if cursor_look == "plain" else self._style(cursor_look)
        if cursor_style is not None:
            row_style = row_style + cursor_style
        text = self._row_text(ticket, row_style, now, marked=True) if marked else self._row_text(
            ticket, row_style, now)
        if cursor_style is not None and cursor_look == "cursor":
            # Colour-coded cells would be unreadable on the cursor colour: the cursor wins.
            text.stylize(cursor_style)
        return self._strip(text, width, row_style)

    def _render_other_line(self, y: int, row: int, width: int) -> Strip:
        """The header, the empty message, blank lines below the list and rows not loaded yet."""
        if y == 0:
            return self._header_line(width)
        base = self._base_style()
        window = self._window
        if window is None or (window.exhausted and window.row_count_known == 0):
            if y == 2:
                message = _(self._empty_message) if window is not None else ""
                text = Text(message, style=base + self._style("empty"), justify="center")
                return self._strip(text, width, base)
            return Strip.blank(width, base)
        if row >= self.row_count:
            return Strip.blank(width, base)
        row_style = base
        if row == self._cursor_row:
            row_style = base + self._style("cursor" if self.has_focus else "cursor-blurred")
        label = _("Could not load these rows") if self._load_failed else _("Loading…")
        # The rows picked locally for a filter are followed by a screenful of these: drawn once.
        key = (label, row_style, width)
        held = self._placeholders.get(key)
        if held is None:
            text = Text("  " + label, style=row_style + self._style("placeholder"))
            held = self._placeholders[key] = self._strip(text, width, row_style)
        return held

    def _base_style(self) -> Style:
        """The table's own style (the rows' background and text), as worked out for this frame
        (`render_lines`): walking the ancestors for it once a row was a good part of building one.

        Textual restyles the table on every focus change (the filter bar hands the focus back
        on every filter applied): the rows drawn are forgotten only when this or a component's
        style has really changed, not on `notify_style_update`."""
        base = self._drawn_base
        return self.rich_style if base is None else base

    def relabel(self) -> None:
        self._forget_rendered()  # cached rows carry the old language's words
        self._width = 0  # and the columns were as wide as the old language's titles

    def _forget_rendered(self) -> None:
        self._row_cache.clear()
        self._placeholders.clear()
        self._header = None

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.no_wrap = True
        text.overflow = "ellipsis"
        text.truncate(width, pad=True)
        segments = [Segment(s.text, s.style) for s in text.render(self.app.console) if s.text != "\n"]
        return Strip(segments).adjust_cell_length(width, style)

    def _header_line(self, width: int) -> Strip:
        key = (width, self.sort, self.from_end)
        if self._header is not None and self._header[0] == key:
            return self._header[1]
        header_style = self._base_style() + self._style("header")
        sort_column, arrow = _SORT_MARK.get(self.sort, ("", ""))
        if self.from_end:
            arrow = _FLIPPED.get(arrow, arrow)
        line = Text(style=header_style)
        for index, (column, cell_width) in enumerate(self._widths):
            if index:
                line.append(" ")
            title = column_title(column)
            if column.key == sort_column:
                room = max(0, cell_width - 1)
                cell = Text(title[:room])
                cell.append(arrow, style=self._style("sort"))
            else:
                cell = Text(title)
            self._fit(cell, cell_width, column.right)
            line.append_text(cell)
        strip = self._strip(line, width, header_style)
        self._header = (key, strip)
        return strip

    @staticmethod
    def _fit(cell: Text, width: int, right: bool) -> None:
        cell.no_wrap = True
        cell.overflow = "ellipsis"
        cell.truncate(width, overflow="ellipsis")
        if right:
            cell.pad_left(width - cell.cell_len)
        else:
            cell.pad_right(width - cell.cell_len)

    def _row_text(self, ticket: Ticket, row_style: Style, now: datetime, *, marked: bool = False) -> Text:
        line = Text(style=row_style)
        for index, (column, cell_width) in enumerate(self._widths):
            if index:
                line.append(" ")
            cell = self._cell(column.key, ticket, now)
            if marked and column.key == "id":
                cell = Text("✓" + cell.plain, style=self._style("marked"))
            self._fit(cell, cell_width, column.right)
            line.append_text(cell)
        return line

    def _cell(self, key: str, ticket: Ticket, now: datetime) -> Text:
        # Everything that came from the server is folded onto one line and never parsed as markup.
        if key == "id":
            return Text(str(ticket.id), style=self._style("muted"))
        if key == "priority":
            priority = ticket.priority
            return Text(priority_label(priority), style=self._style(f"priority-{priority.value}"))
        if key == "status":
            return Text(status_label(ticket.status), style=self._style(f"status-{ticket.status.value}"))
        if key == "language":
            return Text(ticket.language.value.upper(), style=self._style("muted"))
        if key == "subject":
            return Text(one_line(ticket.subject))
        if key == "requester":
            return Text(one_line(ticket.requester.name))
        if key == "waiting":
            return Text(time_waited(waiting_seconds(ticket, now)))
        if key == "sla":
            state = sla_state(ticket, now)
            paused = state.risk.value == "paused"
            if paused:
                label = _("paused")
            elif state.risk is SlaRisk.BREACHED:
                label = breached_countdown(state.remaining_seconds)
            else:
                label = time_left(state.remaining_seconds)
            return Text(label, style=self._style(f"sla-{state.risk.value}"))
        if key == "assignee":
            if ticket.assignee is None:
                return Text(_("—"), style=self._style("muted"))
            return Text(one_line(ticket.assignee.login))
        if key == "presence":
            return self._presence_cell(ticket, now)
        if key == "escalation":
            ref = ticket.escalation
            if ref is None:
                return Text("")
            cell = Text(one_line(ref.key), style=self._style("escalation"))
            cell.append(" " + ESCALATION_MARK[ref.status])
            if ref.status is EscalationStatus.FIXED:
                cell.stylize(self._style("needs-reply"), len(cell) - 1)
            return cell
        if key == "needs_reply":
            return Text("↩", style=self._style("needs-reply")) if ticket.needs_reply else Text("")
        return Text("")

    def _presence_cell(self, ticket: Ticket, now: datetime) -> Text:
        active = [
            p
            for p in ticket.presence
            if p.state is not PresenceState.LEFT and p.expires_at > now and p.agent.login != self.me_login
        ]
        if not active:
            return Text("")
        # Someone composing matters more than someone reading.
        active.sort(key=lambda p: p.state is not PresenceState.COMPOSING)
        first = active[0]
        cell = Text(
            f"{_PRESENCE_MARK[first.state]} {one_line(first.agent.login)}",
            style=self._style(f"presence-{first.state.value}"),
        )
        if len(active) > 1:
            cell.append(f"+{len(active) - 1}")
        return cell
