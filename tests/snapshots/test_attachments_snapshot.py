"""A customer's photo in the conversation: its line in the thread, and the files window with
the photo previewed in character cells (the fallback every terminal can show).

Review a changed snapshot in the HTML report before running with `--snapshot-update`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from conftest import ServerHandle
from snapshots.snapshot_support import AGENT, SHOWN_SERVER_URL, WIDE, fixed_clock
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.attachments import AttachmentsScreen
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


@pytest.fixture
def photo_ticket(server: ServerHandle) -> int:
    """The first demo ticket of anna's queues whose customer sent the photo."""
    with server.client(AGENT) as http:
        queues: list[str] = http.get("/api/v1/me").json()["queues"]
    marks = ", ".join("?" for _ in queues)
    with closing(sqlite3.connect(server.db_path)) as db:
        row = db.execute(
            "SELECT MIN(m.ticket_id) FROM attachments a JOIN messages m ON m.id = a.message_id "
            f"JOIN tickets t ON t.id = m.ticket_id WHERE t.queue IN ({marks})", queues
        ).fetchone()
    assert row[0] is not None, "the demo has a photo in anna's queues"
    return int(row[0])


@pytest.fixture
def photo_app(server: ServerHandle, tmp_path: Path) -> SupportDeskApp:
    settings = AppSettings(
        server_url=SHOWN_SERVER_URL, token=server.token(AGENT), data_dir=tmp_path / "data", language="en",
        live_updates=False, clock=fixed_clock, image_renderer="cells", downloads_dir=tmp_path / "downloads",
    )
    return SupportDeskApp(settings)


async def open_photo_ticket(pilot: Pilot[Any], ticket_id: int) -> ConversationScreen:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None and app.screen.thread.messages,
                     what=f"conversation #{ticket_id}")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


def test_agent_sees_the_customers_photo_listed_in_the_thread(
    photo_app: SupportDeskApp, photo_ticket: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_photo_ticket(pilot, photo_ticket)
        screen.thread.scroll_end(animate=False)
        await settle(pilot)

    assert snap_compare(photo_app, terminal_size=WIDE, run_before=run_before)


def test_agent_previews_the_photo_in_character_cells(
    photo_app: SupportDeskApp, photo_ticket: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_photo_ticket(pilot, photo_ticket)
        await pilot.press("f")
        app = pilot.app
        await wait_until(pilot, lambda: isinstance(app.screen, AttachmentsScreen)
                         and app.screen.preview.shown_problem == "", what="the preview")
        await settle(pilot)

    assert snap_compare(photo_app, terminal_size=WIDE, run_before=run_before)
