"""An agent's day, driven with keys through the real app against the real reference backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app, server_messages, server_ticket

from keyboard import type_text
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until


def rows(table: TicketTable) -> list[Any]:
    window = table.window
    assert window is not None
    return [window.get(i) for i in range(window.row_count_known) if window.get(i) is not None]


@pytest.mark.runs_long
async def test_agent_filters_opens_takes_replies_notes_sets_pending_and_moves_on(
    workday_server: Any, tmp_path: Path
) -> None:
    created = create_customer_ticket(workday_server, subject="Не могу войти workday42")
    ticket_id = created["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await wait_until(pilot, lambda: rows(app.screen.query_one(TicketTable)), what="ticket rows")
        table = app.screen.query_one(TicketTable)

        # Filter the queue with the query language.
        await pilot.press("slash")
        await type_text(pilot, "lang:ru status:new workday42")
        await pilot.press("enter")
        await wait_until(pilot, lambda: [t.id for t in rows(table)] == [ticket_id], what="filtered list")

        # Open it.
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_until(
            pilot, lambda: screen.ticket is not None and screen.thread.messages, what="ticket loaded"
        )

        # Take it.
        await pilot.press("t")
        await wait_until(
            pilot,
            lambda: (server_ticket(workday_server, ticket_id)["assignee"] or {}).get("login") == "anna",
            what="assignment on the server",
        )

        # Reply.
        await pilot.press("r")
        await type_text(pilot, "Здравствуйте! Помогу восстановить доступ.")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: any(
                m["kind"] == "reply" and m["body"] == "Здравствуйте! Помогу восстановить доступ."
                for m in server_messages(workday_server, ticket_id)
            ),
            what="reply on the server",
        )
        assert screen.query_one(Composer).text == ""

        # Internal note: switch the composer to note mode with its key.
        await pilot.press("escape", "i")
        await type_text(pilot, "Checked last login place: matches.")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: any(
                m["kind"] == "note" and m["body"] == "Checked last login place: matches."
                for m in server_messages(workday_server, ticket_id)
            ),
            what="note on the server",
        )

        # A reply that sets the ticket pending.
        await pilot.press("escape", "r")
        await type_text(pilot, "Please confirm your phone number.")
        await pilot.press("ctrl+o")
        await wait_until(
            pilot,
            lambda: server_ticket(workday_server, ticket_id)["status"] == "pending",
            what="pending status on the server",
        )
        kinds = [m["kind"] for m in server_messages(workday_server, ticket_id)]
        assert kinds.count("reply") == 2 and kinds.count("note") == 1

        # Next ticket that needs me: back to the queue flow, a different unassigned ticket opens.
        await pilot.press("escape", "n")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, ConversationScreen)
                and app.screen.ticket_id != ticket_id
                and app.screen.ticket is not None
            ),
            what="the next ticket",
        )
        next_screen = app.screen
        assert isinstance(next_screen, ConversationScreen)
        assert next_screen.ticket is not None and next_screen.ticket.assignee is None
        assert next_screen.ticket.queue in app.me.queues


async def test_single_keys_never_fire_while_typing_in_the_composer(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable), what="the queue")
        app.screen.open_ticket(created["id"])  # type: ignore[attr-defined]
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ConversationScreen) and app.screen.ticket is not None,
            what="conversation",
        )
        await pilot.press("r")
        await type_text(pilot, "tsgpnq")
        await settle(pilot)  # whatever a key could have started has run
        assert app.screen.query_one(Composer).text == "tsgpnq"
        assert server_ticket(workday_server, created["id"])["assignee"] is None
        assert isinstance(app.screen, ConversationScreen)


async def open_ticket_in_new_app(pilot: Any, app: Any, ticket_id: int) -> Composer:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and app.screen.query_one(TicketTable), what="the queue")
    app.screen.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None, what="conversation")
    composer: Composer = app.screen.query_one(Composer)
    return composer


async def test_draft_is_back_after_the_app_restarts(workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server)
    first = make_app(workday_server, "anna", tmp_path)
    async with first.run_test(size=(160, 48)) as pilot:
        await open_ticket_in_new_app(pilot, first, created["id"])
        await pilot.press("r")
        await type_text(pilot, "half written reply")
        await wait_until(pilot, lambda: (draft := first.session.drafts.load(created["id"])) is not None
                         and draft.body == "half written reply", what="the draft saved")
    second = make_app(workday_server, "anna", tmp_path)
    async with second.run_test(size=(160, 48)) as pilot:
        composer = await open_ticket_in_new_app(pilot, second, created["id"])
        assert composer.text == "half written reply"
        # Where the agent left off: what they type next goes on at the end of the draft.
        await pilot.press("r")
        await type_text(pilot, ", and finished")
        assert composer.text == "half written reply, and finished"
    assert not [m for m in server_messages(workday_server, created["id"]) if m["kind"] != "customer"]


async def test_send_stops_when_the_customer_wrote_meanwhile_and_keeps_my_text(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_ticket_in_new_app(pilot, app, created["id"])
        await pilot.press("r")
        await type_text(pilot, "Reset link sent")
        with workday_server.client("intake") as http:
            http.post(f"/api/v1/tickets/{created['id']}/messages",
                      json={"kind": "customer", "body": "Actually I got in, thanks!"},
                      headers={"Idempotency-Key": f"late-{created['id']}"}).raise_for_status()
        await pilot.press("ctrl+s")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_until(pilot, lambda: any(m.body == "Actually I got in, thanks!"
                                            for m in screen.thread.messages), what="the new message shown")
        assert screen.query_one(Composer).text == "Reset link sent"
        assert not [m for m in server_messages(workday_server, created["id"]) if m["kind"] == "reply"]
        # Having read it, the agent sends on purpose: now it goes through, once.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: [m["body"] for m in server_messages(workday_server, created["id"])
                                         if m["kind"] == "reply"] == ["Reset link sent"], what="the reply")


async def test_conflicting_field_change_shows_what_changed_and_reapplies(
        workday_server: Any, tmp_path: Path) -> None:
    from supportdesk_tui.screens.pickers import ChoiceModal, ConfirmModal

    created = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_ticket_in_new_app(pilot, app, created["id"])
        # Meanwhile the lead changes the status behind the agent's back.
        with workday_server.client("lena") as http:
            current = http.get(f"/api/v1/tickets/{created['id']}").json()
            http.patch(f"/api/v1/tickets/{created['id']}", json={"status": "open", "tags": ["vip"]},
                       headers={"If-Match": f'"{current["version"]}"'}).raise_for_status()
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the priority picker")
        await pilot.press("home", "enter")  # first choice: low
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the conflict dialog")
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "tags" in shown and "vip" in shown
        await pilot.press("y")
        await wait_until(pilot, lambda: server_ticket(workday_server, created["id"])["priority"] == "low",
                         what="the re-applied priority")
        final = server_ticket(workday_server, created["id"])
        assert final["tags"] == ["vip"] and final["status"] == "open"  # nothing overwritten


async def test_agent_sees_a_colleague_composing_on_the_same_ticket_live(
        workday_server: Any, tmp_path: Path) -> None:
    from supportdesk_tui.widgets.ticket_header import TicketHeader

    created = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_ticket_in_new_app(pilot, app, created["id"])
        with workday_server.client("dmitry") as http:
            http.put(f"/api/v1/tickets/{created['id']}/presence", json={"state": "composing"}
                     ).raise_for_status()
        header = app.screen.query_one(TicketHeader)
        await wait_until(pilot, lambda: "Dmitry Sokolov is writing a reply" in header.render().plain,
                         what="the colleague's presence")
        # And the server knows I am viewing it.
        viewers = {p["agent"]["login"]: p["state"]
                   for p in server_ticket(workday_server, created["id"])["presence"]}
        assert viewers.get("anna") == "viewing"
