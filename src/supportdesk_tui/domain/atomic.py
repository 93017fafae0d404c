"""Crash-safe small files: a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "StorageWarning",
    "atomic_write_bytes",
    "atomic_write_text",
    "ensure_private_dir",
    "quarantine",
    "quarantine_reporting",
    "read_json_or_quarantine",
]

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
TEMP_SUFFIX = ".tmp"


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` (and parents) and make it owner-only; drafts are customer data."""
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix" and stat.S_IMODE(directory.stat().st_mode) != PRIVATE_DIR:
        directory.chmod(PRIVATE_DIR)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Write `data` to `path` via a temp file in the same directory, fsync, rename, fsync the dir."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if os.name == "posix":
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, mode: int = PRIVATE_FILE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def quarantine(path: Path) -> Path:
    """Rename an unreadable file aside as `<name>.corrupt` (numbered if taken) and return the new path.

    Never deletes: the agent's text may still be recoverable by hand.
    """
    target = path.with_name(path.name + ".corrupt")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt.{n}")
        n += 1
    os.replace(path, target)
    return target


@dataclass(frozen=True)
class StorageWarning:
    """A file that could not be read and was moved aside."""

    path: Path
    moved_to: Path | None
    reason: str

    def __str__(self) -> str:
        where = f"; kept as {self.moved_to}" if self.moved_to else ""
        return f"Could not read {self.path.name}: {self.reason}{where}"


def read_json_or_quarantine(path: Path, warnings: list[StorageWarning]) -> object | None:
    """Parsed JSON of `path`; None if absent or unreadable (then moved aside and reported)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warnings.append(StorageWarning(path, None, exc.strerror or str(exc)))
        return None
    try:
        data: object = json.loads(raw.decode("utf-8"))
        return data
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        quarantine_reporting(path, f"not valid JSON ({exc})", warnings)
        return None


def quarantine_reporting(path: Path, reason: str, warnings: list[StorageWarning]) -> None:
    try:
        moved: Path | None = quarantine(path)
    except OSError:
        moved = None
    warnings.append(StorageWarning(path, moved, reason))
