"""The server writes one line per request, with a request id the response echoes.

Against the real server the fixtures start (its standard error is their log file): a caller's
own id is kept when it is plain, cut down when it is hostile (control bytes, a forged
`key=value`, JSON breakers, too long), and made up when missing.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from conftest import ServerFactory, ServerHandle
from supportdesk_tui.server.request_log import MAX_REQUEST_ID, loggable_path, request_id_from
from waiting import poll_until

HOSTILE_ID = b'evil\x1b[2J\x07 request_id=forged "}{\\' + b"A" * 300


def _log(server: ServerHandle) -> str:
    return server.log_path.read_text(encoding="utf-8", errors="replace")


def _lines_naming(server: ServerHandle, request_id: str) -> list[str]:
    found: list[str] = []

    def logged() -> bool:
        found[:] = [line for line in _log(server).splitlines() if request_id in line]
        return bool(found)

    assert poll_until(logged), f"no log line with {request_id!r}:\n{_log(server)[-2000:]}"
    return found


def _raw_get(server: ServerHandle, path: str, request_id: bytes, token: str) -> tuple[int, dict[str, str]]:
    """A GET written byte by byte: an HTTP client library would refuse to send these headers."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(
            b"GET " + path.encode() + b" HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"X-Request-Id: " + request_id + b"\r\n\r\n"
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
    return int(head[0].split()[1]), headers


def test_a_hostile_request_id_is_cut_down_in_the_answer_and_the_log_line(live_server: ServerHandle) -> None:
    status, headers = _raw_get(live_server, "/api/v1/me", HOSTILE_ID, live_server.token("anna"))

    assert status == 200
    echoed = headers["x-request-id"]
    assert echoed.startswith("evil2Jrequest_idforgedAAA") and len(echoed) == MAX_REQUEST_ID
    lines = _lines_naming(live_server, echoed)
    assert len(lines) == 1, lines
    line = lines[0]
    assert " GET /api/v1/me 200 " in line
    assert line.endswith(f"request_id={echoed} agent={_agent_id(live_server)}")
    assert "\x1b" not in line and "\x07" not in line and "forged" not in line.replace(echoed, "")


def test_a_request_without_an_id_gets_a_new_one_and_its_path_is_logged_without_the_query(
    live_server: ServerHandle,
) -> None:
    with live_server.client("anna") as http:
        answer = http.get("/api/v1/articles", params={"q": "the customer's own words"})
        refused = http.get("/api/v1/no%0aSuch%1b[2J")

    request_id = answer.headers["X-Request-Id"]
    assert len(request_id) == 32 and request_id != refused.headers["X-Request-Id"]
    (line,) = _lines_naming(live_server, request_id)
    assert " GET /api/v1/articles 200 " in line and "customer" not in line
    (refused_line,) = _lines_naming(live_server, refused.headers["X-Request-Id"])
    assert " GET /api/v1/no%0aSuch%1b[2J 404 " in refused_line


def test_a_plain_request_id_from_the_caller_is_kept(live_server: ServerHandle) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        answer = http.get("/api/v1/health", headers={"X-Request-Id": "proxy-7f3a.2:1"})

    assert answer.headers["X-Request-Id"] == "proxy-7f3a.2:1"
    (line,) = _lines_naming(live_server, "proxy-7f3a.2:1")
    assert " GET /api/v1/health 200 " in line and " agent=" not in line


def test_log_format_json_writes_each_request_as_one_json_object(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False, log_format="json", tokens=("anna",))
    status, headers = _raw_get(server, "/api/v1/queues", HOSTILE_ID, server.token("anna"))
    echoed = headers["x-request-id"]

    (line,) = _lines_naming(server, echoed)
    entry = json.loads(line)
    assert status == 200
    assert entry["logger"] == "supportdesk.requests" and entry["level"] == "info"
    assert entry["request_id"] == echoed and entry["method"] == "GET" and entry["path"] == "/api/v1/queues"
    assert entry["status"] == 200 and entry["duration_ms"] >= 0 and isinstance(entry["agent_id"], int)
    every_line = [json.loads(text) for text in _log(server).splitlines() if text.strip()]
    assert all("time" in each and "message" in each for each in every_line)


def test_request_ids_and_paths_are_made_safe_to_log() -> None:
    assert request_id_from("ab c\n=d") == "abcd"
    assert len(request_id_from(None)) == 32 and request_id_from("\x1b\x00") != ""
    assert loggable_path({"raw_path": b"/a b\x7f", "path": "/ignored"}) == "/a\\x20b\\x7f"
    assert loggable_path({"path": "/x\ny"}) == "/x\\x0ay"
    assert loggable_path({"raw_path": b"/" + b"a" * 500}).endswith("…")


def _agent_id(server: ServerHandle) -> int:
    with server.client("anna") as http:
        agent_id: int = http.get("/api/v1/me").json()["id"]
    return agent_id


def test_the_asgi_factory_refuses_a_log_format_it_does_not_know_naming_the_variable() -> None:
    from supportdesk_tui.server.asgi import app_from_env

    with pytest.raises(ValueError, match="SUPPORTDESK_LOG_FORMAT='xml'"):
        app_from_env({"SUPPORTDESK_LOG_FORMAT": "xml"})
