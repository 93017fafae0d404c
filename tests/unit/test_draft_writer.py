"""The composer's draft saves go to a writer thread: the agent's keys never wait for the disk, and
what lands on disk is still the latest text, never an older one after a newer one or a deleted draft."""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest
from test_drafts import draft_after_killing_the_typist

from supportdesk_tui.domain.drafts import Draft, DraftStore

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


class HeldStore(DraftStore):
    """Its writer thread stops inside the write of a text marked `hold` until `release` is set."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.writing_held = threading.Event()
        self.release = threading.Event()

    def _write(self, draft: Draft) -> None:
        if draft.body.startswith("hold"):
            self.writing_held.set()
            assert self.release.wait(10)
        super()._write(draft)


def test_a_burst_of_typing_leaves_the_last_text_on_disk(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    text = ""
    for char in "Checking the invoice now, one moment":
        text += char
        store.save_soon(3, Draft(3, text))
    store.flush()
    reread = DraftStore(tmp_path).load(3)  # another store: only what is on disk
    assert reread is not None and reread.body == "Checking the invoice now, one moment"


def test_texts_typed_while_one_is_written_collapse_into_the_last(tmp_path: Path) -> None:
    store = HeldStore(tmp_path)
    store.save_soon(3, Draft(3, "hold: first"))
    assert store.writing_held.wait(10)
    for n in range(50):  # the writer is busy: these wait, and only the last one is written
        store.save_soon(3, Draft(3, f"typed {n}"))
    waiting = store.load(3)  # the agent's own store reads the text not written yet
    assert waiting is not None and waiting.body == "typed 49"
    store.release.set()
    store.flush()
    reread = DraftStore(tmp_path).load(3)
    assert reread is not None and reread.body == "typed 49"


def test_a_draft_deleted_while_the_writer_is_busy_stays_deleted(tmp_path: Path) -> None:
    # The reply went out (its draft deleted) while an older text of it was still on its way to
    # the disk: that text must not come back as a draft, to be sent a second time.
    store = HeldStore(tmp_path)
    store.save_soon(3, Draft(3, "hold: half a reply"))
    assert store.writing_held.wait(10)
    store.save_soon(3, Draft(3, "the whole reply"))
    deleted = threading.Thread(target=store.delete, args=(3,))
    deleted.start()
    store.release.set()
    deleted.join(10)
    store.flush()
    assert store.load(3) is None
    assert DraftStore(tmp_path).load(3) is None
    assert list(tmp_path.iterdir()) == []


def test_a_direct_save_is_never_overtaken_by_an_older_text_waiting(tmp_path: Path) -> None:
    store = HeldStore(tmp_path)
    store.save_soon(3, Draft(3, "hold: other ticket is being written"))
    assert store.writing_held.wait(10)
    store.save_soon(4, Draft(4, "older text of ticket 4"))
    saved = threading.Thread(target=store.save, args=(4, Draft(4, "left the ticket with this")))
    saved.start()
    store.release.set()
    saved.join(10)
    store.flush()
    reread = DraftStore(tmp_path).load(4)
    assert reread is not None and reread.body == "left the ticket with this"


def test_a_failed_write_is_reported_and_the_next_save_lands(tmp_path: Path) -> None:
    blocker = tmp_path / "drafts"
    blocker.write_text("a file where the folder should be")
    store = DraftStore(blocker)
    store.save_soon(3, Draft(3, "lost for now"))
    store.flush()
    warnings = store.pop_warnings()
    assert len(warnings) == 1 and warnings[0].path == blocker / "3.json"
    blocker.unlink()
    store.save_soon(3, Draft(3, "typed on"))
    store.flush()
    reread = DraftStore(blocker).load(3)
    assert reread is not None and reread.body == "typed on"


@posix_only
def test_killed_while_saving_in_the_background_the_draft_is_whole_and_recent(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from supportdesk_tui.domain.drafts import Draft, DraftStore
        store = DraftStore(Path(sys.argv[1]))
        i = 0
        while True:
            i += 1
            store.save_soon(9, Draft(9, "x" * (i % 5000 + 1) + " " + str(i)))
            if i == 200:
                store.flush()  # what the composer's pause does: the text of key 200 is on disk
                print("ready", flush=True)
        """
    )
    assert draft_after_killing_the_typist(script, tmp_path) >= 200


def test_the_writer_thread_ends_when_idle_and_a_new_one_takes_the_next_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("supportdesk_tui.domain.background_writer.WRITER_IDLE_SECONDS", 0.05)
    store = DraftStore(tmp_path)
    store.save_soon(3, Draft(3, "first"))
    first = store.writer._thread  # started by the save, before it can go idle
    assert first is not None
    store.flush()
    first.join(10)
    assert not first.is_alive() and store.writer._thread is None
    store.save_soon(3, Draft(3, "second"))
    store.flush()
    reread = DraftStore(tmp_path).load(3)
    assert reread is not None and reread.body == "second"
