"""A first start's pre-paint (first_start.py): the queue's first rows read at launch and painted
before Textual loads, under a banner saying they are loading. What it paints, what it refuses to
paint (a refused token, a lead, a dead or silent server, a pipe, a surprise in the answer), and
that it reads the server and token exactly as the app's own settings do, or not at all."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from supportdesk_tui.api.prefetch import PrefetchedAnswer, SignInPrefetch
from supportdesk_tui.first_frame import CachedPage, PaintedFrame, StartKey
from supportdesk_tui.first_start import (
    EarlyFirstPage,
    EarlyPaint,
    EarlyStart,
    prepare_paint,
    resolve_early,
    send_early,
)
from supportdesk_tui.launch import _page_to_keep, _send_sign_in_early, resolve_settings
from supportdesk_tui.settings import AppSettings

SERVER = "http://127.0.0.1:9"  # the discard port: nothing listens there
TOKEN = "anna-token"
HOSTILE = "Refund \x1b]52;c;cm0gLXJmIH4=\x07 now \x9b31m red \u202eevil\u202c [b]markup[/b] \x1b[2J done"
# The only sequences the pre-paint itself writes: cursor moves, SGR, alternate screen, cursor.
OWN_SEQUENCES = re.compile(rb"\x1b\[(?:\d+;\d+H|\d*m|\?1049[hl]|\?25[hl]|H|2J)")
KEY = StartKey(Path("/nonexistent/first-page.json"), "f" * 64)


def answer(body: object, status: int = 200) -> PrefetchedAnswer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return PrefetchedAnswer(status, (("content-type", "application/json"),), raw, time.monotonic(), "r1")


def a_ticket(ticket_id: int, subject: str = "Password changed", **changes: Any) -> dict[str, Any]:
    ticket: dict[str, Any] = {"id": ticket_id, "subject": subject, "status": "open", "priority": "urgent",
                              "requester": {"name": "Ирина", "email": "i@example.org"},
                              "assignee": {"id": 1, "login": "anna", "name": "Anna"}}
    ticket.update(changes)
    return ticket


ME = {"id": 1, "login": "anna", "name": "Anna Petrova", "role": "agent"}
PAGE = {"data": [a_ticket(1018), a_ticket(1019, "Spam from my account", priority="high", assignee=None)],
        "meta": {"has_more": False}, "links": {}}


def early_with(me: PrefetchedAnswer | None, page: PrefetchedAnswer | None, rows: int = 30) -> EarlyFirstPage:
    answers = {("/me", frozenset()): me} if me is not None else {}
    prefetch = SignInPrefetch.answered([SERVER], TOKEN, answers, first_page=page)
    start = EarlyStart((SERVER,), TOKEN, "en", 100, 10.0)
    return EarlyFirstPage(start, prefetch, rows)


@pytest.fixture
def pty_screen() -> Iterator[tuple[IO[str], int]]:
    """A real terminal to paint on (120x36): the stream the app writes to and the master to read."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    stream = open(slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield stream, master
    finally:
        stream.close()
        os.close(master)


def painted_bytes(master: int) -> bytes:
    out = b""
    while select.select([master], [], [], 0.2)[0]:
        chunk = os.read(master, 65536)
        if not chunk:
            break
        out += chunk
    return out


def paint(early: EarlyFirstPage, stream: IO[str]) -> EarlyPaint | None:
    """Paint what `early` reads (waiting until it has read it); the painter if it painted."""
    painter = prepare_paint(early, KEY, stream=stream)
    if painter is None:
        return None
    painter.paint_when_read()
    early.prefetch.first_page_answer(30)  # read, or given up on: painted by now if ever
    page = painter.close()
    painter.hand_over()  # the test's own terminal mode back, if it has one
    return painter if page is not None else None


def test_a_first_start_paints_the_rows_read_at_launch_under_a_loading_banner(
        pty_screen: tuple[IO[str], int]) -> None:
    stream, master = pty_screen
    painted = paint(early_with(answer(ME), answer(PAGE)), stream)
    assert painted is not None
    shown = painted_bytes(master).decode()
    assert "Loading — these rows are not live yet…" in shown and "Cached" not in shown
    assert "Anna Petrova" in shown and SERVER in shown
    assert "Password changed" in shown and "Spam from my account" in shown and "Ирина" in shown
    # The connect screen keeps showing the same page; it remembers which reads it came from.
    page = painted.close()
    assert page is not None and page.banner == "Loading — these rows are not live yet…"
    assert [row[0] for row in page.rows] == ["1018", "1019"]
    assert page.rows[1][-1] == "—"  # nobody assigned, as the queue shows it
    assert painted.read_by is not None


def test_hostile_subjects_and_names_are_painted_as_text(pty_screen: tuple[IO[str], int]) -> None:
    stream, master = pty_screen
    me = {**ME, "name": "Anna \x1b[31m" + HOSTILE}
    page = {**PAGE, "data": [a_ticket(1, HOSTILE, requester={"name": HOSTILE},
                                      assignee={"login": "x\x1b]0;title\x07"}, status=HOSTILE)]}
    assert paint(early_with(answer(me), answer(page)), stream) is not None
    shown = painted_bytes(master)
    left = OWN_SEQUENCES.sub(b"", shown)
    assert b"\x1b" not in left and "\x9b".encode() not in left and "\u202e".encode() not in left
    assert "␛]52;c;".encode() in shown  # shown as a visible sign, not sent to the terminal
    assert b"[b]markup[/b]" in shown  # plain text: no markup is read


@pytest.mark.parametrize(("me", "page"), [
    pytest.param(answer({"detail": "bad token"}, 401), answer({"detail": "bad token"}, 401),
                 id="refused token"),
    pytest.param(answer({**ME, "role": "lead"}), answer(PAGE), id="a lead starts on the dashboard"),
    pytest.param(answer(ME), None, id="no rows in time"),
    pytest.param(None, answer(PAGE), id="no /me in time"),
    pytest.param(answer(ME), answer(b"<html>not json</html>"), id="not JSON"),
    pytest.param(answer(ME), answer(PAGE, 500), id="server error"),
    pytest.param(answer(ME), answer({"data": {"id": 1}}), id="data not a list"),
    pytest.param(answer(ME), answer({"data": [a_ticket(True)]}), id="id not a number"),  # type: ignore[arg-type]
    pytest.param(answer(ME), answer({"data": [a_ticket(-1)]}), id="id negative"),
    pytest.param(answer(ME), answer({"data": [a_ticket(1, subject=None)]}), id="subject missing"),
    pytest.param(answer(ME), answer({"data": [a_ticket(1, assignee="anna")]}), id="assignee not an object"),
    pytest.param(answer(ME), answer({"data": [a_ticket(1, requester=None)]}), id="no requester"),
    pytest.param(answer(ME), answer({"data": [a_ticket(i) for i in range(1, 300)]}), id="too many rows"),
    pytest.param(answer(ME), answer({"data": []}), id="an empty queue"),
    pytest.param(answer({"name": 5, "role": "agent"}), answer(PAGE), id="name not a string"),
])
def test_anything_unexpected_in_the_answers_paints_nothing(
        pty_screen: tuple[IO[str], int], me: PrefetchedAnswer | None, page: PrefetchedAnswer | None) -> None:
    stream, master = pty_screen
    assert paint(early_with(me, page), stream) is None
    assert painted_bytes(master) == b""


def args_for(*servers: str, lang: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(server=list(servers) or None, lang=lang, insecure=False, debug=False,
                              theme=None)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SUPPORTDESK_HOME, and no SUPPORTDESK_* or locale variables from the test's own shell."""
    for name in list(os.environ):
        if name.startswith("SUPPORTDESK_") or name in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path))
    monkeypatch.setenv("SUPPORTDESK_NO_KEYRING", "1")
    return tmp_path


def test_nothing_is_asked_or_painted_for_a_pipe(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTDESK_TOKEN", TOKEN)
    pipe = io.StringIO()
    early = send_early(args_for(SERVER), stream=pipe)
    assert early is not None and early.rows_wanted == 0  # /me and /queues still go early
    assert prepare_paint(early, KEY, stream=pipe) is None
    assert pipe.getvalue() == ""


def test_a_dead_server_paints_nothing(home: Path, monkeypatch: pytest.MonkeyPatch,
                                      pty_screen: tuple[IO[str], int]) -> None:
    stream, master = pty_screen
    monkeypatch.setenv("SUPPORTDESK_TOKEN", TOKEN)
    early = send_early(args_for(SERVER), stream=stream)
    assert early is not None and early.rows_wanted > 0
    assert paint(early, stream) is None
    assert painted_bytes(master) == b""


def test_a_server_that_never_answers_paints_nothing_and_the_start_goes_on(
        home: Path, monkeypatch: pytest.MonkeyPatch, pty_screen: tuple[IO[str], int]) -> None:
    stream, master = pty_screen
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts the connection; nobody ever reads the request
    try:
        monkeypatch.setenv("SUPPORTDESK_TOKEN", TOKEN)
        early = send_early(args_for(f"http://127.0.0.1:{silent.getsockname()[1]}"), stream=stream)
        assert early is not None
        painter = prepare_paint(early, KEY, stream=stream)
        assert painter is not None
        painter.paint_when_read()  # returns at once: nothing waits for the rows
        assert painter.close() is None  # the app takes the terminal: nothing was painted
        painter.hand_over()
        # Rows that come after that are never painted over the app.
        painter._rows_read(answer(PAGE))
        assert painted_bytes(master) == b""
    finally:
        silent.close()


def test_rows_read_after_the_app_took_the_terminal_are_not_painted(
        pty_screen: tuple[IO[str], int]) -> None:
    stream, master = pty_screen
    early = early_with(answer(ME), None)
    painter = prepare_paint(early, KEY, stream=stream)
    assert painter is not None
    painter.paint_when_read()
    assert painter.close() is None
    painter._rows_read(answer(PAGE))  # the launch thread, a moment too late
    painter.hand_over()
    assert painted_bytes(master) == b""


# --- reading the server and token as the app does ----------------------------------------------

CONFIG_CASES: list[tuple[str, dict[str, str], str | None, list[str]]] = [
    # (config.toml, environment, credentials.json, --server)
    ("", {"SUPPORTDESK_TOKEN": "t-env"}, None, [SERVER]),
    ("", {"SUPPORTDESK_TOKEN": "t-env", "SUPPORTDESK_SERVER": "http://a:1,http://b:2/"}, None, []),
    ('[server]\nurl = ["http://a:1", " http://b:2"]\ntoken = "t-file"\n', {}, None, []),
    ('[server]\nurl = "http://a:1"\ntoken = "t-file"\ntimeout = 3\n', {"SUPPORTDESK_TOKEN": "t-env"},
     None, []),
    ('[server]\ntoken = "t-file"\n', {"SUPPORTDESK_SERVER__TOKEN": "t-long", "SUPPORTDESK_TOKEN": "t-short"},
     None, [SERVER]),
    ("", {"SUPPORTDESK_SERVER__TOKEN": "t-long"}, None, ["http://a:1", "http://b:2"]),
    ("", {}, '{"server": "http://a:1,http://b:2", "token": "t-stored"}', []),
    ("", {}, '{"server": "http://a:1", "token": "t-stored"}', ["http://a:1,http://c:3"]),
    ("", {}, '{"server": "http://other:1", "token": "t-stored"}', [SERVER]),  # not this deployment's
    ("", {}, '{"server": "http://a:1"}', []),  # the token is in the keyring: not read early
    ('[ui]\nlanguage = "ru"\n[queue]\npage_size = 25\n', {"SUPPORTDESK_TOKEN": "t"}, None, [SERVER]),
    ('[ui]\nlanguage = "auto"\n', {"SUPPORTDESK_TOKEN": "t", "LANG": "ru_RU.UTF-8"}, None, [SERVER]),
    ('[ui]\nlanguage = "en"\n', {"SUPPORTDESK_TOKEN": "t", "SUPPORTDESK_LANG": "ru"}, None, [SERVER]),
    ("", {"SUPPORTDESK_TOKEN": "t", "SUPPORTDESK_QUEUE__PAGE_SIZE": "40"}, None, [SERVER]),
    # Not the default view:
    ('[queue]\ndefault_filter = "is:mine"\n', {"SUPPORTDESK_TOKEN": "t"}, None, [SERVER]),
    ("", {"SUPPORTDESK_TOKEN": "t", "SUPPORTDESK_QUEUE__DEFAULT_FILTER": "p:urgent"}, None, [SERVER]),
    ("[server\nbroken", {"SUPPORTDESK_TOKEN": "t"}, None, [SERVER]),  # the app reports the error
    ('[server]\ntoken = 5\n', {}, None, [SERVER]),
    ("", {}, None, [SERVER]),  # no token: the sign-in screen
    ("", {"SUPPORTDESK_TOKEN": "t"}, None, []),  # no server
]


@pytest.mark.parametrize(("config", "env", "stored", "servers"), CONFIG_CASES)
def test_the_early_reading_agrees_with_the_apps_settings_or_stays_out(
        home: Path, monkeypatch: pytest.MonkeyPatch, config: str, env: dict[str, str], stored: str | None,
        servers: list[str]) -> None:
    if config:
        (home / "config").mkdir()
        (home / "config" / "config.toml").write_text(config, encoding="utf-8")
    if stored is not None:
        (home / "data").mkdir()
        (home / "data" / "credentials.json").write_text(stored, encoding="utf-8")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    early = resolve_early(args_for(*servers))
    settings = resolve_settings(args_for(*servers))
    if early is None:
        return  # staying out is always allowed; the point is never to read it differently
    assert isinstance(settings, AppSettings), settings
    assert early.instances == settings.instances
    assert early.token == settings.token
    assert early.language == settings.language
    assert early.page_size == settings.page_size
    assert early.timeout == settings.timeout
    assert not settings.default_filter


def test_the_early_reading_is_used_in_every_plain_case(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases above where the early reading must not stay out (or the test above could pass by
    never reading anything)."""
    monkeypatch.setenv("SUPPORTDESK_TOKEN", "t-env")
    assert resolve_early(args_for(SERVER)) == EarlyStart((SERVER,), "t-env", "en", 100, 10.0)
    monkeypatch.delenv("SUPPORTDESK_TOKEN")
    (home / "data").mkdir()
    (home / "data" / "credentials.json").write_text('{"server": "http://a:1", "token": "t-stored"}')
    assert resolve_early(args_for()) == EarlyStart(("http://a:1",), "t-stored", "en", 100, 10.0)
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text('[ui]\nlanguage = "ru"\n[queue]\npage_size = 25\n')
    assert resolve_early(args_for()) == EarlyStart(("http://a:1",), "t-stored", "ru", 25, 10.0)


def test_the_app_takes_the_launchs_answers_only_for_the_same_server_and_token(tmp_path: Path) -> None:
    early = SignInPrefetch.answered([SERVER], TOKEN, {})
    same = AppSettings(server_url=SERVER, token=TOKEN, data_dir=tmp_path)
    assert _send_sign_in_early(same, early) is early
    other_token = AppSettings(server_url=SERVER, token="boris-token", data_dir=tmp_path)
    assert _send_sign_in_early(other_token, early) is not early
    page = CachedPage.of_rows("f" * 64, [("1", "Urgent", "Open", "Subject", "Ирина", "anna")],
                              title="t", banner="Loading", saved_at=0.0)
    painted = PaintedFrame(page, None, read_by=early)
    # The connect screen keeps the painted rows only when they were read for the app's sign-in.
    assert _page_to_keep(painted, early) is page
    assert _page_to_keep(painted, SignInPrefetch.answered([SERVER], "boris-token", {})) is None
    assert _page_to_keep(PaintedFrame(page, None), None) is page  # the cached page: kept as before


def test_the_first_start_loads_neither_textual_nor_rich_nor_pydantic() -> None:
    code = ("import sys, supportdesk_tui.first_start, supportdesk_tui.cli\n"
            "loaded = {m.split('.')[0] for m, module in sys.modules.items() if module is not None}\n"
            "print(sorted(loaded & {'textual', 'rich', 'pydantic', 'httpx', 'keyring'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"



@pytest.mark.parametrize("rows_come", [True, False])
def test_keys_typed_at_painted_rows_are_discarded_and_keys_typed_before_any_are_kept(
        pty_screen: tuple[IO[str], int], rows_come: bool) -> None:
    import termios

    from supportdesk_tui.first_frame import quiet_keys

    stream, screen = pty_screen
    master, slave = os.openpty()  # the keyboard
    try:
        early = early_with(answer(ME), answer(PAGE) if rows_come else None)
        painter = EarlyPaint(early, KEY, stream, quiet_keys(slave), keys_fd=slave).paint_when_read()
        os.write(master, b"t\r")  # "take" and "open"
        assert select.select([slave], [], [], 5)[0], "the keys should be waiting to be read"
        painter.hand_over()
        waiting = bool(select.select([slave], [], [], 0)[0])
        # At painted rows the keys were aimed at rows that may be stale; with nothing painted they
        # are the agent's typing ahead, for the app.
        assert waiting is not rows_come
        assert termios.tcgetattr(slave)[3] & termios.ECHO  # the mode back as it was
        assert (b"Loading" in painted_bytes(screen)) is rows_come
    finally:
        os.close(master)
        os.close(slave)
