"""Small helpers for the backend tests (a unique module name: test dirs are not packages)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any

import httpx
import psycopg

DEMO_QUEUES = ("access", "hacked", "deletion", "payments", "bugs-music", "bugs-messages", "bugs-video")



def query_database(server: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one read-only statement, straight from the server's database (either engine)."""
    if server.engine == "postgresql":
        with psycopg.connect(str(server.db_path)) as conn:
            return conn.execute(sql).fetchall()
    with closing(sqlite3.connect(server.db_path)) as db:
        return db.execute(sql).fetchall()


def all_pages(client: httpx.Client, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Follow `links.next` to the end and return every item."""
    items: list[dict[str, Any]] = []
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        link = body["links"]["next"]
        assert body["meta"]["has_more"] == (link is not None)
        if link is None:
            return items
        response = client.get(link)


def new_ticket_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Can't log in after changing my phone",
        "category": "password",
        "language": "en",
        "priority": "normal",
        "tags": ["password"],
        "requester": {"account_id": "id10000001", "name": "Test Person", "language": "en"},
        "body": "Hello, the SMS code goes to my old number.",
    }
    body.update(overrides)
    return body


def intake_creates(
    server: Any, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """`POST /tickets` as the intake channel, then the new ticket as the lead sees it.

    Intake's own answer is only a receipt (`ticket_id`, `message_id`); tests that need the
    ticket read it back with a token that may.
    """
    with server.client("intake") as intake:
        created = intake.post("/api/v1/tickets", json=body or new_ticket_body(), headers=headers)
    assert created.status_code == 201, created.text
    with server.client("lena") as lena:
        ticket: dict[str, Any] = lena.get(f"/api/v1/tickets/{created.json()['ticket_id']}").json()
    return ticket


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    code: str = body["error"]["code"]
    return code


class EventStream:
    """A Server-Sent Events reader over a real HTTP stream (`with EventStream(...) as s: s.next()`)."""

    def __init__(
        self, url: str, token: str, last_event_id: int | None = None, query_id: bool = False
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        params: dict[str, Any] = {}
        if last_event_id is not None:
            if query_id:
                params["last_event_id"] = last_event_id
            else:
                headers["Last-Event-ID"] = str(last_event_id)
        self._client = httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(15.0))
        self._params = params
        self.comments: list[str] = []

    def __enter__(self) -> EventStream:
        self._context = self._client.stream("GET", "/api/v1/events", params=self._params)
        self.response = self._context.__enter__()
        self._lines = self.response.iter_lines()
        if self.response.status_code == 200:
            # The server subscribes before this first comment: later changes can't be missed.
            for line in self._lines:
                if line.startswith(": connected"):
                    break
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(None, None, None)
        self._client.close()

    def next(self) -> dict[str, Any]:
        """The next event as {"id", "event", "data"}; comments are collected, not returned."""
        fields: dict[str, Any] = {}
        for line in self._lines:
            if line == "":
                if fields:
                    return {
                        "id": int(fields["id"]),
                        "event": fields["event"],
                        "data": json.loads(fields["data"]),
                    }
                continue
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        raise EOFError("the event stream ended")

    def until(
        self, predicate: Callable[[dict[str, Any]], bool], limit: int = 500
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Read until an event matches; returns it and every event read before it."""
        seen: list[dict[str, Any]] = []
        for _ in range(limit):
            event = self.next()
            if predicate(event):
                return event, seen
            seen.append(event)
        raise AssertionError(f"no matching event in {limit}: {[e['event'] for e in seen]}")

    def next_comment(self, limit: int = 50) -> str:
        for line in self._lines:
            if line.startswith(":") and line[1:].strip() != "connected":
                return line[1:].strip()
            limit -= 1
            if limit <= 0:
                break
        raise AssertionError("no comment arrived")
