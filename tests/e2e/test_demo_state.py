"""`supportdesk demo` keeps its world between runs, as a real deployment does: the tickets, and the
agent's half-written reply; `supportdesk demo --fresh` starts over from the seed. Once with what
the command sets up and the app under Pilot, once with the real command in a terminal."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import create_customer_ticket, wait_until
from pty_terminal import clean_env, terminal
from textual.pilot import Pilot

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.cli import build_parser
from supportdesk_tui.demo import demo_folder, demo_session
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.server.token_admin import create_token
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.composer import Composer


@dataclass
class DemoBackend:
    """The running demo's backend, as the e2e helpers talk to a server."""

    url: str
    database: Path

    def client(self, login: str) -> httpx.Client:
        token = create_token(self.database, login, None, None)
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@contextmanager
def demo(*options: str) -> Iterator[tuple[AppSettings, DemoBackend]]:
    """What `supportdesk demo …` sets up before it opens the app (no live traffic, for a calm test)."""
    database = demo_folder() / "server.sqlite3"  # (inside, the app's own home is in the environment)
    with demo_session(build_parser().parse_args(["demo", "--simulate", "0", *options])) as settings:
        yield settings, DemoBackend(settings.server_url, database)


async def open_ticket(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> Composer:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None, what="the conversation")
    return app.screen.query_one(Composer)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SUPPORTDESK_TOKEN", "SUPPORTDESK_SERVER", "SUPPORTDESK_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.runs_long(seconds=15)
async def test_the_demo_keeps_tickets_and_my_draft_between_runs_until_i_ask_for_a_fresh_one(
        home: Path) -> None:
    folder = home / "data" / "demo"
    assert demo_folder() == folder
    with demo() as (settings, backend):
        ticket_id = create_customer_ticket(backend)["id"]
        app = SupportDeskApp(settings)
        async with app.run_test(size=(160, 48)) as pilot:
            composer = await open_ticket(pilot, app, ticket_id)
            await pilot.press("r", *"half", "space", *"written")
            await wait_until(pilot, lambda: getattr(app.session.drafts.load(ticket_id), "body", None)
                             == "half written", what="the draft saved as it is typed")
        first_address = settings.server_url
    assert (folder / "server.sqlite3").is_file()

    with demo() as (settings, backend):
        assert settings.server_url == first_address  # drafts are kept per server address
        app = SupportDeskApp(settings)
        async with app.run_test(size=(160, 48)) as pilot:
            composer = await open_ticket(pilot, app, ticket_id)
            assert composer.text == "half written"

    with demo("--fresh") as (settings, backend):
        with backend.client("lena") as lena:
            assert lena.get(f"/api/v1/tickets/{ticket_id}").status_code == 404
        assert not list((folder / "app").rglob("drafts/*"))


def test_after_quitting_the_demo_its_world_is_still_there_for_the_next_run(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    with terminal(["demo", "--simulate", "0"], env) as term:
        term.wait_for("Help", timeout=90)  # the app is up
        os.write(term.master, b"\x11")  # ctrl+q
        assert term.read_to_exit() == 0
    assert (tmp_path / "data" / "demo" / "server.sqlite3").is_file()

    with terminal(["demo", "--simulate", "0"], env) as term:
        term.wait_for("Help", timeout=90)
        assert b"on the state of the last demo" in term.output
        os.write(term.master, b"\x11")
        assert term.read_to_exit() == 0
