"""Where SupportDesk keeps its files.

Every function only computes a path; nothing is created at import or on lookup, so `--help`
and read-only commands never leave directories behind. Call `ensure_dir` right before writing.

`SUPPORTDESK_HOME` moves everything below one directory (tests and portable installs use it);
`SUPPORTDESK_CONFIG_FILE` points at one config file without moving anything else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "supportdesk"
CONFIG_FILE_NAME = "config.toml"

HOME_ENV = "SUPPORTDESK_HOME"
CONFIG_FILE_ENV = "SUPPORTDESK_CONFIG_FILE"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    # Read os.environ at call time, not import time, so tests can monkeypatch it.
    return os.environ if env is None else env


def _home(env: Mapping[str, str] | None) -> Path | None:
    home = _env(env).get(HOME_ENV, "").strip()
    return Path(home).expanduser() if home else None


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Directory for config.toml and user themes."""
    home = _home(env)
    if home is not None:
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """The config file: `SUPPORTDESK_CONFIG_FILE` if set, else config_dir()/config.toml."""
    explicit = _env(env).get(CONFIG_FILE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    return config_dir(env) / CONFIG_FILE_NAME


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Durable per-user data: drafts, the offline outbox, usage stats."""
    home = _home(env)
    if home is not None:
        return home / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Data worth keeping between runs but safe to lose: logs, last-opened queue."""
    home = _home(env)
    if home is not None:
        return home / "state"
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Disposable caches."""
    home = _home(env)
    if home is not None:
        return home / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def downloads_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where saved attachments go: the user's Downloads folder."""
    home = _home(env)
    if home is not None:
        return home / "downloads"
    return Path(platformdirs.user_downloads_dir())


def user_themes_dir(env: Mapping[str, str] | None = None) -> Path:
    """Theme files the user adds (`*.toml`, same format as the built-in ones)."""
    return config_dir(env) / "themes"


def ensure_dir(path: Path, mode: int = 0o700) -> Path:
    """Create `path` (and missing parents) with `mode`, returning it.

    Directories we create get `mode` exactly (not filtered by the umask), because drafts and
    tokens live below them; directories that already exist are left as they are.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=mode)
        except FileExistsError:
            # Another process created it between our check and mkdir; theirs is as good as ours.
            continue
        os.chmod(directory, mode)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a directory")
    return path
