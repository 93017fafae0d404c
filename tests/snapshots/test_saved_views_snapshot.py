"""Saved views in the queue's sidebar: two named filters under the queues, each with its count
from the server (the open tickets in Russian, and the urgent open ones)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from conftest import ServerHandle
from snapshots.snapshot_support import AGENT, SHOWN_SERVER_URL, WIDE, snapshot_app
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.saved_views import SavedViewsList
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]
VIEWS = (("Russian, open", "lang:ru status:open"), ("Urgent, open", "priority:urgent status:open"))


def test_agent_sees_two_saved_views_with_their_counts_in_the_sidebar(
    server: ServerHandle, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    shown = snapshot_app(SHOWN_SERVER_URL, server.token(AGENT), tmp_path / "data").settings
    app = SupportDeskApp(replace(shown, saved_views=VIEWS))

    async def run_before(pilot: Pilot[Any]) -> None:
        assert isinstance(pilot.app, SupportDeskApp)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, QueueScreen), what="the queue")
        views = pilot.app.screen.query_one(SavedViewsList)
        await wait_until(pilot, lambda: len(views.counts) == 2 and None not in views.counts,
                         what="both views counted")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
