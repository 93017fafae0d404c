"""Notifications (issue 18) against the real server's event stream: a ticket assigned to me by a
lead and a customer's answer on it each give one toast (and, with the app not focused, one desktop
notification) — once, even when the stream reconnects and the server replays those events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import QUICK_RECONNECT, create_customer_ticket, make_app, queue_online
from textual import events

from supportdesk_tui.domain.notifications import NoticeKind
from waiting import wait_until

HOSTILE_SUBJECT = "Взлом\x1b]9;pwned\x07\x1b\\ \x9d777;notify;x;y\x9c"


def assign(server: Any, ticket_id: int, to_login: str) -> None:
    with server.client(to_login) as agent:
        agent_id = agent.get("/api/v1/me").json()["id"]
    with server.client("lena") as lena:
        version = lena.get(f"/api/v1/tickets/{ticket_id}").json()["version"]
        lena.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": agent_id},
                   headers={"If-Match": f'"{version}"'}).raise_for_status()


def customer_writes(server: Any, ticket_id: int, body: str) -> None:
    with server.client("intake") as intake:
        intake.post(f"/api/v1/tickets/{ticket_id}/messages",
                    json={"kind": "customer", "body": body}).raise_for_status()


def toasts(app: Any, title: str) -> list[Any]:
    return [n for n in app._notifications if n.title == title]


async def test_agent_is_notified_once_per_event_even_across_a_stream_reconnect(
        server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    app = make_app(server, "anna", tmp_path, reconnect_backoff=QUICK_RECONNECT)
    async with app.run_test(size=(160, 48)) as pilot:
        status = await queue_online(pilot, app)
        center = app.notifications
        assert center is not None
        sent_to_terminal: list[str] = []
        center.write_terminal = sent_to_terminal.append
        app.post_message(events.AppBlur())  # the agent is in another window
        await wait_until(pilot, lambda: not app.app_focus, what="the app unfocused")

        ticket = create_customer_ticket(server, subject=HOSTILE_SUBJECT)
        ticket_id = ticket["id"]
        stream = app.session.stream
        assert stream is not None
        before = stream.last_event_id
        assign(server, ticket_id, "anna")
        await wait_until(pilot, lambda: toasts(app, "Assigned to you"), what="the assignment toast")
        customer_writes(server, ticket_id, "Отправил фото, как вы просили")
        await wait_until(pilot, lambda: toasts(app, "The customer answered"), what="the answer toast")
        (assigned,) = toasts(app, "Assigned to you")
        assert f"#{ticket_id}" in assigned.message and "Elena Smirnova" in assigned.message
        assert "\x1b" not in assigned.message and "\x07" not in assigned.message
        assert len(sent_to_terminal) == 2
        for sequence in sent_to_terminal:
            assert sequence.startswith("\x1b]9;") and sequence.endswith("\x07")
            payload = sequence[4:-1]
            assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in payload)
            assert ";" not in payload
        seen_up_to = stream.last_event_id
        assert seen_up_to is not None and before is not None

        # The stream drops and resumes from before the assignment: the server sends both events again.
        server.kill()
        await wait_until(pilot, lambda: "Offline" in status.render().plain, what="the offline line")
        stream.last_event_id = before
        server.restart()
        await wait_until(pilot, lambda: "Online" in status.render().plain, timeout=40, what="reconnected")
        await wait_until(pilot, lambda: (stream.last_event_id or 0) >= seen_up_to, what="the replay")
        await pilot.pause()
        mine = [n for n in center.delivered if n.ticket_id == ticket_id]
        assert [n.kind for n in mine] == [NoticeKind.ASSIGNED, NoticeKind.CUSTOMER_REPLIED]
        assert len(sent_to_terminal) == 2
