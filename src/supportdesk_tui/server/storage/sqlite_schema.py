"""The SQLite schema: its migrations, in order, and the indexes a bulk load rebuilds.

Migration N does on SQLite what storage/postgres_schema.py's migration N does on PostgreSQL;
append new ones to the END of both tuples (see docs/deploy.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, and a migration must be one transaction.
    for statement in script.split(";"):
        lines = [line for line in statement.splitlines() if not line.strip().startswith("--")]
        if "".join(lines).strip():
            db.execute("\n".join(lines))


def _migration_1_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE agents (
            id INTEGER PRIMARY KEY,
            login TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            languages TEXT NOT NULL,
            queues TEXT NOT NULL,
            last_reply_at INTEGER
        );
        CREATE TABLE tokens (
            hash TEXT PRIMARY KEY,
            agent_id INTEGER NOT NULL REFERENCES agents(id),
            created_at INTEGER NOT NULL
        );
        CREATE TABLE queues (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            languages TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        CREATE TABLE components (id TEXT PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL);
        CREATE TABLE canned_replies (id TEXT PRIMARY KEY, position INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            version INTEGER NOT NULL,
            subject TEXT NOT NULL,
            status TEXT NOT NULL,
            is_open INTEGER NOT NULL,
            priority TEXT NOT NULL,
            priority_rank INTEGER NOT NULL,
            queue TEXT NOT NULL,
            language TEXT NOT NULL,
            category TEXT NOT NULL,
            tags TEXT NOT NULL,
            requester TEXT NOT NULL,
            requester_account_id TEXT NOT NULL,
            search_text TEXT NOT NULL,
            assignee_id INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            waiting_since INTEGER,
            waiting_key INTEGER NOT NULL,
            last_message_id INTEGER,
            message_count INTEGER NOT NULL,
            first_response_due INTEGER,
            first_responded_at INTEGER,
            next_response_due INTEGER,
            resolution_due INTEGER,
            paused_at INTEGER,
            solved_at INTEGER,
            sla_due INTEGER NOT NULL,
            environment TEXT,
            escalation_key TEXT,
            needs_reply INTEGER NOT NULL
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            author_type TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE escalations (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            ticket_id INTEGER NOT NULL,
            status TEXT NOT NULL,
            severity TEXT NOT NULL,
            component TEXT NOT NULL,
            summary TEXT NOT NULL,
            steps TEXT NOT NULL,
            expected TEXT NOT NULL,
            actual TEXT NOT NULL,
            environment TEXT NOT NULL,
            message_ids TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            queue TEXT,
            data TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE idempotency (
            caller_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            body_hash TEXT NOT NULL,
            state TEXT NOT NULL,
            status INTEGER,
            body BLOB,
            content_type TEXT,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (caller_id, key)
        );
        -- Ticket numbers start at 1001: "#7" reads like a test record to a customer.
        INSERT INTO sqlite_sequence (name, seq) VALUES ('tickets', 1000);
        CREATE TABLE stats_history (
            at INTEGER NOT NULL,
            queue TEXT NOT NULL,
            open INTEGER NOT NULL,
            created INTEGER NOT NULL,
            solved INTEGER NOT NULL,
            PRIMARY KEY (at, queue)
        );
        """,
    )


# Listing: one index per sort order behind a queue prefix (the rowid rides along
# in every index entry, so the id tie-break is free); lists over several queues
# merge one index walk per queue (see Store.list_tickets). Counting: partial
# indexes over open tickets only, so `GET /queues` touches a few small index
# ranges instead of the table.
BULK_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS ix_tickets_queue_due ON tickets(queue, sla_due)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_queue_created ON tickets(queue, created_at)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_queue_updated ON tickets(queue, updated_at)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_queue_priority ON tickets(queue, priority_rank, created_at)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_queue_waiting ON tickets(queue, waiting_key)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_assignee ON tickets(assignee_id, sla_due)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_requester ON tickets(requester_account_id)",
    "CREATE INDEX IF NOT EXISTS ix_tickets_solved ON tickets(solved_at) WHERE solved_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_open_queue_due ON tickets(queue, sla_due) WHERE is_open = 1",
    "CREATE INDEX IF NOT EXISTS ix_open_queue_waiting ON tickets(queue, waiting_since) "
    "WHERE is_open = 1 AND waiting_since IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_open_queue_unassigned ON tickets(queue) "
    "WHERE is_open = 1 AND assignee_id IS NULL",
    # Covers the lead's live statistics: one ordered pass, no table lookups.
    "CREATE INDEX IF NOT EXISTS ix_open_stats "
    "ON tickets(queue, language, priority, assignee_id, waiting_since, sla_due) WHERE is_open = 1",
    "CREATE INDEX IF NOT EXISTS ix_messages_ticket ON messages(ticket_id, id)",
)


def index_name(ddl: str) -> str:
    return ddl.split(" IF NOT EXISTS ", 1)[1].split(" ", 1)[0]


def _migration_2_indexes(db: sqlite3.Connection) -> None:
    for ddl in BULK_INDEXES:
        db.execute(ddl)
    db.execute("CREATE INDEX ix_escalations_ticket ON escalations(ticket_id)")
    db.execute("CREATE INDEX ix_idempotency_created ON idempotency(created_at)")


def _migration_3_accounts_and_audit(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        -- Account facts that outlive any one ticket (a deletion date must survive restarts).
        CREATE TABLE accounts (
            account_id TEXT PRIMARY KEY,
            signed_out_at INTEGER,
            reset_sent_at INTEGER,
            deletion_scheduled_for INTEGER
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id INTEGER NOT NULL,
            agent_id INTEGER NOT NULL,
            agent_login TEXT NOT NULL,
            agent_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            step_id TEXT,
            summary TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX ix_audit_ticket ON audit(ticket_id, id)
        """,
    )


# Bumped, in the same transaction, by every change that can take access away from a token that
# is already in use (revocation, a new role or queues); triggers make that hold for any writer,
# including a `supportdesk token` command in another process. Open event streams poll this one
# row and re-check their token when it moves (a new token or agent changes nothing in use).
_BUMP = "BEGIN UPDATE auth_epoch SET value = value + 1; END"
AUTH_EPOCH_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS auth_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO auth_epoch (id, value) VALUES (1, 0)",
    f"CREATE TRIGGER IF NOT EXISTS auth_epoch_token_update AFTER UPDATE ON tokens {_BUMP}",
    f"CREATE TRIGGER IF NOT EXISTS auth_epoch_token_delete AFTER DELETE ON tokens {_BUMP}",
    f"CREATE TRIGGER IF NOT EXISTS auth_epoch_agent_update AFTER UPDATE OF role, queues ON agents {_BUMP}",
    f"CREATE TRIGGER IF NOT EXISTS auth_epoch_agent_delete AFTER DELETE ON agents {_BUMP}",
)


def _migration_4_token_revocation(db: sqlite3.Connection) -> None:
    # Revoked tokens keep their row (with the time): `token list` can still say who held a
    # token and when it stopped working. The hash alone is no use to anyone.
    # Guarded so it can sit anywhere after the initial schema, whatever else is merged around it.
    columns = {row[1] for row in db.execute("PRAGMA table_info(tokens)")}
    if "revoked_at" not in columns:
        db.execute("ALTER TABLE tokens ADD COLUMN revoked_at INTEGER")
    for ddl in AUTH_EPOCH_DDL:  # trigger bodies hold ";": not for _run_script
        db.execute(ddl)


def _migration_5_idempotency_leases(db: sqlite3.Connection) -> None:
    # An in-flight record is a lease held by one attempt: a retry takes it over once it expires,
    # and only the attempt that still holds it may commit the effect (see server/idempotency.py).
    # Rows left in flight by an older version have no lease and count as expired.
    columns = {row[1] for row in db.execute("PRAGMA table_info(idempotency)")}
    if "attempt" not in columns:
        db.execute("ALTER TABLE idempotency ADD COLUMN attempt TEXT")
    if "lease_until" not in columns:
        db.execute("ALTER TABLE idempotency ADD COLUMN lease_until INTEGER")


def _migration_6_event_counter(db: sqlite3.Connection) -> None:
    # Event ids come from one counter row, bumped inside the writing transaction, on both
    # engines (see storage/postgres_schema.py for why PostgreSQL needs it). It carries on from
    # the AUTOINCREMENT sequence, so a stream resuming across the upgrade neither skips nor repeats.
    db.execute(
        "CREATE TABLE IF NOT EXISTS event_counter (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "value INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT INTO event_counter (id, value) SELECT 1, COALESCE((SELECT seq FROM sqlite_sequence "
        "WHERE name = 'events'), 0) WHERE NOT EXISTS (SELECT 1 FROM event_counter)"
    )


def _migration_7_cluster_state(db: sqlite3.Connection) -> None:
    # PostgreSQL's migration 7 adds the state several instances share (presence, last seen, rate
    # buckets).
    # A SQLite server is one process and keeps that state in memory: nothing to add here, but the
    # step exists so version N means the same on both engines.
    del db


# Full-text search over message bodies (`q` of GET /tickets): an FTS5 index with the bodies'
# words, external content (the text stays in `messages` alone), kept in step by triggers, so
# every writer indexes what it inserts (a bulk load rebuilds it instead). unicode61 folds the
# case of Cyrillic as of Latin letters; remove_diacritics 2 also folds "ё" into "е" (and "й"
# into "и", the same on both sides of a match). FTS5 has no Russian stemmer: queries search
# trimmed words as prefixes (see storage/search_terms.py).
# A bulk load drops this trigger and rebuilds the index at its end (see SQLiteEngine.bulk_begin);
# a start after a load killed half-way does the same.
MESSAGE_SEARCH_INSERT_TRIGGER = "messages_fts_insert"
MESSAGE_SEARCH_DDL: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    "body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {MESSAGE_SEARCH_INSERT_TRIGGER} AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF body ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
)


def migration_message_search(db: sqlite3.Connection) -> None:
    for ddl in MESSAGE_SEARCH_DDL:  # trigger bodies hold ";": not for _run_script
        db.execute(ddl)
    # The messages written before this version (and nothing twice if it runs again).
    db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")


def migration_audit_action(db: sqlite3.Connection) -> None:
    # Which account action an `action` entry records, so a client can show the playbook's action
    # steps as done (by whom, when) without reading the summary's English. Older entries stay NULL.
    # Guarded, so it may sit anywhere after the accounts migration on a merge.
    columns = {row[1] for row in db.execute("PRAGMA table_info(audit)")}
    if "action" not in columns:
        db.execute("ALTER TABLE audit ADD COLUMN action TEXT")


# Every change to a ticket, with who and when (issue 18): the conversation's timeline lines.
# Beside the audit trail, not in it: the audit is the account-security record the playbooks check
# their steps against; this is every field change of any ticket, as old → new values.
# Guarded, so it may sit anywhere after the initial schema on a merge.
TICKET_HISTORY_DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS ticket_history ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL, kind TEXT NOT NULL, "
    "actor_type TEXT NOT NULL, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, "
    "old_value TEXT, new_value TEXT, ref TEXT, created_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_ticket_history_ticket ON ticket_history(ticket_id, id)",
)


def migration_ticket_history(db: sqlite3.Connection) -> None:
    for ddl in TICKET_HISTORY_DDL:
        db.execute(ddl)


def migration_attachments(db: sqlite3.Connection) -> None:
    # Files sent with messages. An upload belongs to its uploader alone until a message claims it
    # (ticket_id and message_id set in the transaction that posts the message). The message keeps
    # a JSON list of its attachments' names, types and sizes, so a thread page reads one table.
    # Guarded, so it may sit anywhere after the initial schema on a merge.
    db.execute(
        "CREATE TABLE IF NOT EXISTS attachments ("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, uploader_id INTEGER NOT NULL, ticket_id INTEGER, "
        "message_id INTEGER, name TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL, "
        "sha256 TEXT NOT NULL, data BLOB NOT NULL, created_at INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS ix_attachments_ticket ON attachments(ticket_id)")
    columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
    if "attachments" not in columns:
        db.execute("ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]'")


def migration_escalation_links(db: sqlite3.Connection) -> None:
    # Many tickets link to one escalation (an incident): its counts and its list read by this index.
    # Guarded, so it may sit anywhere after the initial migration on a merge.
    db.execute("CREATE INDEX IF NOT EXISTS ix_tickets_escalation ON tickets(escalation_key) "
               "WHERE escalation_key IS NOT NULL")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migration_1_initial,
    _migration_2_indexes,
    _migration_3_accounts_and_audit,
    _migration_4_token_revocation,
    _migration_5_idempotency_leases,
    _migration_6_event_counter,
    _migration_7_cluster_state,
    migration_message_search,
    migration_audit_action,
    migration_ticket_history,
    migration_attachments,
    migration_escalation_links,
)
