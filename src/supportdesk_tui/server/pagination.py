"""Opaque, tamper-evident cursors and `links.next` for the keyset-paginated lists.

A cursor is `base64url(json) "." base64url(hmac)`. The MAC is checked before the JSON is
parsed, so nothing a caller crafts (JSON nested a thousand deep, huge numbers, odd keys)
ever reaches the parser; a cursor we signed is then still checked against its fixed shape,
so a cursor of one list can't be replayed on another and a future change of shape fails
closed. The secret lives in the database, so restarts and every process serving the same
database accept each other's cursors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import urlencode

from supportdesk_tui.server.errors import ApiError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Our longest cursor (three sort keys near 2**62) is under 150 characters; anything much longer
# is refused before a byte of it is decoded.
MAX_CURSOR_LENGTH = 400
MAX_KEY = 2**62
MAC_BYTES = 16
_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
TICKETS = "tickets"
MESSAGES = "messages"


def clamp_page_size(size: int | None) -> int:
    return DEFAULT_PAGE_SIZE if size is None else max(1, min(MAX_PAGE_SIZE, size))


def bad_cursor() -> ApiError:
    return ApiError(400, "bad_request", "The page[after] cursor is not valid for this list.")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _is_key(value: object) -> bool:
    # `type is int`: a JSON true is a Python bool, which isinstance() would accept as 1.
    return type(value) is int and -MAX_KEY <= value <= MAX_KEY


class CursorCodec:
    """Signs and opens cursors with one secret (see `Store.cursor_secret`)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the cursor secret is too short")
        self._secret = secret

    # --- the two lists ---------------------------------------------------------
    def tickets(self, sort: str, keys: list[int], reverse: bool) -> str:
        return self._seal(TICKETS, {"s": sort, "k": keys, "r": reverse})

    def open_tickets(self, text: str, sort: str, reverse: bool) -> list[int]:
        """The sort keys to continue after; 400 unless this list with this sort signed it."""
        data = self._open(TICKETS, text)
        keys = data.get("k")
        if (
            set(data) != {"s", "k", "r"}
            or data["s"] != sort
            or data["r"] is not reverse
            or not isinstance(keys, list)
            or not 2 <= len(keys) <= 4
            or not all(_is_key(k) for k in keys)
        ):
            raise bad_cursor()
        return keys

    def messages(self, ticket_id: int, order: str, key: int) -> str:
        return self._seal(MESSAGES, {"t": ticket_id, "o": order, "k": key})

    def open_messages(self, text: str, ticket_id: int, order: str) -> int:
        """The message id to continue after; 400 unless this ticket's list in this order signed it."""
        data = self._open(MESSAGES, text)
        key = data.get("k")
        if (
            set(data) != {"t", "o", "k"}
            or type(data["t"]) is not int
            or data["t"] != ticket_id
            or data["o"] != order
            or type(key) is not int
            or not 0 <= key <= MAX_KEY
        ):
            raise bad_cursor()
        return key

    # --- sealing ---------------------------------------------------------------
    def _mac(self, kind: str, body: bytes) -> bytes:
        # The list's name is signed with the body: a cursor of one list never opens on another.
        return hmac.new(self._secret, kind.encode() + b"\0" + body, hashlib.sha256).digest()[:MAC_BYTES]

    def _seal(self, kind: str, payload: dict[str, Any]) -> str:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return f"{_b64(body)}.{_b64(self._mac(kind, body))}"

    def _open(self, kind: str, text: str) -> dict[str, Any]:
        if len(text) > MAX_CURSOR_LENGTH or not _SHAPE.fullmatch(text):
            raise bad_cursor()
        body_text, _, mac_text = text.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            raise bad_cursor() from None
        if not hmac.compare_digest(mac, self._mac(kind, body)):
            raise bad_cursor()
        try:
            data = json.loads(body)
        except ValueError:  # only a cursor signed by an older, different shape gets here
            raise bad_cursor() from None
        if not isinstance(data, dict):
            raise bad_cursor()
        return data


def next_link(path: str, params: list[tuple[str, str]], cursor: str) -> str:
    kept = [(k, v) for k, v in params if k != "page[after]"]
    kept.append(("page[after]", cursor))
    return f"{path}?{urlencode(kept, safe='[],')}"
