"""The image preview's renderer is a config option like the others: the file sets it, the
environment overrides it, a wrong value names the choices, and the app's settings carry it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from supportdesk_tui import paths
from supportdesk_tui.config import ConfigError, load_config
from supportdesk_tui.launch import resolve_settings
from supportdesk_tui.paths import HOME_ENV


def _args() -> argparse.Namespace:
    return argparse.Namespace(server=["http://127.0.0.1:8765"], lang=None, theme=None, insecure=False)


def test_agent_over_tmux_sets_character_previews_in_the_config_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv("SUPPORTDESK_UI__IMAGE_RENDERER", raising=False)
    config_file = paths.config_file()
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('[ui]\nimage_renderer = "cells"\n', encoding="utf-8")

    settings = resolve_settings(_args())
    assert not isinstance(settings, str)
    assert settings.image_renderer == "cells"

    monkeypatch.setenv("SUPPORTDESK_UI__IMAGE_RENDERER", "sixel")
    overridden = resolve_settings(_args())
    assert not isinstance(overridden, str)
    assert overridden.image_renderer == "sixel"


def test_without_the_option_the_terminal_decides() -> None:
    assert load_config(Path("/nonexistent/config.toml"), env={}).ui.image_renderer == "auto"


def test_an_unknown_renderer_names_the_key_and_the_choices(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[ui]\nimage_renderer = "iterm"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ui\.image_renderer.*kitty"):
        load_config(config_file, env={})
