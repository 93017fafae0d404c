"""Saved views' counts: one request for every view, each count what the caller may see."""

from __future__ import annotations

import uuid

from server_helpers import all_pages, intake_creates, new_ticket_body

from conftest import ServerHandle


def _counts(server: ServerHandle, login: str, filters: list[dict[str, object]]) -> list[int]:
    with server.client(login) as http:
        answer = http.post("/api/v1/ticket-counts", json={"filters": filters})
    assert answer.status_code == 200, answer.text
    counts: list[int] = answer.json()["counts"]
    return counts


def test_counts_of_several_views_match_the_lists_in_one_request(backend: ServerHandle) -> None:
    tag = f"view-{uuid.uuid4().hex[:8]}"
    for language in ("ru", "en", "en"):
        intake_creates(backend, new_ticket_body(category="music", language=language, tags=[tag],
                                                requester={"account_id": "id1", "name": "N",
                                                           "language": language}))
    views: list[dict[str, object]] = [
        {"tag": tag},
        {"tag": tag, "language": "en"},
        {"status": ["new", "open"], "queue": "bugs-music"},
        {"assignee": "none", "priority": ["urgent", "high"]},
    ]
    counts = _counts(backend, "lena", views)
    with backend.client("lena") as lena:
        listed = [
            len(all_pages(lena, "/api/v1/tickets", {"tag": tag})),
            len(all_pages(lena, "/api/v1/tickets", {"tag": tag, "language": "en"})),
            len(all_pages(lena, "/api/v1/tickets", {"status": "new,open", "queue": "bugs-music"})),
            len(all_pages(lena, "/api/v1/tickets", {"assignee": "none", "priority": "urgent,high"})),
        ]
    assert counts[:2] == [3, 2]
    assert counts == listed


def test_an_agent_counts_only_their_queues_and_intake_counts_nothing(backend: ServerHandle) -> None:
    tag = f"view-{uuid.uuid4().hex[:8]}"
    intake_creates(backend, new_ticket_body(category="music", tags=[tag]))  # bugs-music: not dmitry's
    intake_creates(backend, new_ticket_body(category="hacked", tags=[tag]))  # dmitry's
    assert _counts(backend, "lena", [{"tag": tag}]) == [2]
    assert _counts(backend, "dmitry", [{"tag": tag}, {"tag": tag, "queue": "bugs-music"}]) == [1, 0]
    with backend.client("intake") as intake:
        assert intake.post("/api/v1/ticket-counts", json={"filters": [{"tag": tag}]}).status_code == 403
    with backend.client("lena") as lena:
        too_many = lena.post("/api/v1/ticket-counts", json={"filters": [{}] * 31})
        unknown = lena.post("/api/v1/ticket-counts", json={"filters": [{"sort": "created_at"}]})
    assert too_many.status_code == 422 and unknown.status_code == 422
