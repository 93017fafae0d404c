"""What every screen snapshot shares: local time in UTC, steady cursors, an empty personal canned
library, and one demo server for the whole session, routed to behind the address the app bar shows.

The pictures read the server but never change what another picture shows: agents see presence
only of others, and no snapshot sends, escalates or edits a ticket. What does move is the demo
clock, which runs on from DEMO_NOW: the first open ticket crosses an SLA threshold five minutes
in, and the sidebar counts would change. So a server older than SERVER_MAX_AGE is replaced by a
fresh one, and a picture never sees one older than that plus its own run. The dashboard's
pictures, which show the server's first history minute, keep a server of their own that way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from conftest import ServerHandle
from snapshots.snapshot_support import (
    AGENT,
    SHOWN_SERVER_URL,
    FreshServer,
    first_ticket_with_reply_and_note,
    route_client_to,
    snapshot_app,
    utc_local_time,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.paths import HOME_ENV

SERVER_MAX_AGE = 120.0


@pytest.fixture(autouse=True)
def _local_time_is_utc() -> Iterator[None]:
    with utc_local_time():
        yield


@pytest.fixture(autouse=True)
def _steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every editor is made with blinking off: a caret that blinks is in the picture or not by luck.

    From the start, not just before the picture: `TextArea` caches a line drawn during a blink's
    "off" phase under the same key as the steady caret (textual 8.2.8), so switching blinking off
    late can leave the caret missing.
    """
    for editor in (TextArea, Input):
        make = editor.__init__

        def steady(self: Any, *args: Any, _make: Any = make, **kwargs: Any) -> None:
            _make(self, *args, **kwargs)
            self.set_reactive(type(self).cursor_blink, False)

        monkeypatch.setattr(editor, "__init__", steady)


@pytest.fixture(autouse=True)
def _no_personal_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The machine's own canned replies stay out of the pictures."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))


@pytest.fixture(scope="session")
def _snapshot_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshServer]:
    servers = FreshServer(tmp_path_factory, "snapshot-demo", SERVER_MAX_AGE)
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture
def server(_snapshot_demo: FreshServer, monkeypatch: pytest.MonkeyPatch) -> ServerHandle:
    """The session's demo server (a fresh one if its clock has run too far)."""
    handle = _snapshot_demo.get()
    route_client_to(monkeypatch, handle.url)
    return handle


@pytest.fixture
def app(server: ServerHandle, tmp_path: Path) -> SupportDeskApp:
    """The real app as `anna`, with her own empty drafts and outbox."""
    return snapshot_app(SHOWN_SERVER_URL, server.token(AGENT), tmp_path / "data")


@pytest.fixture
def ticket_id(server: ServerHandle) -> int:
    """A ticket of anna's queues with a customer message, a reply and a note."""
    with server.client(AGENT) as http:
        queues: list[str] = http.get("/api/v1/me").json()["queues"]
    return first_ticket_with_reply_and_note(server, queues)
