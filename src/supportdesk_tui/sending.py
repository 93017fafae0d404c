"""Sending replies and notes so that none is lost and none lands twice.

Every send is written to the persistent outbox *before* the request goes out,
keyed by its Idempotency-Key. A crash, a dropped connection or a timeout leaves
the item queued; the next attempt (now, after backoff, or after a restart)
reuses the key, so the server replays instead of posting again. The outbox's
file may be written by a thread (the send's key does not wait for the disk):
every request waits until the outbox is on disk first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from pydantic import ValidationError as PydanticValidationError

from supportdesk_tui.api import errors
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.contract.models import ATTACHMENT_MAX_BYTES, MessageCreate, MessagePosted, Status
from supportdesk_tui.domain.drafts import Draft, DraftKind, DraftStore
from supportdesk_tui.domain.outbox import Outbox, OutboxFile, OutboxItem, OutboxState, flush
from supportdesk_tui.i18n import N_, _


def message_request(kind: DraftKind, body: str, status_after: Status | None,
                    seen_up_to: int | None, attachment_ids: Sequence[int] = ()) -> MessageCreate:
    """The request as the contract types it; a body the contract refuses (too long, empty) is a
    `ValidationFailed` like the server's own 422, never an exception that escapes the caller."""
    try:
        return MessageCreate(kind=kind.message_kind, body=body, status=status_after,
                             seen_up_to=seen_up_to, attachment_ids=list(attachment_ids))
    except PydanticValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                             for error in exc.errors(include_url=False, include_input=False))
        raise errors.ValidationFailed(f"The message was not sent: {problems}.") from None


def stage_files(folder: Path, item_id: str, files: Sequence[Path]) -> tuple[OutboxFile, ...]:
    """Private copies of the agent's files for the outbox; a file too big or unreadable is a
    `ValidationFailed` (nothing is queued, the agent still has the text)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    staged: list[OutboxFile] = []
    for index, source in enumerate(files):
        try:
            size = source.stat().st_size
            if size > ATTACHMENT_MAX_BYTES:
                limit = ATTACHMENT_MAX_BYTES // (1024 * 1024)
                raise errors.ValidationFailed(f"{source.name} is over {limit} MiB; it was not sent.")
            data = source.read_bytes()
        except OSError as exc:
            raise errors.ValidationFailed(f"{source.name} can't be read: {exc.strerror}.") from None
        copy = folder / f"{item_id}-{index}"
        descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        staged.append(OutboxFile.new(copy, source.name))
    return tuple(staged)


class NotSaved(errors.ApiError):
    """The outbox could not be written to disk: nothing was sent, nothing stays queued."""

    title_msgid: ClassVar[str] = N_("Not saved")


@dataclass(frozen=True, slots=True)
class Queued:
    """The send could not complete now; it stays in the outbox and will be retried."""

    item: OutboxItem
    error: errors.ApiError


class Sender:
    """`answer_within`: how long one attempt waits for the server before the item is left to the
    outbox's retries (None: the API client's timeout and retries)."""

    def __init__(self, api: SupportDeskClient, outbox: Outbox, drafts: DraftStore,
                 clock: Callable[[], datetime], *, answer_within: float | None = None) -> None:
        self.api = api
        self.outbox = outbox
        self.drafts = drafts
        self.clock = clock
        self.answer_within = answer_within
        self.delivered: list[MessagePosted] = []
        # Items whose first attempt is out now: the composer that sent them still shows their text.
        self.sending: set[str] = set()
        # A ticket's first attempts go one at a time, in the order sent (the lock is first come,
        # first served): two replies sent in quick succession both wait for the disk, and sent at
        # once on two connections the server could take the second first.
        self._turns: dict[int, asyncio.Lock] = {}

    @property
    def waiting(self) -> int:
        return sum(1 for item in self.outbox if item.state is OutboxState.PENDING)

    @property
    def failed(self) -> int:
        return sum(1 for item in self.outbox if item.state is OutboxState.FAILED)

    async def _outbox_written(self) -> None:
        """Return once every change to the outbox made so far is on disk (so before any byte of a
        request goes out, its item would survive a crash)."""
        change = self.outbox.unwritten()
        if change is not None:
            await asyncio.to_thread(self.outbox.wait_written, change)

    async def _post(self, item: OutboxItem) -> MessagePosted:
        await self._outbox_written()
        upload_ids = await self._upload_files(item)
        request = message_request(item.kind, item.body, item.status_after, item.seen_up_to, upload_ids)
        return await self.api.post_message(item.ticket_id, request, idempotency_key=item.id,
                                           answer_within=self.answer_within)

    async def _upload_files(self, item: OutboxItem) -> list[int]:
        """Each file's upload id, uploading those not on the server yet (each under its own key,
        so a lost answer replays the same upload; the id is kept in the outbox at once)."""
        ids: list[int] = []
        for index, file in enumerate(item.files):
            if file.upload_id is None:
                try:
                    data = await asyncio.to_thread(Path(file.path).read_bytes)
                except OSError:
                    raise errors.ValidationFailed(
                        _("The copy of {name} kept for sending is gone; attach the file again.").format(
                            name=repr(file.name))
                    ) from None
                uploaded = await self.api.upload_attachment(file.name, data, idempotency_key=file.upload_key)
                if self.outbox.get(item.id) is not None:
                    self.outbox.set_uploaded(item.id, index, uploaded.id)
                ids.append(uploaded.id)
            else:
                ids.append(file.upload_id)
        return ids

    async def send(self, ticket_id: int, kind: DraftKind, body: str, *, status_after: Status | None,
                   seen_up_to: int | None) -> MessagePosted | Queued:
        """Send now. Raises `NewActivity` or a non-retryable `ApiError` with nothing queued
        (the caller keeps the text); returns `Queued` when it will be retried later."""
        item = self.queue(ticket_id, kind, body, status_after=status_after, seen_up_to=seen_up_to)
        return await self.deliver(item)

    def queue(self, ticket_id: int, kind: DraftKind, body: str, *, status_after: Status | None,
              seen_up_to: int | None, files: Sequence[Path] = (), key: str | None = None) -> OutboxItem:
        """The first half of `send`, with no network I/O: the item is in the outbox (on its way to
        the disk: `deliver` sends nothing before it is there), with a private copy of each file,
        and counts as sending until `deliver` answers.
        `key`: the Idempotency-Key when the caller fixed one beforehand (an incident's replies).
        Raises `ValidationFailed` with nothing queued."""
        # Checked before queueing: an item the contract refuses could never leave the outbox.
        message_request(kind, body, status_after, seen_up_to, [1] * len(files))
        item = OutboxItem.new(ticket_id, kind, body, now=self.clock(),
                              status_after=status_after, seen_up_to=seen_up_to, key=key)
        if files:
            item = replace(item, files=stage_files(self.outbox.path.parent / "files", item.id, files))
        item = self.outbox.add(item)
        self.sending.add(item.id)
        return item

    async def deliver(self, item: OutboxItem, *, forget_draft: bool = True) -> MessagePosted | Queued:
        """The first attempt of a `queue`d item: see `send`.

        `forget_draft=False`: the ticket's draft is left alone (the composer was emptied when the
        item was queued, and what it holds now is the agent's next message)."""
        async with self._turns.setdefault(item.ticket_id, asyncio.Lock()):
            return await self._deliver(item, forget_draft=forget_draft)

    async def _deliver(self, item: OutboxItem, *, forget_draft: bool) -> MessagePosted | Queued:
        try:
            try:
                await self._outbox_written()
            except OSError as exc:
                # Not on disk, so not sent: the caller gives the text back to the agent.
                with contextlib.suppress(OSError):
                    self.outbox.remove(item.id)
                raise NotSaved(_("The outbox could not be saved ({reason}); nothing was sent.").format(
                    reason=exc.strerror or exc)) from exc
            posted = await self._post(item)
        except NotSaved:
            raise
        except errors.ApiError as exc:
            if exc.retryable:
                self.outbox.mark_failed(item.id, str(exc), self.clock(), errors.retry_after_of(exc))
                if forget_draft:
                    self.drafts.delete(item.ticket_id)  # the outbox now holds the text
                return Queued(item, exc)
            self.outbox.remove(item.id)
            raise
        finally:
            self.sending.discard(item.id)
        self.outbox.remove(item.id)
        if forget_draft:
            self.drafts.delete(item.ticket_id)
        return posted

    def in_flight(self, ticket_id: int) -> list[OutboxItem]:
        """The ticket's items whose first attempt is out now (shown as "sending"), oldest first."""
        return [item for item in self.outbox if item.ticket_id == ticket_id and item.id in self.sending]

    def waiting_for(self, ticket_id: int) -> list[OutboxItem]:
        """The ticket's replies and notes still in the outbox (waiting or refused), oldest first,
        but not one whose first attempt is still out (its composer shows it as sending)."""
        return [item for item in self.outbox
                if item.ticket_id == ticket_id and item.id not in self.sending]

    def hurry(self) -> None:
        """The server answers again: every waiting item is due now instead of after its backoff."""
        self.outbox.hurry(self.clock())

    async def flush_due(self) -> list[MessagePosted]:
        """Retry every due queued item once; returns what landed."""
        landed: list[MessagePosted] = []

        async def send(item: OutboxItem) -> None:
            try:
                landed.append(await self._post(item))
            except errors.NewActivity:
                # The customer wrote again: the agent must read it first. Back to a draft.
                self.drafts.save(item.ticket_id, Draft(item.ticket_id, item.body, item.kind,
                                                       item.seen_up_to))
                self.outbox.remove(item.id)
                raise

        await flush(self.outbox, send, self.clock, is_retryable=errors.is_retryable,
                    retry_after=errors.retry_after_of, in_flight=self.sending)
        return landed
