"""Escalating a ticket to engineering with one key, and the state coming back live."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import make_app, server_messages, server_ticket
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from keyboard import type_text
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import Component, Message
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.escalate import EscalationForm
from supportdesk_tui.screens.escalations import EscalationsScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_header import TicketHeader
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until

SIZE = (160, 48)
ENVIRONMENT = {"platform": "Android 14", "app_version": "8.41.0", "device": "Pixel 6"}


def bug_ticket(server: Any, *, language: str = "ru") -> dict[str, Any]:
    marker = uuid.uuid4().hex[:8]
    body = ("Музыка не играет, бесконечная загрузка. Перезвоните мне: +7 916 555-44-33, "
            "или пишите на olga.k@example.org")
    payload = {
        "subject": f"Не играет музыка {marker}",
        "category": "music",
        "language": language,
        "priority": "high",
        "requester": {"account_id": f"id{marker}", "name": "Ольга Кузнецова", "language": language,
                      "email": "olga.k@example.org", "phone": "+7 916 555-44-33"},
        "body": body,
        "environment": ENVIRONMENT,
    }
    with server.client("intake") as http:
        response = http.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": marker})
        response.raise_for_status()
    return server_ticket(server, response.json()["ticket_id"])


def escalations_of(server: Any, ticket_id: int) -> list[dict[str, Any]]:
    with server.client("lena") as http:
        response = http.get("/api/v1/escalations")
        response.raise_for_status()
        return [e for e in response.json()["data"] if e["ticket_id"] == ticket_id]


def move_escalation(server: Any, key: str, status: str) -> None:
    with server.client("lena") as http:
        http.patch(f"/api/v1/escalations/{key}", json={"status": status}).raise_for_status()


async def open_ticket(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    screen.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None and app.screen.thread.messages,
                     what=f"conversation #{ticket_id}")
    conversation = app.screen
    assert isinstance(conversation, ConversationScreen)
    return conversation


async def open_form(pilot: Pilot[Any], app: SupportDeskApp) -> EscalationForm:
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, EscalationForm), what="the escalation form")
    form = app.screen
    assert isinstance(form, EscalationForm)
    return form


def header_text(conversation: ConversationScreen) -> str:
    return str(conversation.query_one(TicketHeader).render())


@pytest.mark.runs_long
async def test_agent_escalates_a_ticket_and_sees_it_fixed_live(workday_server: Any, tmp_path: Path) -> None:
    ticket = bug_ticket(workday_server)
    ticket_id = ticket["id"]
    app = make_app(workday_server, "boris", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        conversation = await open_ticket(pilot, app, ticket_id)
        form = await open_form(pilot, app)

        # Pre-filled from the ticket: component from its category, environment, subject, the report.
        draft = form.draft()
        assert draft.component == "music"
        assert draft.summary == ticket["subject"]
        assert (draft.platform, draft.app_version, draft.device) == ("Android 14", "8.41.0", "Pixel 6")
        assert draft.message_ids == (ticket["last_message_id"],)
        assert draft.steps.startswith("Шаги со слов клиента")
        preview = str(form.query_one("#message-preview").render())
        assert "бесконечная загрузка" in preview
        assert "555-44" not in preview and "olga.k@" not in preview and "•" in preview

        # The skeletons alone are not a bug report: errors next to each field, the steps get focus.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: form.field_error("steps"), what="the steps error")
        assert form.field_error("expected") and form.field_error("actual")
        assert not form.field_error("summary")
        assert isinstance(app.focused, TextArea) and app.focused.id == "steps"

        # Fill them from the keyboard: the caret waits on the first blank step.
        await type_text(pilot, "Открыть раздел Музыка")
        await pilot.press("down", "end")
        await type_text(pilot, "Нажать на любой трек")
        assert not form.field_error("steps")
        await pilot.press("tab")
        await type_text(pilot, "трек играет")
        await pilot.press("tab")
        await type_text(pilot, "бесконечная загрузка")

        # A double submit creates one issue: the second press is ignored, the key is the same anyway.
        await pilot.press("ctrl+s", "ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, EscalationForm), what="the form to close")
        await wait_until(pilot, lambda: conversation.ticket is not None and conversation.ticket.escalation,
                         what="the escalation in the header")
        created = escalations_of(workday_server, ticket_id)
        assert len(created) == 1
        key = created[0]["key"]
        assert created[0]["steps"].endswith("1. Открыть раздел Музыка\n2. Нажать на любой трек\n3.")
        assert created[0]["environment"] == ENVIRONMENT
        assert created[0]["message_ids"] == [ticket["last_message_id"]]
        on_server = server_ticket(workday_server, ticket_id)
        assert on_server["status"] == "on_hold"
        notes = server_messages(workday_server, ticket_id)
        assert any(m["kind"] == "note" and key in m["body"] for m in notes)
        await wait_until(pilot, lambda: any(key in m.body for m in conversation.thread.messages),
                         what="the note with the key in the thread")
        assert key in header_text(conversation) and "open" in header_text(conversation)

        # Engineering moves it; the open conversation follows without a reload.
        move_escalation(workday_server, key, "in_progress")
        await wait_until(pilot, lambda: "in progress" in header_text(conversation), what="in progress")
        move_escalation(workday_server, key, "fixed")
        await wait_until(pilot, lambda: conversation.ticket is not None and conversation.ticket.needs_reply,
                         what="the needs-reply flag")
        text = header_text(conversation)
        assert f"{key} ✓ fixed" in text and "the customer needs a reply" in text

        # The queue underneath shows the key and the fixed state too.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="back to the queue")
        table = app.screen.query_one(TicketTable)
        window = table.window
        assert window is not None
        index = window.index_of(ticket_id)
        if index is not None:
            shown = window.get(index)
            assert shown is not None and shown.escalation is not None
            assert shown.escalation.status == "fixed"


async def test_server_field_errors_land_next_to_the_field_and_leave_as_is_keeps_the_status(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket = bug_ticket(workday_server, language="en")
    ticket_id = ticket["id"]
    app = make_app(workday_server, "kate", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        conversation = await open_ticket(pilot, app, ticket_id)
        assert conversation.ticket is not None
        # A component list that went stale: the backend no longer knows "radio".
        components = [Component(id="radio", name="Radio"), *await app.api.components()]
        messages = [Message.model_validate(m) for m in server_messages(workday_server, ticket_id)]
        form = EscalationForm(app.api, conversation.ticket, components, messages)
        app.push_screen(form)
        await wait_until(pilot, lambda: app.screen is form and form.is_mounted, what="the form")
        assert form.draft().steps.startswith("Steps from the customer's report")
        form.query_one("#component", Select).value = "radio"
        form.query_one("#steps", TextArea).load_text("1. Open Music\n2. Tap a track")
        form.query_one("#expected", TextArea).load_text("It plays")
        form.query_one("#actual", TextArea).load_text("Endless spinner")
        form.query_one("#set-status", Select).value = "keep"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: form.field_error("component"), what="the server's component error")
        assert "radio" in form.field_error("component")
        assert escalations_of(workday_server, ticket_id) == []

        # Corrected, the same form goes through (a refused request never blocks the next one).
        form.query_one("#component", Select).value = "music"
        form.query_one("#summary", Input).value = "Playback never starts"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: escalations_of(workday_server, ticket_id), what="the escalation")
        assert server_ticket(workday_server, ticket_id)["status"] == ticket["status"]


async def test_agent_cancelling_an_edited_form_is_asked_before_losing_it(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket = bug_ticket(workday_server)
    app = make_app(workday_server, "boris", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, app, ticket["id"])
        form = await open_form(pilot, app)
        await pilot.press("escape")  # untouched: closes at once
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="form closed")

        form = await open_form(pilot, app)
        await type_text(pilot, "x")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not form  # the question is on top
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is form, what="back in the form")
        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="discarded")
    assert escalations_of(workday_server, ticket["id"]) == []


async def test_lead_lists_open_escalations_and_opens_the_linked_ticket(
    workday_server: Any, tmp_path: Path
) -> None:
    app = make_app(workday_server, "lena", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, EscalationsScreen)
                         and app.screen.table.row_count > 0, what="the escalations list")
        screen = app.screen
        assert isinstance(screen, EscalationsScreen)
        assert all(e.status in ("open", "in_progress") for e in screen.escalations.values())
        first = screen.cursor_escalation()
        assert first is not None
        assert screen.tickets[first.ticket_id].id == first.ticket_id
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket_id == first.ticket_id, what="the linked ticket")


async def test_agent_hears_the_escalations_list_is_for_leads(workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert any("leads only" in str(n.message) for n in app._notifications)


async def test_on_an_80_column_terminal_the_lead_still_sees_how_many_customers_each_escalation_has(
    workday_server: Any, tmp_path: Path
) -> None:
    app = make_app(workday_server, "lena", tmp_path, start_mode="queue")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, EscalationsScreen)
                         and app.screen.table.row_count > 0, what="the escalations list")
        table = app.screen.table
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        keys = [str(column.key.value) for column in table.ordered_columns]
        customers_end = sum(widths[: keys.index("customers") + 1])
    assert customers_end <= 80  # in sight without scrolling sideways
