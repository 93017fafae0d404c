"""`ctrl+e` in the composer: the draft goes to the agent's own editor and comes back (issue 18).

`App.suspend()` needs a real terminal (under `run_test` the headless driver refuses it), so this is
the real `supportdesk` command in a pseudo-terminal of its own, against the real reference server,
with `EDITOR` set to a script that edits the file it is given, as a person's editor would.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, open_conversation
from pty_terminal import Terminal, clean_env, terminal

from keyboard import type_text as type_keys
from waiting import wait_until

QUEUE_SORT_ARROW = "▲"
# The footer lists the composer's own keys only while the composer has the focus.
COMPOSER_FOCUSED = "Send + pending"

EDITOR_SCRIPT = """\
import pathlib, sys
path = pathlib.Path(sys.argv[1])
before = path.read_text(encoding="utf-8")
pathlib.Path({seen!r}).write_text(before, encoding="utf-8")
path.write_text(before + " and more from the editor\\nA second line, kept as written.\\n", encoding="utf-8")
"""


def drafts_holding(home: Path, needle: str) -> list[dict[str, Any]]:
    found = []
    for path in (home / "data").glob("*/drafts/*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        if needle in record["body"]:
            found.append(record)
    return found


def wait_for_draft(term: Terminal, home: Path, needle: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not (found := drafts_holding(home, needle)):
        shown = bytes(term.output[-3000:]).decode(errors="replace")
        assert time.monotonic() < deadline, f"no draft ever held {needle!r}; the terminal shows:\n{shown}"
        term._read(0.1)  # keep reading, or a full terminal would stop the app
    return found[0]


def type_text(term: Terminal, text: str) -> None:
    os.write(term.master, text.encode())


def open_a_ticket_and_write(term: Terminal, text: str) -> None:
    """Open the highlighted ticket of the queue and type `text` into its composer.

    The queue's header paints before its rows, and keys pressed before the table has its rows do
    nothing: enter is pressed again until the conversation shows."""
    term.wait_for(QUEUE_SORT_ARROW)
    for _attempt in range(30):
        type_text(term, "\r")
        with contextlib.suppress(AssertionError):
            term.wait_for("The customer will see this reply", timeout=2)
            break
    type_text(term, "r")
    term.wait_for(COMPOSER_FOCUSED)
    type_text(term, text)


def test_agent_edits_the_draft_in_their_editor_and_gets_the_text_back(
        workday_server: Any, tmp_path: Path) -> None:
    home, seen = tmp_path / "home", tmp_path / "seen-by-editor.txt"
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT.format(seen=str(seen)), encoding="utf-8")
    env = clean_env(home, SUPPORTDESK_TOKEN=workday_server.token("anna"),
                    EDITOR=f"{sys.executable} {script}", VISUAL="")
    with terminal(["--server", workday_server.url], env) as term:
        open_a_ticket_and_write(term, "Hello from the composer")
        # Saved before the editor starts: what was typed is on disk already.
        wait_for_draft(term, home, "Hello from the composer")
        type_text(term, "\x05")  # ctrl+e
        draft = wait_for_draft(term, home, "A second line, kept as written.")
        assert draft["body"] == ("Hello from the composer and more from the editor\n"
                                 "A second line, kept as written.")
        assert seen.read_text(encoding="utf-8") == "Hello from the composer"
        # Back in the app, the composer shows the text the editor wrote.
        term.wait_for("A second line, kept as written.")


def test_a_missing_editor_says_so_and_the_text_stays(workday_server: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = clean_env(home, SUPPORTDESK_TOKEN=workday_server.token("anna"),
                    EDITOR="/nonexistent/editor-4711", VISUAL="")
    with terminal(["--server", workday_server.url], env) as term:
        open_a_ticket_and_write(term, "Nothing of this is lost")
        wait_for_draft(term, home, "Nothing of this is lost")
        type_text(term, "\x05")
        term.wait_for("was not found")
        assert drafts_holding(home, "Nothing of this is lost")[0]["body"] == "Nothing of this is lost"


async def test_without_a_terminal_to_hand_over_ctrl_e_says_so_and_the_text_stays(
        workday_server: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """Under `run_test` the headless driver cannot suspend: the same key path explains that, and
    ctrl+e is the editor's key in the composer, not the text area's end of line."""
    monkeypatch.setenv("EDITOR", f"{sys.executable} -c pass")
    monkeypatch.delenv("VISUAL", raising=False)
    ticket = create_customer_ticket(workday_server, category="hacked")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        await type_keys(pilot, "Stays right here")
        editor = screen.composer.editor
        editor.move_cursor((0, 0))
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: "cannot hand the screen over" in str(
            screen.composer.query_one("#composer-status").render()), what="the explanation")
        assert screen.composer.text == "Stays right here"
        assert editor.cursor_location == (0, 0)  # not moved to the end of the line
        draft = app.session.drafts.load(ticket["id"])
        assert draft is not None and draft.body == "Stays right here"
