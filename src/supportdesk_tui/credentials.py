"""Where the agent's token lives: the system keyring when one works, else a 0600 file.

The token is never logged or printed; only where it is stored is reported.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk_tui import paths

_SERVICE = "supportdesk-tui"


@dataclass(frozen=True, slots=True)
class StoredLogin:
    server: str
    token: str = field(repr=False)
    where: str = ""  # "keyring" or the file path


def _file() -> Path:
    return paths.data_dir() / "credentials.json"


def _keyring_usable() -> bool:
    if os.environ.get("SUPPORTDESK_NO_KEYRING"):
        return False
    try:
        # lazy: keyring finds its backends (D-Bus, the OS store) on import; most runs never need it
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:
        return False
    return not isinstance(backend, fail.Keyring) and "null" not in type(backend).__name__.lower()


def save_login(server: str, token: str) -> str:
    """Store the token; returns a human description of where it went."""
    record: dict[str, str] = {"server": server}
    where: str
    if _keyring_usable():
        import keyring  # lazy: see _keyring_usable

        keyring.set_password(_SERVICE, server, token)
        where = "the system keyring"
    else:
        record["token"] = token
        where = str(_file())
    path = _file()
    paths.ensure_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if hasattr(os, "fchmod"):  # a stale temp file keeps its old mode through O_CREAT: narrow it first
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    os.chmod(path, 0o600)
    return where


def read_login_file() -> tuple[str, str | None] | None:
    """The stored login's file as (server, token); the token is None when it lives in the keyring.

    Without the keyring's import (≈ 0.1 s): the first start's pre-paint reads this (first_start.py).
    """
    try:
        record = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    server = record.get("server") if isinstance(record, dict) else None
    if not isinstance(server, str):
        return None
    token = record.get("token")
    return server, token if isinstance(token, str) else None


def load_login() -> StoredLogin | None:
    stored = read_login_file()
    if stored is None:
        return None
    server, token = stored
    if token is not None:
        return StoredLogin(server, token, str(_file()))
    if _keyring_usable():
        import keyring  # lazy: see _keyring_usable

        secret = keyring.get_password(_SERVICE, server)
        if secret:
            return StoredLogin(server, secret, "keyring")
    return None


def delete_login() -> bool:
    stored = load_login()
    removed = False
    if stored and stored.where == "keyring":
        import keyring  # lazy: see _keyring_usable

        try:
            keyring.delete_password(_SERVICE, stored.server)
            removed = True
        except Exception:
            removed = False
    try:
        _file().unlink()
        removed = True
    except FileNotFoundError:
        pass
    return removed
