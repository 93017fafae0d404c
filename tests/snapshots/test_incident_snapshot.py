"""An incident: the escalation's summary, customers affected, linked tickets and look-alikes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from snapshots.snapshot_support import SHOWN_SERVER_URL, WIDE, snapshot_app
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.navigation import ShowIncident
from supportdesk_tui.screens.incident import IncidentScreen
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


def test_lead_sees_an_incident_with_its_linked_tickets_and_look_alikes(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    with server.client("lena") as http:
        key = sorted(e["key"] for e in http.get("/api/v1/escalations").json()["data"])[0]
    app = snapshot_app(SHOWN_SERVER_URL, server.token("lena"), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        desk = pilot.app
        assert isinstance(desk, SupportDeskApp)
        await wait_until(pilot, lambda: desk._session is not None, what="signed in")
        desk.screen.post_message(ShowIncident(key))
        await wait_until(pilot, lambda: isinstance(desk.screen, IncidentScreen)
                         and desk.screen.escalation is not None and bool(desk.screen.linked),
                         what="the incident")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
