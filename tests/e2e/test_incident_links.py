"""Linking tickets to an existing escalation from the ticket (L) and from a selection of tickets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import make_app, open_conversation, server_messages, server_ticket
from incident_helpers import escalate, music_ticket
from textual.widgets import Static

from keyboard import type_text
from supportdesk_tui.i18n import set_language
from supportdesk_tui.navigation import LinkToEscalation, ShowIncident
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.incident import IncidentScreen
from waiting import wait_until

SIZE = (160, 48)


async def test_agent_links_the_open_ticket_and_a_selection_to_an_escalation(
        workday_server: Any, tmp_path: Path) -> None:
    origin, same_bug, *selected, by_number = [music_ticket(workday_server, n) for n in range(5)]
    key = escalate(workday_server, origin["id"])
    app = make_app(workday_server, "boris", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        conversation = await open_conversation(pilot, app, same_bug["id"])
        await pilot.press("L")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TextPromptModal", what="the key prompt")
        await type_text(pilot, key.lower())  # typed as it comes: the key is upper-cased
        await pilot.press("enter")
        await wait_until(pilot, lambda: conversation.ticket is not None and conversation.ticket.escalation
                         is not None and conversation.ticket.escalation.key == key,
                         what="the header shows the escalation, live")
        assert isinstance(app.screen, ConversationScreen)

        # What the queue's bulk selection hands over: several ids and the key.
        app.screen.post_message(LinkToEscalation(tuple(t["id"] for t in selected), key))
        await wait_until(pilot, lambda: all(server_ticket(workday_server, t["id"])["escalation"]
                                            for t in selected), what="the selection linked")

        # From the incident's own view: `+` and a ticket number.
        app.screen.post_message(ShowIncident(key))
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen)
                         and len(app.screen.linked) == 4, what="the incident")
        incident = app.screen
        assert isinstance(incident, IncidentScreen)
        await pilot.press("plus")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TextPromptModal", what="the numbers")
        await type_text(pilot, f"#{by_number['id']}, {origin['id']}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: incident.affected_customers() == 5
                         and by_number["id"] in incident.linked, what="five customers affected")
    with workday_server.client("lena") as http:
        escalation = http.get(f"/api/v1/escalations/{key}").json()
    assert escalation["linked_tickets"] == 5 and escalation["affected_customers"] == 5


async def test_answering_all_before_the_fix_says_it_is_not_fixed_rather_than_already_answered(
        workday_server: Any, tmp_path: Path) -> None:
    origin, same_bug = music_ticket(workday_server, 0), music_ticket(workday_server, 1)
    key = escalate(workday_server, origin["id"])
    with workday_server.client("lena") as http:
        linked = http.post(f"/api/v1/escalations/{key}/links", json={"ticket_ids": [same_bug["id"]]})
        linked.raise_for_status()
    app = make_app(workday_server, "lena", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "QueueScreen", what="the queue")
        app.screen.post_message(ShowIncident(key))
        await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen) and app.screen.escalation
                         is not None and len(app.screen.linked) == 2, what="the open incident")
        incident = app.screen
        assert isinstance(incident, IncidentScreen)
        await pilot.press("a")
        summary = incident.query_one("#incident-summary", Static)
        await wait_until(pilot, lambda: key in str(summary.render()), what="the summary")
        said = str(summary.render())
        assert f"{key} is open" in said and "fixed" in said
        assert "already answered" not in said
        assert app.screen is incident  # no reply picker: there is nothing to send yet
    assert [m for m in server_messages(workday_server, same_bug["id"]) if m["kind"] == "reply"] == []


async def test_switching_to_russian_on_the_incident_translates_its_column_titles_too(
        workday_server: Any, tmp_path: Path) -> None:
    origin = music_ticket(workday_server, 0)
    key = escalate(workday_server, origin["id"])
    app = make_app(workday_server, "lena", tmp_path, start_mode="queue")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: type(app.screen).__name__ == "QueueScreen", what="the queue")
            app.screen.post_message(ShowIncident(key))
            await wait_until(pilot, lambda: isinstance(app.screen, IncidentScreen)
                             and len(app.screen.linked) == 1, what="the incident")
            incident = app.screen
            assert isinstance(incident, IncidentScreen)
            app.switch_language("ru")
            await pilot.pause()
            titles = {which: [str(column.label) for column in incident.table(which).columns.values()]
                      for which in ("linked", "suggested")}
    finally:
        set_language("en")
    assert titles == {"linked": ["Тикет", "Статус", "Язык", "↩", "Тема"],
                      "suggested": ["Тикет", "Почему", "Тема"]}


async def test_a_mistyped_escalation_key_is_named_in_the_agents_language(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = music_ticket(workday_server, 1)
    app = make_app(workday_server, "boris", tmp_path, start_mode="queue", language="ru")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_conversation(pilot, app, ticket["id"])
            await pilot.press("L")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "TextPromptModal", what="the prompt")
            await type_text(pilot, "eng-99999")
            await pilot.press("enter")
            await wait_until(pilot, lambda: any(n.title == "Не привязано" for n in app._notifications),
                             what="the refusal")
            (refusal,) = [n for n in app._notifications if n.title == "Не привязано"]
    finally:
        set_language("en")
    assert str(refusal.message).startswith("Эскалации ENG-99999 нет")
    assert refusal.severity == "warning"
    assert server_ticket(workday_server, ticket["id"])["escalation"] is None
