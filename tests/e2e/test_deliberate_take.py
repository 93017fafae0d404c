"""Taking a ticket is deliberate: a colleague's ticket or a solved one asks first and says whose it
was; an unassigned open ticket is taken at once. Real app, real reference backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app, open_conversation, server_ticket, wait_until

from supportdesk_tui.screens.pickers import ConfirmModal

SIZES = [(160, 48), (80, 24)]


def patch_on_server(server: Any, ticket_id: int, patch: dict[str, Any], login: str = "lena") -> None:
    with server.client(login) as http:
        version = http.get(f"/api/v1/tickets/{ticket_id}").json()["version"]
        response = http.patch(f"/api/v1/tickets/{ticket_id}", json=patch,
                              headers={"If-Match": f'"{version}"'})
        response.raise_for_status()


def agent_id(server: Any, login: str) -> int:
    with server.client(login) as http:
        response = http.get("/api/v1/me")
        response.raise_for_status()
        return int(response.json()["id"])


def assignee_login(server: Any, ticket_id: int) -> str | None:
    assignee = server_ticket(server, ticket_id)["assignee"]
    return assignee["login"] if assignee else None



def modal_text(app: Any) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static"))


@pytest.mark.parametrize("size", SIZES)
async def test_taking_a_colleagues_ticket_asks_first_and_names_the_colleague(
        workday_server: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked")
    patch_on_server(workday_server, ticket["id"], {"assignee_id": agent_id(workday_server, "dmitry")})
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])

        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the question")
        assert "Dmitry Sokolov" in modal_text(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the ticket")
        assert assignee_login(workday_server, ticket["id"]) == "dmitry"

        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the question again")
        await pilot.press("y")
        await wait_until(pilot, lambda: assignee_login(workday_server, ticket["id"]) == "anna",
                         what="the ticket taken on the server")


async def test_taking_a_solved_ticket_asks_first(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked")
    patch_on_server(workday_server, ticket["id"], {"status": "solved"})
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])

        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the question")
        assert "Solved" in modal_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the ticket")
        assert assignee_login(workday_server, ticket["id"]) is None


async def test_an_unassigned_open_ticket_is_taken_without_a_question(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])

        await pilot.press("t")
        await wait_until(pilot, lambda: assignee_login(workday_server, ticket["id"]) == "anna",
                         what="the ticket taken on the server")
        assert app.screen is screen
