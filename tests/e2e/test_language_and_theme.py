"""From the command palette the agent switches language (in place: the open ticket, the draft and
the reading position stay), picks a theme that is remembered for next time, and inserts a canned
reply by its title."""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app
from textual.pilot import Pilot
from textual.widgets import Input

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.i18n import current_language, set_language
from supportdesk_tui.launch import resolve_settings
from supportdesk_tui.paths import CONFIG_FILE_ENV, HOME_ENV
from supportdesk_tui.screens.canned import CannedPicker
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.dashboard import DashboardScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.ticket_header import TicketHeader
from waiting import settle, wait_until


@pytest.fixture(autouse=True)
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private home and config file: the agent's real settings are never read or written."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text("# my settings\n[ui]\nrelative_times = true\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(path))
    return path


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


def saved_ui(path: Path) -> dict[str, Any]:
    ui: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))["ui"]
    return ui


async def run_command(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("ctrl+p")
    for char in text:
        await pilot.press({" ": "space", ":": "colon"}.get(char, char))
    await settle(pilot)  # the palette's search has its hits
    await pilot.press("enter")


def told_to(app: SupportDeskApp) -> list[str]:
    """Every notification the app posts, kept: a toast that lives 0.2 s may be gone when looked for."""
    told: list[str] = []
    notify = app.notify

    def keep(message: Any, *args: Any, **kwargs: Any) -> None:
        told.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = keep  # type: ignore[method-assign]
    return told


async def queue_ready(pilot: Pilot[Any], app: SupportDeskApp) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")


def long_english_ticket(server: Any) -> int:
    """A conversation taller than the screen, so the reading position means something."""
    ticket_id: int = create_customer_ticket(server, language="en", category="access",
                                            body="I can't log in to my account.")["id"]
    with server.client("intake") as http:
        for n in range(12):
            http.post(f"/api/v1/tickets/{ticket_id}/messages",
                      json={"kind": "customer", "body": f"Detail {n}:\nstill locked out\nafter the reset"},
                      headers={"Idempotency-Key": f"long-{ticket_id}-{n}"}).raise_for_status()
    return ticket_id


def footer_text(screen: Any) -> str:
    return screen.query_one(KeyFooter).render().plain


async def test_agent_switches_to_russian_mid_draft_and_keeps_the_ticket_draft_and_place(
        workday_server: Any, tmp_path: Path, config_file: Path) -> None:
    ticket_id = long_english_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, app)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue.open_ticket(ticket_id)
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None and len(app.screen.thread.messages) == 13,
                         what="the long conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        # Reading a few lines up from the newest message, then writing a reply.
        for _ in range(4):
            await pilot.press("up")
        await wait_until(pilot, lambda: 0 < screen.thread.scroll_y < screen.thread.max_scroll_y,
                         what="the thread scrolled up")
        reading_at = screen.thread.scroll_y
        await pilot.press("r")
        draft = "Hello! Try the reset link again"
        for char in draft:
            await pilot.press({" ": "space", "!": "exclamation_mark"}.get(char, char))
        await wait_until(pilot, lambda: screen.composer.text == draft, what="the draft")
        assert "Send" in footer_text(screen) and screen.composer.border_title == "Reply to customer"

        await run_command(pilot, "language: Рус")
        await wait_until(pilot, lambda: current_language() == "ru", what="the switch")
        await wait_until(pilot, lambda: "Отправить" in footer_text(screen), what="the Russian key bar")

        # The same screen, ticket, draft and reading position; no exit, no restart.
        assert app.screen is screen and screen.ticket is not None and screen.ticket.id == ticket_id
        assert screen.composer.text == draft and screen.composer.editor.has_focus
        assert screen.thread.scroll_y == reading_at
        assert app.return_code is None and app.is_running
        # Every label in Russian: the composer's title, the header, the key bar, the message cards.
        assert screen.composer.border_title == "Ответ клиенту"
        assert "Очередь" in screen.query_one(TicketHeader).render().plain
        assert "Send" not in footer_text(screen)
        # The queue underneath was relabelled too.
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: app.screen is queue, what="back on the queue")
        assert "Взять" in footer_text(queue)
        assert str(queue.query_one(".queue-sidebar--title").render()) == "Очереди"
    assert saved_ui(config_file) == {"relative_times": True, "language": "ru"}
    assert config_file.read_text(encoding="utf-8").startswith("# my settings\n")


async def test_picking_the_current_language_changes_nothing(
        workday_server: Any, tmp_path: Path, config_file: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, app)
        await run_command(pilot, "language: English")
        await settle(pilot)
        assert current_language() == "en" and app.return_code is None
    assert "language" not in saved_ui(config_file)


async def test_an_unwritable_config_costs_only_the_memory_of_the_choice(
        workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "bad.toml"
    broken.write_text("[ui\n", encoding="utf-8")  # not TOML: the file is left alone
    monkeypatch.setenv(CONFIG_FILE_ENV, str(broken))
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, app)
        await run_command(pilot, "theme: supportdesk-light")
        await wait_until(pilot, lambda: app.theme == "supportdesk-light", what="the theme")
        await wait_until(pilot, lambda: any("not valid TOML" in str(n.message) for n in app._notifications),
                         what="the warning")
    assert broken.read_text(encoding="utf-8") == "[ui\n"


async def test_chosen_theme_is_remembered_for_the_next_start(
        workday_server: Any, tmp_path: Path, config_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, app)
        assert app.theme == "supportdesk-dark"
        await run_command(pilot, "theme: supportdesk-high")
        await wait_until(pilot, lambda: app.theme == "supportdesk-high-contrast", what="the theme")
    assert saved_ui(config_file)["theme"] == "supportdesk-high-contrast"

    monkeypatch.setenv("SUPPORTDESK_TOKEN", workday_server.token("anna"))
    settings = resolve_settings(argparse.Namespace(server=workday_server.url, lang="en", theme=None,
                                                   insecure=False))
    assert not isinstance(settings, str)
    again = SupportDeskApp(settings)
    async with again.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, again)
        assert again.theme == "supportdesk-high-contrast"


async def test_agent_inserts_a_canned_reply_by_its_title_from_the_palette(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server, language="en", category="access",
                                       body="Works now, thanks")["id"]
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(160, 48)) as pilot:
        await queue_ready(pilot, app)
        app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None, what="the ticket")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await run_command(pilot, "canned: closing")
        await wait_until(pilot, lambda: isinstance(app.screen, CannedPicker) and app.screen.loaded
                         and app.screen.highlighted is not None, what="the picker on that reply")
        picker = app.screen
        assert isinstance(picker, CannedPicker)
        assert picker.query_one("#canned-search", Input).value == "bye"
        assert picker.highlighted is not None and picker.highlighted.reply.id == "closing"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Glad" in screen.composer.text, what="the inserted reply")
        assert screen.composer.text.startswith("Glad it's sorted, Ольга!")


async def test_the_queue_kept_aside_behind_the_dashboard_comes_back_in_the_new_language(
        workday_server: Any, tmp_path: Path, config_file: Path) -> None:
    app = make_app(workday_server, "lena", tmp_path / "data")  # a lead starts on the dashboard
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="the dashboard")
        dashboard = app.screen
        await pilot.press("D")
        await queue_ready(pilot, app)
        queue = app.screen
        assert "Take" in footer_text(queue)
        await pilot.press("D")  # the queue stays installed, with its cursor and filter, off screen
        await wait_until(pilot, lambda: app.screen is dashboard, what="the dashboard again")

        await run_command(pilot, "language: Рус")
        await wait_until(pilot, lambda: "Очередь" in footer_text(dashboard), what="the Russian dashboard")
        assert dashboard.query_one("#trend-panel").border_title == "Динамика"

        await pilot.press("D")
        await wait_until(pilot, lambda: app.screen is queue, what="the same queue")
        await wait_until(pilot, lambda: "Взять" in footer_text(queue), what="the queue in Russian")
        assert str(queue.query_one(".queue-sidebar--title").render()) == "Очереди"
