"""A hacked-account ticket with its playbook open beside the thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from snapshots.snapshot_support import (
    SHOWN_SERVER_URL,
    WIDE,
    snapshot_app,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


def first_hacked_ticket(server: Any) -> int:
    with server.client("lena") as http:
        page = http.get("/api/v1/tickets", params={"queue": "hacked", "status": "open", "page[size]": "200"})
        page.raise_for_status()
        return min(int(t["id"]) for t in page.json()["data"] if t["category"] == "hacked")


def test_agent_sees_a_hacked_account_ticket_with_its_playbook(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    ticket_id = first_hacked_ticket(server)
    app = snapshot_app(SHOWN_SERVER_URL, server.token("anna"), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        assert isinstance(pilot.app, SupportDeskApp)
        desk = pilot.app
        await wait_until(pilot, lambda: isinstance(desk.screen, QueueScreen), what="the queue")
        desk.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(desk.screen, ConversationScreen)
                         and desk.screen.ticket is not None and desk.screen.thread.messages
                         and desk.screen.query(PlaybookPanel), what="the ticket with its playbook")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
