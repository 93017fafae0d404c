"""Files are private: the database holds customers' contact details, so it, its WAL and shared
memory files are owner-only, and directories the server creates for them are too."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ServerFactory
from supportdesk_tui.server.store import open_store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def everyday_umask() -> Iterator[None]:
    """The usual 022, whatever the test runner was started with: what a fresh install sees."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.sqlite_only  # PostgreSQL keeps its files in its own data directory
def test_a_running_server_s_database_files_are_owner_only(
    everyday_umask: None, server_factory: ServerFactory
) -> None:
    server = server_factory(demo=False)
    with server.client("intake") as intake:
        assert intake.get("/api/v1/health").status_code == 200
    files = [server.db_path, *(server.db_path.with_name(server.db_path.name + s) for s in ("-wal", "-shm"))]
    assert all(f.exists() for f in files), files
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_the_directories_the_store_creates_are_owner_only(everyday_umask: None, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    path = shared / "fresh" / "data" / "server.sqlite3"
    store = open_store(path)
    try:
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
        assert _mode(shared) == 0o755  # a directory that was already there is not ours to change
    finally:
        store.close()


def test_a_database_left_world_readable_by_an_older_version_is_narrowed(
    everyday_umask: None, tmp_path: Path
) -> None:
    path = tmp_path / "server.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    store = open_store(path)
    try:
        assert _mode(path) == 0o600
        assert _mode(path.with_name(path.name + "-wal")) == 0o600
    finally:
        store.close()
