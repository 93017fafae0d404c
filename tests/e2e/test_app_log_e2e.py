"""The app's log file tells what happened without the token or a word anyone wrote.

The real app, with the log the launcher opens (`--debug`: a line per request), against the real
backend: the agent searches for a hostile customer's ticket by its words, opens it, replies, and
runs into a ticket that does not exist; another start has a token the server refuses. The log
then names the requests, the 404 and the 401 with their request ids, and holds neither token,
nor the customer's subject, name or message, nor the reply, nor the search.
"""

from __future__ import annotations

import re
import stat
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app, server_messages

from keyboard import type_text
from supportdesk_tui import client_log
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import poll_until, settle, wait_until

pytestmark = pytest.mark.runs_long


def _notifications(app: Any) -> list[str]:
    return [str(note.message) for note in app._notifications]


def _rows(table: TicketTable) -> list[Any]:
    window = table.window
    assert window is not None
    return [window.get(i) for i in range(window.row_count_known) if window.get(i) is not None]


async def test_the_log_names_requests_and_failures_but_no_token_and_no_customer_or_agent_words(
    workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path / "home"))
    word = f"zq{uuid.uuid4().hex[:10]}"  # in every customer text, the search and the reply
    customer_texts = {
        "subject": f"Locked out {word} [bold]\x1b]0;pwned\x07",
        "name": f"Mallory {word}",
        "body": f"My password is hunter2-{word}\nBearer stolen-{word}\n\x1b[2J[@click=app.quit]x[/]",
    }
    ticket = create_customer_ticket(workday_server, subject=customer_texts["subject"], language="en",
                                    body=customer_texts["body"], requester_name=customer_texts["name"])
    reply = f"We reset it, the new code is 4711-{word}"
    token = workday_server.token("anna")
    refused_token = f"not-a-token-{uuid.uuid4().hex}"

    with client_log.client_log(debug=True, secrets=[token]) as log_path:
        assert log_path == tmp_path / "home" / "state" / "supportdesk.log"
        app = make_app(workday_server, "anna", tmp_path / "data")
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
            table = app.screen.query_one(TicketTable)
            await pilot.press("slash")
            await type_text(pilot, word)
            await pilot.press("enter")
            await wait_until(pilot, lambda: [row.id for row in _rows(table)] == [ticket["id"]],
                             what="the search finding the ticket")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                             and app.screen.thread.messages, what="the conversation")
            await pilot.press("r")
            await type_text(pilot, reply)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: any(m["body"] == reply for m in server_messages(
                workday_server, ticket["id"])), what="the reply on the server")

            await pilot.press("escape", "escape")
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="back in the queue")
            app.screen.open_ticket(987654321)
            await wait_until(pilot, lambda: any("987654321" in text for text in _notifications(app)),
                             what="the error about the missing ticket")
            error = next(text for text in _notifications(app) if "987654321" in text)
            assert error.endswith(f"Details are in the log: {log_path}")
            await settle(pilot)

        signed_in = make_app(workday_server, "anna", tmp_path / "data2").settings
        refused = SupportDeskApp(replace(signed_in, token=refused_token))
        async with refused.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: isinstance(refused.screen, ConnectScreen)
                             and refused.screen.failed, what="the sign-in error")
            hint = refused.screen.query_one("#connect-log").render()
            assert str(hint) == f"Details are in the log: {log_path}"

    log = log_path.read_text(encoding="utf-8")
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600
    # What happened is there, each request with the id the server's log names too.
    assert "SupportDesk" in log and "started" in log and "stopped" in log
    assert f"POST /api/v1/tickets/{ticket['id']}/messages answered 201" in log
    assert "GET /api/v1/tickets/987654321 answered 404 NotFoundError (not_found)" in log
    assert "GET /api/v1/me answered 401 AuthError (unauthorized)" in log
    assert "GET /api/v1/tickets answered 200" in log and "request id " in log
    # The server's log names the same request by the same id.
    missing = re.search(r"GET /api/v1/tickets/987654321 answered 404 .*, request id (\w+)", log)
    assert missing is not None
    server_line = "GET /api/v1/tickets/987654321 404 "
    assert poll_until(lambda: any(server_line in line and f"request_id={missing[1]}" in line for line in
                                  workday_server.log_path.read_text(encoding="utf-8").splitlines()))
    # What was written by people, and the tokens, are not.
    for secret in (token, refused_token, word, "hunter2", "4711", "Mallory", "Locked out", "pwned"):
        assert secret not in log, f"{secret!r} is in the log:\n{log}"
