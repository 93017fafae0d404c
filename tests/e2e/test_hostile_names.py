"""Text from other agents, leads and the backend through the real server into the real app.

Agent display names, queue names, canned reply titles, shortcuts and tags, ticket tags and a
server's error message all carry the hostile corpus (hostile_corpus.py): the app starts, draws
and lists them as inert text, and nothing in them runs, crashes or reaches the terminal raw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import make_app
from hostile_corpus import (
    AGENT_NAME,
    CANNED_SHORTCUT,
    CANNED_TITLE,
    QUEUE_NAMES,
    SERVER_MESSAGE,
    poisoned_desk,
)
from hostile_proxy import hostile_proxy
from rich.text import Text
from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import OptionList

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.paths import HOME_ENV
from supportdesk_tui.screens.canned import CannedPicker, VariablesForm
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.dashboard import DashboardScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.screens.wallboard import WallboardScreen
from supportdesk_tui.widgets.dashboard_tiles import QueueTile
from supportdesk_tui.widgets.dashboard_wall import WallFigure
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_header import TicketHeader
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until


@pytest.fixture(autouse=True)
def personal_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No personal canned replies from the machine running the tests."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


@pytest.fixture(name="poisoned_desk")
def poisoned_desk_fixture(server_factory: Any) -> Any:
    return poisoned_desk(server_factory)


def toasts(app: SupportDeskApp) -> list[tuple[str, str]]:
    return [(n.message, n.title) for n in app._notifications]


def assert_inert(shown: str) -> None:
    """No control character survives; markup-looking text is there literally."""
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in shown), repr(shown)
    assert "\u202e" not in shown


def plain(title: object) -> str:
    return title.plain if isinstance(title, Text | Content) else str(title)


async def test_lead_dashboard_and_wallboard_show_hostile_queue_names_as_text(
        poisoned_desk: Any, tmp_path: Path) -> None:
    app = make_app(poisoned_desk, "lead1", tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen)
                         and app.screen.state.live is not None, what="the dashboard")
        await settle(pilot)
        tiles = {tile.queue_id: tile for tile in app.screen.query(QueueTile)}
        for queue_id, name in QUEUE_NAMES.items():
            title = tiles[queue_id]._border_title
            assert title is not None and title.plain == one_line(name)
            assert_inert(title.plain)
            assert not title.spans or all("@click" not in str(span.style) for span in title.spans)
        # Clicking the title that says "[@click=app.quit]" does nothing.
        await pilot.click(tiles["access"], offset=(12, 0))
        await pilot.click(tiles["access"], offset=(22, 0))
        await settle(pilot)
        assert app.is_running and app.return_code is None
    assert app.return_code is None

    wall = make_app(poisoned_desk, "lead1", tmp_path / "wall", wallboard=True)
    async with wall.run_test(size=(200, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(wall.screen, WallboardScreen)
                         and wall.screen.state.live is not None, what="the wallboard")
        await settle(pilot)
        figures = {f.id: f for f in wall.screen.query(WallFigure)}
        for queue_id, name in QUEUE_NAMES.items():
            title = figures[f"wall-queue-{queue_id}"]._border_title
            assert title is not None and title.plain == one_line(name)
        await pilot.click(figures["wall-queue-access"], offset=(12, 0))
        await settle(pilot)
        assert wall.is_running and wall.return_code is None


async def test_palette_lists_hostile_queue_names_canned_titles_and_shortcuts(
        poisoned_desk: Any, tmp_path: Path) -> None:
    app = make_app(poisoned_desk, "agent1", tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable).cursor_ticket is not None, what="the queue")
        app.screen.open_ticket(poisoned_desk.tickets[0])  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None, what="the conversation")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await settle(pilot)
        palette = app.screen
        listed = "\n".join(str(palette.query_one(OptionList).get_option_at_index(i).prompt)
                           for i in range(palette.query_one(OptionList).option_count))
        assert one_line(CANNED_TITLE) in listed
        assert "::" + one_line(CANNED_SHORTCUT) in listed
        for key in "queue":  # search: the queue commands with their hostile names
            await pilot.press(key)
        await settle(pilot)
        listed = "\n".join(str(palette.query_one(OptionList).get_option_at_index(i).prompt)
                           for i in range(palette.query_one(OptionList).option_count))
        for name in QUEUE_NAMES.values():
            assert one_line(name) in listed
        assert_inert(listed)
        assert app.is_running and app.return_code is None


async def test_canned_variables_form_shows_a_hostile_title_as_text(
        poisoned_desk: Any, tmp_path: Path) -> None:
    app = make_app(poisoned_desk, "agent1", tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        app.screen.open_ticket(poisoned_desk.tickets[1])  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None, what="the conversation")
        header = app.screen.query_one(TicketHeader).render().plain  # tags set by another agent
        assert "#x[/bold]" in header and "#x[name=value:" in header
        assert_inert(header)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CannedPicker) and app.screen.loaded,
                         what="the canned picker")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, VariablesForm), what="the variables form")
        await settle(pilot)
        box = app.screen.query_one("#variables-box")
        title = plain(box._border_title)
        assert one_line(CANNED_TITLE) in title
        assert_inert(title)
        await pilot.click("#variables-box", offset=(40, 0))  # on the "[@click=app.quit]" text
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, VariablesForm)


async def test_took_first_notice_shows_the_other_agents_name_literally(
        poisoned_desk: Any, tmp_path: Path) -> None:
    ticket_id = poisoned_desk.tickets[2]
    app = make_app(poisoned_desk, "agent1", tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable).cursor_ticket is not None, what="the queue")
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        stale = await app.api.get_ticket(ticket_id)
        with poisoned_desk.client("mallory") as http:  # Mallory is quicker
            me = http.get("/api/v1/me").json()
            http.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": me["id"]},
                       headers={"If-Match": f'"{stale.version}"'}).raise_for_status()
        screen.take(stale)
        await wait_until(pilot, lambda: any("first" in m for m, _t in toasts(app)), what="the notice")
        message = next(m for m, _t in toasts(app) if "first" in m)
        assert message == f"{one_line(AGENT_NAME)} took #{ticket_id} first."
        assert_inert(message)
        await settle(pilot)  # the toast is drawn: still running
        assert app.is_running and app.return_code is None


async def test_a_hostile_server_error_message_is_shown_as_text(
        poisoned_desk: Any, tmp_path: Path) -> None:
    with hostile_proxy(poisoned_desk.url, SERVER_MESSAGE) as url:
        proxied = type("Proxied", (), {"url": url, "token": poisoned_desk.token})()
        app = make_app(proxied, "agent1", tmp_path)
        async with app.run_test(size=(200, 60)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                             and app.screen.query_one(TicketTable).cursor_ticket is not None,
                             what="the queue")
            app.screen.open_ticket(poisoned_desk.tickets[1])  # type: ignore[attr-defined]
            await wait_until(pilot, lambda: any("Denied" in m for m, _t in toasts(app)), what="the error")
            message = next(m for m, _t in toasts(app) if "Denied" in m)
            assert message == one_line(SERVER_MESSAGE)
            assert_inert(message)
            await settle(pilot)
            thread = app.screen.query_one(Thread)
            label = thread.empty_label
            # What the empty thread says, as drawn: the server's message as inert text.
            empty = " ".join([str(label.render()), *label.drawn_text()]) if label is not None else ""
            assert_inert(empty)
            assert app.is_running and app.return_code is None

