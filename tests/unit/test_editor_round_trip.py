"""The agent's own editor: the text goes out to a file and comes back, and nothing is lost when
the editor is missing, fails or is used to cancel."""

from __future__ import annotations

import sys
from pathlib import Path

from supportdesk_tui.domain.external_editor import EditFailure, editor_command, run_editor

EDIT_SCRIPT = (
    "import sys, pathlib; p = pathlib.Path(sys.argv[1]); "
    "p.write_text(p.read_text() + ' — edited in vim\\n')"
)


def test_visual_wins_over_editor_and_is_split_like_a_shell_would() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "'/opt/my editor/bin/ed' -q"}) == ["/opt/my editor/bin/ed", "-q"]
    assert editor_command({"VISUAL": "  ", "EDITOR": "nano"}) == ["nano"]
    assert editor_command({"EDITOR": "'unbalanced"}) is None
    assert editor_command({}) is None


def test_the_edited_text_comes_back_without_the_newline_the_editor_added() -> None:
    outcome = run_editor("Hello Ivan,", [sys.executable, "-c", EDIT_SCRIPT], label="ticket-7")
    assert outcome.failure is None
    assert outcome.text == "Hello Ivan, — edited in vim"


def test_the_temporary_file_is_private_and_removed_afterwards() -> None:
    seen: list[Path] = []

    def runner(argv: list[str]) -> int:
        path = Path(argv[-1])
        seen.append(path)
        assert path.stat().st_mode & 0o077 == 0
        assert path.read_text(encoding="utf-8") == "секрет"
        return 0

    assert run_editor("секрет", ["ed"], label="../../etc/x", runner=runner).text == "секрет"
    assert "/" not in seen[0].name.removeprefix("supportdesk-") and ".." not in seen[0].name
    assert not seen[0].exists()


def test_a_missing_editor_a_failing_one_and_an_emptied_file_give_no_text() -> None:
    missing = run_editor("keep me", ["/nonexistent/editor-4711"])
    assert (missing.text, missing.failure, missing.detail) == (None, EditFailure.NOT_FOUND,
                                                               "/nonexistent/editor-4711")
    failing = run_editor("keep me", [sys.executable, "-c", "raise SystemExit(3)"])
    assert (failing.text, failing.failure, failing.detail) == (None, EditFailure.FAILED, "3")
    emptied = run_editor("keep me", [sys.executable, "-c",
                                     "import sys; open(sys.argv[1], 'w').close()"])
    assert (emptied.text, emptied.failure) == (None, EditFailure.EMPTIED)
