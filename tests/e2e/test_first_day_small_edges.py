"""A newcomer's first day, the smaller rough edges: secrets revealed one at a time, plain words
when the outbox delivers, q leaves the wallboard, dashboard alarms in words, the README's word on
`G` and the sort arrow, the palette's `ticket: open #…` phrase, and `::` typed fast.
Real app, real reference backend."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import audit_of, create_customer_ticket, make_app, open_conversation, wait_until
from textual import events
from textual.widgets import DataTable

from supportdesk_tui.config import QueueThresholds
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import OutboxItem
from supportdesk_tui.screens.canned import CannedPicker
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.dashboard import DashboardScreen
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.screens.wallboard import WallboardScreen
from supportdesk_tui.widgets.dashboard_alarms import AlarmLog
from supportdesk_tui.widgets.dashboard_tiles import QueueTile
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_table import TicketTable

README = Path(__file__).resolve().parents[2] / "README.md"




def notifications(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_v_reveals_one_secret_at_a_time_each_audited(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="access",
                                    body="Пришёл код 482913, а мой пароль: Kx7pQ2zW")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        thread = screen.query_one(Thread)

        def body() -> str:
            return " ".join(card.drawn_box_text() for card in thread.mounted_cards)

        assert "482913" not in body() and "Kx7pQ2zW" not in body()
        await pilot.press("v")
        await wait_until(pilot, lambda: "482913" in body(), what="the first secret shown")
        assert "Kx7pQ2zW" not in body(), "one press shows one secret"
        await wait_until(pilot, lambda: len([e for e in audit_of(workday_server, ticket["id"])
                                             if e["kind"] == "reveal"]) == 1, what="one reveal audited")
        await pilot.press("v")
        await wait_until(pilot, lambda: "Kx7pQ2zW" in body(), what="the next secret shown")
        await wait_until(pilot, lambda: len([e for e in audit_of(workday_server, ticket["id"])
                                             if e["kind"] == "reveal"]) == 2, what="two reveals audited")

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        keys = app.screen.query_one(DataTable)
        rows = [" ".join(str(cell) for cell in keys.get_row_at(i)) for i in range(keys.row_count)]
        assert any(row.startswith("v ") and "next hidden secret" in row for row in rows), rows


async def test_the_outbox_says_plainly_what_it_delivered(workday_server: Any, tmp_path: Path) -> None:
    reply_to = create_customer_ticket(workday_server, category="access")["id"]
    note_on = create_customer_ticket(workday_server, category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        sender = app.session.sender
        now = datetime.now(UTC)
        sender.outbox.add(OutboxItem.new(reply_to, DraftKind.REPLY, "Мы разбираемся", now=now))
        sender.outbox.add(OutboxItem.new(note_on, DraftKind.NOTE, "Проверить вход", now=now))
        app.outbox_changed()
        await wait_until(pilot, lambda: len(sender.outbox) == 0, what="the outbox delivered")
        await wait_until(pilot, lambda: len(notifications(app)) >= 2, what="the notifications")
        said = notifications(app)
        assert f"Reply to #{reply_to} sent (it was waiting in the outbox)." in said
        assert f"Note added to #{note_on} (it was waiting in the outbox)." in said
        assert not any("Queued message" in line for line in said)


async def test_q_leaves_the_wallboard_as_it_leaves_the_dashboard(workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "lena", tmp_path, wallboard=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WallboardScreen)
                         and app.screen.state.live is not None, what="the wallboard")
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None, what="the app to quit")


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_dashboard_alarms_are_said_in_words(workday_server: Any, tmp_path: Path,
                                                  size: tuple[int, int]) -> None:
    app = make_app(workday_server, "lena", tmp_path,
                   dashboard_thresholds={"hacked": QueueThresholds(max_oldest_minutes=60)})
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen)
                         and app.screen.state.live is not None
                         and app.screen.query_one("#tile-hacked", QueueTile).level == "alarm",
                         what="the hacked queue in alarm")
        badge = str(app.screen.query_one("#tile-hacked", QueueTile).border_subtitle)
        assert badge == "ALARM: oldest over 1 h limit"
        log = app.screen.query_one(AlarmLog)
        await wait_until(pilot, lambda: log.entries, what="the alarm logged")
        line = str(log.render())
        assert re.search(r"the oldest ticket has waited \d+ h \d\d min \(limit 1 h\)", line), line
        assert "oldest, min" not in line + badge


async def test_G_on_a_short_queue_keeps_the_arrow_as_the_readme_says(workday_server: Any,
                                                                      tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.table.cursor_ticket is not None, what="the queue")
        table = app.screen.query_one(TicketTable)
        assert "SLA▲" in table.render_line(0).text
        await pilot.press("G")
        await wait_until(pilot, lambda: table.window is not None and table.window.exhausted
                         and table.cursor_ticket is not None
                         and table.cursor_row == table.window.row_count_known - 1, what="the last ticket")
        assert not table.from_end and "SLA▲" in table.render_line(0).text
    # What the agent just saw is what the README promises: the arrow flips only on a long queue.
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert "A shorter queue is simply walked to its end and the arrow stays" in readme


async def test_the_palette_opens_a_ticket_from_the_readme_phrase(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="access")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable), what="the queue")
        await pilot.press("ctrl+p")
        for char in f"ticket: open #{ticket['id']}":
            await pilot.press("space" if char == " " else char)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket_id == ticket["id"], what="the ticket from the palette")
    assert "`ticket: open #1042`" in README.read_text(encoding="utf-8")


async def test_double_colon_typed_fast_opens_the_canned_picker(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="access", language="en")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        await pilot.press("H", "i", "space")
        # Typed fast, as a terminal delivers it: both keys arrive before the editor handles the first.
        for _ in range(2):
            app.post_message(events.Key("colon", ":"))
        await wait_until(pilot, lambda: isinstance(app.screen, CannedPicker), what="the picker")
        assert screen.composer.text == "Hi "


async def test_on_a_narrow_terminal_the_app_bar_names_the_queue_the_folded_sidebar_would(
    workday_server: Any, tmp_path: Path
) -> None:
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.table.row_count > 0, what="the queue")
        screen: QueueScreen = app.screen

        def app_bar() -> str:
            return str(screen.query_one("#app-bar").render())

        assert "All my queues" in app_bar()
        queue = screen.desk.queues[1]
        screen.show_queue(queue.id)
        await wait_until(pilot, lambda: queue.name in app_bar(), what="the chosen queue named in the app bar")

        await pilot.resize_terminal(160, 48)
        await wait_until(pilot, lambda: queue.name not in app_bar(), what="the sidebar naming it again")
