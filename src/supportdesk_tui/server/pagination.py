"""Opaque cursors and `links.next` for the keyset-paginated lists."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlencode

from supportdesk_tui.server.errors import ApiError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def clamp_page_size(size: int | None) -> int:
    return DEFAULT_PAGE_SIZE if size is None else max(1, min(MAX_PAGE_SIZE, size))


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise bad_cursor() from exc
    if not isinstance(data, dict):
        raise bad_cursor()
    return data


def bad_cursor() -> ApiError:
    return ApiError(400, "bad_request", "The page[after] cursor is not valid for this list.")


def next_link(path: str, params: list[tuple[str, str]], cursor: str) -> str:
    kept = [(k, v) for k, v in params if k != "page[after]"]
    kept.append(("page[after]", cursor))
    return f"{path}?{urlencode(kept, safe='[],')}"
