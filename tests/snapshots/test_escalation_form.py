"""What escalating looks like: the pre-filled form, its per-field errors, and a lead's list.

Review a changed snapshot in the HTML report before running with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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
from supportdesk_tui.screens.escalate import EscalationForm
from supportdesk_tui.screens.escalations import EscalationsScreen
from supportdesk_tui.screens.queue import QueueScreen
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]
BUG_AGENT = "boris"  # Russian, works the bug queues


def first_unescalated_music_ticket(server: Any) -> int:
    """Lowest-id open Russian music bug with an environment and no escalation yet."""
    with server.client("lena") as http:
        page = http.get("/api/v1/tickets", params={"queue": "bugs-music", "page[size]": "200"})
        page.raise_for_status()
        for ticket in sorted(page.json()["data"], key=lambda t: t["id"]):
            if (ticket["escalation"] is None and ticket["environment"] and ticket["language"] == "ru"
                    and ticket["status"] in ("new", "open")):
                return int(ticket["id"])
    raise AssertionError("the demo data has no unescalated Russian music ticket")


async def open_form(pilot: Pilot[Any], ticket_id: int) -> EscalationForm:
    app = pilot.app
    assert isinstance(app, SupportDeskApp)
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None and app.screen.thread.messages,
                     what=f"conversation #{ticket_id}")
    await settle(pilot)
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, EscalationForm), what="the escalation form")
    form = app.screen
    assert isinstance(form, EscalationForm)
    return form


def test_agent_opens_an_escalation_form_prefilled_from_the_ticket(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    ticket_id = first_unescalated_music_ticket(server)
    app = snapshot_app(SHOWN_SERVER_URL, server.token(BUG_AGENT), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, ticket_id)
        assert form.draft().component == "music"
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_sees_what_to_fix_next_to_each_field(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    ticket_id = first_unescalated_music_ticket(server)
    app = snapshot_app(SHOWN_SERVER_URL, server.token(BUG_AGENT), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, ticket_id)
        await pilot.press("shift+tab", "ctrl+u")  # back to the summary, and clear it
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: form.field_error("summary") and form.field_error("steps"),
                         what="the field errors")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_lead_sees_the_open_escalations_with_their_tickets(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    app = snapshot_app(SHOWN_SERVER_URL, server.token("lena"), tmp_path)
    app.settings = replace(app.settings, start_mode="queue")  # a lead starts on the dashboard otherwise

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await settle(pilot)
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, EscalationsScreen)
                         and app.screen.table.row_count > 0, what="the escalations list")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
