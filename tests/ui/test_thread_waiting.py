"""Replies still in the outbox wait at the bottom of the thread, and turn into the message once."""

from __future__ import annotations

from dataclasses import replace

from test_widget_fakes import NOW, WidgetHost, make_message
from textual.pilot import Pilot

from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import OutboxItem, OutboxState
from supportdesk_tui.widgets.thread import MessageCard, Thread, WaitingCard

HOSTILE = "[@click=app.quit]Sure[/] [bold]done\x1b[2J"


class ThreadHost(WidgetHost):
    def __init__(self) -> None:
        self.thread = Thread(clock=lambda: NOW, id="thread")
        super().__init__([self.thread])


def waiting(body: str, kind: DraftKind = DraftKind.REPLY) -> OutboxItem:
    return OutboxItem.new(1, kind, body, now=NOW)


def bottom_up(thread: Thread) -> list[str]:
    """What the thread shows, in order: message bodies and waiting bodies (marked)."""
    shown: list[str] = []
    for block in thread.blocks:
        if isinstance(block, MessageCard):
            shown.append(block.message.body)
        elif isinstance(block, WaitingCard):
            assert block.body_text() in block.drawn_box_text(), "drawn, not only held"
            shown.append(f"waiting: {block.item.body}")
    return shown


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_a_queued_reply_waits_after_the_messages_with_its_text_as_data() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([make_message(1, "customer", "My account is locked", minutes_ago=30)])
        app.thread.set_waiting([waiting(HOSTILE), waiting("Checked the logs", DraftKind.NOTE)])
        await settle(pilot)
        reply, note = app.thread.waiting_cards
        assert "Reply to customer" in reply.header_text() and "Waiting to send" in reply.header_text()
        assert "INTERNAL NOTE" in note.header_text() and note.has_class("-note")
        # Literal text: the brackets are shown, the escape byte is not passed to the terminal.
        assert "[@click=app.quit]Sure[/] [bold]done" in reply.body_text()
        assert "\x1b" not in reply.body_text()
        assert app.is_running
        assert bottom_up(app.thread) == ["My account is locked", f"waiting: {HOSTILE}",
                                         "waiting: Checked the logs"]


async def test_new_messages_and_a_reloaded_conversation_stay_above_the_waiting_card() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages([make_message(1, "customer", "Hello", minutes_ago=30)])
        app.thread.set_waiting([waiting("On it")])
        await settle(pilot)
        app.thread.append_message(make_message(2, "customer", "Are you there?", minutes_ago=1))
        await settle(pilot)
        assert bottom_up(app.thread) == ["Hello", "Are you there?", "waiting: On it"]
        app.thread.set_messages([make_message(1, "customer", "Hello", minutes_ago=30),
                                 make_message(2, "customer", "Are you there?", minutes_ago=1)])
        await settle(pilot)
        assert bottom_up(app.thread) == ["Hello", "Are you there?", "waiting: On it"]


async def test_the_delivered_message_replaces_its_waiting_card_exactly_once() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        item = waiting("On it")
        app.thread.set_messages([make_message(1, "customer", "Hello", minutes_ago=30)])
        app.thread.set_waiting([item])
        await settle(pilot)
        landed = make_message(2, "reply", "On it", minutes_ago=0)
        assert app.thread.waiting_key_for(landed) == item.id
        # The stream brings the message before the outbox has heard its answer ...
        app.thread.append_message(landed, delivers=item.id)
        await settle(pilot)
        assert bottom_up(app.thread) == ["Hello", "On it"]
        # ... so the outbox, still holding it, does not bring the card back,
        app.thread.set_waiting([item])
        await settle(pilot)
        assert bottom_up(app.thread) == ["Hello", "On it"]
        # and the send's own answer, arriving later, adds nothing.
        app.thread.append_message(landed)
        app.thread.set_waiting([])
        await settle(pilot)
        assert bottom_up(app.thread) == ["Hello", "On it"]
        assert app.thread.waiting_cards == []


async def test_a_refused_reply_says_so_and_points_to_the_outbox() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        refused = replace(waiting("Here is your refund"), state=OutboxState.FAILED)
        app.thread.set_messages([])
        app.thread.set_waiting([refused])
        await settle(pilot)
        (card,) = app.thread.waiting_cards
        assert card.has_class("-refused")
        assert "Not sent: the server refused it — see the outbox" in card.header_text()
        assert "Waiting to send" not in card.header_text()


async def test_another_attempt_updates_the_card_in_place_and_a_new_reply_joins_in_order() -> None:
    app = ThreadHost()
    async with app.run_test(size=(100, 40)) as pilot:
        first, second = waiting("First"), waiting("Second")
        app.thread.set_messages([make_message(1, "customer", "Hello", minutes_ago=30)])
        app.thread.set_waiting([first])
        await settle(pilot)
        (card,) = app.thread.waiting_cards
        app.thread.set_waiting([replace(first, attempts=3, state=OutboxState.FAILED), second])
        await settle(pilot)
        assert app.thread.waiting_cards[0] is card  # never the old and the new card at once
        assert card.has_class("-refused") and "see the outbox" in card.header_text()
        assert bottom_up(app.thread) == ["Hello", "waiting: First", "waiting: Second"]
        app.thread.set_waiting([replace(first, state=OutboxState.PENDING), second])
        await settle(pilot)
        assert not card.has_class("-refused") and "Waiting to send" in card.header_text()
        app.thread.set_waiting([second])
        await settle(pilot)
        assert bottom_up(app.thread) == ["Hello", "waiting: Second"]


async def test_a_send_draws_its_waiting_block_at_once_and_mounts_nothing() -> None:
    """The reply shown as "sending…" is a block of the thread's lines, drawn in the step that asks
    for it (the frame after the key shows it): no widget is mounted, nothing else is laid out."""
    app = ThreadHost()
    async with app.run_test(size=(100, 30)) as pilot:
        app.thread.set_messages([make_message(1, "customer", "Hello")])
        await settle(pilot)
        item = waiting("On it [b]now[/b]")
        app.thread.set_waiting([item], sending={item.id})
        assert not app.thread.children, "nothing mounted"
        card = app.thread.waiting_cards[0]
        assert "Sending" in card.header_text() and "On it [b]now[/b]" in card.drawn_box_text()
        assert card.virtual_region.y > app.thread.mounted_cards[0].virtual_region.y
        # It lands: the message replaces the block in the same step, never both, never neither.
        app.thread.append_message(make_message(2, "reply", "On it [b]now[/b]"), delivers=item.id)
        assert bottom_up(app.thread) == ["Hello", "On it [b]now[/b]"]
