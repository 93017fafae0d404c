"""Signing in from the app: the terminal without a stored token, and every browser session."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import LOADED_MACHINE_NOT_ANSWERING_AFTER
from textual.widgets import Input, Static

from keyboard import type_text
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.credentials import load_login
from supportdesk_tui.domain.drafts import Draft
from supportdesk_tui.paths import HOME_ENV
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.screens.sign_in import SignInScreen
from supportdesk_tui.settings import AppSettings
from waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    monkeypatch.setenv("SUPPORTDESK_NO_KEYRING", "1")
    return tmp_path / "home"


def app_without_token(server_url: str, data_dir: Path, *, in_browser: bool = False) -> SupportDeskApp:
    return SupportDeskApp(AppSettings(server_url=server_url, token=None, data_dir=data_dir, language="en",
                                      in_browser=in_browser,
                                      not_answering_after=LOADED_MACHINE_NOT_ANSWERING_AFTER))


async def test_agent_without_a_stored_token_signs_in_and_the_token_is_stored_privately(
        workday_server: Any, home: Path) -> None:
    app = app_without_token(workday_server.url, home / "data")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), what="the sign-in screen")
        screen = app.screen
        assert screen.query_one("#sign-in-server", Input).value == workday_server.url
        assert app.focused is screen.query_one("#sign-in-token", Input)  # the address is known already

        await type_text(pilot, "sdt_not_a_token")
        await pilot.press("enter")
        problem = screen.query_one("#sign-in-problem", Static)
        await wait_until(pilot, lambda: "-empty" not in problem.classes and not screen.busy,
                         what="the refusal")
        assert "Not signed in" in str(problem.render())
        assert screen.query_one("#sign-in-token", Input).value == ""  # typed again, never kept
        assert load_login() is None

        await type_text(pilot, workday_server.token("anna"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await wait_until(pilot, lambda: load_login() is not None, what="the stored token")
    stored = load_login()
    assert stored is not None and stored.token == workday_server.token("anna")
    assert stored.server == workday_server.url
    assert stat.S_IMODE((home / "data" / "credentials.json").stat().st_mode) == 0o600


async def test_a_browser_session_signs_in_and_stores_nothing(workday_server: Any, home: Path) -> None:
    app = app_without_token(workday_server.url, home / "data", in_browser=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), what="the sign-in screen")
        await type_text(pilot, workday_server.token("boris"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        assert app.me.login == "boris"
        app.switch_language("ru")  # in place, and not written to the config every session shares
    assert load_login() is None
    assert not (home / "config" / "config.toml").exists()
    token = workday_server.token("boris").encode()
    assert not [path for path in home.rglob("*") if path.is_file() and token in path.read_bytes()]


async def test_an_address_that_is_not_a_url_is_refused_before_asking_anyone(home: Path) -> None:
    app = app_without_token("", home / "data", in_browser=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), what="the sign-in screen")
        screen = app.screen
        assert app.focused is screen.query_one("#sign-in-server", Input)
        await type_text(pilot, "not a url")
        await pilot.press("enter")
        await type_text(pilot, "sdt_whatever")
        await pilot.press("enter")
        problem = screen.query_one("#sign-in-problem", Static)
        await wait_until(pilot, lambda: "-empty" not in problem.classes, what="the problem")
        assert isinstance(app.screen, SignInScreen) and not app.signed_in


async def test_two_agents_in_two_browser_sessions_never_see_each_others_drafts(
        workday_server: Any, home: Path) -> None:
    anna_app = app_without_token(workday_server.url, home / "data", in_browser=True)
    boris_app = app_without_token(workday_server.url, home / "data", in_browser=True)
    async with anna_app.run_test(size=(120, 36)) as anna, boris_app.run_test(size=(120, 36)) as boris:
        for pilot, login in ((anna, "anna"), (boris, "boris")):
            app = pilot.app
            await wait_until(pilot, lambda app=app: isinstance(app.screen, SignInScreen), what="sign-in")
            await type_text(pilot, workday_server.token(login))
            await pilot.press("enter")
            await wait_until(pilot, lambda app=app: isinstance(app.screen, QueueScreen), what="the queue")
        anna_app.session.drafts.save(1001, Draft(ticket_id=1001, body="Anna's half-written reply"))
        assert anna_app.session.drafts.load(1001) is not None
        assert boris_app.session.drafts.load(1001) is None
        assert boris_app.session.drafts.all() == []
        assert boris_app.session.sender.outbox.path != anna_app.session.sender.outbox.path
