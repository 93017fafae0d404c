"""A send's key does not wait for the disk: the outbox entry is written by a thread. What must still
hold: no byte of the request goes out before the entry is on disk, the draft is not emptied on disk
before it either (a kill in between leaves one or the other), and a failed write sends nothing."""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from crash import kill_once_ready
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.domain.background_writer import BackgroundWriter
from supportdesk_tui.domain.drafts import Draft, DraftKind, DraftStore
from supportdesk_tui.domain.outbox import Outbox, OutboxItem
from supportdesk_tui.sending import NotSaved, Sender

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def posted(body: str, message_id: int = 5) -> dict[str, object]:
    return {
        "message": {"id": message_id, "ticket_id": 7, "kind": "reply", "body": body,
                    "author": {"type": "agent", "id": "anna", "name": "Anna"},
                    "created_at": NOW.isoformat()},
        "ticket": {"id": 7, "version": 2, "subject": "s", "status": "open", "priority": "normal",
                   "queue": "access", "language": "en", "category": "password", "tags": [],
                   "requester": {"account_id": "id1", "name": "Ivan", "language": "en"},
                   "created_at": NOW.isoformat(), "updated_at": NOW.isoformat(), "sla": {}},
    }


class HeldOutbox(Outbox):
    """Its background writes stop inside the write until `release` is set."""

    def __init__(self, path: Path, writer: BackgroundWriter) -> None:
        super().__init__(path, writer=writer)
        self.writing_held = threading.Event()
        self.release = threading.Event()

    def _write_reporting(self, change: int, text: str) -> None:
        self.writing_held.set()
        assert self.release.wait(10)
        super()._write_reporting(change, text)


def stores_recording_writes(tmp_path: Path, writer: BackgroundWriter) -> tuple[DraftStore, Outbox, list[str]]:
    """A draft store and an outbox sharing `writer`, and the list of their writes as they reach the disk."""
    order: list[str] = []

    class Drafts(DraftStore):
        def _write(self, draft: Draft) -> None:
            order.append(f"draft {draft.body!r}")
            super()._write(draft)

    class Recorded(Outbox):
        def _write(self, change: int, text: str) -> None:
            order.append("outbox")
            super()._write(change, text)

    return Drafts(tmp_path / "drafts", writer), Recorded(tmp_path / "outbox.json", writer=writer), order


def on_disk(path: Path) -> list[OutboxItem]:
    """What a restarted app would find: a fresh outbox on the same file."""
    return Outbox(path).items()


class Server:
    """Answers every post, noting what the outbox file held at the moment each request arrived."""

    def __init__(self, outbox_path: Path) -> None:
        self.outbox_path = outbox_path
        self.requests: list[tuple[str, str, list[str]]] = []  # (key, body, item ids on disk then)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = str(json.loads(request.content)["body"])
        key = request.headers["Idempotency-Key"]
        self.requests.append((key, body, [item.id for item in on_disk(self.outbox_path)]))
        return httpx.Response(201, json=posted(body, len(self.requests)))


def sender_with(tmp_path: Path, outbox: Outbox, drafts: DraftStore, server: Server) -> Sender:
    api = SupportDeskClient("http://backend.test", "t", transport=httpx.MockTransport(server),
                            retries=1, retry_base_delay=0.001)
    return Sender(api, outbox, drafts, lambda: NOW)


async def test_the_request_waits_for_the_outbox_entry_on_disk_and_the_draft_outlives_the_wait(
        tmp_path: Path) -> None:
    writer = BackgroundWriter()
    drafts = DraftStore(tmp_path / "drafts", writer)
    drafts.save(7, Draft(7, "hello, checking now"))
    outbox = HeldOutbox(tmp_path / "outbox.json", writer)
    server = Server(outbox.path)
    sender = sender_with(tmp_path, outbox, drafts, server)

    # What the send key does: queue, empty the composer's draft (handed to the same writer).
    item = sender.queue(7, DraftKind.REPLY, "hello, checking now", status_after=None, seen_up_to=None)
    drafts.save_soon(7, Draft(7, ""))
    delivering = asyncio.create_task(sender.deliver(item, forget_draft=False))
    assert await asyncio.to_thread(outbox.writing_held.wait, 10)

    # The disk is busy with the outbox entry: nothing went out, and the draft is still on disk.
    await asyncio.sleep(0)
    assert server.requests == []
    kept = DraftStore(tmp_path / "drafts").load(7)  # another store: only what is on disk
    assert kept is not None and kept.body == "hello, checking now"
    assert on_disk(outbox.path) == []

    outbox.release.set()
    await delivering
    assert len(server.requests) == 1
    key, body, then_on_disk = server.requests[0]
    assert (key, body) == (item.id, "hello, checking now")
    assert then_on_disk == [item.id], "the entry was on disk before the request went out"
    await asyncio.to_thread(writer.flush)
    assert DraftStore(tmp_path / "drafts").load(7) is None
    assert on_disk(outbox.path) == []


async def test_two_sends_in_quick_succession_go_out_in_order_once_each(tmp_path: Path) -> None:
    writer = BackgroundWriter()
    drafts = DraftStore(tmp_path / "drafts", writer)
    outbox = HeldOutbox(tmp_path / "outbox.json", writer)
    server = Server(outbox.path)
    sender = sender_with(tmp_path, outbox, drafts, server)

    first = sender.queue(7, DraftKind.REPLY, "first", status_after=None, seen_up_to=None)
    sending_first = asyncio.create_task(sender.deliver(first, forget_draft=False))
    assert await asyncio.to_thread(outbox.writing_held.wait, 10)
    second = sender.queue(7, DraftKind.REPLY, "second", status_after=None, seen_up_to=None)
    sending_second = asyncio.create_task(sender.deliver(second, forget_draft=False))
    await asyncio.sleep(0)
    assert server.requests == []
    outbox.release.set()
    await asyncio.gather(sending_first, sending_second)

    assert [(key, body) for key, body, _ in server.requests] == [(first.id, "first"), (second.id, "second")]
    for key, _body, then_on_disk in server.requests:
        assert key in then_on_disk
    assert on_disk(outbox.path) == []


async def test_a_direct_draft_write_waits_for_the_outbox_entry_handed_over_before_it(
        tmp_path: Path) -> None:
    # The agent sends and leaves the ticket at once: leaving saves the (now empty) draft on the
    # UI loop. That delete must not reach the disk before the outbox entry holding the text.
    class Stalled(BackgroundWriter):
        def _run_pending(self) -> None:  # the thread has not got to the outbox entry yet
            return

    drafts, outbox, order = stores_recording_writes(tmp_path, Stalled())
    drafts.save(7, Draft(7, "hello"))
    outbox.add(OutboxItem.new(7, DraftKind.REPLY, "hello", now=NOW))
    drafts.save(7, Draft(7, ""))
    assert order == ["draft 'hello'", "outbox", "draft ''"]
    assert [item.body for item in on_disk(outbox.path)] == ["hello"]


def test_a_draft_emptied_by_the_send_waits_behind_the_outbox_entry_even_if_typed_before_it(
        tmp_path: Path) -> None:
    # The composer's throttled save of the text was still waiting for the thread when the agent
    # sent: the emptied draft takes that save's place, yet is written after the outbox entry.
    writer = BackgroundWriter()
    busy, free = threading.Event(), threading.Event()

    def another_file() -> None:
        busy.set()
        assert free.wait(10)

    drafts, outbox, order = stores_recording_writes(tmp_path, writer)
    writer.submit("another file", None, another_file)
    assert busy.wait(10)
    drafts.save_soon(7, Draft(7, "hello"))
    outbox.add(OutboxItem.new(7, DraftKind.REPLY, "hello", now=NOW))
    drafts.save_soon(7, Draft(7, ""))
    free.set()
    writer.flush()
    assert order == ["outbox", "draft ''"]


def test_closing_waits_for_the_outbox_entry_still_being_written(tmp_path: Path) -> None:
    # The session's close flushes the writer it shares with the drafts: quitting right after a
    # send leaves the reply on disk, to go out at the next start.
    writer = BackgroundWriter()
    outbox = HeldOutbox(tmp_path / "outbox.json", writer)
    item = outbox.add(OutboxItem.new(7, DraftKind.REPLY, "sent just before quitting", now=NOW))
    assert outbox.writing_held.wait(10)
    closing = threading.Thread(target=DraftStore(tmp_path / "drafts", writer).flush)
    closing.start()
    closing.join(0.2)
    assert closing.is_alive(), "the close waits for the write in progress"
    outbox.release.set()
    closing.join(10)
    assert not closing.is_alive()
    assert [entry.id for entry in on_disk(outbox.path)] == [item.id]


async def test_an_outbox_that_cannot_be_written_sends_nothing_and_keeps_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    writer = BackgroundWriter()
    drafts = DraftStore(tmp_path / "drafts", writer)
    outbox = Outbox(blocker / "outbox.json", writer=writer)
    server = Server(tmp_path / "nowhere.json")
    sender = sender_with(tmp_path, outbox, drafts, server)
    item = sender.queue(7, DraftKind.REPLY, "hello", status_after=None, seen_up_to=None)
    with pytest.raises(NotSaved):
        await sender.deliver(item, forget_draft=False)
    assert server.requests == []
    assert outbox.get(item.id) is None and sender.in_flight(7) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_killed_anywhere_around_the_send_key_each_reply_is_in_its_draft_or_in_the_outbox(
        tmp_path: Path) -> None:
    # What the send key does, over and over: the draft is on disk, the reply joins the outbox
    # (written by the thread), the composer's emptied draft is handed to the same thread.
    script = textwrap.dedent(
        """
        import sys
        from datetime import UTC, datetime
        from pathlib import Path
        from supportdesk_tui.domain.background_writer import BackgroundWriter
        from supportdesk_tui.domain.drafts import Draft, DraftKind, DraftStore
        from supportdesk_tui.domain.outbox import Outbox, OutboxItem
        folder = Path(sys.argv[1])
        writer = BackgroundWriter()
        drafts = DraftStore(folder / "drafts", writer)
        outbox = Outbox(folder / "outbox.json", writer=writer)
        now = datetime(2026, 12, 7, tzinfo=UTC)
        for i in range(1, 100000):
            drafts.save(i, Draft(i, f"reply {i}"))
            outbox.add(OutboxItem.new(i, DraftKind.REPLY, f"reply {i}", now=now))
            drafts.save_soon(i, Draft(i, ""))
            if i == 30:
                print("ready", flush=True)
        """
    )
    kill_once_ready(script, tmp_path)
    drafts = DraftStore(tmp_path / "drafts")
    in_drafts = {draft.ticket_id: draft.body for draft in drafts.all()}
    in_outbox = {item.ticket_id: item.body for item in Outbox(tmp_path / "outbox.json")}
    assert drafts.pop_warnings() == []
    last = max([*in_drafts, *in_outbox])
    assert last >= 30
    lost = [i for i in range(1, last + 1)
            if in_drafts.get(i) != f"reply {i}" and in_outbox.get(i) != f"reply {i}"]
    assert lost == []
