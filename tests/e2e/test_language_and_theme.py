"""From the command palette the agent switches language (the app restarts into it), picks a
theme that is remembered for next time, and inserts a canned reply by its title."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app
from textual.pilot import Pilot
from textual.widgets import Input

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.launch import RESTART_EXIT_CODE, resolve_settings, restart_argv
from supportdesk_tui.paths import CONFIG_FILE_ENV, HOME_ENV
from supportdesk_tui.screens.canned import CannedPicker
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
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


async def test_agent_switches_to_russian_and_the_app_asks_to_restart_in_it(
        workday_server: Any, tmp_path: Path, config_file: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path / "data")
    app.RESTART_DELAY = 0.2
    told = told_to(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, app)
        await run_command(pilot, "language: Рус")
        await wait_until(pilot, lambda: app.restart_language == "ru", what="the language choice")
        await wait_until(pilot, lambda: any("drafts are saved" in note for note in told), what="the note")
        await wait_until(pilot, lambda: app.return_code == RESTART_EXIT_CODE, what="the restart exit")
    assert saved_ui(config_file) == {"relative_times": True, "language": "ru"}
    assert config_file.read_text(encoding="utf-8").startswith("# my settings\n")


async def test_picking_the_current_language_does_not_restart(
        workday_server: Any, tmp_path: Path, config_file: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(140, 40)) as pilot:
        await queue_ready(pilot, app)
        await run_command(pilot, "language: English")
        await settle(pilot)
        assert app.restart_language is None and app.return_code is None
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


def test_restart_replaces_the_language_flag_and_keeps_the_rest() -> None:
    assert restart_argv(["--lang", "en", "--server", "http://x"], "ru") == [
        "--server", "http://x", "--lang", "ru"]
    assert restart_argv(["dashboard", "--lang=en", "--wallboard"], "ru") == [
        "dashboard", "--wallboard", "--lang", "ru"]
    assert restart_argv([], "en") == ["--lang", "en"]
