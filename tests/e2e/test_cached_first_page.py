"""The last session's first page, painted at start while the app loads (issue 17: cold start).

Each start is the real `supportdesk` command in a pseudo-terminal of its own, against the real
reference server. What the agent must be able to rely on: the cached page is painted only for the
same server and agent, always under a banner saying it is cached; a tampered or broken cache
paints nothing dangerous (or nothing at all); and once the app is up it shows the live page only,
which it then caches for the next start.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pty_terminal import Terminal, clean_env, terminal

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.first_frame import CachedPage
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.cached_page import CachedPageView
from waiting import wait_until

# Textual switches mouse reporting on when it takes the terminal over; the pre-paint never does.
TEXTUAL_STARTED = b"\x1b[?1000h"
BANNER = b"Cached from"
# The live queue's header marks its sort column (SLA by default); the cached page has no arrow.
QUEUE_SORT_ARROW = "▲".encode()
STALE = "STALE-ROW-4711"
HOSTILE = " \x1b]52;c;cm0gLXJmIH4=\x07 \x9b31m \u202eevil"


def cache_of(home: Path) -> Path:
    return home / "cache" / "first-page.json"


def wait_for_bytes(term: Terminal, *needles: bytes, start: int = 0, timeout: float = 60.0) -> int:
    """Where the first of `needles` shows in the output at or after `start`."""
    deadline = time.monotonic() + timeout
    while True:
        found = [i for n in needles if (i := term.output.find(n, start)) >= 0]
        if found:
            return min(found)
        left = deadline - time.monotonic()
        if left <= 0 or not term._read(min(left, 0.2)):
            tail = bytes(term.output[-1500:]).decode(errors="replace")
            raise AssertionError(f"the terminal never showed {needles} after byte {start}; it shows:\n{tail}")


def wait_for_file(term: Terminal, path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was never written"
        term._read(0.1)  # keep reading, or a full terminal would stop the app


def wait_for_cache(term: Terminal, home: Path, written: Callable[[str], bool], timeout: float = 60.0) -> None:
    """Until the cache holds what `written` expects (the queue saves it once its page is on screen)."""
    deadline = time.monotonic() + timeout
    while not written(cache_of(home).read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, "the cache was never rewritten"
        term._read(0.1)  # keep reading, or a full terminal would stop the app


def first_start(server: Any, home: Path, login: str = "anna") -> dict[str, Any]:
    """A start with nothing cached: the queue shows its first page and caches it; returns the cache."""
    env = clean_env(home, SUPPORTDESK_TOKEN=server.token(login))
    with terminal(["--server", server.url], env) as term:
        wait_for_file(term, cache_of(home))
        assert BANNER not in term.output  # nothing was cached, so nothing was painted
    record: dict[str, Any] = json.loads(cache_of(home).read_text(encoding="utf-8"))
    return record


def test_the_next_start_paints_the_cached_page_marked_cached_and_then_only_the_live_one(
        workday_server: Any, tmp_path: Path) -> None:
    record = first_start(workday_server, tmp_path)
    subject_column = record["columns"].index("Subject")
    fresh_subjects = [row[subject_column][:12].encode() for row in record["rows"][:10]]
    # Someone edits the cache: a row the server does not have, with escapes in its subject.
    record["rows"][0][subject_column] = STALE + HOSTILE
    cache_of(tmp_path).write_text(json.dumps(record), encoding="utf-8")

    env = clean_env(tmp_path, SUPPORTDESK_TOKEN=workday_server.token("anna"))
    with terminal(["--server", workday_server.url], env) as term:
        stale_at = wait_for_bytes(term, STALE.encode())
        # The cached rows come under a banner saying so, before Textual has even started.
        assert 0 <= term.output.find(BANNER) < stale_at
        textual_at = wait_for_bytes(term, TEXTUAL_STARTED)
        assert textual_at > stale_at
        # Then the live queue (its header marks the sort column) replaces it with the live rows,
        # and the cached-only row is never drawn among them.
        queue_at = wait_for_bytes(term, QUEUE_SORT_ARROW, start=textual_at)
        wait_for_bytes(term, *fresh_subjects, start=queue_at)
        assert STALE.encode() not in term.output[queue_at:]
        assert BANNER not in term.output[queue_at:]
        # The tampered subject was painted as text: no clipboard write, no CSI, no bidi override.
        assert b"\x1b]52" not in term.output and b"\xc2\x9b" not in term.output
        assert "\u202e".encode() not in term.output
        assert "␛]52;c;".encode() in term.output[:textual_at]
        # And what the next start will paint is the live page again.
        wait_for_cache(term, tmp_path, lambda text: STALE not in text)


def test_another_agent_on_the_same_machine_is_never_shown_the_cached_page(
        workday_server: Any, tmp_path: Path) -> None:
    first_start(workday_server, tmp_path, login="anna")
    env = clean_env(tmp_path, SUPPORTDESK_TOKEN=workday_server.token("boris"))
    with terminal(["--server", workday_server.url], env) as term:
        wait_for_bytes(term, TEXTUAL_STARTED)
        # The pre-paint comes before Textual or never: Anna's rows were not painted for Boris.
        assert BANNER not in term.output


def test_a_broken_cache_paints_nothing_and_the_app_starts_as_usual(
        workday_server: Any, tmp_path: Path) -> None:
    record = first_start(workday_server, tmp_path)
    broken = json.dumps(record)[: len(json.dumps(record)) // 2]  # cut short, as by a full disk
    cache_of(tmp_path).write_text(broken, encoding="utf-8")
    env = clean_env(tmp_path, SUPPORTDESK_TOKEN=workday_server.token("anna"))
    with terminal(["--server", workday_server.url], env) as term:
        wait_for_bytes(term, TEXTUAL_STARTED)
        assert BANNER not in term.output and b"Traceback" not in term.output
        wait_for_cache(term, tmp_path, lambda text: text != broken)  # rewritten from the live page


async def test_the_connect_screen_keeps_the_cached_page_marked_cached_and_no_key_acts_on_it(
        workday_server: Any, tmp_path: Path) -> None:
    cached = CachedPage(
        fingerprint="f" * 64, saved_at=time.time(), title="SupportDesk  ·  Anna  ·  " + workday_server.url,
        banner="Cached from {time}, not live — connecting…", columns=("#", "Priority", "Subject"),
        rows=(("999999", "Urgent", STALE + HOSTILE),), right=(True, False, False), widths=(7, 10, 0))
    # The server does not answer yet: the agent looks at the cached page and presses keys at it.
    app = SupportDeskApp(AppSettings(server_url="http://127.0.0.1:9", token="x", data_dir=tmp_path,
                                     cached_first_page=cached))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                         what="the connect error")
        shown = app.screen.query_one(CachedPageView).render().plain
        assert "Cached from" in shown and "not live" in shown
        assert STALE in shown and "\x1b" not in shown and "\u202e" not in shown
        await pilot.press("t", "enter", "j", "enter")  # take, open: nothing here may act on a row
        assert isinstance(app.screen, ConnectScreen)
        # The server comes back: the live queue replaces the cached page, which it never had.
        anna = workday_server.token("anna")
        app.settings = replace(app.settings, server_url=workday_server.url, token=anna)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.table.cursor_ticket is not None, what="the live queue's rows")
        assert not app.screen.query(CachedPageView)
        window = app.screen.table.window
        assert window is not None
        live = [t for i in range(window.row_count_known) if (t := window.get(i)) is not None]
        assert live and all(t.id != 999999 and STALE not in t.subject for t in live)
        # Nothing was taken while the page was cached.
        with workday_server.client("anna") as client:
            assert client.get("/api/v1/tickets/999999").status_code == 404
