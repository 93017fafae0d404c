"""Reading and changing tickets over real loopback HTTP, as the contract describes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
from server_helpers import DEMO_QUEUES, all_pages, error_code, intake_creates, new_ticket_body

from conftest import ServerHandle


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def test_health_and_openapi_need_no_token(backend: ServerHandle) -> None:
    with backend.client() as client:
        health = client.get("/api/v1/health")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        doc = client.get("/api/v1/openapi.json")
        assert doc.status_code == 200
        assert "/api/v1/tickets" in doc.json()["paths"]
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404


def test_a_request_without_a_valid_token_is_unauthorized(backend: ServerHandle) -> None:
    with backend.client() as client:
        missing = client.get("/api/v1/me")
        wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert missing.status_code == wrong.status_code == 401
    assert error_code(missing) == error_code(wrong) == "unauthorized"


def test_unknown_routes_and_methods_answer_in_the_error_envelope(backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        unknown = client.get("/api/v1/nothing-here")
        wrong_method = client.delete("/api/v1/tickets")
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"
    assert wrong_method.status_code == 405 and error_code(wrong_method) == "method_not_allowed"


def test_lead_sees_every_demo_queue_with_counts(backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        queues = client.get("/api/v1/queues").json()["data"]
    assert [q["id"] for q in queues] == list(DEMO_QUEUES)
    for queue in queues:
        assert set(queue["languages"]) == {"ru", "en"}
        counts = queue["counts"]
        assert counts["open"] >= counts["unassigned"] >= 0
        assert counts["open"] >= counts["sla_breached"] + counts["sla_at_risk"]
    assert sum(q["counts"]["sla_breached"] for q in queues) > 0
    assert sum(q["counts"]["sla_at_risk"] for q in queues) > 0


def test_demo_world_has_varied_realistic_tickets(live_server: ServerHandle) -> None:
    with live_server.client("lena") as client:
        tickets = all_pages(client, "/api/v1/tickets", {"page[size]": 200})
    assert 250 <= len(tickets) <= 400
    assert {t["status"] for t in tickets} == {"new", "open", "pending", "on_hold", "solved", "closed"}
    assert {t["priority"] for t in tickets} == {"low", "normal", "high", "urgent"}
    assert {t["language"] for t in tickets} == {"ru", "en"}
    assert any(t["assignee"] is None for t in tickets) and any(t["assignee"] for t in tickets)
    assert any(t["environment"] for t in tickets if t["queue"].startswith("bugs-"))
    assert 3 <= sum(1 for t in tickets if t["escalation"]) <= 5
    assert any(t["needs_reply"] for t in tickets)
    assert all(t["requester"]["account_id"].startswith("id") for t in tickets)


def test_default_sort_puts_the_nearest_deadline_first(backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        page = client.get("/api/v1/tickets", params={"status": "new,open", "page[size]": 50}).json()
    dues = [
        min(
            d
            for d in (
                t["sla"]["first_response_due"] if not t["sla"]["first_responded_at"] else None,
                t["sla"]["next_response_due"],
                t["sla"]["resolution_due"],
            )
            if d
        )
        for t in page["data"]
    ]
    assert dues == sorted(dues)


def test_filters_narrow_the_list(backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        urgent_ru = all_pages(client, "/api/v1/tickets", {"priority": "urgent", "language": "ru"})
        assert urgent_ru and all(t["priority"] == "urgent" and t["language"] == "ru" for t in urgent_ru)
        unassigned = all_pages(client, "/api/v1/tickets", {"assignee": "none", "queue": "access"})
        assert unassigned and all(t["assignee"] is None and t["queue"] == "access" for t in unassigned)
        annas = all_pages(client, "/api/v1/tickets", {"assignee": "anna"})
        assert annas and all(t["assignee"]["login"] == "anna" for t in annas)
        tagged = all_pages(client, "/api/v1/tickets", {"tag": "security"})
        assert tagged and all("security" in t["tags"] for t in tagged)
        some = annas[0]
        by_id = client.get("/api/v1/tickets", params={"q": f"#{some['id']}"}).json()["data"]
        assert [t["id"] for t in by_id] == [some["id"]]
        by_account = client.get(
            "/api/v1/tickets", params={"requester": some["requester"]["account_id"]}
        ).json()
        assert some["id"] in [t["id"] for t in by_account["data"]]
        first_name = some["requester"]["name"].split()[0].lower()
        by_name = all_pages(client, "/api/v1/tickets", {"q": first_name})
        assert some["id"] in [t["id"] for t in by_name]
        bad = client.get("/api/v1/tickets", params={"status": "open,bogus"})
        assert bad.status_code == 422 and error_code(bad) == "validation_error"
        assert bad.json()["error"]["details"][0]["loc"] == ["query", "status"]


def test_page_size_is_clamped_and_a_bad_cursor_is_a_bad_request(backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        huge = client.get("/api/v1/tickets", params={"page[size]": 5000}).json()
        tiny = client.get("/api/v1/tickets", params={"page[size]": 0}).json()
        assert huge["meta"]["page_size"] == 200 and len(huge["data"]) == 200
        assert tiny["meta"]["page_size"] == 1 and len(tiny["data"]) == 1
        assert tiny["links"]["next"].startswith("/api/v1/tickets?")
        bad = client.get("/api/v1/tickets", params={"page[after]": "not-a-cursor"})
        assert bad.status_code == 400 and error_code(bad) == "bad_request"
        other_sort = client.get(tiny["links"]["next"] + "&sort=created_at")
        assert other_sort.status_code == 400


def test_agent_creates_a_ticket_that_is_routed_by_category(backend: ServerHandle) -> None:
    with backend.client("dmitry") as client:
        created = client.post("/api/v1/tickets", json=new_ticket_body(category="hacked"), headers=_key())
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["queue"] == "hacked"
    assert ticket["status"] == "new" and ticket["message_count"] == 1
    assert ticket["sla"]["first_response_due"] is not None
    with backend.client("dmitry") as client:
        read = client.get(f"/api/v1/tickets/{ticket['id']}")
        assert read.headers["ETag"] == f'"{ticket["version"]}"'
        messages = client.get(f"/api/v1/tickets/{ticket['id']}/messages").json()["data"]
    assert [m["kind"] for m in messages] == ["customer"]
    assert messages[0]["author"]["id"] == "id10000001"


def test_routing_covers_every_category_and_falls_back_to_access(backend: ServerHandle) -> None:
    expected = {
        "password": "access",
        "deletion": "deletion",
        "payment": "payments",
        "music": "bugs-music",
        "messages": "bugs-messages",
        "video": "bugs-video",
        "something-else": "access",
    }
    for category, queue in expected.items():
        assert intake_creates(backend, new_ticket_body(category=category))["queue"] == queue, category


def test_patch_needs_if_match_and_refuses_a_stale_version(backend: ServerHandle) -> None:
    ticket = intake_creates(backend)
    url = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("anna") as client:
        missing = client.patch(url, json={"priority": "high"})
        assert missing.status_code == 428 and error_code(missing) == "precondition_required"
        ok = client.patch(url, json={"priority": "high"}, headers={"If-Match": f'"{ticket["version"]}"'})
        assert ok.status_code == 200, ok.text
        assert ok.json()["version"] == ticket["version"] + 1
        assert ok.headers["ETag"] == f'"{ticket["version"] + 1}"'
        stale = client.patch(url, json={"status": "open"}, headers={"If-Match": f'"{ticket["version"]}"'})
        assert stale.status_code == 412 and error_code(stale) == "precondition_failed"
        current = stale.json()["error"]["details"]["current"]
        assert current["priority"] == "high" and current["version"] == ticket["version"] + 1
        unknown_field = client.patch(url, json={"subject": "x"}, headers={"If-Match": ok.headers["ETag"]})
        assert unknown_field.status_code == 422


def test_agent_assigns_themself_but_only_a_lead_assigns_others(backend: ServerHandle) -> None:
    ticket = intake_creates(backend)
    url = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("anna") as anna, backend.client("lena") as lena:
        anna_id = anna.get("/api/v1/me").json()["id"]
        kate_id = lena.get("/api/v1/tickets", params={"assignee": "kate"}).json()["data"][0]["assignee"]["id"]
        etag = f'"{ticket["version"]}"'
        refused = anna.patch(url, json={"assignee_id": kate_id}, headers={"If-Match": etag})
        assert refused.status_code == 403 and error_code(refused) == "forbidden"
        mine = anna.patch(url, json={"assignee_id": anna_id}, headers={"If-Match": etag})
        assert mine.json()["assignee"]["login"] == "anna"
        by_lead = lena.patch(url, json={"assignee_id": kate_id}, headers={"If-Match": mine.headers["ETag"]})
        assert by_lead.status_code == 200 and by_lead.json()["assignee"]["login"] == "kate"
        dmitry_id = lena.get("/api/v1/tickets", params={"assignee": "dmitry"}).json()["data"][0]["assignee"][
            "id"
        ]
        outside = lena.patch(
            url, json={"assignee_id": dmitry_id}, headers={"If-Match": by_lead.headers["ETag"]}
        )
        assert outside.status_code == 422  # dmitry does not work the access queue


def test_reply_starts_the_conversation_and_customer_follow_up_reopens(backend: ServerHandle) -> None:
    ticket = intake_creates(backend, new_ticket_body(language="ru"))
    url = f"/api/v1/tickets/{ticket['id']}/messages"
    with backend.client("anna") as anna:
        posted = anna.post(url, json={"kind": "reply", "body": "Здравствуйте!", "status": "pending"})
        assert posted.status_code == 201, posted.text
        after_reply = posted.json()["ticket"]
        assert after_reply["status"] == "pending"
        assert after_reply["sla"]["first_responded_at"] is not None and after_reply["sla"]["paused"]
        assert after_reply["waiting_since"] is None
        assert after_reply["assignee"]["login"] == "anna"
        note = anna.post(url, json={"kind": "note", "body": "internal"}).json()
        assert note["message"]["kind"] == "note" and note["ticket"]["status"] == "pending"
    with backend.client("intake") as intake:
        follow_up = intake.post(url, json={"kind": "customer", "body": "Не помогло"}).json()
    assert follow_up["reopened"] is True
    with backend.client("anna") as anna:
        reopened = anna.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert reopened["status"] == "open" and reopened["last_message_id"] == follow_up["message_id"]
    assert reopened["waiting_since"] is not None
    assert reopened["sla"]["next_response_due"] is not None
    assert reopened["message_count"] == 4


def test_sending_after_unseen_activity_is_refused_with_the_new_messages(backend: ServerHandle) -> None:
    ticket = intake_creates(backend)
    seen = ticket["last_message_id"]
    url = f"/api/v1/tickets/{ticket['id']}/messages"
    with backend.client("intake") as intake:
        intake.post(url, json={"kind": "customer", "body": "One more thing"})
    with backend.client("anna") as anna, backend.client("kate") as kate:
        kate.post(url, json={"kind": "note", "body": "notes by others don't block"})
        conflict = anna.post(url, json={"kind": "reply", "body": "Hi", "seen_up_to": seen})
        assert conflict.status_code == 409 and error_code(conflict) == "new_activity"
        newer = conflict.json()["error"]["details"]["messages"]
        assert [m["body"] for m in newer] == ["One more thing"]
        latest = max(m["id"] for m in newer)
        assert anna.post(url, json={"kind": "reply", "body": "Hi", "seen_up_to": latest}).status_code == 201


def test_roles_may_only_post_their_own_kinds_of_message(backend: ServerHandle) -> None:
    with backend.client("intake") as intake:
        ticket = intake.post("/api/v1/tickets", json=new_ticket_body()).json()
        url = f"/api/v1/tickets/{ticket['ticket_id']}/messages"
        assert intake.post(url, json={"kind": "reply", "body": "x"}).status_code == 403
        assert intake.post(url, json={"kind": "note", "body": "x"}).status_code == 403
    with backend.client("anna") as anna:
        assert anna.post(url, json={"kind": "customer", "body": "x"}).status_code == 403


def test_messages_page_in_both_directions(backend: ServerHandle) -> None:
    with backend.client("intake") as intake:
        ticket = intake.post("/api/v1/tickets", json=new_ticket_body()).json()
        url = f"/api/v1/tickets/{ticket['ticket_id']}/messages"
        for n in range(6):
            intake.post(url, json={"kind": "customer", "body": f"message {n}"})
    with backend.client("kate") as kate:
        ascending = all_pages(kate, url, {"page[size]": 2})
        descending = all_pages(kate, url, {"page[size]": 3, "order": "desc"})
    ids = [m["id"] for m in ascending]
    assert len(ids) == 7 and ids == sorted(ids)
    assert [m["id"] for m in descending] == ids[::-1]


def test_a_messages_page_read_from_a_cursor_links_back_past_its_first_message(backend: ServerHandle) -> None:
    with backend.client("intake") as intake:
        ticket = intake.post("/api/v1/tickets", json=new_ticket_body()).json()
        url = f"/api/v1/tickets/{ticket['ticket_id']}/messages"
        for n in range(6):
            intake.post(url, json={"kind": "customer", "body": f"message {n}"})
    with backend.client("kate") as kate:
        ids = [m["id"] for m in kate.get(url, params={"page[size]": 10}).json()["data"]]
        first = kate.get(url, params={"page[size]": 3, "order": "desc"}).json()
        assert "prev" not in first["links"] or first["links"]["prev"] is None  # the newest: no way back
        second = kate.get(first["links"]["next"]).json()
        assert [m["id"] for m in second["data"]] == ids[-4:-7:-1]
        # Back from the second page's first message: the newer ones again, read the other way.
        back = kate.get(second["links"]["prev"]).json()
        assert [m["id"] for m in back["data"]] == ids[-3:]
        assert "order=asc" in second["links"]["prev"]
        # And an ascending page read from a cursor links back to the older ones, newest first.
        ascending = kate.get(url, params={"page[size]": 3}).json()
        later = kate.get(ascending["links"]["next"]).json()
        before = kate.get(later["links"]["prev"]).json()
        assert [m["id"] for m in before["data"]] == ids[2::-1]


def test_canned_replies_are_bilingual_templates(backend: ServerHandle) -> None:
    with backend.client("kate") as client:
        replies = client.get("/api/v1/canned-replies").json()["data"]
    assert len(replies) >= 20
    assert all(set(r["bodies"]) == {"ru", "en"} and set(r["title"]) == {"ru", "en"} for r in replies)
    text = json.dumps(replies, ensure_ascii=False)
    for placeholder in (
        "{customer.first_name|there}",
        "{customer.first_name|}",
        "{agent.first_name}",
        "{ticket.id}",
        "{queue.name}",
        "{reset_link}",
        "{deletion_date}",
    ):
        assert placeholder in text
    assert any(r["actions"] and r["actions"]["status"] for r in replies)
    assert all(set(v["prompt"]) == {"ru", "en"} for r in replies for v in r["variables"])


def test_components_list_the_engineering_areas(backend: ServerHandle) -> None:
    with backend.client("anna") as client:
        ids = [c["id"] for c in client.get("/api/v1/components").json()["data"]]
    assert {"music", "messages", "video", "calls", "feed", "login", "payments", "profile"} <= set(ids)


def test_invalid_bodies_are_validation_errors_and_bad_json_a_bad_request(backend: ServerHandle) -> None:
    with backend.client("intake") as client:
        invalid = client.post("/api/v1/tickets", json={"subject": ""})
        assert invalid.status_code == 422 and error_code(invalid) == "validation_error"
        details = invalid.json()["error"]["details"]
        assert all(set(d) == {"loc", "msg"} for d in details)
        broken = client.post(
            "/api/v1/tickets", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 400 and error_code(broken) == "bad_request"


def test_a_body_over_256_kib_is_refused(backend: ServerHandle) -> None:
    body = new_ticket_body(body="x" * (300 * 1024))
    with backend.client("intake") as client:
        response = client.post("/api/v1/tickets", json=body)
    assert response.status_code == 413 and error_code(response) == "payload_too_large"


def test_a_chunked_body_over_the_limit_is_refused_too(backend: ServerHandle) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 8192

    with httpx.Client(base_url=backend.url, headers=backend.headers("intake")) as client:
        response = client.post(
            "/api/v1/tickets", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413


def test_a_queue_read_from_its_end_is_the_same_list_backwards_in_every_sort(backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        for sort in ("sla_due", "created_at", "-created_at", "priority", "waiting"):
            params = {"sort": sort, "page[size]": 37, "queue": "access"}
            forward = [t["id"] for t in all_pages(client, "/api/v1/tickets", params)]
            backward = [t["id"] for t in all_pages(client, "/api/v1/tickets", {**params, "reverse": "true"})]
            assert len(forward) > 37, "several pages, so the backward cursors are exercised"
            assert backward == forward[::-1], sort


def test_the_end_of_a_queue_is_one_request_away_and_cursors_keep_their_direction(
        backend: ServerHandle) -> None:
    with backend.client("lena") as client:
        everything = [t["id"] for t in all_pages(client, "/api/v1/tickets", {"page[size]": 200})]
        last_page = client.get("/api/v1/tickets", params={"reverse": "true", "page[size]": 5}).json()
        assert [t["id"] for t in last_page["data"]] == everything[::-1][:5]
        forward_cursor = client.get("/api/v1/tickets", params={"page[size]": 5}).json()["links"]["next"]
        mixed = client.get(forward_cursor + "&reverse=true")
        assert mixed.status_code == 400 and error_code(mixed) == "bad_request"
