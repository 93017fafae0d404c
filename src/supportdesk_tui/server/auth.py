"""Tokens: random bearer secrets of which only a sha256 hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, MutableMapping
from typing import Any

from supportdesk_tui.server.records import AgentRecord


def new_token() -> str:
    return "sdt_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


# The rate limiter authenticates before routing; it leaves its answer in the request scope so the
# handler's dependency doesn't look the same token up a second time.
_SCOPE_KEY = "supportdesk.caller"


def remember_caller(scope: MutableMapping[str, Any], token: str, caller: AgentRecord) -> None:
    state = scope.setdefault("state", {})
    state[_SCOPE_KEY] = (token, caller)


def caller_of(scope: Mapping[str, Any]) -> AgentRecord | None:
    """Whoever this request authenticated as so far (for the request log), if anyone."""
    known = scope.get("state", {}).get(_SCOPE_KEY)
    if known is None:
        return None
    caller: AgentRecord = known[1]
    return caller


def remembered_caller(scope: Mapping[str, Any], token: str) -> AgentRecord | None:
    """The caller already authenticated for exactly this token in this request, if any."""
    known = scope.get("state", {}).get(_SCOPE_KEY)
    if known is None or not hmac.compare_digest(known[0].encode(), token.encode()):
        return None
    caller: AgentRecord = known[1]
    return caller
