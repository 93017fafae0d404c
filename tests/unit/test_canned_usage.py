"""Replies the agent used recently, then those used most, rise to the top; stored per agent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from supportdesk_tui.domain.canned_usage import UsageStore

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def ranked(store: UsageStore, keys: list[str]) -> list[str]:
    boosts = store.boosts()
    return sorted(keys, key=lambda k: (-boosts.get(k, 0.0), keys.index(k)))


def test_recent_replies_lead_then_the_most_used(tmp_path: Path) -> None:
    store = UsageStore(tmp_path / "usage.json", Clock())
    for key in ["a"] * 8 + ["b", "c", "d", "e"]:
        store.record(key)
    # e, d, c are the three most recent; a (8 uses) beats b (1 use); f was never used.
    assert ranked(store, ["f", "b", "a", "c", "d", "e"]) == ["e", "d", "c", "a", "b", "f"]
    assert store.recent() == ["e", "d", "c"]


def test_usage_survives_a_restart_and_is_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "agent" / "usage.json"
    store = UsageStore(path, Clock())
    store.record("team:greeting")
    store.record("team:greeting")
    assert [p.name for p in path.parent.iterdir()] == ["usage.json"]  # no temp files left
    again = UsageStore(path)
    usage = again.get("team:greeting")
    assert usage is not None and usage.count == 2
    assert json.loads(path.read_text())["format"] == 1


def test_a_corrupt_file_is_moved_aside_and_counting_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    path.write_text('{"format": 1, "replies": {"x": {"count": "many"}}}')
    store = UsageStore(path, Clock())
    assert store.boosts() == {}
    [warning] = store.pop_warnings()
    assert warning.moved_to == tmp_path / "usage.json.corrupt"
    store.record("x")
    assert UsageStore(path).get("x") is not None


def test_two_agents_never_share_statistics(tmp_path: Path) -> None:
    anna = UsageStore(tmp_path / "anna" / "usage.json", Clock())
    boris = UsageStore(tmp_path / "boris" / "usage.json", Clock())
    anna.record("team:refund")
    assert boris.boosts() == {} and anna.boosts()
