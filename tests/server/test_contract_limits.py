"""What the document promises about request shapes is what the server enforces: field limits,
the JSON media type, the If-Match header and the enum-valued filters."""

from __future__ import annotations

import json
from typing import Any

from server_helpers import error_code, intake_creates, new_ticket_body

from conftest import ServerHandle
from supportdesk_tui.contract.models import EventType, Priority, Status

ESCALATION: dict[str, Any] = {
    "component": "music",
    "severity": "major",
    "summary": "Playback never starts on Android 14",
    "steps": "1. Open Music\n2. Tap a track",
    "expected": "It plays",
    "actual": "Endless spinner",
}


def _locations(response: Any) -> list[list[Any]]:
    return [entry["loc"] for entry in response.json()["error"]["details"]]


def _new_ticket(server: ServerHandle, **overrides: Any) -> dict[str, Any]:
    return intake_creates(server, new_ticket_body(**overrides))


def test_a_65_character_tag_is_refused_with_a_sentence_instead_of_cut(backend: ServerHandle) -> None:
    tag = "t" * 65
    with backend.client("intake") as intake:
        created = intake.post("/api/v1/tickets", json=new_ticket_body(tags=["ok", tag]))
    assert created.status_code == 422, created.text
    assert error_code(created) == "validation_error"
    assert ["body", "tags", 1] in _locations(created)
    assert "64 characters" in json.dumps(created.json()["error"]["details"])

    ticket = _new_ticket(backend)
    with backend.client("lena") as lena:
        url = f"/api/v1/tickets/{ticket['id']}"
        patched = lena.patch(url, json={"tags": [tag]}, headers={"If-Match": f'"{ticket["version"]}"'})
        assert patched.status_code == 422, patched.text
        assert ["body", "tags", 0] in _locations(patched)
        # 64 is still fine, and kept whole.
        kept = lena.patch(url, json={"tags": ["t" * 64]}, headers={"If-Match": f'"{ticket["version"]}"'})
        assert kept.status_code == 200, kept.text
        assert kept.json()["tags"] == ["t" * 64]


def test_an_escalation_environment_over_200_characters_is_refused(backend: ServerHandle) -> None:
    ticket = _new_ticket(backend, category="music")
    url = f"/api/v1/tickets/{ticket['id']}/escalations"
    with backend.client("lena") as lena:
        for field in ("platform", "app_version", "device"):
            huge = {**ESCALATION, "environment": {field: "x" * 200_000}}
            refused = lena.post(url, json=huge)
            assert refused.status_code == 422, (field, refused.status_code)
            assert ["body", "environment", field] in _locations(refused)
        fits = lena.post(url, json={**ESCALATION, "environment": {"device": "x" * 200}})
        assert fits.status_code == 201, fits.text
    with backend.client("intake") as intake:
        created = intake.post("/api/v1/tickets", json=new_ticket_body(environment={"device": "x" * 201}))
        assert created.status_code == 422, created.text
        assert ["body", "environment", "device"] in _locations(created)


def test_a_json_body_sent_as_text_plain_gets_415_in_the_error_shape(backend: ServerHandle) -> None:
    body = json.dumps(new_ticket_body()).encode()
    with backend.client("intake") as intake:
        refused = intake.post("/api/v1/tickets", content=body, headers={"Content-Type": "text/plain"})
        assert refused.status_code == 415, refused.text
        assert error_code(refused) == "unsupported_media_type"
        form = intake.post(
            "/api/v1/tickets", content=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert form.status_code == 415 and error_code(form) == "unsupported_media_type"
        # The same bytes as JSON (with a charset parameter) are a ticket.
        accepted = intake.post(
            "/api/v1/tickets", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
        )
        assert accepted.status_code == 201, accepted.text
    with backend.client("lena") as lena:
        url = f"/api/v1/tickets/{accepted.json()['ticket_id']}"
        patched = lena.patch(
            url, content=b'{"priority": "high"}', headers={"Content-Type": "text/plain", "If-Match": '"1"'}
        )
        assert patched.status_code == 415 and error_code(patched) == "unsupported_media_type"


def test_patch_without_if_match_gets_428_and_the_document_says_it_is_required(
    backend: ServerHandle,
) -> None:
    with backend.client() as anonymous:
        document = anonymous.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/tickets/{ticket_id}"]["patch"]
    (if_match,) = [p for p in operation["parameters"] if p["name"] == "If-Match"]
    assert if_match["in"] == "header" and if_match["required"] is True
    assert "428" in operation["responses"]

    ticket = _new_ticket(backend)
    with backend.client("lena") as lena:
        url = f"/api/v1/tickets/{ticket['id']}"
        missing = lena.patch(url, json={"priority": "high"})
        assert missing.status_code == 428 and error_code(missing) == "precondition_required"
        # What the documented pattern refuses, the server refuses too, before comparing versions.
        for garbage in ("1", '"1', "*", '"abc"'):
            refused = lena.patch(url, json={"priority": "high"}, headers={"If-Match": garbage})
            assert refused.status_code == 400, (garbage, refused.status_code)


def test_the_document_lists_the_values_the_server_accepts_for_status_and_priority(
    backend: ServerHandle,
) -> None:
    with backend.client() as anonymous:
        document = anonymous.get("/api/v1/openapi.json").json()
    tickets = {p["name"]: p for p in document["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    for name, kind in (("status", Status), ("priority", Priority)):
        pattern = tickets[name]["schema"]["pattern"]
        assert all(member.value in pattern for member in kind), (name, pattern)
    # Components are data (`GET /components`), not contract: a bounded string, and an unknown
    # one is a 422 naming the field (allowed for this operation in schemathesis.toml).
    create = document["components"]["schemas"]["EscalationCreate"]["properties"]["component"]
    assert create["type"] == "string" and create["maxLength"] == 64

    with backend.client("lena") as lena:
        assert lena.get("/api/v1/tickets", params={"status": "open,pending"}).status_code == 200
        for bad in ("open,", "open, pending", "opened"):
            refused = lena.get("/api/v1/tickets", params={"status": bad})
            assert refused.status_code == 422, (bad, refused.status_code)
            assert error_code(refused) == "validation_error"
        assert lena.get("/api/v1/escalations", params={"status": "fixed,wont_fix"}).status_code == 200
        assert lena.get("/api/v1/escalations", params={"status": "done"}).status_code == 422


def test_the_event_stream_is_documented_as_text_event_stream_with_typed_events(
    backend: ServerHandle,
) -> None:
    with backend.client() as anonymous:
        document = anonymous.get("/api/v1/openapi.json").json()
    content = document["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["text/event-stream"]
    event = content["text/event-stream"]["schema"]
    assert event["type"] == "object" and set(event["required"]) == {"id", "event", "data"}
    assert sorted(event["properties"]["event"]["enum"]) == sorted(kind.value for kind in EventType)
    assert event["properties"]["data"]["contentMediaType"] == "application/json"


def test_a_ticket_id_past_what_a_json_number_holds_exactly_is_refused_as_documented(
    backend: ServerHandle,
) -> None:
    # A maximum of 2**62 let 2**62 + 95 pass a float comparison in the fuzzer, then fail here.
    largest = 2**53 - 1
    with backend.client() as anonymous:
        document = anonymous.get("/api/v1/openapi.json").json()
    (ticket_id,) = document["paths"]["/api/v1/tickets/{ticket_id}"]["get"]["parameters"]
    assert ticket_id["schema"]["maximum"] == largest
    with backend.client("lena") as lena:
        assert lena.get(f"/api/v1/tickets/{largest}").status_code == 404
        beyond = lena.get(f"/api/v1/tickets/{largest + 1}")
        assert beyond.status_code == 422 and error_code(beyond) == "validation_error"
