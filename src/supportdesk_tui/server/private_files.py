"""Owner-only database files: the tickets hold customers' names, e-mails and phone numbers.

SQLite creates a new database with 0644 (less the umask) and gives its `-wal` and `-shm` files
the mode of the database, so the database is made 0600 before SQLite first opens it and the
side files are checked again once they exist (an older version may have left them wider).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def is_file_path(path: str) -> bool:
    """False for SQLite's in-memory and URI names, which name no file we could protect."""
    return path != "" and path != ":memory:" and not path.startswith("file:")


def prepare_private_db(path: Path) -> None:
    """Create missing parent directories 0700 and the database file 0600 before SQLite opens it.

    Directories that already exist are left alone: the database may live in a shared one
    (the working directory, /srv/…), and the file's own mode is what keeps the data private.
    """
    missing: list[Path] = []
    current = path.parent
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another process made it between our check and mkdir
            continue
        os.chmod(directory, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    # O_CREAT with 0600 creates it owner-only whatever the umask lets through (0600 & ~umask
    # can only be narrower); an existing file keeps its contents.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    make_private(path)


def make_private(path: Path) -> None:
    """Narrow the database and its side files to 0600 where they are wider."""
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode != PRIVATE_FILE:
            os.chmod(candidate, PRIVATE_FILE)
