"""Responses assembled from JSON that is already serialised (see `rowjson`).

The hot list endpoints return these instead of models: FastAPI would validate every row
against the response model and serialise it again. The routes keep `response_model=` so the
OpenAPI document still describes the same bodies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from fastapi import Response

MEDIA_TYPE = "application/json"


def page_body(items: Sequence[bytes], has_more: bool, page_size: int, next_link: str | None,
              prev_link: str | None = None) -> bytes:
    """The contract's `Page`: `data`, `meta` and `links` (`prev` only where a list gives one)."""
    meta = json.dumps({"has_more": has_more, "page_size": page_size}, separators=(",", ":"))
    link_map = {"next": next_link} if prev_link is None else {"next": next_link, "prev": prev_link}
    links = json.dumps(link_map, ensure_ascii=False, separators=(",", ":"))
    parts = (b'{"data":[', b",".join(items), b'],"meta":', meta.encode(), b',"links":', links.encode(), b"}")
    return b"".join(parts)


def json_response(body: bytes, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body, media_type=MEDIA_TYPE, headers=headers)
