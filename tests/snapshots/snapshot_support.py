"""Pieces the screen snapshots share: a deterministic real app and the demo data's landmarks.

Everything that could differ between runs is pinned here or in conftest.py: the clock, the time
zone, the address shown in the app bar (the real server listens on a random port), cursor blink.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import ServerHandle, _new_server
from supportdesk_tui import session as session_module
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.settings import AppSettings

# The demo data is seeded relative to this instant; a few minutes later is "now" in every snapshot.
DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SNAPSHOT_NOW = DEMO_NOW + timedelta(minutes=5)
# What the app bar shows; the requests go to the real server's random port instead.
SHOWN_SERVER_URL = "http://127.0.0.1:8080"
UNREACHABLE_URL = "http://127.0.0.1:9"
AGENT = "anna"
WIDE = (160, 48)
NARROW = (120, 36)


def fixed_clock() -> datetime:
    return SNAPSHOT_NOW


@contextmanager
def utc_local_time() -> Iterator[None]:
    """Absolute times are shown in local time: make local time UTC, then put it back."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def route_client_to(monkeypatch: pytest.MonkeyPatch, real_url: str) -> None:
    """The session's API client talks to `real_url` whatever address the settings show."""

    def build(base_url: str, token: str | None, **options: Any) -> SupportDeskClient:
        return SupportDeskClient(real_url, token, **options)

    monkeypatch.setattr(session_module, "SupportDeskClient", build)


def snapshot_app(server_url: str, token: str | None, data_dir: Path) -> SupportDeskApp:
    """The real app, with no live stream (presence/counter noise) and a clock that never moves."""
    settings = AppSettings(
        server_url=server_url,
        token=token,
        data_dir=data_dir,
        language="en",
        live_updates=False,
        clock=fixed_clock,
    )
    return SupportDeskApp(settings)


class FreshServer:
    """A demo server, replaced by a new one (new database, clock anchored again) once older than `max_age`."""

    def __init__(self, factory: pytest.TempPathFactory, name: str, max_age: float,
                 ready: Callable[[ServerHandle], None] = lambda handle: None) -> None:
        self._factory, self._name, self._max_age, self._ready = factory, name, max_age, ready
        self._handle: ServerHandle | None = None
        self._started = 0.0

    def get(self) -> ServerHandle:
        if self._handle is not None and time.monotonic() - self._started > self._max_age:
            self.stop()
        if self._handle is None:
            self._started = time.monotonic()
            self._handle = _new_server(self._factory.mktemp(self._name))
            self._ready(self._handle)
        return self._handle

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.stop()
            self._handle = None


def first_ticket_with_reply_and_note(server: Any, agent_queues: list[str]) -> int:
    """Lowest ticket id in the agent's queues whose thread has a customer message, a reply and a note."""
    with server.client("lena") as http:
        ids: list[int] = []
        for queue in agent_queues:
            page = http.get("/api/v1/tickets", params={"queue": queue, "page[size]": "200"})
            page.raise_for_status()
            ids += [ticket["id"] for ticket in page.json()["data"]]
        for ticket_id in sorted(ids):
            response = http.get(f"/api/v1/tickets/{ticket_id}/messages", params={"page[size]": "200"})
            response.raise_for_status()
            kinds = {message["kind"] for message in response.json()["data"]}
            if {"customer", "reply", "note"} <= kinds:
                return ticket_id
    raise AssertionError("the demo data has no ticket with a customer message, a reply and a note")


# Scenes whose picture moves with the server's age and with other agents' presence (the lead's
# dashboard counts who is online and shows the server's first history minute): they get a
# server of their own; every other scene only reads the shared one.
OWN_SERVER_SCENES = frozenset({"dashboard", "wallboard"})


def demo_server_for(request: pytest.FixtureRequest) -> ServerHandle:
    """For a test parametrized by `scene`: the snapshot session's demo server (`_snapshot_demo`,
    replaced once older than its max age), or a fresh one (`server_factory`) for OWN_SERVER_SCENES."""
    callspec = getattr(request.node, "callspec", None)
    scene = callspec.params.get("scene") if callspec is not None else None
    if scene in OWN_SERVER_SCENES:
        start: Callable[[], ServerHandle] = request.getfixturevalue("server_factory")
        return start()
    shared: FreshServer = request.getfixturevalue("_snapshot_demo")
    return shared.get()
