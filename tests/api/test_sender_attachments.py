"""A reply with a file goes through the outbox exactly once: the file is uploaded once (its id
kept in the outbox the moment it is known), and the reply posted once, whatever crash or lost
answer comes between (against the real server, on both engines)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from conftest import ServerHandle
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.domain.drafts import DraftKind, DraftStore
from supportdesk_tui.domain.outbox import Outbox
from supportdesk_tui.sending import Sender
from supportdesk_tui.server.seed_image import demo_photo_png

PNG = demo_photo_png()


def _ticket(server: ServerHandle) -> int:
    marker = uuid.uuid4().hex[:8]
    with server.client("intake") as intake:
        created = intake.post("/api/v1/tickets", json={
            "subject": f"files {marker}", "category": "password", "language": "en",
            "requester": {"account_id": f"id{marker}", "name": "File Person", "language": "en"},
            "body": "See the screenshot.",
        })
    assert created.status_code == 201, created.text
    ticket_id: int = created.json()["ticket_id"]
    return ticket_id


def _sender(server: ServerHandle, folder: Path) -> Sender:
    api = SupportDeskClient(server.url, server.token("anna"))
    outbox = Outbox(folder / "outbox.json")
    return Sender(api, outbox, DraftStore(folder / "drafts"), lambda: datetime.now(UTC))


async def test_a_reply_with_a_file_lands_once_across_a_crash_after_the_upload(
    backend: ServerHandle, tmp_path: Path
) -> None:
    ticket_id = _ticket(backend)
    original = tmp_path / "screenshot.png"
    original.write_bytes(PNG)
    first = _sender(backend, tmp_path / "data")
    item = first.queue(ticket_id, DraftKind.REPLY, "Here it is.", status_after=None, seen_up_to=None,
                       files=[original])
    original.write_bytes(b"changed after sending")  # what was attached is what goes
    # The upload's answer is lost, then the app dies before the reply goes out.
    [staged] = item.files
    lost = await first.api.upload_attachment(staged.name, Path(staged.path).read_bytes(),
                                             idempotency_key=staged.upload_key)
    await first.api.aclose()

    again = _sender(backend, tmp_path / "data")  # the next start reads the same outbox
    try:
        landed = await again.flush_due()
        assert len(landed) == 1
        [attachment] = landed[0].message.attachments
        assert attachment.id == lost.id  # the same upload, replayed under its key
        assert await again.api.download_attachment(attachment.id) == PNG
        # A second flush (a lost answer to the post) sends nothing more.
        assert await again.flush_due() == [] and len(again.outbox) == 0
    finally:
        await again.api.aclose()
    with backend.client("lena") as lena:
        messages = lena.get(f"/api/v1/tickets/{ticket_id}/messages").json()["data"]
    assert [m["body"] for m in messages] == ["See the screenshot.", "Here it is."]
    assert not list((tmp_path / "data" / "files").iterdir())  # the private copy went with the item
