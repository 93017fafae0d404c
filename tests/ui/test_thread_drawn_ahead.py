"""Home and end find their lines drawn ahead (once the keys pause), and the scrollbar is put together
from cells drawn before: what reaches the screen is what drawing it at the key would have shown —
the time labels of that moment, the ticket's changes shown then, the bar Textual draws."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from rich.style import Style
from test_thread_end_from_memory import Server, open_at_newest
from test_widget_fakes import NOW
from textual.geometry import Region
from textual.pilot import Pilot
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from supportdesk_tui.contract.models import HistoryEntry
from supportdesk_tui.widgets.steady_scrollbar import SteadyScrollBar
from supportdesk_tui.widgets.thread import MessageCard, Thread
from waiting import settle

SIZE = (100, 40)


class ServerReadingAhead(Server):
    """Also answers the first page read ahead (as the conversation screen does); its clock can move."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.now: datetime = NOW
        self.thread.clock = lambda: self.now

    def on_thread_first_page_ahead(self, event: Thread.FirstPageAhead) -> None:
        self.requests.append("ahead")
        self.thread.keep_first_page(self.stored[:50], has_newer=True, newer_cursor=None)


def cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    """Each line as (character, style) pairs: equal however the segments happen to be cut."""
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


@contextmanager
def counting_draws() -> Iterator[list[int]]:
    """The message ids whose lines are drawn (wrapped) meanwhile."""
    drawn: list[int] = []
    draw = MessageCard.draw

    def counted(card: MessageCard, widget: object, width: int) -> list[Strip]:
        drawn.append(card.message.id)
        return draw(card, widget, width)  # type: ignore[arg-type]

    MessageCard.draw = counted  # type: ignore[method-assign]
    try:
        yield drawn
    finally:
        MessageCard.draw = draw  # type: ignore[method-assign]


def in_view(thread: Thread) -> set[int]:
    return {card.message.id for card in thread.mounted_cards if card.region.height > 0}


def shows_what_drawing_it_now_would(thread: Thread) -> None:
    """Every card in view shows the lines a card made for its message now would draw."""
    in_view = [card for card in thread.mounted_cards if card.region.height > 0]
    assert in_view
    for card in in_view:
        fresh = MessageCard(card.message, absolute_time=thread.absolute_time, now=thread.clock())
        fresh.history_lines = tuple(thread._history_lines_after(card.message))
        assert cells(card.drawn_strips()) == cells(fresh.draw(thread, thread._layout.width)), card.message.id


async def test_home_and_end_show_their_lines_drawn_ahead_as_drawing_them_at_the_key_would() -> None:
    app = ServerReadingAhead(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await settle(pilot)
        assert app.requests == ["ahead"]
        with counting_draws() as drawn:
            await pilot.press("home")
            await settle(pilot)
        assert app.thread.mounted_cards[0].message.id == 1 and app.thread.scroll_y == 0
        assert not set(drawn) & in_view(app.thread), "home's first screenful was drawn ahead"
        shows_what_drawing_it_now_would(app.thread)
        with counting_draws() as drawn:
            await pilot.press("end")
            await settle(pilot)
        assert app.thread.mounted_cards[-1].message.id == 600
        assert not set(drawn) & in_view(app.thread), "end's last screenful was drawn ahead"
        shows_what_drawing_it_now_would(app.thread)
        assert app.requests == ["ahead"]


async def test_a_jump_after_changes_came_or_the_clock_moved_shows_them_not_the_lines_drawn_before() -> None:
    app = ServerReadingAhead(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await settle(pilot)
        first, newest = app.stored[0], app.stored[-1]
        # A change made right after the first message, shown once home's lines were drawn ahead.
        tagged = HistoryEntry.model_validate({
            "id": 1, "ticket_id": 1, "kind": "tags", "actor": {"type": "agent", "id": "a", "name": "Anna"},
            "new": "spam-wave", "at": first.created_at + timedelta(seconds=30)})
        app.thread.set_history([tagged], lambda entry: f"{entry.actor.name}: tags +{entry.new}")
        await pilot.press("home")
        await settle(pilot)
        card = app.thread.mounted_cards[0]
        assert card.message.id == 1
        assert any("Anna: tags +spam-wave" in line for line in card.drawn_text())
        shows_what_drawing_it_now_would(app.thread)
        # Hours later (home's lines drawn ahead again meanwhile, with the older label).
        await pilot.press("end")
        await settle(pilot)
        before = MessageCard(first, absolute_time=False, now=app.now).time_label()
        app.now = NOW + timedelta(hours=3)
        await pilot.press("home")
        await settle(pilot)
        card = app.thread.mounted_cards[0]
        label = MessageCard(first, absolute_time=False, now=app.now).time_label()
        assert label != before and label in card.drawn_text()[0]
        shows_what_drawing_it_now_would(app.thread)
        # Absolute times, set after end's lines were drawn ahead.
        app.thread.absolute_time = True
        await pilot.press("end")
        await settle(pilot)
        last = app.thread.mounted_cards[-1]
        assert last.message.id == newest.id
        assert MessageCard(newest, absolute_time=True, now=app.now).time_label() in last.drawn_text()[0]
        shows_what_drawing_it_now_would(app.thread)


async def test_the_threads_scrollbar_draws_what_textuals_scrollbar_draws_at_every_page() -> None:
    app = ServerReadingAhead(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        bar = app.thread.vertical_scrollbar
        assert isinstance(bar, SteadyScrollBar)

        def bar_now(pilot: Pilot[None]) -> tuple[list[list[tuple[str, Style | None]]], ...]:
            crop = Region(0, 0, bar.region.width, bar.region.height)
            shown = cells(bar.render_lines(crop))
            bar._styles_cache.clear()
            bar._dirty_regions.add(bar.size.region)
            return shown, cells(ScrollBar.render_lines(bar, crop))

        drawn = []
        for key in ["pageup"] * 12 + ["home"] + ["pagedown"] * 6 + ["end"]:
            await pilot.press(key)
            await settle(pilot)
            shown, textuals = bar_now(pilot)
            assert shown == textuals, key
            drawn.append(str(shown))
        assert len(set(drawn)) > 5


async def test_every_frame_of_lines_painted_ahead_is_what_textuals_styles_cache_paints() -> None:
    """The views painted before their key (the next page each way, home's and end's first) are the
    very segments — text, colours, the offsets mouse selection reads — Textual would paint then."""
    from textual.scroll_view import ScrollView

    app = ServerReadingAhead(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await settle(pilot)
        thread = app.thread
        assert thread._plainly_boxed()
        for key in ["pageup"] * 8 + ["home"] + ["pagedown"] * 8 + ["end", "pageup", "home", "end"]:
            painted_before = len(thread._painted)
            await pilot.press(key)
            await settle(pilot)
            crop = thread.size.region
            own = [list(strip) for strip in thread.render_lines(crop)]
            thread._styles_cache.clear()
            textuals = [list(strip) for strip in ScrollView.render_lines(thread, crop)]
            assert own == textuals, key
            assert painted_before, "lines were painted ahead"
