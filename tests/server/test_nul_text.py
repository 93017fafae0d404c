"""A NUL character (U+0000) is refused in text the server would store or look up, whichever
engine holds the data: PostgreSQL can't keep one, so SQLite doesn't either."""

from __future__ import annotations

from server_helpers import error_code, new_ticket_body

from conftest import ServerHandle


def test_a_ticket_or_search_carrying_a_nul_character_is_refused_alike_on_every_engine(
    backend: ServerHandle,
) -> None:
    body = new_ticket_body(subject="nul-check")
    body["requester"] = {**body["requester"], "name": "Nul\u0000Person"}
    with backend.client("intake") as intake:
        refused = intake.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": "nul-check-1"})
    assert refused.status_code == 422, refused.text
    assert error_code(refused) == "validation_error"
    assert refused.json()["error"]["details"] == [
        {"loc": ["body"], "msg": "Text must not contain NUL characters (U+0000)."}
    ]
    with backend.client("lena") as lena:
        search = lena.get("/api/v1/tickets", params={"q": "a\u0000b"})
        assert search.status_code == 422, search.text
        assert error_code(search) == "validation_error"
        in_path = lena.get("/api/v1/escalations/ENG-%00")
        assert in_path.status_code == 422, in_path.text
        # Nothing was stored, and the text "\u0000" written out (no NUL in it) is fine.
        assert lena.get("/api/v1/tickets", params={"q": "nul-check"}).json()["data"] == []
    with backend.client("intake") as intake:
        literal = new_ticket_body(subject="nul-check literal \\u0000 text")
        assert intake.post("/api/v1/tickets", json=literal).status_code == 201
        # A key the server ignores is never stored: a NUL there harms nobody.
        ignored = {**new_ticket_body(subject="nul-check ignored key"), "x\u0000": "y\u0000"}
        assert intake.post("/api/v1/tickets", json=ignored).status_code == 201
