"""Editing a draft in the agent's own editor (`$VISUAL`, then `$EDITOR`), as `git commit` does.

The text goes to a private temporary file, the editor runs on it in the foreground, and the file
is read back when the editor exits. Whatever goes wrong (no editor set, not found, a non-zero exit,
an emptied file) the caller gets an `EditOutcome` saying so and keeps its text: this module never
decides to throw the agent's words away.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["EditFailure", "EditOutcome", "editor_command", "run_editor"]

ENVIRONMENT_VARIABLES = ("VISUAL", "EDITOR")


class EditFailure(StrEnum):
    NOT_SET = "not-set"  # neither $VISUAL nor $EDITOR
    NOT_FOUND = "not-found"  # the program named there does not exist (or may not run)
    FAILED = "failed"  # it ran and exited with a non-zero status
    EMPTIED = "emptied"  # it exited cleanly but left nothing: taken as "abort", like git does
    UNREADABLE = "unreadable"  # the file could not be written or read back
    NOT_SUPPORTED = "not-supported"  # the app cannot hand its terminal over (e.g. in a browser)


@dataclass(frozen=True)
class EditOutcome:
    """The edited text, or why there is none (`detail`: the command or the exit status)."""

    text: str | None
    failure: EditFailure | None = None
    detail: str = ""


def editor_command(environ: Mapping[str, str]) -> list[str] | None:
    """The editor's argv from `$VISUAL` (preferred) or `$EDITOR`; `None` when neither is usable.

    The value is split like a shell would ("code --wait", "emacs -nw") but never run through one."""
    for name in ENVIRONMENT_VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        try:
            argv = shlex.split(value)
        except ValueError:  # an unbalanced quote: not a command we can run
            continue
        if argv:
            return argv
    return None


def _without_added_newline(edited: str, original: str) -> str:
    # Editors end the file with a newline the agent never typed; one is taken off again.
    if edited.endswith("\n") and not original.endswith("\n"):
        return edited[:-2] if edited.endswith("\r\n") else edited[:-1]
    return edited


def run_editor(text: str, command: list[str], *, label: str = "draft",
               runner: Callable[[list[str]], int] | None = None) -> EditOutcome:
    """Write `text` to a private temp file, run `command` + the file's path, read the result.

    `runner` runs the argv in the foreground and returns its exit status (the default inherits
    this process's terminal); it may raise `OSError` when the program cannot be started."""
    run = runner or _run_in_foreground
    safe_label = "".join(c for c in label if c.isalnum() or c in "-_") or "draft"
    try:
        # mkstemp: 0600 and a name nobody else can guess or pre-create; `.md` so editors pick
        # a prose mode.
        fd, name = tempfile.mkstemp(prefix=f"supportdesk-{safe_label}-", suffix=".md")
    except OSError as exc:
        return EditOutcome(None, EditFailure.UNREADABLE, str(exc))
    path = Path(name)
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            return EditOutcome(None, EditFailure.UNREADABLE, str(exc))
        try:
            status = run([*command, str(path)])
        except OSError:
            return EditOutcome(None, EditFailure.NOT_FOUND, command[0])
        if status != 0:
            return EditOutcome(None, EditFailure.FAILED, str(status))
        try:
            edited = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return EditOutcome(None, EditFailure.UNREADABLE, str(exc))
        edited = _without_added_newline(edited, text)
        if not edited.strip() and text.strip():
            return EditOutcome(None, EditFailure.EMPTIED)
        return EditOutcome(edited)
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def _run_in_foreground(argv: list[str]) -> int:
    return subprocess.run(argv, check=False).returncode
