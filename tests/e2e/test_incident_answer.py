"""One bug, many customers: tickets linked to one escalation, answered at once when it is fixed.

Twenty customers, Russian and English, write about the same music bug. A lead links their tickets
to the escalation (one from the server's suggestions, by key), engineering marks it fixed, and the
lead answers all twenty with one canned reply. The server dies half-way (SIGKILL) and comes back
on the same database: every customer gets exactly one reply, in their own language, with their
own name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import QUICK_RECONNECT, make_app, server_messages, server_ticket
from held_requests import hold_requests
from incident_helpers import escalate, music_ticket
from textual.widgets import DataTable

from keyboard import type_text
from supportdesk_tui.navigation import ShowIncident
from supportdesk_tui.screens.incident import IncidentScreen
from supportdesk_tui.screens.pickers import ChoiceModal, ConfirmModal
from supportdesk_tui.screens.queue import QueueScreen
from waiting import wait_until

SIZE = (160, 48)
CUSTOMERS = 20
def replies_on_server(server: Any, ticket_id: int) -> list[str]:
    return [m["body"] for m in server_messages(server, ticket_id) if m["kind"] == "reply"]


def is_reply_to(request: httpx.Request, ticket_id: int) -> bool:
    return request.method == "POST" and request.url.path.endswith(f"/tickets/{ticket_id}/messages")


@pytest.mark.runs_long
async def test_lead_answers_twenty_linked_customers_once_each_across_a_server_crash(
        server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    tickets = [music_ticket(server, n) for n in range(CUSTOMERS)]
    key = escalate(server, tickets[0]["id"])
    by_hand = tickets[-1]  # linked from the incident's suggestions, the rest by their numbers
    with server.client("lena") as http:
        http.post(f"/api/v1/escalations/{key}/links",
                  json={"ticket_ids": [t["id"] for t in tickets[1:-1]]}).raise_for_status()

    app = make_app(server, "lena", tmp_path, start_mode="queue", reconnect_backoff=QUICK_RECONNECT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        app.screen.post_message(ShowIncident(key))
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen)
                         and len(app.screen.linked) == CUSTOMERS - 1, what="the incident's linked tickets")
        incident = app.screen
        assert isinstance(incident, IncidentScreen)
        assert incident.affected_customers() == CUSTOMERS - 1
        # The look-alike is suggested (same component, same words), not linked on its own.
        assert by_hand["id"] in incident.suggested
        assert server_ticket(server, by_hand["id"])["escalation"] is None
        suggested = incident.query_one("#suggested", DataTable)
        suggested.focus()
        suggested.move_cursor(row=suggested.get_row_index(str(by_hand["id"])))
        await pilot.press("l")
        await wait_until(pilot, lambda: incident.affected_customers() == CUSTOMERS and by_hand["id"] in
                         incident.linked, what="twenty customers affected")
        assert server_ticket(server, by_hand["id"])["escalation"]["key"] == key

        # Engineering marks it fixed: the incident follows live.
        with server.client("lena") as http:
            http.patch(f"/api/v1/escalations/{key}", json={"status": "fixed"}).raise_for_status()
        await wait_until(pilot, lambda: incident.escalation is not None
                         and incident.escalation.status.value == "fixed", what="fixed, live")

        ordered = sorted(t["id"] for t in tickets)
        crash_at = ordered[CUSTOMERS // 2]
        held = hold_requests(app)
        held.hold(lambda request: is_reply_to(request, crash_at))

        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the canned reply choice")
        await pilot.press("enter")  # "Fix released" comes first
        await wait_until(pilot, lambda: type(app.screen).__name__ == "VariablesForm", what="the version")
        await type_text(pilot, "8.42.0")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the status choice")
        await pilot.press("enter")  # solved, as the canned reply suggests
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the confirmation")
        await pilot.press("y")

        # Half-way, the server dies: the reply to `crash_at` never reaches it.
        await wait_until(pilot, lambda: held.waiting, timeout=60, what="the reply half-way")
        assert all(len(replies_on_server(server, t)) == 1 for t in ordered if t < crash_at)
        server.kill()
        held.release()
        await wait_until(pilot, lambda: incident.last_summary is not None, timeout=60, what="the summary")
        summary = incident.last_summary
        assert summary is not None
        assert sorted(summary.sent) == [t for t in ordered if t < crash_at]
        assert sorted(summary.queued) == [t for t in ordered if t >= crash_at] and not summary.skipped

        # It comes back on the same database; the outbox finishes the job with the same keys.
        server.start()
        await wait_until(pilot, lambda: app.session.sender.waiting == 0 and not app.session.sender.sending,
                         timeout=60, what="the outbox emptied")

        # Answering the incident again sends nothing: every ticket is solved now.
        first_summary = incident.last_summary
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the canned reply choice")
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "VariablesForm", what="the version")
        await type_text(pilot, "8.42.0")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the status choice")
        await pilot.press("enter")
        await wait_until(pilot, lambda: incident.last_summary is not first_summary, what="the second summary")
        again = incident.last_summary
        assert again is not None and not again.sent and not again.queued
        assert [s.reason.value for s in again.skipped] == ["already_solved"] * CUSTOMERS

    for ticket in tickets:
        replies = replies_on_server(server, ticket["id"])
        assert len(replies) == 1, (ticket["id"], replies)
        first_name = ticket["requester"]["name"].split()[0]
        if ticket["language"] == "ru":
            assert replies[0].startswith(f"Здравствуйте, {first_name}! Хорошие новости")
        else:
            assert replies[0].startswith(f"Hi {first_name}, good news")
        assert "8.42.0" in replies[0]
        after = server_ticket(server, ticket["id"])
        assert after["status"] == "solved" and not after["needs_reply"]
