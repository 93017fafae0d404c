"""A reply is never lost and never sent twice: lost responses, dead servers, app restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import (
    QUICK_RECONNECT,
    count_outbox_checks,
    create_customer_ticket,
    make_app,
    server_messages,
    wait_for_another_outbox_check,
)

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.domain.drafts import DraftKind, DraftStore
from supportdesk_tui.domain.outbox import Outbox
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.sending import Queued, Sender
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until


class LoseFirstResponse(httpx.AsyncBaseTransport):
    """Forwards to the real server, then drops the first POST's answer: committed, but unseen."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        if request.method == "POST" and not self.dropped:
            await response.aread()
            self.dropped += 1
            raise httpx.ReadTimeout("answer lost on the way back", request=request)
        return response

    async def aclose(self) -> None:
        await self.real.aclose()


def replies(server: Any, ticket_id: int) -> list[str]:
    return [m["body"] for m in server_messages(server, ticket_id) if m["kind"] == "reply"]


async def test_reply_whose_answer_was_lost_after_commit_lands_exactly_once(
        server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    ticket = create_customer_ticket(server)
    transport = LoseFirstResponse()
    async with SupportDeskClient(server.url, server.token("anna"), transport=transport,
                                 retry_base_delay=0.01) as api:
        sender = Sender(api, Outbox(tmp_path / "outbox.json"), DraftStore(tmp_path / "drafts"),
                        lambda: datetime.now(UTC))
        result = await sender.send(ticket["id"], DraftKind.REPLY, "Once only", status_after=None,
                                   seen_up_to=None)
    assert transport.dropped == 1
    assert not isinstance(result, Queued)
    assert replies(server, ticket["id"]) == ["Once only"]
    assert len(sender.outbox) == 0


@pytest.mark.runs_long
async def test_reply_written_while_the_server_is_dead_survives_an_app_restart_and_lands_once(
        server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    ticket = create_customer_ticket(server)
    first = make_app(server, "anna", tmp_path, reconnect_backoff=QUICK_RECONNECT)
    async with first.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(first.screen, QueueScreen)
                         and first.screen.query_one(TicketTable), what="the queue")
        first.screen.open_ticket(ticket["id"])  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(first.screen, ConversationScreen)
                         and first.screen.ticket is not None, what="the conversation")
        server.kill()  # the backend crashes
        await pilot.press("r")
        for char in "We are on it":
            await pilot.press("space" if char == " " else char)
        await pilot.press("ctrl+s")
        # Queued in the outbox (which now holds the text), the composer is free again.
        await wait_until(pilot, lambda: first.session.sender.waiting == 1
                         and first.screen.query_one(Composer).text == "", what="the reply queued")
    # The app is closed, the backend comes back, the agent starts the app again.
    server.restart()
    second = make_app(server, "anna", tmp_path)
    outbox_checks = count_outbox_checks(second)
    async with second.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: second._session is not None
                         and second.session.sender.waiting == 0, timeout=20, what="the outbox flushed")
        await wait_for_another_outbox_check(pilot, outbox_checks)  # nothing may go out twice
    assert replies(server, ticket["id"]) == ["We are on it"]


@pytest.mark.runs_long
def test_draft_survives_kill_dash_nine_of_the_app(server_factory: Any, tmp_path: Path) -> None:
    """The real CLI in a pty: type a reply, SIGKILL the process, the draft is on disk for the restart."""
    import os
    import pty
    import select
    import signal
    import sys
    import time

    server = server_factory()
    ticket = create_customer_ticket(server)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(SUPPORTDESK_HOME=str(tmp_path), SUPPORTDESK_TOKEN=server.token("anna"), TERM="xterm-256color")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "supportdesk_tui", "--server", server.url], env)

    def pump(seconds: float) -> bytes:
        seen = b""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.05)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        return seen

    try:
        shown = b""
        # The live queue (its header's sort arrow): rows painted while the app loads take no keys.
        for _ in range(60):
            shown += pump(0.5)
            if b"Anna Petrova" in shown.partition("▲".encode())[2]:
                break
        for keys in (b"/", f"#{ticket['id']}".encode(), b"\r"):
            os.write(fd, keys)
            pump(0.6)
        pump(1.5)
        os.write(fd, b"r")
        pump(0.5)
        os.write(fd, b"draft before the crash")
        pump(2.0)  # past the composer's save throttle
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    drafts = list((tmp_path / "data").rglob(f"drafts/*{ticket['id']}*"))
    assert drafts, "no draft file was written before the kill"
    store = DraftStore(drafts[0].parent)
    restored = store.load(ticket["id"])
    assert restored is not None and restored.body == "draft before the crash"
