"""`GET /tickets` answers the shared filter cases (tests/filter_cases.py) as the client's
`ticket_matches` does, with the parameters the filter bar sends."""

from __future__ import annotations

from typing import Any

import pytest
from server_helpers import all_pages, intake_creates, new_ticket_body

from conftest import ServerHandle
from filter_cases import CASES, ME, MESSAGE_BODY, SPECIMENS, FilterCase, Specimen
from supportdesk_tui.domain.query import parse_query

LEAD = "lena"


def _create(server: ServerHandle, specimen: Specimen, agent_ids: dict[str, int]) -> dict[str, Any]:
    requester = {"account_id": specimen.account_id, "name": specimen.requester_name,
                 "language": specimen.language}
    if specimen.email is not None:
        requester["email"] = specimen.email
    ticket = intake_creates(server, new_ticket_body(
        subject=specimen.subject, category=specimen.category, language=specimen.language,
        priority=specimen.priority, tags=list(specimen.tags), requester=requester, body=MESSAGE_BODY))
    url = f"/api/v1/tickets/{ticket['id']}"
    with server.client(LEAD) as lead:
        for change in ({"assignee_id": agent_ids[specimen.assignee]} if specimen.assignee else None,
                       {"status": specimen.status} if specimen.status != ticket["status"] else None):
            if change is None:
                continue
            patched = lead.patch(url, json=change, headers={"If-Match": f'"{ticket["version"]}"'})
            assert patched.status_code == 200, patched.text
            ticket = patched.json()
    return ticket


@pytest.fixture(scope="module")
def specimen_ids(backend: ServerHandle) -> dict[str, int]:
    agent_ids: dict[str, int] = {}
    for login in {s.assignee for s in SPECIMENS if s.assignee}:
        with backend.client(login) as client:
            agent_ids[login] = client.get("/api/v1/me").json()["id"]
    ids: dict[str, int] = {}
    for specimen in SPECIMENS:
        ticket = _create(backend, specimen, agent_ids)
        # The table describes these tickets: make sure the server holds them so.
        assert (ticket["queue"], ticket["status"], sorted(ticket["tags"])) == (
            specimen.queue, specimen.status, sorted(specimen.tags))
        assert (ticket["assignee"] or {}).get("login") == specimen.assignee
        ids[specimen.key] = ticket["id"]
    return ids


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_server_lists_what_the_filter_bar_asks_for(
    backend: ServerHandle, specimen_ids: dict[str, int], case: FilterCase
) -> None:
    params = parse_query(case.text(specimen_ids)).to_params()
    if case.screen_queue and "queue" not in params:
        params["queue"] = case.screen_queue  # as the queue screen adds the sidebar's queue
    with backend.client(ME) as me:
        listed = {t["id"] for t in all_pages(me, "/api/v1/tickets", {**params, "page[size]": 200})}
    found = {key for key, ticket_id in specimen_ids.items() if ticket_id in listed}
    assert "".join(sorted(found)) == case.finds
