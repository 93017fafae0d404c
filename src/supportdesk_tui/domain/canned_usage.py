"""Which canned replies this agent uses: recently used ones first, then the most used.

One small JSON file per agent and server (the session picks the directory), written
atomically; an unreadable file is moved aside and reported, and counting starts again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.domain.atomic import (
    StorageWarning,
    atomic_write_text,
    ensure_private_dir,
    quarantine_reporting,
    read_json_or_quarantine,
)

__all__ = ["RECENT_SLOTS", "ReplyUsage", "UsageStore"]

_FORMAT = 1
RECENT_SLOTS = 3  # this many most recently used replies are lifted above everything else
_MAX_ENTRIES = 500  # bounded: the least recently used beyond this are forgotten
# Boosts are added to search scores (a whole-word match scores ≈ 2.5 per character), so they
# reorder close matches only; with an empty query they alone decide the order.
_RECENT_BOOST = 3.0
_RECENT_STEP = 0.5
_COUNT_BOOST = 0.2
_COUNT_CAP = 10  # count boost ≤ 2.0 < the smallest recent boost: recent replies stay on top


@dataclass(frozen=True)
class ReplyUsage:
    count: int
    last_used: datetime


class UsageStore:
    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock
        self._usage: dict[str, ReplyUsage] | None = None
        self._warnings: list[StorageWarning] = []

    def _load(self) -> dict[str, ReplyUsage]:
        if self._usage is not None:
            return self._usage
        usage: dict[str, ReplyUsage] = {}
        data = read_json_or_quarantine(self.path, self._warnings)
        if data is not None:
            try:
                if not isinstance(data, dict) or data.get("format") != _FORMAT:
                    raise ValueError("unknown format")
                replies = data["replies"]
                if not isinstance(replies, dict):
                    raise ValueError("replies is not an object")
                for key, item in replies.items():
                    count = item["count"]
                    if not isinstance(count, int) or count < 1:
                        raise ValueError(f"bad count for {key}")
                    last = datetime.fromisoformat(item["last_used"])
                    usage[str(key)] = ReplyUsage(count, last if last.tzinfo else last.replace(tzinfo=UTC))
            except (KeyError, TypeError, ValueError) as exc:
                quarantine_reporting(self.path, f"not a usage file ({exc})", self._warnings)
                usage = {}
        self._usage = usage
        return usage

    def get(self, key: str) -> ReplyUsage | None:
        return self._load().get(key)

    def record(self, key: str) -> None:
        """The agent inserted reply `key` just now."""
        usage = self._load()
        previous = usage.get(key)
        usage[key] = ReplyUsage((previous.count if previous else 0) + 1, self._clock())
        if len(usage) > _MAX_ENTRIES:
            for stale in sorted(usage, key=lambda k: usage[k].last_used)[: len(usage) - _MAX_ENTRIES]:
                del usage[stale]
        self._save(usage)

    def _save(self, usage: dict[str, ReplyUsage]) -> None:
        ensure_private_dir(self.path.parent)
        payload = {
            "format": _FORMAT,
            "replies": {key: {"count": u.count, "last_used": u.last_used.isoformat()}
                        for key, u in sorted(usage.items())},
        }
        atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, indent=1))

    def recent(self) -> list[str]:
        """The `RECENT_SLOTS` most recently used keys, newest first."""
        usage = self._load()
        return sorted(usage, key=lambda k: usage[k].last_used, reverse=True)[:RECENT_SLOTS]

    def boosts(self) -> dict[str, float]:
        """Ranking lift per key: the recent few on top (newest first), then by how often used."""
        usage = self._load()
        boosts = {key: _COUNT_BOOST * min(u.count, _COUNT_CAP) for key, u in usage.items()}
        for place, key in enumerate(self.recent()):
            boosts[key] += _RECENT_BOOST - _RECENT_STEP * place
        return boosts

    def pop_warnings(self) -> list[StorageWarning]:
        warnings, self._warnings = self._warnings, []
        return warnings
