"""Replies and notes that could not be sent yet, kept on disk until they are.

Each item carries its idempotency key (`id`), so resending after a lost response
cannot post twice. Rules:
- a retryable failure (network, 5xx, 429) schedules the next attempt with
  exponential backoff and full jitter (or the server's `Retry-After`);
- a non-retryable one (409 new activity, 422, 403, ...) parks the item as
  `failed` with its error: it is never dropped silently and never resent
  until the agent asks (`resend`) or discards it (`remove`);
- items of one ticket go out in order: nothing is sent while an older item of
  the same ticket is still waiting or failed.

With a `BackgroundWriter`, `add` hands the file to its thread (a send's key never waits for the
disk's fsync); whoever sends an item first waits for `wait_written` — nothing goes out before the
item is on disk.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Awaitable, Callable, Container, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from supportdesk_tui.contract.models import Status
from supportdesk_tui.domain.atomic import (
    StorageWarning,
    atomic_write_text,
    ensure_private_dir,
    quarantine_reporting,
    read_json_or_quarantine,
)
from supportdesk_tui.domain.background_writer import BackgroundWriter
from supportdesk_tui.domain.drafts import DraftKind

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "REPLAYED_REFUSALS",
    "FlushResult",
    "Outbox",
    "OutboxFile",
    "OutboxItem",
    "OutboxState",
    "backoff_delay",
    "flush",
]

BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
_FORMAT = 1
# Refusals the server stores under the Idempotency-Key and replays for 24 h (the outcome depends
# only on the request; see docs/api/contract.md, "Idempotency"). Resending with that key would
# only get the same refusal back; and since a landed request would have been replayed as its 2xx
# instead, such a refusal also proves that nothing was written under the key.
REPLAYED_REFUSALS = frozenset({400, 403, 404, 422})


class OutboxState(StrEnum):
    PENDING = "pending"  # will be sent when due
    FAILED = "failed"  # refused for good; waits for the agent


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class OutboxFile:
    """A file sent with an item: a private copy taken when the agent sent it (what was attached is
    what goes, whatever happens to the original), uploaded once under its own key, then claimed
    by the message through `upload_id`."""

    path: str
    name: str
    upload_key: str
    upload_id: int | None = None

    @classmethod
    def new(cls, path: Path, name: str) -> OutboxFile:
        return cls(str(path), name, str(uuid.uuid4()))

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "name": self.name, "upload_key": self.upload_key,
                "upload_id": self.upload_id}

    @classmethod
    def from_json(cls, data: object) -> OutboxFile:
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("path", "name")):
            raise ValueError("an outbox file is not an object with a path and a name")
        upload_id = data.get("upload_id")
        if upload_id is not None and type(upload_id) is not int:
            raise ValueError("upload_id of the wrong type")
        return cls(data["path"], data["name"], str(uuid.UUID(str(data.get("upload_key")))), upload_id)

    def fresh(self) -> OutboxFile:
        """To be uploaded again under a new key (the message's key changed, see `Outbox.resend`)."""
        return OutboxFile(self.path, self.name, str(uuid.uuid4()))


@dataclass(frozen=True)
class OutboxItem:
    id: str  # the Idempotency-Key
    ticket_id: int
    kind: DraftKind
    body: str
    status_after: Status | None
    seen_up_to: int | None
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    last_error: str | None = None
    state: OutboxState = OutboxState.PENDING
    refused_status: int | None = None  # HTTP status of the refusal that parked the item, if any
    files: tuple[OutboxFile, ...] = ()

    @classmethod
    def new(
        cls,
        ticket_id: int,
        kind: DraftKind,
        body: str,
        *,
        now: datetime,
        status_after: Status | None = None,
        seen_up_to: int | None = None,
        key: str | None = None,
    ) -> OutboxItem:
        """A fresh item due immediately, with a new uuid4 idempotency key unless `key` (a UUID the
        caller derived, so that the same message asked twice is one message) is given."""
        now = _aware(now)
        item_id = str(uuid.uuid4()) if key is None else str(uuid.UUID(key))
        return cls(item_id, ticket_id, kind, body, status_after, seen_up_to, now, now)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "kind": self.kind.value,
            "body": self.body,
            "status_after": self.status_after.value if self.status_after else None,
            "seen_up_to": self.seen_up_to,
            "created_at": self.created_at.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "attempts": self.attempts,
            "last_error": self.last_error,
            "state": self.state.value,
            "refused_status": self.refused_status,
            "files": [f.to_json() for f in self.files],
        }

    @classmethod
    def from_json(cls, data: object) -> OutboxItem:
        if not isinstance(data, dict):
            raise ValueError("an outbox item is not an object")
        ints = [data.get("ticket_id"), data.get("attempts")]
        if any(type(v) is not int for v in ints) or not isinstance(data.get("body"), str):
            raise ValueError("ticket_id/attempts/body missing or of the wrong type")
        seen, error, status = data.get("seen_up_to"), data.get("last_error"), data.get("status_after")
        if (seen is not None and type(seen) is not int) or (error is not None and not isinstance(error, str)):
            raise ValueError("seen_up_to/last_error of the wrong type")
        files = data.get("files", [])  # absent in files written before attachments
        if not isinstance(files, list):
            raise ValueError("files is not a list")
        refused = data.get("refused_status")  # absent in files written before it existed
        if refused is not None and type(refused) is not int:
            raise ValueError("refused_status of the wrong type")
        return cls(
            id=str(uuid.UUID(str(data.get("id")))),
            ticket_id=data["ticket_id"],
            kind=DraftKind(str(data.get("kind"))),
            body=data["body"],
            status_after=None if status is None else Status(status),
            seen_up_to=seen,
            created_at=_aware(datetime.fromisoformat(str(data.get("created_at")))),
            next_attempt_at=_aware(datetime.fromisoformat(str(data.get("next_attempt_at")))),
            attempts=data["attempts"],
            last_error=error,
            state=OutboxState(str(data.get("state"))),
            refused_status=refused,
            files=tuple(OutboxFile.from_json(f) for f in files),
        )


def backoff_delay(
    attempt: int,
    rng: random.Random,
    *,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
) -> float:
    """Seconds to wait before retry number `attempt` (1-based): full jitter over min(cap, base·2^(n-1))."""
    ceiling = min(cap, base * 2.0 ** min(max(attempt, 1) - 1, 63))
    return rng.uniform(0.0, ceiling)


class Outbox:
    """The outbox file at `path` (JSON, written atomically, 0600). Loaded once at construction.

    `writer`: `add` hands the file to this thread instead of writing it before it returns (share
    it with the draft store: the outbox's writes go first). Every other change is written at once.
    """

    def __init__(self, path: Path, *, rng: random.Random | None = None,
                 writer: BackgroundWriter | None = None) -> None:
        self.path = path
        self._rng = rng if rng is not None else random.Random()
        self._items: dict[str, OutboxItem] = {}
        self._warnings: list[StorageWarning] = []
        self._writer = writer
        # Every change is numbered; `_written` is the newest one on disk (ordered by the writer's
        # one-write-at-a-time lock), `_write_error` why the last background write failed.
        self._changes = 0
        self._written = 0
        self._write_error: OSError | None = None
        self._load()

    def _load(self) -> None:
        data = read_json_or_quarantine(self.path, self._warnings)
        if data is None:
            return
        try:
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                raise ValueError("not an outbox file (or an unknown format)")
            raw_items = data.get("items")
            if not isinstance(raw_items, list):
                raise ValueError("items is not a list")
            items = [OutboxItem.from_json(raw) for raw in raw_items]
        except (ValueError, TypeError, KeyError) as exc:
            # All or nothing: a half-trusted outbox could resend or lose a reply.
            quarantine_reporting(self.path, str(exc), self._warnings)
            return
        self._items = {item.id: item for item in items}

    def _payload(self) -> tuple[int, str]:
        """The next change's number and the file's text for it (built here, on the caller's
        thread: the items change only there)."""
        self._changes += 1
        payload = {"format": _FORMAT, "items": [item.to_json() for item in self._items.values()]}
        return self._changes, json.dumps(payload, ensure_ascii=False, indent=1)

    def _write(self, change: int, text: str) -> None:
        ensure_private_dir(self.path.parent)
        atomic_write_text(self.path, text)
        self._written = max(self._written, change)

    def _write_reporting(self, change: int, text: str) -> None:
        try:
            self._write(change, text)
        except OSError as exc:  # told to whoever waits for it (`wait_written`)
            self._write_error = exc

    def _save(self) -> None:
        change, text = self._payload()
        if self._writer is None:
            self._write(change, text)
            return
        with self._writer.direct(self._writer_key):  # and any change still waiting is superseded
            self._write(change, text)

    def _save_soon(self) -> None:
        if self._writer is None:
            self._save()
            return
        change, text = self._payload()
        self._writer.submit(self._writer_key, text, lambda: self._write_reporting(change, text), first=True)

    @property
    def _writer_key(self) -> tuple[str, str]:
        return ("outbox", str(self.path))

    def unwritten(self) -> int | None:
        """The number of the newest change not on disk yet, None when every change is."""
        return self._changes if self._written < self._changes else None

    def wait_written(self, change: int) -> None:
        """Block until change number `change` (or a later one) is on disk. Raises the `OSError`
        that kept it off the disk, if its write failed."""
        if self._written >= change:
            return
        if self._writer is not None:
            self._writer.wait(self._writer_key)
        if self._written < change:
            error = self._write_error
            raise error if error is not None else OSError(f"{self.path} was not written")

    def pop_warnings(self) -> list[StorageWarning]:
        warnings, self._warnings = self._warnings, []
        return warnings

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[OutboxItem]:
        return iter(self.items())

    def items(self) -> list[OutboxItem]:
        """Every item, oldest first."""
        return sorted(self._items.values(), key=lambda i: i.created_at)

    def get(self, item_id: str) -> OutboxItem | None:
        return self._items.get(item_id)

    def add(self, item: OutboxItem) -> OutboxItem:
        if item.id in self._items:
            raise ValueError(f"outbox item {item.id} already queued")
        self._items[item.id] = item
        self._save_soon()
        return item

    def remove(self, item_id: str) -> OutboxItem | None:
        """Drop an item (sent, or discarded by the agent) and its files' copies; unknown ids are ignored."""
        item = self._items.pop(item_id, None)
        if item is not None:
            self._save()
            for file in item.files:
                Path(file.path).unlink(missing_ok=True)
        return item

    def set_uploaded(self, item_id: str, index: int, upload_id: int) -> OutboxItem:
        """The item's file number `index` is on the server as `upload_id` (kept: never uploaded twice)."""
        files = list(self._items[item_id].files)
        files[index] = replace(files[index], upload_id=upload_id)
        return self._update(item_id, files=tuple(files))

    def due(self, now: datetime) -> list[OutboxItem]:
        """Pending items whose time has come and that are first in line for their ticket."""
        now = _aware(now)
        blocked: set[int] = set()
        ready: list[OutboxItem] = []
        for item in self.items():
            if item.ticket_id in blocked:
                continue
            blocked.add(item.ticket_id)
            if item.state is OutboxState.PENDING and item.next_attempt_at <= now:
                ready.append(item)
        return ready

    def _update(self, item_id: str, **changes: Any) -> OutboxItem:
        item = replace(self._items[item_id], **changes)
        self._items[item_id] = item
        self._save()
        return item

    def mark_failed(
        self,
        item_id: str,
        error: str,
        now: datetime,
        retry_after: float | None = None,
    ) -> OutboxItem:
        """A retryable failure: count the attempt and schedule the next one."""
        attempts = self._items[item_id].attempts + 1
        delay = retry_after if retry_after is not None else backoff_delay(attempts, self._rng)
        return self._update(
            item_id,
            attempts=attempts,
            last_error=error,
            next_attempt_at=_aware(now) + timedelta(seconds=max(0.0, delay)),
        )

    def mark_rejected(self, item_id: str, error: str, *, status: int | None = None) -> OutboxItem:
        """A permanent failure: keep the item, parked as `failed`, until the agent decides.

        `status` is the server's HTTP status, if it answered (None for a refusal on this side).
        """
        return self._update(
            item_id,
            attempts=self._items[item_id].attempts + 1,
            last_error=error,
            state=OutboxState.FAILED,
            refused_status=status,
        )

    def failed(self) -> list[OutboxItem]:
        """Items parked for the agent, oldest first."""
        return [item for item in self.items() if item.state is OutboxState.FAILED]

    def resend(self, item_id: str, now: datetime) -> OutboxItem:
        """The agent asks to send an item now (a failed one again, or a waiting one without waiting).

        The key stays the same unless the server answered with a refusal it replays
        (`REPLAYED_REFUSALS`): an earlier attempt may have landed with its response lost, and
        only the same key lets the server answer with that message instead of posting it twice.
        After a replayed refusal the same key could only ever get that refusal back, and nothing
        was written under it, so a fresh key is both needed and safe.
        """
        item = self._items[item_id]
        changes: dict[str, Any] = {"state": OutboxState.PENDING, "next_attempt_at": _aware(now)}
        if item.state is OutboxState.FAILED and item.refused_status in REPLAYED_REFUSALS:
            changes["id"] = str(uuid.uuid4())
            changes["refused_status"] = None
            # Uploads unclaimed for a day are gone from the server: upload the copies again.
            changes["files"] = tuple(f.fresh() for f in item.files)
        fresh = replace(item, **changes)
        # Rebuilt in order: `items()` sorts by created_at, but a stable dict keeps saves diff-able.
        self._items = {(fresh.id if key == item_id else key): (fresh if key == item_id else value)
                       for key, value in self._items.items()}
        self._save()
        return fresh

    def hurry(self, now: datetime) -> int:
        """Make every waiting item due at `now` (the server is back: its backoff no longer applies);
        keys stay. Returns how many moved."""
        now = _aware(now)
        late = [item for item in self._items.values()
                if item.state is OutboxState.PENDING and item.next_attempt_at > now]
        for item in late:
            self._items[item.id] = replace(item, next_attempt_at=now)
        if late:
            self._save()
        return len(late)

    def requeue(self, item_id: str, now: datetime, *, seen_up_to: int | None = None) -> OutboxItem:
        """The agent asks to try a failed item again (e.g. after reading the new activity)."""
        changes: dict[str, Any] = {"state": OutboxState.PENDING, "next_attempt_at": _aware(now)}
        if seen_up_to is not None:
            changes["seen_up_to"] = seen_up_to
        return self._update(item_id, **changes)


@dataclass
class FlushResult:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # parked for the agent

    @property
    def nothing_happened(self) -> bool:
        return not (self.sent or self.retrying or self.failed)


async def flush(
    outbox: Outbox,
    send: Callable[[OutboxItem], Awaitable[None]],
    now_fn: Callable[[], datetime],
    *,
    is_retryable: Callable[[BaseException], bool],
    retry_after: Callable[[BaseException], float | None] = lambda _exc: None,
    in_flight: Container[str] = (),
) -> FlushResult:
    """Send every due item once, in order; `send` must pass `item.id` as the Idempotency-Key.

    `in_flight`: ids whose first attempt is out now (read as it changes), left to that attempt:
    one message never goes out twice at once (the server would replay it, but the agent would
    see it sent twice).
    Cancellation propagates (the item stays queued and is resent with the same key).
    """
    result = FlushResult()
    attempted: set[str] = set()
    while True:
        # Re-read after each send: the next item of a ticket becomes due once its elder is gone,
        # and the agent may have discarded items meanwhile.
        item = next((i for i in outbox.due(now_fn()) if i.id not in attempted and i.id not in in_flight),
                    None)
        if item is None:
            return result
        attempted.add(item.id)
        try:
            await send(item)
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            if outbox.get(item.id) is None:
                continue
            if is_retryable(exc):
                outbox.mark_failed(item.id, message, now_fn(), retry_after(exc))
                result.retrying.append(item.id)
            else:
                status = getattr(exc, "status", None)
                outbox.mark_rejected(item.id, message, status=status if type(status) is int else None)
                result.failed.append(item.id)
            continue
        outbox.remove(item.id)
        result.sent.append(item.id)
