"""The conversation: notes vs replies unmistakable, hostile text inert, bounded mounting, older on demand."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from test_widget_fakes import NOW, WidgetHost, make_message
from textual.binding import Binding, BindingType

from supportdesk_tui.contract.models import Author, HistoryEntry, HistoryKind, Message
from supportdesk_tui.widgets.thread import MessageCard, Thread
from waiting import settle


class ThreadHost(WidgetHost):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self) -> None:
        self.thread = Thread(clock=lambda: NOW, id="thread")
        super().__init__([self.thread])
        self.need_older: list[int | None] = []

    def on_thread_need_older(self, event: Thread.NeedOlder) -> None:
        self.need_older.append(event.before_id)


def card_text(card: MessageCard) -> str:
    """What the card's box says: its header line, then the body (and links)."""
    return card.shown_text()


def box_colours(card: MessageCard) -> tuple[object, object]:
    """The colour of the box's left edge and its background, as drawn."""
    edge = next(iter(card.drawn_strips()[0]))
    assert edge.text == "█"
    assert edge.style is not None
    return edge.style.color, edge.style.bgcolor


def many(count: int, start: int = 1) -> list[Message]:
    kinds = ("customer", "reply", "note")
    return [
        make_message(i, kinds[i % 3], f"Message number {i}", minutes_ago=10_000 - i)
        for i in range(start, start + count)
    ]


async def test_agent_tells_notes_replies_and_customer_messages_apart() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([
            make_message(1, "customer", "My account is locked", minutes_ago=30),
            make_message(2, "note", "Brute-force attempt in the logs", author="Anna", minutes_ago=20),
            make_message(3, "reply", "We unlocked it for you", author="Anna", minutes_ago=10),
        ])
        await settle(pilot)
        customer, note, reply = app.thread.mounted_cards
        assert customer.has_class("-customer") and note.has_class("-note") and reply.has_class("-reply")
        assert "INTERNAL NOTE · only agents see this" in card_text(note)
        assert "Reply to customer" in card_text(reply)
        assert "INTERNAL NOTE" not in card_text(reply) and "INTERNAL NOTE" not in card_text(customer)
        # Different colours, not only different words.
        (customer_edge, _), (note_edge, note_background), (reply_edge, reply_background) = (
            box_colours(card) for card in (customer, note, reply))
        assert note_background != reply_background
        assert note_edge != reply_edge != customer_edge
        assert "10 min. ago" in card_text(reply)


async def test_the_tickets_changes_show_between_the_messages_outside_their_cards() -> None:
    """Issue 18: history lines are quiet timeline lines between the messages, not part of the
    customer's message (not inside its border and background)."""
    first = make_message(1, "customer", "My account is locked", minutes_ago=30)
    second = make_message(2, "reply", "We unlocked it for you", author="Anna", minutes_ago=10)
    anna = Author(type="agent", id="a2", name="Anna Petrova")
    tagged = HistoryEntry(id=1, ticket_id=1, kind=HistoryKind.TAGS, new="spam-wave", actor=anna,
                          at=NOW - timedelta(minutes=20))
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:

        def the_history_stands_apart() -> None:
            card = app.thread.mounted_cards[0]
            lines = card.drawn_text()
            in_box = [i for i, text in enumerate(lines) if text.startswith("█")]
            history = [i for i, text in enumerate(lines) if "╶" in text]
            assert history and "Anna Petrova: tags +spam-wave" in lines[history[0]]
            # Below the box, a blank line apart, without its edge and not painted in its colours.
            assert history[0] > in_box[-1] + 1 and not lines[in_box[-1] + 1].strip()
            _, box_background = box_colours(card)
            history_line = card.drawn_strips()[history[0]]
            assert all(segment.style is None or segment.style.bgcolor != box_background
                       for segment in history_line)
            # The next message keeps its distance from the history lines.
            top = card.virtual_region.y
            assert app.thread.mounted_cards[1].virtual_region.y > top + history[-1] + 1

        def line(entry: HistoryEntry) -> str:
            return f"{entry.actor.name}: tags +{entry.new}"

        # Shown on cards already mounted...
        app.thread.set_messages([first, second])
        await settle(pilot)
        app.thread.set_history([tagged], line)
        await settle(pilot)
        the_history_stands_apart()
        # ...and on cards composed with them.
        composed_before = app.thread.mounted_cards
        app.thread.set_messages([])
        app.thread.set_messages([first, second])
        await settle(pilot)
        assert not set(app.thread.mounted_cards) & set(composed_before)
        the_history_stands_apart()


async def test_time_toggle_switches_to_absolute_time() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([make_message(1, "customer", "hi", minutes_ago=30)])
        await settle(pilot)
        app.thread.focus()
        assert "30 min. ago" in card_text(app.thread.mounted_cards[0])
        await pilot.press("T")
        await settle(pilot)
        text = card_text(app.thread.mounted_cards[0])
        assert "ago" not in text and "2025" in text


async def test_hostile_message_text_is_shown_literally_and_quits_nothing() -> None:
    app = ThreadHost()
    hostile = "[@click=app.quit]Click[/] [b]bold?[/b] \x1b[2J\x1b]8;;https://evil.example\x07x\u202e"
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([make_message(1, "customer", hostile, author="[@click=app.quit]Eve")])
        await settle(pilot)
        card = app.thread.mounted_cards[0]
        text = card_text(card)
        assert "[@click=app.quit]Click[/]" in text and "[b]bold?[/b]" in text
        assert "[@click=app.quit]Eve" in text
        assert "\x1b" not in text and "\u202e" not in text
        drawn_text = "\n".join(card.drawn_text())
        assert "[@click=app.quit]Click[/]" in drawn_text and "\x1b" not in drawn_text
        await pilot.click(Thread, offset=(3, 1))
        await pilot.click(Thread, offset=(5, 2))
        await pilot.pause()
        assert app.is_running


async def test_links_are_listed_not_opened() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([make_message(1, "customer", "See https://example.com/help/unlock.")])
        await settle(pilot)
        lines = card_text(app.thread.mounted_cards[0]).splitlines()
        assert lines[-1] == "↗ https://example.com/help/unlock"


async def test_a_long_thread_keeps_at_most_fifty_cards_mounted() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages(many(500))
        await settle(pilot)
        cards = app.thread.mounted_cards
        assert len(cards) == Thread.MAX_MOUNTED
        assert cards[-1].message.id == 500
        # Scrolling to the top reveals older messages from memory, still bounded.
        app.thread.scroll_home(animate=False, immediate=True)
        await settle(pilot)
        cards = app.thread.mounted_cards
        assert len(cards) <= Thread.MAX_MOUNTED
        assert cards[0].message.id < 451


async def test_reaching_the_top_asks_for_older_messages_and_prepending_keeps_the_view_calm() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages(many(30, start=101), has_older=True)
        await settle(pilot)
        app.thread.scroll_home(animate=False, immediate=True)
        await settle(pilot)
        assert app.need_older == [101]
        first_card = app.thread.mounted_cards[0]
        app.thread.prepend_messages(many(20, start=81), has_older=False)
        await settle(pilot)
        assert app.thread.mounted_cards[0].message.id == 81
        # The card that was at the top of the view is still there.
        assert first_card.region.y >= 0 and app.thread.scroll_y > 0


async def test_a_live_message_is_appended_and_an_empty_thread_says_so() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([])
        await settle(pilot)
        label = app.thread.empty_label
        assert label is not None and "No messages yet." in str(label.render())
        assert any("No messages yet." in line for line in label.drawn_text())
        app.thread.append_message(make_message(7, "customer", "Hello?"))
        await settle(pilot)
        assert [c.message.id for c in app.thread.mounted_cards] == [7]
        app.thread.append_message(make_message(8, "reply", "Hi!", minutes_ago=1))
        app.thread.append_message(make_message(8, "reply", "Hi!", minutes_ago=1))  # duplicate event
        await settle(pilot)
        assert [c.message.id for c in app.thread.mounted_cards] == [7, 8]


def drawn(card: MessageCard) -> str:
    """The characters the card puts on screen, line by line (its box, body, links, history)."""
    return "\n".join(card.drawn_text())


async def test_what_a_card_draws_follows_its_secrets_its_time_mode_and_its_width() -> None:
    """A card draws its lines itself and keeps them: every change of what it shows draws again."""
    body = "The code is 482913, and the reset page is https://example.com/reset?step=two " * 3
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([make_message(1, "customer", body, minutes_ago=30)])
        await settle(pilot)
        app.thread.focus()
        card = app.thread.mounted_cards[0]
        assert "482913" not in drawn(card) and "30 min. ago" in drawn(card)
        assert "↗ https://example.com/reset?step=two" in drawn(card)
        card.reveal(60)
        await settle(pilot)
        assert "482913" in drawn(card)
        card.hide_secrets()
        await settle(pilot)
        assert "482913" not in drawn(card)
        await pilot.press("T")
        await settle(pilot)
        assert "ago" not in drawn(card) and "2025" in drawn(card)
        wide_height = card.height
        await pilot.resize_terminal(60, 40)
        await settle(pilot)
        assert card.height > wide_height
        assert len(drawn(card).splitlines()) == card.virtual_region.height
        unwrapped = "".join(line.removeprefix("█").strip() for line in drawn(card).splitlines())
        assert unwrapped.count("https://example.com/reset?step=two") == 4  # 3 in the body, 1 link


async def test_a_card_gains_and_loses_its_history_lines_without_losing_its_message() -> None:
    first = make_message(1, "customer", "My account is locked, code 482913", minutes_ago=30)
    second = make_message(2, "reply", "We unlocked it for you", author="Anna", minutes_ago=10)
    anna = Author(type="agent", id="a2", name="Anna Petrova")
    tagged = HistoryEntry(id=1, ticket_id=1, kind=HistoryKind.TAGS, new="spam-wave", actor=anna,
                          at=NOW - timedelta(minutes=20))

    def line(entry: HistoryEntry) -> str:
        return f"{entry.actor.name}: tags +{entry.new}"

    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([first, second])
        await settle(pilot)
        card = app.thread.mounted_cards[0]
        app.thread.set_history([tagged], line)
        await settle(pilot)
        assert "My account is locked" in drawn(card) and "tags +spam-wave" in drawn(card)
        assert "482913" not in drawn(card)
        card.reveal(60)
        await settle(pilot)
        assert "482913" in drawn(card)
        card.hide_secrets()
        app.thread.set_history([tagged], None)
        await settle(pilot)
        assert "My account is locked" in drawn(card) and "spam-wave" not in drawn(card)
        assert "482913" not in drawn(card)


async def test_a_message_drawn_again_shows_what_it_shows_now_not_the_lines_kept_from_before() -> None:
    """Lines are kept across cards (a card that scrolls back in is not wrapped again): a card for
    the same message, drawn again, still follows its secrets, the time mode and the width."""
    secret = make_message(1, "customer", "The code is 482913, please help", minutes_ago=30)
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([secret])
        await settle(pilot)
        app.thread.focus()
        card = app.thread.mounted_cards[0]
        card.reveal(60)
        await settle(pilot)
        assert "482913" in drawn(card)
        app.thread.set_messages([secret])  # a new card for the same message, while revealed
        await settle(pilot)
        again = app.thread.mounted_cards[0]
        assert again is not card
        assert "482913" not in drawn(again) and "30 min. ago" in drawn(again)
        await pilot.press("T")
        app.thread.set_messages([secret])
        await settle(pilot)
        assert "ago" not in drawn(app.thread.mounted_cards[0])
        await pilot.resize_terminal(40, 40)
        await settle(pilot)
        narrow = app.thread.mounted_cards[0]
        assert all(len(line) <= narrow.virtual_region.width <= 40 for line in drawn(narrow).splitlines())
        assert "please help" in " ".join(drawn(narrow).split())


async def test_home_and_end_mount_first_the_cards_that_surely_fill_the_view() -> None:
    """Home and end mount a screenful before the frame and the rest after it: the screenful is
    counted from each message's fewest possible lines, so it never leaves the view part empty."""
    texts = ("Short.", "Line one\nline two\nline three", "A longer message that wraps. " * 12,
             "Код 482913 и пароль Kx7pQ2zW " * 5, "x" * 230)
    messages = [make_message(i, ("customer", "reply", "note")[i % 3], texts[i % len(texts)],
                             minutes_ago=1_000 - i) for i in range(1, 41)]
    for width in (100, 60):
        app = ThreadHost()
        async with app.run_test(size=(width, 40)) as pilot:
            app.thread.set_messages(messages[:1])
            await settle(pilot)
            count = app.thread._screenful(messages)
            assert count < len(messages)
            app.thread.set_messages(messages[:count])
            await settle(pilot)
            assert app.thread.virtual_size.height >= app.thread.scrollable_content_region.height


async def test_the_agent_selects_the_thread_text_with_the_mouse_without_the_boxes_edges() -> None:
    """One widget draws the whole thread: a selection spans messages and copies their words, not
    the boxes' left edges; the hostile text stays data."""
    from textual.selection import Selection

    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([
            make_message(1, "customer", "My account is locked [b]now[/b]", minutes_ago=30),
            make_message(2, "reply", "We unlocked it for you", author="Anna", minutes_ago=10),
        ])
        await settle(pilot)
        picked = app.thread.get_selection(Selection(None, None))
        assert picked is not None
        text, _ending = picked
        assert "My account is locked [b]now[/b]" in text and "We unlocked it for you" in text
        assert "█" not in text and "\x1b" not in text
        assert text.index("My account") < text.index("We unlocked")


async def test_the_threads_own_painting_gives_the_lines_textuals_styles_cache_would() -> None:
    """The thread hands its lines to the screen itself (no border, tint or opacity to apply): the
    very segments Textual's styles cache makes of them, padding and all, scrolled or not."""
    from textual.scroll_view import ScrollView

    app = ThreadHost()
    async with app.run_test(size=(70, 20)) as pilot:
        app.thread.set_messages(many(40))
        await settle(pilot)
        thread = app.thread
        assert thread._plainly_boxed()
        for offset in (0, 7, thread.max_scroll_y // 2):
            thread.scroll_to(y=offset, animate=False, immediate=True)
            await settle(pilot)
            for crop in (thread.size.region, thread.size.region.crop_size((30, 9))):
                own = [list(strip) for strip in thread.render_lines(crop)]
                cached = [list(strip) for strip in ScrollView.render_lines(thread, crop)]
                assert own == cached
