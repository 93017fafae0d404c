"""JSON of database rows, rendered once per distinct row and reused until the row changes.

A list page of 100 tickets took ~7 ms to turn rows into pydantic models and back into JSON;
most rows of a page are unchanged since the last time someone loaded it. The cache is keyed by
the row's primary key and checked against every column of the row, so the JSON is always the
JSON of exactly this row, whatever changed it (no reliance on version bumps); only the render
is skipped. Past `limit` entries the older half is dropped (a queue view reads the first
pages of its queues again and again; 20,000 tickets of ~3 KiB each is ~60 MiB at most).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any

RowKey = tuple[Any, ...]


class RowJsonCache:
    def __init__(self, render: Callable[[Mapping[str, Any]], bytes], limit: int = 20_000) -> None:
        self._render = render
        self._limit = limit
        # Plain dict operations are atomic under the GIL; two threads racing on one row
        # both render it and one result wins, which is the same bytes.
        self._entries: dict[int, tuple[RowKey, bytes]] = {}

    def get(self, key: int, row: RowKey, names: Mapping[str, int]) -> bytes:
        """The JSON of `row` (a plain tuple; `names`: column -> position), whose primary key is `key`."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == row:
            return entry[1]
        rendered = self._render(dict(zip(names, row, strict=True)))
        self._entries[key] = (row, rendered)
        if len(self._entries) > self._limit:
            self._evict()
        return rendered

    def _evict(self) -> None:
        try:
            oldest = list(islice(self._entries, len(self._entries) - self._limit // 2))
        except RuntimeError:  # another thread inserted meanwhile: evict on a later call
            return
        for key in oldest:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
