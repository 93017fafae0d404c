"""The server stops answering without going away (a paused process, a hung host).

The agent is told in seconds that the server is not answering, a reply written meanwhile waits
in the thread where it was written, and once the server wakes up it lands exactly once: one copy
on the server, one card in the thread.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app, server_messages, wait_until
from textual import events

from supportdesk_tui.contract.stream import SILENT_STREAM_SECONDS
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_table import TicketTable

REPLY = "We are looking into it [bold]now[/]"


@pytest.fixture
def pausable_server(server_factory: Any) -> Iterator[Any]:
    """A server of this test alone (the shared ones must keep answering), woken up at the end
    whatever happened: a stopped process ignores the SIGTERM that stops it."""
    server = server_factory()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            os.kill(server.process.pid, signal.SIGCONT)


def test_the_app_gives_up_on_a_silent_server_within_three_seconds_by_default() -> None:
    settings = AppSettings(server_url="http://127.0.0.1:1", token=None, data_dir=Path("."))
    assert settings.not_answering_after <= 3.0
    assert SILENT_STREAM_SECONDS <= 3.0


async def test_a_paused_server_is_noticed_and_a_reply_written_meanwhile_lands_once(
        pausable_server: Any, tmp_path: Path) -> None:
    server = pausable_server
    ticket = create_customer_ticket(server)
    app = make_app(server, "anna", tmp_path, not_answering_after=SILENT_STREAM_SECONDS)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable), what="the queue")
        app.screen.open_ticket(ticket["id"])  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None, what="the conversation")
        screen = app.screen
        status = screen.query_one(StatusLine)
        thread = screen.query_one(Thread)
        await wait_until(pilot, lambda: "Online" in status.render().plain, what="online")

        pid = server.process.pid
        os.kill(pid, signal.SIGSTOP)  # alive, connections accepted, nothing answered
        try:
            # Bounded generously for a loaded machine; the app's own limit is 2.5 s (above).
            await wait_until(pilot, lambda: "Offline" in status.render().plain, timeout=20,
                             what="the status line to say the server is not answering")

            await pilot.press("r")
            app.post_message(events.Paste(REPLY))  # as the terminal delivers it: to the editor
            await wait_until(pilot, lambda: screen.query_one(Composer).text == REPLY, what="the text")
            await pilot.press("ctrl+s")
            # The reply waits in the thread, as written (markup-looking text stays text).
            await wait_until(pilot, lambda: [(c.body_text(), "Waiting to send" in c.header_text())
                                             for c in thread.waiting_cards] == [(REPLY, True)],
                             timeout=20, what="the reply waiting in the thread")
            assert screen.query_one(Composer).text == ""
            assert app.session.sender.waiting == 1
        finally:
            os.kill(pid, signal.SIGCONT)

        shown_at_once: list[int] = []

        def delivered() -> bool:
            as_message = [c for c in thread.mounted_cards if c.message.body == REPLY]
            as_waiting = [c for c in thread.waiting_cards if c.item.body == REPLY]
            shown_at_once.append(len(as_message) + len(as_waiting))
            return len(as_message) == 1 and not as_waiting and app.session.sender.waiting == 0

        await wait_until(pilot, delivered, timeout=60, what="the waiting card to become the reply")
        await wait_until(pilot, lambda: "Online" in status.render().plain, timeout=60, what="online again")
        await pilot.pause(2.5)  # another outbox cycle: nothing may go out twice
        assert delivered()
    assert max(shown_at_once) == 1  # never the card and the message at the same time
    assert [m["body"] for m in server_messages(server, ticket["id"]) if m["kind"] == "reply"] == [REPLY]
