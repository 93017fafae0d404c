"""Attachments: a customer's photo reaches the agents of its queue and no one else; the type
comes from the bytes, the name is cleaned, the limits hold, and a finished account deletion
takes the files away (on both engines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import error_code, intake_creates, new_ticket_body, query_database

from conftest import ServerHandle, database_for
from supportdesk_tui.contract.models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENTS_PER_MESSAGE,
    Language,
    MessageCreate,
    MessageKind,
    RequesterIn,
    TicketCreate,
)
from supportdesk_tui.server.attachments import AttachmentDesk
from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.seed import seed_base
from supportdesk_tui.server.seed_image import demo_photo_png
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.store import open_store

PNG = demo_photo_png()


OCTETS = "application/octet-stream"


def upload(client: httpx.Client, name: str, data: bytes, content_type: str = OCTETS) -> Any:
    return client.post("/api/v1/uploads", params={"name": name}, content=data,
                       headers={"Content-Type": content_type})


def uploaded(client: httpx.Client, name: str, data: bytes, content_type: str = OCTETS) -> int:
    answer = upload(client, name, data, content_type)
    assert answer.status_code == 201, answer.text
    attachment_id: int = answer.json()["id"]
    return attachment_id


def messages_of(server: ServerHandle, ticket_id: int) -> list[dict[str, Any]]:
    with server.client("lena") as lena:
        page = lena.get(f"/api/v1/tickets/{ticket_id}/messages")
    assert page.status_code == 200, page.text
    data: list[dict[str, Any]] = page.json()["data"]
    return data


def test_a_customer_photo_sent_by_intake_reaches_the_agents_of_its_queue_only(backend: ServerHandle) -> None:
    with backend.client("intake") as intake:
        # The name and the header both lie: the bytes are a PNG.
        photo = uploaded(intake, "passport.pdf", PNG, "application/pdf")
    ticket = intake_creates(backend, new_ticket_body(attachment_ids=[photo]))
    first = messages_of(backend, ticket["id"])[0]
    assert first["attachments"] == [
        {"id": photo, "name": "passport.pdf", "content_type": "image/png", "size": len(PNG)}
    ]
    with backend.client("anna") as anna:  # works the access queue
        got = anna.get(f"/api/v1/attachments/{photo}")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    with backend.client("boris") as boris:  # an agent without the access queue
        assert boris.get(f"/api/v1/attachments/{photo}").status_code == 404
    with backend.client("lena") as lena:  # the lead sees every queue
        assert lena.get(f"/api/v1/attachments/{photo}").status_code == 200
    with backend.client("intake") as intake:  # intake writes, it never reads tickets
        assert intake.get(f"/api/v1/attachments/{photo}").status_code == 403
    with backend.client() as nobody:
        assert nobody.get(f"/api/v1/attachments/{photo}").status_code == 401
        assert upload(nobody, "x.png", PNG).status_code == 401


def test_an_upload_is_its_uploaders_alone_until_a_message_claims_it(backend: ServerHandle) -> None:
    ticket = intake_creates(backend)
    with backend.client("anna") as anna:
        mine = uploaded(anna, "log.txt", b"line one\nline two\n")
        assert anna.get(f"/api/v1/attachments/{mine}").status_code == 200
    with backend.client("lena") as lena:
        assert lena.get(f"/api/v1/attachments/{mine}").status_code == 404
        # Nor can anyone else claim it.
        stolen = lena.post(f"/api/v1/tickets/{ticket['id']}/messages",
                           json={"kind": "note", "body": "mine now", "attachment_ids": [mine]})
        assert stolen.status_code == 422 and error_code(stolen) == "validation_error"
    with backend.client("anna") as anna:
        body = {"kind": "reply", "body": "Here is the log.", "attachment_ids": [mine]}
        path = f"/api/v1/tickets/{ticket['id']}/messages"
        sent = anna.post(path, json=body, headers={"Idempotency-Key": "attach-once"})
        assert sent.status_code == 201, sent.text
        again = anna.post(path, json=body, headers={"Idempotency-Key": "attach-once"})
        assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
        # A new message can't claim it a second time.
        twice = anna.post(path, json={**body, "body": "once more"})
        assert twice.status_code == 422
    replies = [m for m in messages_of(backend, ticket["id"]) if m["attachments"]]
    assert [m["body"] for m in replies] == ["Here is the log."]
    assert replies[0]["attachments"][0]["content_type"] == "text/plain"


def test_the_type_comes_from_the_bytes_and_the_name_is_cleaned(backend: ServerHandle) -> None:
    hostile = "../../etc/\x1b]52;c;ZXZpbA==\x07pass\u202egnp.exe\r\n" + "x" * 300 + ".png"
    with backend.client("anna") as anna:
        script = upload(anna, hostile, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "image/png").json()
        named = upload(anna, "../../.bashrc", b"echo hi\n").json()
        nameless = upload(anna, "/\\//", PNG).json()
    assert script["content_type"] == "application/x-msdownload"
    assert "/" not in script["name"] and "\\" not in script["name"]
    assert not any(ord(c) < 32 or c == "\x7f" or c == "\u202e" for c in script["name"])
    assert len(script["name"]) <= 120 and script["name"].endswith(".png")
    assert named["name"] == "bashrc" and named["content_type"] == "text/plain"
    assert nameless["name"] == "attachment" and nameless["content_type"] == "image/png"


def test_size_and_count_limits_hold(backend: ServerHandle) -> None:
    ticket = intake_creates(backend)
    with backend.client("anna") as anna:
        too_big = upload(anna, "big.bin", b"\x01" * (ATTACHMENT_MAX_BYTES + 1))
        assert too_big.status_code == 413 and error_code(too_big) == "payload_too_large"
        assert upload(anna, "empty.txt", b"").status_code == 422
        just_fits = upload(anna, "fits.bin", b"\x01" * ATTACHMENT_MAX_BYTES)
        assert just_fits.status_code == 201, just_fits.text
        ids = [uploaded(anna, f"{i}.txt", b"text") for i in range(ATTACHMENTS_PER_MESSAGE + 1)]
        path = f"/api/v1/tickets/{ticket['id']}/messages"
        too_many = anna.post(path, json={"kind": "note", "body": "all", "attachment_ids": ids})
        assert too_many.status_code == 422
        enough = anna.post(path, json={"kind": "note", "body": "five", "attachment_ids": ids[:-1]})
        assert enough.status_code == 201, enough.text
    # The other JSON bodies keep their small limit.
    with backend.client("anna") as anna:
        big_json = anna.post(path, json={"kind": "note", "body": "x" * (300 * 1024)})
        assert big_json.status_code == 413


def test_a_finished_account_deletion_takes_the_customers_files_away(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    now = [datetime(2026, 12, 6, 12, 0, tzinfo=UTC)]
    store = open_store(database_for(engine, request, tmp_path))
    try:
        seed_base(store)
        service = Service(store, clock=lambda: now[0])
        desk = AttachmentDesk(service)
        intake = store.agent_by_login("intake")
        lead = store.agent_by_login("lena")
        assert intake is not None and lead is not None
        photo = desk.upload(intake, "me.png", PNG)
        requester = RequesterIn(account_id="id-leaving", name="Leaving Person", language=Language.EN)
        ticket = service.create_ticket(intake, TicketCreate(
            subject="Delete my account", category="deletion", language=Language.EN, requester=requester,
            body="Please delete my account.", attachment_ids=[photo.id],
        ))
        other = desk.upload(intake, "later.png", PNG)
        service.post_message(intake, ticket.id, MessageCreate(
            kind=MessageKind.CUSTOMER, body="One more photo.", attachment_ids=[other.id]
        ))
        assert desk.download(lead, photo.id).data == PNG
        assert _attachment_rows(store) == 2
        with store.write() as tx:
            account = tx.account("id-leaving")
            account.deletion_scheduled_for = now[0] + timedelta(days=30)
            tx.save_account(account)
        assert desk.complete_due_deletions(now[0]) == []  # still cooling off
        now[0] += timedelta(days=30, seconds=1)
        desk.housekeeping()
        assert _attachment_rows(store) == 0
        messages, _ = service.list_messages(lead, ticket.id, False, None, 10)
        assert [m.attachments for m in messages] == [[], []]
        assert [m.body for m in messages] == ["Please delete my account.", "One more photo."]
        assert service.get_ticket(lead, ticket.id).requester.account_state == "deleted"
        with pytest.raises(ApiError) as gone:
            desk.download(lead, photo.id)
        assert gone.value.status == 404
    finally:
        store.close()


def _attachment_rows(store: Any) -> int:
    with store.engine.read() as db:
        return int(db.execute("SELECT COUNT(*) FROM attachments").fetchone()[0])


def test_the_demo_photo_is_attached_to_the_customers_photo_message(live_server: ServerHandle) -> None:
    rows = query_database(
        live_server, "SELECT m.ticket_id, m.body, a.name, a.content_type FROM messages m "
        "JOIN attachments a ON a.message_id = m.id ORDER BY m.id"
    )
    assert rows, "the demo has customers who sent a photo"
    assert {(body.rstrip("."), name, kind) for _, body, name, kind in rows} <= {
        ("Отправил фото, как вы просили", "photo_id_card.png", "image/png"),
        ("I've sent the photo you asked for", "photo_id_card.png", "image/png"),
    }
