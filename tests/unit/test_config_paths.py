"""Where files live: computed on demand, created only when asked, all below SUPPORTDESK_HOME in tests."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from supportdesk_tui import paths


def test_supportdesk_home_moves_every_directory_below_it(tmp_path: Path) -> None:
    env = {"SUPPORTDESK_HOME": str(tmp_path)}
    assert paths.config_dir(env) == tmp_path / "config"
    assert paths.config_file(env) == tmp_path / "config" / "config.toml"
    assert paths.data_dir(env) == tmp_path / "data"
    assert paths.state_dir(env) == tmp_path / "state"
    assert paths.cache_dir(env) == tmp_path / "cache"
    assert paths.user_themes_dir(env) == tmp_path / "config" / "themes"
    assert list(tmp_path.iterdir()) == []


def test_config_file_env_var_wins(tmp_path: Path) -> None:
    env = {"SUPPORTDESK_HOME": str(tmp_path), "SUPPORTDESK_CONFIG_FILE": str(tmp_path / "x.toml")}
    assert paths.config_file(env) == tmp_path / "x.toml"


def test_without_overrides_paths_follow_the_platform_conventions(tmp_path: Path) -> None:
    assert paths.config_dir({}).name == "supportdesk"
    assert paths.data_dir({}).name == "supportdesk"


def test_functions_read_the_live_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path))
    assert paths.data_dir() == tmp_path / "data"


def test_importing_paths_and_config_creates_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SUPPORTDESK_HOME": str(tmp_path / "home"),
        "HOME": str(tmp_path / "h"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    code = (
        "import supportdesk_tui.paths as p, supportdesk_tui.config as c\n"
        "c.load_config()\n"
        "for f in (p.config_dir, p.config_file, p.data_dir, p.state_dir, p.cache_dir,"
        " p.user_themes_dir):\n    f()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert list(tmp_path.iterdir()) == []


def test_ensure_dir_creates_private_directories_on_demand(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "drafts"
    assert paths.ensure_dir(target) == target
    for directory in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert paths.ensure_dir(target) == target  # idempotent


def test_ensure_dir_leaves_existing_directories_alone(tmp_path: Path) -> None:
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    paths.ensure_dir(existing / "mine")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o755


def test_ensure_dir_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        paths.ensure_dir(tmp_path / "file")
