"""`supportdesk token create`, `token list` and `token revoke`: the functions behind them (no argparse here).

Both work on the database file directly, so they also work while a server runs on it: a
revocation commits, the server sees it on its next token lookup (401 at once) and its open event
streams within a fraction of a second (see `EventBus`).
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from supportdesk_tui.contract.clock import utc_now
from supportdesk_tui.contract.models import Language, Role
from supportdesk_tui.server.auth import hash_token, new_token
from supportdesk_tui.server.records import TokenRecord
from supportdesk_tui.server.seed import seed_base
from supportdesk_tui.server.storage import is_postgres
from supportdesk_tui.server.store import Store, open_store

MIN_TOKEN_ID = 6  # shorter prefixes would too often name several tokens


class TokenAdminError(ValueError):
    """A request the command refuses (the message is a sentence for the user)."""


@dataclass(frozen=True)
class Revocation:
    revoked: list[TokenRecord]  # active until now
    already: list[TokenRecord]  # named, but revoked before


@contextmanager
def _existing_store(db: str | Path) -> Iterator[Store]:
    # Opening a missing path would create an empty database and report "no tokens": a typo in
    # --db must say so instead.
    if not is_postgres(db) and not Path(db).is_file():
        raise TokenAdminError(f"no database at {db}")
    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def list_tokens(db: str | Path, login: str | None = None, active_only: bool = False) -> list[TokenRecord]:
    with _existing_store(db) as store:
        tokens = store.list_tokens()
    return [
        t for t in tokens if (login is None or t.login == login) and not (active_only and t.revoked_at)
    ]


def revoke(
    db: str | Path,
    *,
    token: str | None = None,
    token_id: str | None = None,
    login: str | None = None,
    now: datetime | None = None,
) -> Revocation:
    """Revoke one token (by its value or its id from `token list`) or every token of an agent."""
    if sum(x is not None for x in (token, token_id, login)) != 1:
        raise TokenAdminError("name exactly one of: a token, --id ID, --agent LOGIN")
    with _existing_store(db) as store:
        tokens = store.list_tokens()
        if token is not None:
            targets = _by_value(tokens, token)
        elif token_id is not None:
            targets = _by_id(tokens, token_id)
        else:
            assert login is not None
            if store.agent_by_login(login) is None:
                raise TokenAdminError(f"no agent with the login {login!r}")
            targets = [t for t in tokens if t.login == login]
        active = [t for t in targets if t.revoked_at is None]
        with store.write() as tx:
            tx.revoke_tokens([t.hash for t in active], now or utc_now())
    return Revocation(revoked=active, already=[t for t in targets if t.revoked_at is not None])


def _by_value(tokens: Sequence[TokenRecord], token: str) -> list[TokenRecord]:
    wanted = hash_token(token.strip())
    found = [t for t in tokens if t.hash == wanted]
    if not found:
        raise TokenAdminError("no such token (check it was made for this --db); nothing revoked")
    return found


def _by_id(tokens: Sequence[TokenRecord], token_id: str) -> list[TokenRecord]:
    prefix = token_id.strip().lower()
    if len(prefix) < MIN_TOKEN_ID or not set(prefix) <= set(string.hexdigits.lower()):
        raise TokenAdminError(
            f"a token id is at least {MIN_TOKEN_ID} hex digits of the ID `token list` shows"
        )
    found = [t for t in tokens if t.hash.startswith(prefix)]
    if not found:
        raise TokenAdminError(f"no token with the id {prefix}; nothing revoked")
    if len(found) > 1:
        raise TokenAdminError(f"the id {prefix} matches {len(found)} tokens; give more of it")
    return found


# --- output ------------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _scope(token: TokenRecord) -> str:
    if token.role == Role.LEAD:
        return "(all)"
    if token.role == Role.INTAKE:
        return "(none)"
    return ",".join(token.queues) or "(none)"


def format_table(tokens: Sequence[TokenRecord]) -> str:
    """The listing: a short id of each token's hash, never the token or the whole hash."""
    header = ("ID", "AGENT", "ROLE", "QUEUES", "CREATED", "REVOKED")
    rows = [
        (t.token_id, t.login, t.role.value, _scope(t), _when(t.created_at), _when(t.revoked_at))
        for t in tokens
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    )


def describe(result: Revocation) -> list[str]:
    lines = [f"revoked token {t.token_id} of {t.login}" for t in result.revoked]
    lines += [
        f"token {t.token_id} of {t.login} was already revoked at {_when(t.revoked_at)}"
        for t in result.already
    ]
    return lines or ["no tokens to revoke"]


def create_token(
    db: str | Path, login: str, role: str | None, queues: Sequence[str] | None, name: str | None = None
) -> str:
    """Create a bearer token for `login` (creating the agent when missing); only its hash is stored."""
    store = open_store(db)  # SQLite: creates missing directories 0700 and the database 0600
    try:
        seed_base(store)
        agent = store.agent_by_login(login)
        with store.write() as tx:
            if agent is None or role is not None or queues is not None or name is not None:
                wanted_role = Role(role) if role is not None else (agent.role if agent else Role.AGENT)
                wanted_queues = list(queues) if queues is not None else (list(agent.queues) if agent else [])
                known = {q.id for q in store.list_queues()}
                unknown = [q for q in wanted_queues if q not in known]
                if unknown:
                    raise ValueError(f"unknown queue(s): {', '.join(unknown)}")
                agent = tx.upsert_agent(
                    login,
                    name or (agent.name if agent else login),
                    wanted_role,
                    agent.languages if agent else (Language.RU, Language.EN),
                    wanted_queues,
                )
            token = new_token()
            tx.add_token(agent.id, hash_token(token), utc_now())
        return token
    finally:
        store.close()
