"""The real app against two instances of one deployment; the one it talks to is killed mid-session.

Both instances are real `supportdesk serve` processes on one database. The kill is staged at
the worst moment for a reply: the first instance has stored it and dies (SIGKILL) before its
answer leaves, so the app must resend to the other instance with the same key, not post twice.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import QUICK_RECONNECT, create_customer_ticket, server_messages

from conftest import ServerFactory
from keyboard import type_text
from supportdesk_tui import session as session_module
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.ticket_table import TicketTable
from two_instances import LoseAnswerThenKill, second_instance
from waiting import wait_until

pytestmark = pytest.mark.e2e


async def open_by_word(pilot: Any, app: SupportDeskApp, word: str, ticket_id: int) -> ConversationScreen:
    await pilot.press("slash")
    await type_text(pilot, word)
    await pilot.press("enter")
    table = app.screen.query_one(TicketTable)
    await wait_until(pilot, lambda: table.cursor_ticket is not None and table.cursor_ticket.id == ticket_id,
                     what=f"ticket {ticket_id} alone in the filtered queue")
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None and app.screen.thread.messages,
                     what=f"ticket {ticket_id} open")
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


@pytest.mark.runs_long(seconds=15)
async def test_agent_keeps_working_when_the_instance_dies_and_the_reply_lands_once(
        server_factory: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = server_factory(idempotency_lease=2)
    with second_instance(first) as second:
        word = "failover" + uuid.uuid4().hex[:6]
        ticket = create_customer_ticket(second, subject=f"Взлом {word}")
        # The one staged fault: the first instance dies between storing the reply and answering.
        transport = LoseAnswerThenKill(first, "POST /messages")

        def client_with_crash(base_url: Any, token: str | None, **options: Any) -> SupportDeskClient:
            return SupportDeskClient(base_url, token, transport=transport, **options)

        monkeypatch.setattr(session_module, "SupportDeskClient", client_with_crash)
        app = SupportDeskApp(AppSettings(server_url=first.url, server_urls=(first.url, second.url),
                                         token=first.token("anna"), data_dir=tmp_path, language="en",
                                         reconnect_backoff=QUICK_RECONNECT))
        first_host, second_host = first.url.split("//")[1], second.url.split("//")[1]
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                             and app.screen.query_one(TicketTable).cursor_ticket is not None,
                             what="the queue")
            status = app.screen.query_one(StatusLine)
            await wait_until(pilot, lambda: f"Online · via {first_host}" in status.render().plain,
                             what="live on the first instance")

            conversation = await open_by_word(pilot, app, word, ticket["id"])
            await pilot.press("r")
            await type_text(pilot, f"Access restored {word}")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: transport.lost, what="the first instance dying mid-reply")
            await wait_until(pilot, lambda: conversation.query_one(Composer).text == ""
                             and not app.session.sender.waiting and not app.session.sender.failed,
                             what="the reply confirmed, nothing left in the outbox")
            replies = [m for m in server_messages(second, ticket["id"])
                       if m["body"] == f"Access restored {word}"]
            assert len(replies) == 1

            # The live stream moved to the survivor, resuming where it stopped.
            await wait_until(pilot, lambda: f"Online · via {second_host}" in
                             conversation.query_one(StatusLine).render().plain,
                             what="live again on the second instance")

            # Back to the queue: clearing the filter reloads it, from the survivor.
            await pilot.press("escape", "escape")  # out of the composer, back to the queue
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue again")
            await pilot.press("escape")
            table = app.screen.query_one(TicketTable)
            await wait_until(pilot, lambda: table.window is not None and table.window.row_count_known > 1,
                             what="the whole queue reloaded")

            # A ticket created through the survivor now reaches the open queue by itself.
            later = create_customer_ticket(second, subject=f"После падения {word}")
            window = table.window
            assert window is not None
            await wait_until(pilot, lambda: window.index_of(later["id"]) is not None or window.pending_new,
                             what="the new ticket pushed live by the second instance")

            # And keeps working through the survivor: search finds both tickets, one opens.
            await pilot.press("slash")
            await type_text(pilot, word)
            await pilot.press("enter")
            await wait_until(pilot, lambda: {t.id for t in _rows(table)} == {ticket["id"], later["id"]},
                             what="both tickets found through the survivor")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                             and app.screen.ticket is not None and app.screen.thread.messages,
                             what="a ticket opened through the survivor")

        assert len([m for m in server_messages(second, ticket["id"])
                    if m["body"] == f"Access restored {word}"]) == 1


def _rows(table: TicketTable) -> list[Any]:
    window = table.window
    assert window is not None
    return [row for row in (window.get(i) for i in range(window.row_count_known)) if row is not None]
