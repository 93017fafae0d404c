"""`supportdesk web`: the web keymap leaves the browser's own keys alone, and a browser session
reads no token from the server's environment, config or stored login."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import pytest

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.credentials import save_login
from supportdesk_tui.keymap import BROWSER_KEYS, WEB_KEYMAP, check_keymap, scope_of, split_keys, web_keymap
from supportdesk_tui.launch import resolve_settings
from supportdesk_tui.paths import HOME_ENV
from supportdesk_tui.screens import screen_classes
from supportdesk_tui.web.serve import session_command


def _scopes() -> list:  # type: ignore[type-arg]
    return [scope_of(node_class) for node_class in [SupportDeskApp, *screen_classes()]]


def test_under_web_no_binding_of_the_app_needs_a_key_the_browser_keeps() -> None:
    usable, problems = check_keymap(web_keymap({}), _scopes())
    assert problems == []
    needing_the_browser = sorted(
        f"{binding.id} → {key}"
        for scope in _scopes() for binding in scope.bindings if binding.id
        for key in usable.get(binding.id, split_keys(binding.key)) if key in BROWSER_KEYS)
    assert needing_the_browser == []


def test_the_web_keymap_moves_only_keys_the_browser_keeps() -> None:
    defaults = {binding.id: split_keys(binding.key) for scope in _scopes() for binding in scope.bindings
                if binding.id}
    for binding_id in WEB_KEYMAP:
        assert set(defaults[binding_id]) & BROWSER_KEYS, binding_id


def test_an_agents_own_keymap_wins_in_the_browser_too() -> None:
    assert web_keymap({"composer.toggle_kind": "f2"})["composer.toggle_kind"] == "f2"


def _args(**overrides: object) -> argparse.Namespace:
    return argparse.Namespace(**{"server": None, "lang": None, "theme": None, "insecure": False, **overrides})


def test_a_browser_session_reads_no_token_but_offers_the_known_address(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.setenv("SUPPORTDESK_NO_KEYRING", "1")
    monkeypatch.setenv("SUPPORTDESK_TOKEN", "sdt_from_the_environment")
    save_login("http://127.0.0.1:8765", "sdt_stored")

    in_browser = resolve_settings(_args(), in_browser=True)
    assert not isinstance(in_browser, str)
    assert in_browser.token is None and in_browser.in_browser
    assert in_browser.server_url == "http://127.0.0.1:8765"
    assert in_browser.keymap["composer.toggle_kind"] == "alt+t"

    in_terminal = resolve_settings(_args())
    assert not isinstance(in_terminal, str)
    assert in_terminal.token == "sdt_from_the_environment" and not in_terminal.in_browser


def test_a_terminal_without_a_token_opens_the_sign_in_screen_instead_of_failing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv("SUPPORTDESK_TOKEN", raising=False)
    settings = resolve_settings(_args(server=["http://127.0.0.1:8765"]))
    assert not isinstance(settings, str)
    assert settings.token is None


def test_each_browser_connection_runs_a_session_with_the_servers_options_and_no_token() -> None:
    argv = shlex.split(session_command(_args(server=["http://a:1,http://b:2"], lang="ru", insecure=True)))
    assert argv[1:] == ["-m", "supportdesk_tui", "web", "--session", "--server", "http://a:1,http://b:2",
                        "--lang", "ru", "--insecure"]
