"""Starting up against wrong addresses or tokens, and driving actions from the command palette."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, server_ticket
from textual.widgets import Static

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until


def connect_text(app: SupportDeskApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConnectScreen)
    return " ".join(str(w.render()) for w in screen.query(Static))


async def test_refused_connection_says_what_to_do_and_retry_recovers(
        workday_server: Any, tmp_path: Path) -> None:
    app = SupportDeskApp(AppSettings(server_url="http://127.0.0.1:9", token="x", data_dir=tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                         what="the connect error")
        text = connect_text(app)
        assert "Server unreachable" in text
        assert "press r to try again" in text
        # The agent fixes nothing but the server comes back: point at the live one and retry.
        app.settings = AppSettings(server_url=workday_server.url, token=workday_server.token("anna"),
                                   data_dir=tmp_path)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue after retry")


async def test_bad_token_says_how_to_sign_in_without_showing_the_token(workday_server: Any,
                                                                        tmp_path: Path) -> None:
    secret = "sdt_not_a_real_token_123456"
    app = SupportDeskApp(AppSettings(server_url=workday_server.url, token=secret, data_dir=tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                         what="the auth error")
        text = connect_text(app)
        assert "Not signed in" in text and "supportdesk login" in text
        assert secret not in text


async def test_a_russian_agent_reads_why_the_sign_in_failed_in_russian(workday_server: Any,
                                                                       tmp_path: Path) -> None:
    secret = "sdt_not_a_real_token_654321"
    app = SupportDeskApp(AppSettings(server_url=workday_server.url, token=secret, data_dir=tmp_path,
                                     language="ru"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                         what="the auth error")
        text = connect_text(app)
        assert "Вход не выполнен" in text and "Сервер не принял токен" in text
        assert "Not signed in" not in text and secret not in text


async def test_a_url_that_is_not_a_supportdesk_server_is_explained(
        tmp_path: Path, workday_server: Any) -> None:
    app = SupportDeskApp(AppSettings(server_url=workday_server.url + "/api/v1/health", token="x",
                                     data_dir=tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                         what="the error")
        assert "Check the URL" in connect_text(app) or "not found" in connect_text(app).lower()


def test_cli_without_a_server_prints_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env["SUPPORTDESK_HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "supportdesk_tui"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "no server configured" in result.stderr
    assert "Traceback" not in result.stderr


async def test_agent_takes_a_ticket_from_the_command_palette(workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable), what="the queue")
        await pilot.press("ctrl+p")
        for char in f"#{created['id']}":
            await pilot.press(char)
        await settle(pilot)  # the palette's search has its hits
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None, what="the ticket from the palette")
        await pilot.press("ctrl+p")
        for char in "ticket: take":
            await pilot.press("space" if char == " " else char)
        await settle(pilot)  # the palette's search has its hits
        await pilot.press("enter")
        await wait_until(pilot, lambda: (server_ticket(workday_server, created["id"])["assignee"] or {})
                         .get("login") == "anna", what="assignment through the palette")
