"""The agent's unsent drafts survive restarts, crashes and corrupt files."""

from __future__ import annotations

import json
import os
import stat
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crash import kill_once_ready
from supportdesk_tui.domain.atomic import atomic_write_text, quarantine
from supportdesk_tui.domain.drafts import Draft, DraftKind, DraftStore

WHEN = datetime(2026, 11, 26, 9, 14, tzinfo=UTC)
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and signals")


def test_agent_finds_a_saved_draft_after_restart(tmp_path: Path) -> None:
    draft = Draft(42, "Здравствуйте, Анна!\nПроверьте почту.", DraftKind.NOTE, seen_up_to=7, updated_at=WHEN)
    DraftStore(tmp_path / "drafts").save(42, draft)
    assert DraftStore(tmp_path / "drafts").load(42) == draft


def test_missing_draft_is_none_and_delete_is_idempotent(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "never-created")
    assert store.load(1) is None
    store.delete(1)
    assert store.all() == []
    assert not (tmp_path / "never-created").exists()


def test_emptied_draft_is_removed(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(5, Draft(5, "hello", updated_at=WHEN))
    store.save(5, Draft(5, "  \n", updated_at=WHEN))
    assert store.load(5) is None
    assert list(tmp_path.iterdir()) == []


def test_a_draft_cannot_be_filed_under_another_ticket(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        DraftStore(tmp_path).save(6, Draft(5, "hello"))


@posix_only
def test_drafts_are_private_to_the_agent(tmp_path: Path) -> None:
    directory = tmp_path / "drafts"
    DraftStore(directory).save(1, Draft(1, "secret"))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "1.json").stat().st_mode) == 0o600


def test_all_lists_newest_first_and_skips_foreign_files(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(1, Draft(1, "old", updated_at=WHEN))
    store.save(2, Draft(2, "new", updated_at=WHEN.replace(hour=10)))
    (tmp_path / "notes.txt").write_text("not a draft")
    (tmp_path / ".1.json.abc.tmp").write_text("{half")
    assert [d.ticket_id for d in store.all()] == [2, 1]
    assert store.pop_warnings() == []


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b'{"format": 1, "ticket_id": "7", "body": "x"}', b"[]", b'{"format": 99}'],
)
def test_corrupt_draft_is_reported_and_kept_aside(tmp_path: Path, content: bytes) -> None:
    store = DraftStore(tmp_path)
    store.save(3, Draft(3, "good", updated_at=WHEN))
    (tmp_path / "7.json").write_bytes(content)
    assert [d.ticket_id for d in store.all()] == [3]
    [warning] = store.pop_warnings()
    assert warning.moved_to == tmp_path / "7.json.corrupt"
    assert warning.moved_to.read_bytes() == content
    assert "7.json" in str(warning)
    assert store.pop_warnings() == []


def test_a_draft_file_for_another_ticket_is_not_trusted(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(3, Draft(3, "good", updated_at=WHEN))
    os.replace(tmp_path / "3.json", tmp_path / "4.json")
    assert store.load(4) is None
    assert len(store.pop_warnings()) == 1


def test_quarantine_never_overwrites_an_earlier_corrupt_file(tmp_path: Path) -> None:
    for text in ("first", "second"):
        (tmp_path / "x.json").write_text(text)
        quarantine(tmp_path / "x.json")
    assert (tmp_path / "x.json.corrupt").read_text() == "first"
    assert (tmp_path / "x.json.corrupt.1").read_text() == "second"


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.json", "1")
    atomic_write_text(tmp_path / "a.json", "2")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_text() == "2"


@posix_only
def test_draft_survives_the_app_being_killed_mid_typing(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from supportdesk_tui.domain.drafts import Draft, DraftStore
        store = DraftStore(Path(sys.argv[1]))
        i = 0
        while True:
            i += 1
            store.save(9, Draft(9, "x" * (i % 5000 + 1) + " " + str(i)))
            if i == 20:
                print("ready", flush=True)
        """
    )
    assert draft_after_killing_the_typist(script, tmp_path) >= 20


def draft_after_killing_the_typist(script: str, folder: Path) -> int:
    """Run `script` (it saves draft 9 as 'x…x N' for N = 1, 2, … and prints "ready" at some N),
    SIGKILL it once ready, and read the draft back: whole, no warning. Its N."""
    kill_once_ready(script, folder)
    store = DraftStore(folder)
    draft = store.load(9)
    assert draft is not None
    count = int(draft.body.rsplit(" ", 1)[1])
    assert draft.body.startswith("x" * (count % 5000 + 1) + " ")
    assert store.pop_warnings() == []
    return count


def test_a_draft_keeps_its_files_paths_and_one_with_only_files_is_kept(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    store.save(7, Draft(7, "", files=("/home/anna/log.txt",)))
    loaded = store.load(7)
    assert loaded is not None and loaded.files == ("/home/anna/log.txt",)
    store.save(7, Draft(7, "  "))
    assert store.load(7) is None


def test_a_draft_written_before_attachments_loads_without_files(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    store.save(3, Draft(3, "hello"))
    path = tmp_path / "drafts" / "3.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["files"]
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = store.load(3)
    assert loaded is not None and loaded.files == ()
