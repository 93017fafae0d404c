"""The agent moves a shortcut in the `[keymap]` table of config.toml; the app started from that
file answers the new key and no longer the old one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import wait_until

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.launch import resolve_settings
from supportdesk_tui.paths import CONFIG_FILE_ENV, HOME_ENV
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.screens.queue import QueueScreen


async def test_a_key_remapped_in_the_config_file_opens_help(
        workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('# my keys\n[keymap]\n"app.help" = "f2"  # ? is for search\n', encoding="utf-8")
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    monkeypatch.setenv(CONFIG_FILE_ENV, str(config_file))
    monkeypatch.setenv("SUPPORTDESK_TOKEN", workday_server.token("anna"))
    settings = resolve_settings(argparse.Namespace(server=workday_server.url, lang="en", theme=None,
                                                   insecure=False))
    assert not isinstance(settings, str), settings
    assert settings.keymap == {"app.help": "f2"}

    app = SupportDeskApp(settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await pilot.press("question_mark")
        await pilot.pause()  # whatever "?" would start has been handled
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help on the new key")
