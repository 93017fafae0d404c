"""Search (`q` of GET /tickets) reads what customers and agents wrote, not only the subject.

Message bodies are searched by each engine's full-text index: stemmed in the ticket's language on
PostgreSQL, trimmed words as prefixes on SQLite (FTS5 has no Russian stemmer). Results page with
the same cursors as any list and keep to the queues the caller may see.
"""

from __future__ import annotations

import secrets
import sqlite3
import string
import subprocess
import sys
from contextlib import closing
from typing import Any

import psycopg
import pytest
from server_helpers import all_pages, intake_creates, new_ticket_body

from conftest import ServerFactory, ServerHandle
from supportdesk_tui.server.storage import postgres_schema, sqlite_schema


def _marker() -> str:
    """A made-up word no demo ticket holds (letters only: one word to every tokenizer)."""
    return "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


def _found(server: ServerHandle, login: str, q: str, **params: Any) -> set[int]:
    with server.client(login) as client:
        return {t["id"] for t in all_pages(client, "/api/v1/tickets", {"q": q, "page[size]": 200, **params})}


def _note(server: ServerHandle, login: str, ticket_id: int, body: str) -> None:
    with server.client(login) as client:
        posted = client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"kind": "note", "body": body})
    assert posted.status_code == 201, posted.text


def test_a_word_the_customer_wrote_finds_the_ticket(backend: ServerHandle) -> None:
    word = _marker()
    ticket = intake_creates(
        backend, new_ticket_body(subject="Cannot sign in", body=f"My code {word} never arrives.")
    )
    assert ticket["queue"] == "access"
    assert _found(backend, "anna", word) == {ticket["id"]}
    assert _found(backend, "anna", word.upper()) == {ticket["id"]}
    # Every word of the search must be in it; the subject still matches as before.
    assert _found(backend, "anna", f"{word} arrives") == {ticket["id"]}
    assert _found(backend, "anna", f"{word} elephant") == set()
    assert ticket["id"] in _found(backend, "anna", "cannot sign")


def test_an_agent_finds_a_ticket_by_the_words_of_a_later_reply_or_note(backend: ServerHandle) -> None:
    ticket = intake_creates(backend, new_ticket_body(subject="Locked out", body="Please help."))
    in_note = _marker()
    _note(backend, "anna", ticket["id"], f"Checked the logs: device {in_note} is the culprit.")
    assert _found(backend, "anna", in_note) == {ticket["id"]}
    assert _found(backend, "lena", in_note) == {ticket["id"]}


def test_russian_and_english_words_find_their_other_forms(backend: ServerHandle) -> None:
    word = _marker()
    ru = intake_creates(
        backend,
        new_ticket_body(
            subject="Вход", language="ru", body=f"Не могу войти: пароль {word} не подходит, подключения нет."
        ),
    )
    en = intake_creates(
        backend,
        new_ticket_body(
            subject="Login", body=f"My password {word} stopped working after the connection dropped."
        ),
    )
    both = {ru["id"], en["id"]}
    assert _found(backend, "anna", word) == both
    # On both engines: a plural or another case ending of the word in the message.
    assert _found(backend, "anna", f"ПАРОЛИ {word}") == {ru["id"]}
    assert _found(backend, "anna", f"passwords {word}") == {en["id"]}
    assert _found(backend, "anna", f"войти {word}") == {ru["id"]}
    if backend.engine == "postgresql":
        # A real stemmer in the ticket's language: endings a prefix can't reach.
        assert _found(backend, "anna", f"паролями {word}") == {ru["id"]}
        assert _found(backend, "anna", f"подключением {word}") == {ru["id"]}
        assert _found(backend, "anna", f"connecting {word}") == {en["id"]}
        assert _found(backend, "anna", f"works {word}") == {en["id"]}
    else:
        # FTS5: a word is a prefix, so the stem typed finds every ending.
        assert _found(backend, "anna", f"подключ {word}") == {ru["id"]}
        assert _found(backend, "anna", f"connect {word}") == {en["id"]}
        assert _found(backend, "anna", f"work {word}") == {en["id"]}


def test_search_results_page_by_cursor_once_each_in_every_sort(backend: ServerHandle) -> None:
    word = _marker()
    ids = {
        intake_creates(
            backend, new_ticket_body(subject=f"Page {n}", priority=priority, body=f"Case {n}: {word} again.")
        )["id"]
        for n, priority in enumerate(("low", "urgent", "normal", "high", "normal"))
    }
    # One more whose subject (not its body) holds the word: the two kinds of match merge.
    ids.add(intake_creates(backend, new_ticket_body(subject=f"About {word}", body="Nothing else."))["id"])
    with backend.client("anna") as anna:
        for sort in ("sla_due", "created_at", "-created_at", "-updated_at", "priority", "waiting"):
            for reverse in (False, True):
                params = {"q": word, "sort": sort, "reverse": str(reverse).lower(), "page[size]": 2}
                seen = [t["id"] for t in all_pages(anna, "/api/v1/tickets", params)]
                assert sorted(seen) == sorted(ids), (sort, reverse)


def test_an_agent_never_finds_a_ticket_outside_its_queues_by_its_words(backend: ServerHandle) -> None:
    word = _marker()
    ticket = intake_creates(backend, new_ticket_body(body=f"Secret word {word} inside."))
    assert ticket["queue"] == "access"  # boris and dmitry don't work it
    _note(backend, "anna", ticket["id"], f"Internal: {word} confirmed.")
    assert _found(backend, "anna", word) == {ticket["id"]}
    assert _found(backend, "boris", word) == set()
    assert _found(backend, "dmitry", word, queue="access") == set()
    with backend.client("intake") as intake:
        answer = intake.get("/api/v1/tickets", params={"q": word})
    assert answer.status_code == 403
    assert word not in answer.text


HOSTILE = (
    '"{w}" AND',
    '"{w}',
    "{w}*",
    "*{w}",
    "-{w}",
    "NOT {w}",
    "({w} OR",
    "NEAR({w} body)",
    "body:{w}",
    "^{w}",
    "{w} + \"\" '' ;",
    "{w}\\",
    "{w} ∗ 😀 \u202e",
)


def test_search_text_is_words_whatever_syntax_it_looks_like(backend: ServerHandle) -> None:
    word = _marker()
    ticket = intake_creates(
        backend, new_ticket_body(body=f"The body: quote and star, or near not {word} here.")
    )
    with backend.client("anna") as anna:
        for pattern in HOSTILE:
            q = pattern.format(w=word)
            answer = anna.get("/api/v1/tickets", params={"q": q})
            assert answer.status_code == 200, (q, answer.text)
            assert [t["id"] for t in answer.json()["data"]] == [ticket["id"]], q
        for q in ("*", '"', "-", "()", "NEAR", "AND", 'a" OR "b', "' OR 1=1 --", "%", "_"):
            answer = anna.get("/api/v1/tickets", params={"q": q})
            assert answer.status_code == 200, (q, answer.text)
        pasted = " ".join(f'слово{n} word{n} (x) "y" NEAR' for n in range(800))  # ~25 KB
        # A search box is for words, not a pasted page: past its limit, a 422 naming `q`.
        refused = anna.get("/api/v1/tickets", params={"q": pasted[:10_000]})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"][0]["loc"] == ["query", "q"]
        answer = anna.get("/api/v1/tickets", params={"q": pasted[:200]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"] == []


def test_tickets_loaded_in_bulk_are_found_by_their_message_words(server_factory: ServerFactory) -> None:
    server = server_factory(tickets=300)  # on top of the demo world: a load into a table with rows
    with server.client("lena") as lena:
        ticket = lena.get("/api/v1/tickets", params={"page[size]": 1, "sort": "-created_at"}).json()["data"][
            0
        ]
        body = lena.get(f"/api/v1/tickets/{ticket['id']}/messages").json()["data"][0]["body"]
    words = [w.strip(".,!?:;()\"'«»—") for w in body.split()]
    longest = max((w for w in words if w.isalpha()), key=len)
    assert ticket["id"] in _found(server, "lena", longest)
    # After the load, new messages are indexed as they come again.
    word = _marker()
    created = intake_creates(server, new_ticket_body(body=f"After the load: {word}."))
    assert _found(server, "lena", word) == {created["id"]}


@pytest.mark.sqlite_only
def test_a_bulk_load_killed_half_way_leaves_search_whole_after_a_restart(
    server_factory: ServerFactory,
) -> None:
    server = server_factory()
    before = _marker()
    old = intake_creates(server, new_ticket_body(body=f"Before the load: {before}."))
    server.kill()
    with closing(sqlite3.connect(server.db_path)) as db, db:  # as a load dies after its first step
        db.execute(f"DROP TRIGGER {sqlite_schema.MESSAGE_SEARCH_INSERT_TRIGGER}")
        db.execute(
            "INSERT INTO messages (ticket_id, kind, author_type, author_id, author_name, body, created_at) "
            "VALUES (?, 'note', 'agent', 'anna', 'Anna', ?, 0)",
            (old["id"], "loaded unindexed zqloadedword"),
        )
    server.start()
    assert _found(server, "lena", before) == {old["id"]}
    assert _found(server, "lena", "zqloadedword") == {old["id"]}
    after = _marker()
    new = intake_creates(server, new_ticket_body(body=f"After the restart: {after}."))
    assert _found(server, "lena", after) == {new["id"]}


def test_messages_written_before_the_upgrade_are_found_after_it(server_factory: ServerFactory) -> None:
    server = server_factory()
    word = _marker()
    ticket = intake_creates(server, new_ticket_body(body=f"Written long ago: {word}."))
    server.stop()
    _undo_message_search(server)
    if server.engine == "postgresql":
        upgraded = subprocess.run(
            [sys.executable, "-m", "supportdesk_tui.server", "db", "upgrade", "--db", str(server.db_path)],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert upgraded.returncode == 0, upgraded.stderr
    server.start()  # SQLite upgrades on start
    assert _found(server, "lena", word) == {ticket["id"]}


def _undo_message_search(server: ServerHandle) -> None:
    """The database as the release before message search left it (the schema version before it)."""
    if server.engine == "postgresql":
        before = postgres_schema.MIGRATIONS.index(postgres_schema.MESSAGE_SEARCH)
        with psycopg.connect(str(server.db_path), autocommit=True) as conn:
            conn.execute("DROP INDEX ix_messages_search")
            conn.execute("DROP TRIGGER messages_search ON messages")
            conn.execute("ALTER TABLE messages DROP COLUMN search_config, DROP COLUMN search_vector")
            conn.execute("UPDATE schema_version SET version = %s", (before,))
        return
    before = sqlite_schema.MIGRATIONS.index(sqlite_schema.migration_message_search)
    with closing(sqlite3.connect(server.db_path)) as db, db:
        for trigger in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DROP TABLE messages_fts")
        db.execute("UPDATE schema_version SET version = ?", (before,))
