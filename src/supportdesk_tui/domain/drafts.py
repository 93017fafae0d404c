"""Unsent reply/note drafts, one JSON file per ticket, surviving crashes and `kill -9`.

A file that cannot be read is renamed to `<name>.corrupt` and reported through
`pop_warnings()`; it never crashes the app and is never deleted.

The composer's saves while the agent types go through `save_soon`: one writer thread writes them
(each with its fsync) off the UI loop, the latest text of each ticket only, one file write at a
time. Every other save, delete or load of a ticket's draft first takes that ticket's pending text
out of the writer's hands (or waits for the write in progress), so a stale text never lands
after a newer one or after the draft was deleted for a reply that went out.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from supportdesk_tui.contract.clock import utc_now
from supportdesk_tui.contract.models import MessageKind
from supportdesk_tui.domain.atomic import (
    TEMP_SUFFIX,
    StorageWarning,
    atomic_write_text,
    ensure_private_dir,
    quarantine_reporting,
    read_json_or_quarantine,
)

__all__ = ["Draft", "DraftKind", "DraftStore", "StorageWarning", "files_still_there"]

_FORMAT = 1
_STALE_TEMP_SECONDS = 3600
WRITER_IDLE_SECONDS = 10.0  # the writer thread ends after this long with nothing to write


class DraftKind(StrEnum):
    REPLY = "reply"
    NOTE = "note"

    @property
    def message_kind(self) -> MessageKind:
        return MessageKind(self.value)


@dataclass(frozen=True)
class Draft:
    ticket_id: int
    body: str
    kind: DraftKind = DraftKind.REPLY
    seen_up_to: int | None = None  # newest message id the agent had seen while writing
    updated_at: datetime = field(default_factory=utc_now)
    # Files attached in the composer: their paths on the agent's disk, read only when sent (a path
    # may be gone by the time the draft comes back; the screen restoring it says so).
    files: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.body.strip() and not self.files

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "ticket_id": self.ticket_id,
            "body": self.body,
            "kind": self.kind.value,
            "seen_up_to": self.seen_up_to,
            "updated_at": self.updated_at.isoformat(),
            "files": list(self.files),
        }

    @classmethod
    def from_json(cls, data: object) -> Draft:
        """Strict: anything unexpected raises `ValueError`."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a draft file (or an unknown format)")
        ticket_id, body, seen = data.get("ticket_id"), data.get("body"), data.get("seen_up_to")
        if type(ticket_id) is not int or not isinstance(body, str):
            raise ValueError("ticket_id/body missing or of the wrong type")
        if seen is not None and type(seen) is not int:
            raise ValueError("seen_up_to is not an integer")
        files = data.get("files", [])  # absent in drafts written before attachments
        if not isinstance(files, list) or not all(isinstance(path, str) for path in files):
            raise ValueError("files is not a list of paths")
        updated_at = datetime.fromisoformat(str(data.get("updated_at")))
        if updated_at.tzinfo is None:
            updated_at = updated_at.replace(tzinfo=UTC)
        return cls(ticket_id, body, DraftKind(str(data.get("kind"))), seen, updated_at, tuple(files))


def files_still_there(draft: Draft) -> tuple[list[Path], list[Path]]:
    """The draft's files split into those still on disk and those gone since it was saved."""
    present: list[Path] = []
    missing: list[Path] = []
    for name in draft.files:
        path = Path(name)
        (present if path.is_file() else missing).append(path)
    return present, missing


class DraftStore:
    """Drafts under `directory` (created 0700 on first save; files are 0600)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._warnings: list[StorageWarning] = []
        # Held for each file write or delete, by the writer thread and by direct calls alike:
        # never two writes of drafts at once, so never one overtaking another.
        self._io = threading.Lock()
        # Guards `_pending` and `_writing`; the writer thread waits on it for work.
        self._state = threading.Condition()
        self._pending: dict[int, Draft] = {}
        self._writing = False
        self._writer: threading.Thread | None = None

    def _path(self, ticket_id: int) -> Path:
        return self.directory / f"{int(ticket_id)}.json"

    def save(self, ticket_id: int, draft: Draft) -> None:
        """Write `draft` atomically now; an all-whitespace body without files deletes the draft
        instead. A text waiting for the writer thread for this ticket is dropped: this one is newer."""
        if draft.ticket_id != ticket_id:
            raise ValueError(f"draft of ticket {draft.ticket_id} saved as ticket {ticket_id}")
        with self._io:
            with self._state:
                self._pending.pop(ticket_id, None)
            self._write(draft)

    def save_soon(self, ticket_id: int, draft: Draft) -> None:
        """Have the writer thread save `draft` (as `save` does) without waiting for the disk.

        Saves of the same ticket that have not started yet collapse into the latest; `flush`
        waits for them, and any other call on this ticket's draft supersedes or waits for them."""
        if draft.ticket_id != ticket_id:
            raise ValueError(f"draft of ticket {draft.ticket_id} saved as ticket {ticket_id}")
        with self._state:
            self._pending[ticket_id] = draft
            if self._writer is None:
                # A daemon: a write in progress never keeps a quitting app alive; `flush` (the
                # session's close) is what waits for the last one.
                self._writer = threading.Thread(target=self._write_pending, name="draft-writer",
                                                daemon=True)
                self._writer.start()
            self._state.notify_all()

    def flush(self) -> None:
        """Return once every draft handed to `save_soon` before this call is on disk."""
        with self._state:
            while self._pending or self._writing:
                self._state.wait()

    def _write_pending(self) -> None:
        while True:
            with self._state:
                while not self._pending:
                    # Gone when idle: a store (a session) is not kept alive by its thread for good.
                    if not self._state.wait(WRITER_IDLE_SECONDS) and not self._pending:
                        self._writer = None
                        return
            with self._io:
                with self._state:
                    if not self._pending:  # taken back by a direct save or delete meanwhile
                        continue
                    ticket_id = next(iter(self._pending))
                    draft = self._pending.pop(ticket_id)
                    self._writing = True
                try:
                    self._write(draft)
                except OSError as exc:  # said like an unreadable file; the next save tries again
                    with self._state:
                        self._warnings.append(StorageWarning(self._path(ticket_id), None,
                                                             exc.strerror or str(exc)))
                finally:
                    with self._state:
                        self._writing = False
                        self._state.notify_all()

    def _write(self, draft: Draft) -> None:
        if draft.is_empty:
            self._path(draft.ticket_id).unlink(missing_ok=True)
            return
        ensure_private_dir(self.directory)
        text = json.dumps(draft.to_json(), ensure_ascii=False, indent=1)
        atomic_write_text(self._path(draft.ticket_id), text)

    def load(self, ticket_id: int) -> Draft | None:
        with self._state:
            pending = self._pending.get(ticket_id)
        if pending is not None:  # newer than the file: the writer thread has not got to it yet
            return None if pending.is_empty else pending
        with self._io:  # not a file half replaced by a write in progress (rename is atomic anyway)
            return self._load(ticket_id)

    def _load(self, ticket_id: int) -> Draft | None:
        path = self._path(ticket_id)
        data = read_json_or_quarantine(path, self._warnings)
        if data is None:
            return None
        try:
            draft = Draft.from_json(data)
        except (ValueError, TypeError) as exc:
            quarantine_reporting(path, str(exc), self._warnings)
            return None
        if draft.ticket_id != ticket_id:
            quarantine_reporting(path, f"holds ticket {draft.ticket_id}, not {ticket_id}", self._warnings)
            return None
        return draft

    def delete(self, ticket_id: int) -> None:
        with self._io:
            with self._state:
                self._pending.pop(ticket_id, None)
            self._path(ticket_id).unlink(missing_ok=True)

    def all(self) -> list[Draft]:
        """Every readable draft, most recently updated first."""
        self.flush()
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return []
        drafts: list[Draft] = []
        for entry in entries:
            name = entry.name
            if name.endswith(TEMP_SUFFIX) and name.startswith("."):
                self._remove_stale_temp(Path(entry.path))
                continue
            stem = name.removesuffix(".json")
            if stem == name or not stem.isdigit():
                continue
            with self._io:
                draft = self._load(int(stem))
            if draft is not None:
                drafts.append(draft)
        drafts.sort(key=lambda d: d.updated_at, reverse=True)
        return drafts

    def pop_warnings(self) -> list[StorageWarning]:
        """Problems met since the last call (for one toast), then forgotten."""
        with self._state:
            warnings, self._warnings = self._warnings, []
        return warnings

    @staticmethod
    def _remove_stale_temp(path: Path) -> None:
        # Left behind only by a crash mid-write; a fresh one may belong to another instance.
        try:
            if time.time() - path.stat().st_mtime > _STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            pass
