"""The conversation's timeline lines: a ticket's changes in our own words, with the server's
values (names, tags, queue ids) as plain one-line text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from domain_builders import NOW

from supportdesk_tui.contract.models import HistoryEntry
from supportdesk_tui.domain.ticket_history import describe, entries_between, tag_changes


def entry(kind: str, old: str | None = None, new: str | None = None, *, ref: str | None = None,
          actor: str = "Elena Smirnova", minutes: int = 0, **extra: Any) -> HistoryEntry:
    return HistoryEntry.model_validate({
        "id": 1 + minutes, "ticket_id": 9, "kind": kind, "old": old, "new": new, "ref": ref,
        "actor": {"type": "agent", "id": "lena", "name": actor},
        "at": (NOW + timedelta(minutes=minutes)).isoformat(), **extra})


@pytest.mark.parametrize(("made", "line"), [
    (entry("status", "open", "pending"), "Elena Smirnova: status Open → Pending"),
    (entry("priority", "normal", "urgent"), "Elena Smirnova: priority Normal → Urgent"),
    (entry("tags", "a, b", "b, c"), "Elena Smirnova: tags +c −a"),
    (entry("assignee", None, "Anna Petrova"), "Elena Smirnova: assigned to Anna Petrova"),
    (entry("assignee", "Anna Petrova", None), "Elena Smirnova: unassigned Anna Petrova"),
    (entry("queue", "access", "hacked"), "Elena Smirnova: queue Access → Hacked accounts"),
    (entry("escalated", None, "ENG-1001", ref="ENG-1001"),
     "Elena Smirnova: escalated to engineering as ENG-1001"),
    (entry("escalation_status", "open", "fixed", ref="ENG-1001"), "Elena Smirnova: ENG-1001 open → fixed"),
    (entry("merged_into", ref="1234"), "Elena Smirnova: merged into #1234"),
    (entry("account_action", "locked", "sign_out_all"), "Elena Smirnova: signed out all sessions"),
])
def test_each_kind_reads_as_a_sentence(made: HistoryEntry, line: str) -> None:
    names = {"access": "Access", "hacked": "Hacked accounts"}
    assert describe(made, lambda queue: names.get(queue, queue)) == line


def test_hostile_values_stay_one_plain_line() -> None:
    made = entry("tags", None, "x\x1b]52;c;cm0=\x07\nnext [@click=app.quit]", actor="Eve\u202e\x1b[2J")
    line = describe(made)
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line and "\u202e" not in line
    assert "[@click=app.quit]" in line  # shown literally: the widget renders it as Text, not markup


def test_tag_changes_and_entries_between() -> None:
    assert tag_changes(None, "a, b") == (["a", "b"], [])
    assert tag_changes("a, b", None) == ([], ["a", "b"])
    entries = [entry("status", "new", "open", minutes=m) for m in (0, 5, 10)]
    assert [e.id for e in entries_between(entries, NOW + timedelta(minutes=5), None)] == [6, 11]
    assert [e.id for e in entries_between(entries, None, NOW + timedelta(minutes=5))] == [1]
