"""Hostile customer text through the real backend into the real app: shown literally, never obeyed."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import make_app
from hostile_corpus import FORBIDDEN_BYTES, SERVER_MESSAGE, poisoned_desk
from hostile_proxy import hostile_proxy

from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_header import TicketHeader
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

HOSTILE_SUBJECT = "\x1b]0;pwned-title\x07[@click=app.quit]Click me[/] \u202eevil\u200b"
HOSTILE_NAME = "[bold red]Mallory\x1b[2J[/bold red]"
HOSTILE_BODY = (
    "hi \x1b]52;c;cHduZWQ=\x07 clipboard\n"
    "\x9b31mC1 CSI\x1bPq#0;2;0;0;0\x1b\\ DCS\n"
    "[link=https://evil.example]open[/link] [@click=app.bell]ring[/] \x1b[1;31mred\x1b[0m\n"
    "lone escape \x1b and a bell \x07 end"
)
# Byte sequences that would make a terminal act on customer text.
# Textual reads a lone ESC as the escape key only if nothing follows it within its ESCAPE_DELAY (0.1 s).
ESC = b"\x1b"
ESCAPE_GAP = 0.3
# The live queue's header marks its sort column. Before it a start may show the queue's first rows
# (painted before Textual loads, then on the connect screen: first_frame.py, first_start.py), and
# no key acts on those: keys reach the queue once this is in the output.
QUEUE_SORT_ARROW = "▲".encode()
FORBIDDEN = [b"\x1b]0;pwned", b"\x1b]52;", b"pwned-title\x07", b"\x1bPq", b"\xc2\x9b", b"\x1b[2J[",
             "\u202e".encode(), "\u200b".encode()]


@pytest.fixture
def hostile_desk(server_factory: Any) -> Any:
    """A backend whose only ticket was written by an attacker, and an agent of its queue."""
    server = server_factory(demo=False)
    server.new_token("agent1", "agent", ["hacked"], name="Agent One")
    server.new_token("gateway", "intake", [])
    payload = {"subject": HOSTILE_SUBJECT, "category": "hacked", "language": "en", "priority": "urgent",
               "requester": {"account_id": "id666", "name": HOSTILE_NAME, "language": "en",
                             "email": "m@evil.example"},
               "body": HOSTILE_BODY}
    with httpx.Client(base_url=server.url, headers=server.headers("gateway")) as http:
        response = http.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": "hostile-1"})
        response.raise_for_status()
        server.hostile_id = response.json()["ticket_id"]
    return server


async def test_hostile_ticket_is_shown_literally_and_fires_no_action(
        hostile_desk: Any, tmp_path: Path) -> None:
    app = make_app(hostile_desk, "agent1", tmp_path)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable).cursor_ticket is not None, what="the queue")
        table = app.screen.query_one(TicketTable)
        row = "".join(segment.text for segment in table.render_line(1))
        assert "␛]0;pwned-title␇[@click=app.quit]" in row  # literal (and truncated to the column)
        assert "[bold red]Mallo" in row
        await wait_until(pilot, lambda: "clipboard" in " ".join(
            str(w.render()) for w in app.screen.query_one(TicketPreview).query("Static")),
            what="the preview")
        await pilot.click(TicketTable, offset=(60, 1))  # clicking the "link" text must not run it
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None and app.screen.query_one(Thread).messages,
                         what="the conversation")
        await settle(pilot)
        header = app.screen.query_one(TicketHeader).render().plain
        assert "[@click=app.quit]Click me[/]" in header
        assert "⟨U+202E⟩evil" in header  # the bidi override is shown, not obeyed
        body_text = " ".join(card.drawn_box_text() for card in app.screen.query_one(Thread).mounted_cards)
        assert "[link=https://evil.example]open[/link]" in body_text
        assert "␛]52;c;" in body_text and "\x1b" not in body_text
        await pilot.click(Thread, offset=(10, 3))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert bells == []


def _read_some(fd: int, wait: float) -> bytes | None:
    """What the app wrote within `wait` seconds: b"" if nothing, None once the terminal is gone."""
    if not select.select([fd], [], [], wait)[0]:
        return b""
    try:
        return os.read(fd, 65536) or None
    except OSError:
        return None


def _read_until_quiet(fd: int, quiet: float = 0.3, limit: float = 1.5) -> bytes:
    """Keep reading while the app paints (the thread and preview paint after the first rows):
    until it has written nothing for `quiet` seconds, or `limit` seconds at most."""
    seen = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        chunk = _read_some(fd, quiet)
        if not chunk:
            break
        seen += chunk
    return seen


def _read_until(fd: int, needle: bytes, timeout: float, *, after: bytes = b"") -> bytes:
    """What the app wrote until `needle` shows (after the first `after`, if given), and then quiet."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk = _read_some(fd, 0.1)
        if chunk is None:
            break
        seen += chunk
        start = seen.find(after)
        if start >= 0 and needle in seen[start:]:
            return seen + _read_until_quiet(fd)
    return seen


def test_no_escape_sequence_from_customer_text_reaches_the_terminal(
        hostile_desk: Any, tmp_path: Path) -> None:
    """The real CLI in a pseudo-terminal: the bytes it writes carry no customer control sequences."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(SUPPORTDESK_HOME=str(tmp_path), SUPPORTDESK_TOKEN=hostile_desk.token("agent1"),
               TERM="xterm-256color", COLUMNS="160", LINES="48")
    pid, fd = pty.fork()
    if pid == 0:  # child: become the app
        os.execve(sys.executable,
                  [sys.executable, "-m", "supportdesk_tui", "--server", hostile_desk.url], env)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        # Mallory in the live queue, not in the rows shown while it loads.
        output = _read_until(fd, b"Mallory", timeout=30, after=QUEUE_SORT_ARROW)
        # Open the ticket so its body (OSC 52, DCS, C1 …) is painted too.
        os.write(fd, b"\r")
        output += _read_until(fd, b"clipboard", timeout=15)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    assert b"Mallory" in output, output[-2000:]
    assert b"clipboard" in output
    for sequence in FORBIDDEN:
        assert sequence not in output, f"{sequence!r} reached the terminal"
    assert "␛".encode() in output  # shown as a visible placeholder instead


def test_pty_harness_would_catch_a_raw_escape() -> None:
    """The byte check above can fail: a program that prints customer text raw trips it."""
    raw = subprocess.run([sys.executable, "-c", f"print({HOSTILE_SUBJECT!r})"], capture_output=True,
                         timeout=30).stdout
    assert any(sequence in raw for sequence in FORBIDDEN)


class Terminal:
    """The real CLI in a pseudo-terminal: type keys, wait for text, keep every byte it wrote."""

    def __init__(self, server_url: str, token: str, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
        env.update(SUPPORTDESK_HOME=str(home), SUPPORTDESK_TOKEN=token,
                   TERM="xterm-256color", COLUMNS="160", LINES="48")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: become the app
            os.execve(sys.executable, [sys.executable, "-m", "supportdesk_tui", "--server", server_url], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        os.kill(self.pid, signal.SIGWINCH)
        self.output = b""
        self._answer_from = 0  # where the answer to the last keys begins in `output`

    def wait_for(self, needle: bytes, timeout: float = 20) -> None:
        """Until the answer to the last keys shows `needle`."""
        deadline = time.monotonic() + timeout
        while needle not in self.output[self._answer_from:] and time.monotonic() < deadline:
            chunk = _read_some(self.fd, 0.1)
            if chunk is None:
                break
            self.output += chunk
        shown = needle in self.output[self._answer_from:]
        assert shown, f"{needle!r} never shown; last bytes: {self.output[-1500:]!r}"

    def press(self, keys: bytes) -> None:
        """Type `keys`; what the app writes from now on is its answer (`wait_for` reads it)."""
        while chunk := _read_some(self.fd, 0):  # what was painted before belongs to earlier keys
            self.output += chunk
        self._answer_from = len(self.output)
        os.write(self.fd, keys)
        if keys == ESC:
            time.sleep(ESCAPE_GAP)

    def wait_for_queue(self, timeout: float = 30) -> None:
        """Until the live queue shows: the rows shown while it loads are not acted on by any key."""
        self.wait_for(QUEUE_SORT_ARROW, timeout)
        self._answer_from = self.output.find(QUEUE_SORT_ARROW)

    def open_palette(self) -> None:
        self.press(b"\x10")  # ctrl+p
        self.wait_for(b"Search for commands")  # mounted: what is typed next goes into it

    def close(self) -> None:
        self.output += _read_until_quiet(self.fd)  # the last answer's painting, to its end
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.mark.runs_long
def test_no_escape_sequence_from_names_titles_tags_or_server_messages_reaches_the_terminal(
        server_factory: Any, tmp_path: Path) -> None:
    """Agent and queue names, canned titles and shortcuts, tags and a server's error message,
    all hostile, painted by the real CLI: none of their control sequences is in its bytes."""
    desk = poisoned_desk(server_factory)
    refused = desk.tickets[3]
    with hostile_proxy(desk.url, SERVER_MESSAGE, refused=refused, hold_events=True) as url:
        term = Terminal(url, desk.token("agent1"), tmp_path)
        try:
            term.wait_for_queue()
            term.wait_for(b"Deletion")  # the queue names in the sidebar
            term.wait_for("Взлом".encode())  # and the tickets in the table: `t` takes the first
            with desk.client("mallory") as http:  # Mallory takes every ticket; the app is stale
                me = http.get("/api/v1/me").json()
                for ticket_id in desk.tickets:
                    version = http.get(f"/api/v1/tickets/{ticket_id}").json()["version"]
                    http.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": me["id"]},
                               headers={"If-Match": f'"{version}"'}).raise_for_status()
            term.press(b"t")
            term.wait_for(b"first.")  # "<Mallory…> took #N first."
            term.open_palette()  # open the tagged ticket from the palette
            term.press(f"#{desk.tickets[1]}".encode())
            term.wait_for(f"open #{desk.tickets[1]}".encode())  # the hit that Enter runs
            term.press(b"\r")
            term.wait_for(b"x[/bold]")  # the ticket header with its tags
            term.open_palette()
            term.press(b"canned")
            term.wait_for(b"::evil")  # the canned command: title, and shortcut in its help
            term.press(ESC)
            term.open_palette()
            term.press(b"queue: show")
            term.wait_for(b"Video")
            term.press(ESC)
            term.press(b"c")
            term.wait_for(b"Canned ")  # the picker lists the title
            term.press(b"\r")
            term.wait_for(b"Fill in")  # the variables form, titled with it
            term.press(ESC)
            term.press(ESC)
            term.open_palette()
            term.press(f"#{refused}".encode())
            term.wait_for(f"open #{refused}".encode())
            term.press(b"\r")
            term.wait_for(b"Denied")  # the hostile server's error message
        finally:
            term.close()
    output = term.output
    for sequence in FORBIDDEN_BYTES:
        assert sequence not in output, f"{sequence!r} reached the terminal"
    assert "␛".encode() in output and b"[@click=app.quit]" in output  # shown, as text
