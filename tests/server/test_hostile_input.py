"""A hostile caller's cursors, headers and numbers get a 4xx in the error envelope: never a 500,
never a traceback in the log, never the driver's or the interpreter's own words."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import error_code, new_ticket_body

from conftest import ServerFactory, ServerHandle

INTERNAL_WORDS = ("Traceback", "Python int", "SQLite", "sqlite3", "codec", "OverflowError", "surrogates")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cursor_of(link: str) -> str:
    return str(httpx.URL(link).params["page[after]"])


def _edited(cursor: str, change: dict[str, Any]) -> str:
    """The cursor with its JSON edited and whatever follows the JSON (a signature) kept."""
    body, dot, rest = cursor.partition(".")
    data = json.loads(_unb64(body))
    data.update(change)
    return _b64(json.dumps(data, separators=(",", ":")).encode()) + dot + rest


def _assert_envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert error_code(response) == code
    assert not any(word in response.text for word in INTERNAL_WORDS), response.text


def _log_since(server: ServerHandle, offset: int) -> str:
    return server.log_path.read_text(encoding="utf-8", errors="replace")[offset:]


def _log_size(server: ServerHandle) -> int:
    return len(server.log_path.read_text(encoding="utf-8", errors="replace"))


def _list_paths(client: httpx.Client) -> dict[str, bool]:
    """Every list endpoint of the OpenAPI document, ids filled in: whether it pages by cursor."""
    document = client.get("/api/v1/openapi.json").json()
    ticket_id = client.get("/api/v1/tickets", params={"page[size]": 1}).json()["data"][0]["id"]
    paths: dict[str, bool] = {}
    for path, operations in document["paths"].items():
        get = operations.get("get")
        schema = get and get["responses"]["200"]["content"].get("application/json", {}).get("schema", {})
        if schema and schema.get("$ref", "").rsplit("/", 1)[-1].startswith(("Page_", "DataList_")):
            paged = any(p["name"] == "page[after]" for p in get.get("parameters", []))
            paths[path.replace("{ticket_id}", str(ticket_id))] = paged
    assert sum(paths.values()) >= 2 and len(paths) >= 8, paths
    return paths


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


HOSTILE_CURSORS: dict[str, str] = {
    "json nested a thousand deep": _b64(_nested(1000)),
    "an object nested a thousand deep": _b64(b'{"k":' * 1000 + b"1" + b"}" * 1000),
    "signed-looking but nested": _b64(_nested(1000)) + "." + _b64(b"x" * 16),
    "8 KB": "A" * 8_000,
    "empty": "",
    "not base64": "%%%%",
    "unicode": "курсор",
    "a lone dot": ".",
    "base64 of garbage": _b64(b"\xff\xfe\x00garbage"),
    "a JSON list": _b64(b"[1, 2]"),
    "the old unsigned shape": _b64(b'{"s":"sla_due","k":[1,1]}'),
    "a huge number": _b64(b'{"s":"sla_due","k":[' + b"9" * 5000 + b",1]}"),
    "infinity": _b64(b'{"s":"sla_due","k":[1e400,1],"o":"asc"}'),
    "booleans for keys": _b64(b'{"s":"sla_due","k":[true,true],"o":"asc"}'),
}


HOSTILE_HEADERS: dict[str, dict[str, str | bytes]] = {
    "no scheme": {"Authorization": "sdt_not-a-bearer"},
    "basic": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    "empty bearer": {"Authorization": "Bearer"},
    "long bearer": {"Authorization": "Bearer " + "x" * 6000},
    "control bytes": {"Authorization": "Bearer \x01\x7f\x1b[2J"},
    "latin-1 bytes": {"Authorization": b"Bearer caf\xe9 \xff\xfe"},
    "two tokens": {"Authorization": "Bearer a b c"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CURSORS))
def test_every_list_endpoint_answers_hostile_cursors_and_headers_with_a_client_error(
    backend: ServerHandle, name: str
) -> None:
    start = _log_size(backend)
    cursor = {"page[after]": HOSTILE_CURSORS[name]}
    with backend.client("lena") as lena:
        paths = _list_paths(lena)
        for path, paged in paths.items():
            # A list without cursors refuses the unknown parameter instead.
            expected = (400, "bad_request") if paged else (422, "validation_error")
            _assert_envelope(lena.get(path, params=cursor), *expected)
    for headers in HOSTILE_HEADERS.values():
        with httpx.Client(base_url=backend.url, headers=headers, timeout=30) as stranger:
            for path, paged in paths.items():
                _assert_envelope(stranger.get(path, params=cursor if paged else {}), 401, "unauthorized")
    assert "Traceback" not in _log_since(backend, start)


def test_a_cursor_edited_by_the_caller_is_refused(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        page = lena.get("/api/v1/tickets", params={"page[size]": 2}).json()
        cursor = _cursor_of(page["links"]["next"])
        assert lena.get("/api/v1/tickets", params={"page[size]": 2, "page[after]": cursor}).status_code == 200
        # Skip ahead (or anywhere): the caller writes the key itself.
        skipped = _edited(cursor, {"k": [0, 1]})
        response = lena.get("/api/v1/tickets", params={"page[size]": 2, "page[after]": skipped})
        _assert_envelope(response, 400, "bad_request")


def test_a_thread_cursor_opens_only_the_thread_it_came_from(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        tickets = lena.get("/api/v1/tickets", params={"page[size]": 50}).json()["data"]
        long_ones = [t["id"] for t in tickets if t["message_count"] >= 2]
        assert len(long_ones) >= 2
        first, other = long_ones[:2]
        page = lena.get(f"/api/v1/tickets/{first}/messages", params={"page[size]": 1}).json()
        cursor = _cursor_of(page["links"]["next"])
        same = lena.get(f"/api/v1/tickets/{first}/messages", params={"page[size]": 1, "page[after]": cursor})
        elsewhere = lena.get(
            f"/api/v1/tickets/{other}/messages", params={"page[size]": 1, "page[after]": cursor}
        )
    assert same.status_code == 200
    _assert_envelope(elsewhere, 400, "bad_request")


@pytest.mark.runs_long
def test_a_cursor_is_honoured_by_every_server_of_its_database_and_by_no_other(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    server, stranger = server_factory(demo=False), server_factory(demo=False)
    for each in (server, stranger):
        with each.client("intake") as intake:
            for n in range(3):
                assert intake.post("/api/v1/tickets", json=new_ticket_body(subject=f"Ticket {n}")).is_success
    with server.client("lena") as lena:
        link = lena.get("/api/v1/tickets", params={"page[size]": 1}).json()["links"]["next"]
        expected = [t["id"] for t in lena.get(link).json()["data"]]
    server.restart()
    twin = ServerHandle(server.db_path, tmp_path / "twin.log", server.options, tokens=server.tokens).start()
    try:
        for each in (server, twin):
            with each.client("lena") as lena:
                again = lena.get(link)
            assert again.status_code == 200, again.text
            assert [t["id"] for t in again.json()["data"]] == expected
    finally:
        twin.stop()
    with stranger.client("lena") as lena:
        _assert_envelope(lena.get(link), 400, "bad_request")


@pytest.mark.parametrize("value", ["abc", "-5", "", "9" * 40, "1.5", "0x10", "4611686018427387905"])
def test_a_garbage_last_event_id_header_is_refused_like_the_query_parameter(
    backend: ServerHandle, value: str
) -> None:
    with backend.client("anna") as anna:
        with anna.stream("GET", "/api/v1/events", headers={"Last-Event-ID": value}) as header:
            if header.status_code != 200:  # an accepted stream would never end: leave it unread
                header.read()
        query = anna.get("/api/v1/events", params={"last_event_id": value})
    _assert_envelope(header, 422, "validation_error")
    assert header.json()["error"]["details"][0]["loc"] == ["header", "Last-Event-ID"]
    _assert_envelope(query, 422, "validation_error")


def test_a_weak_etag_in_if_match_never_matches(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        ticket = lena.get("/api/v1/tickets", params={"page[size]": 1}).json()["data"][0]
        url = f"/api/v1/tickets/{ticket['id']}"
        etag = lena.get(url).headers["ETag"]
        weak = lena.patch(url, json={"priority": ticket["priority"]}, headers={"If-Match": f"W/{etag}"})
        _assert_envelope(weak, 412, "precondition_failed")
        assert weak.json()["error"]["details"]["current"]["id"] == ticket["id"]
        strong = lena.patch(url, json={"priority": ticket["priority"]}, headers={"If-Match": etag})
    assert strong.status_code == 200, strong.text


def test_numbers_too_big_for_the_database_are_refused_in_our_own_words(backend: ServerHandle) -> None:
    huge = 2**63 + 5
    with backend.client("lena") as lena:
        ticket = lena.get("/api/v1/tickets", params={"page[size]": 1}).json()["data"][0]
        url = f"/api/v1/tickets/{ticket['id']}"
        etag = lena.get(url).headers["ETag"]
        answers = {
            "seen_up_to": lena.post(
                f"{url}/messages", json={"kind": "note", "body": "x", "seen_up_to": huge}
            ),
            "assignee_id": lena.patch(url, json={"assignee_id": huge}, headers={"If-Match": etag}),
            "message_ids": lena.post(
                f"{url}/escalations",
                json={
                    "component": "login",
                    "severity": "minor",
                    "summary": "Too big a number",
                    "steps": "s",
                    "expected": "e",
                    "actual": "a",
                    "message_ids": [huge],
                },
            ),
            "message_id": lena.post(f"{url}/audit", json={"kind": "reveal", "message_id": huge}),
        }
    for field, response in answers.items():
        _assert_envelope(response, 422, "validation_error")
        assert field in json.dumps(response.json()["error"]["details"]), (field, response.text)
