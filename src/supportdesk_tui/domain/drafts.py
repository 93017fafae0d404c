"""Unsent reply/note drafts, one JSON file per ticket, surviving crashes and `kill -9`.

A file that cannot be read is renamed to `<name>.corrupt` and reported through
`pop_warnings()`; it never crashes the app and is never deleted.

The composer's saves while the agent types go through `save_soon`: a writer thread
(`BackgroundWriter`, shared with the outbox) writes them (each with its fsync) off the UI loop, the
latest text of each ticket only, one file write at a time, never before an outbox entry handed
over earlier. Every other save, delete or load of a ticket's draft first takes that ticket's
pending text out of the writer's hands (or waits for the write in progress), so a stale text never
lands after a newer one or after the draft was deleted for a reply that went out.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Hashable
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
from supportdesk_tui.domain.background_writer import BackgroundWriter

__all__ = ["Draft", "DraftKind", "DraftStore", "StorageWarning", "files_still_there"]

_FORMAT = 1
_STALE_TEMP_SECONDS = 3600


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
    """Drafts under `directory` (created 0700 on first save; files are 0600).

    `writer`: the thread that writes `save_soon`'s texts; share the outbox's, so that a draft
    emptied by a send never reaches the disk before the outbox entry holding its text."""

    def __init__(self, directory: Path, writer: BackgroundWriter | None = None) -> None:
        self.directory = directory
        self.writer = writer if writer is not None else BackgroundWriter("draft-writer")
        self._warnings: list[StorageWarning] = []
        self._warnings_lock = threading.Lock()  # the writer thread reports into it too

    def _path(self, ticket_id: int) -> Path:
        return self.directory / f"{int(ticket_id)}.json"

    def _key(self, ticket_id: int) -> Hashable:
        return ("draft", str(self.directory), int(ticket_id))

    def save(self, ticket_id: int, draft: Draft) -> None:
        """Write `draft` atomically now; an all-whitespace body without files deletes the draft
        instead. A text waiting for the writer thread for this ticket is dropped: this one is newer."""
        if draft.ticket_id != ticket_id:
            raise ValueError(f"draft of ticket {draft.ticket_id} saved as ticket {ticket_id}")
        with self.writer.direct(self._key(ticket_id)):
            self._write(draft)

    def save_soon(self, ticket_id: int, draft: Draft) -> None:
        """Have the writer thread save `draft` (as `save` does) without waiting for the disk.

        Saves of the same ticket that have not started yet collapse into the latest; `flush`
        waits for them, and any other call on this ticket's draft supersedes or waits for them."""
        if draft.ticket_id != ticket_id:
            raise ValueError(f"draft of ticket {draft.ticket_id} saved as ticket {ticket_id}")
        self.writer.submit(self._key(ticket_id), draft, lambda: self._write_reporting(draft))

    def flush(self) -> None:
        """Return once every draft handed to `save_soon` before this call is on disk."""
        self.writer.flush()

    def _write_reporting(self, draft: Draft) -> None:
        try:
            self._write(draft)
        except OSError as exc:  # said like an unreadable file; the next save tries again
            with self._warnings_lock:
                self._warnings.append(StorageWarning(self._path(draft.ticket_id), None,
                                                     exc.strerror or str(exc)))

    def _write(self, draft: Draft) -> None:
        if draft.is_empty:
            self._path(draft.ticket_id).unlink(missing_ok=True)
            return
        ensure_private_dir(self.directory)
        text = json.dumps(draft.to_json(), ensure_ascii=False, indent=1)
        atomic_write_text(self._path(draft.ticket_id), text)

    def load(self, ticket_id: int) -> Draft | None:
        pending = self.writer.waiting(self._key(ticket_id))
        if isinstance(pending, Draft):  # newer than the file: the writer thread has not got to it yet
            return None if pending.is_empty else pending
        with self.writer.reading():  # not a file half replaced by a write (rename is atomic anyway)
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
        with self.writer.direct(self._key(ticket_id)):
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
            with self.writer.reading():
                draft = self._load(int(stem))
            if draft is not None:
                drafts.append(draft)
        drafts.sort(key=lambda d: d.updated_at, reverse=True)
        return drafts

    def pop_warnings(self) -> list[StorageWarning]:
        """Problems met since the last call (for one toast), then forgotten."""
        with self._warnings_lock:
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
