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
from pathlib import Path
from typing import Any

from pty_terminal import Terminal, clean_env, terminal

# Textual switches mouse reporting on when it takes the terminal over; the pre-paint never does.
TEXTUAL_STARTED = b"\x1b[?1000h"
BANNER = b"Cached from"
STALE = "STALE-ROW-4711"
HOSTILE = " \x1b]52;c;cm0gLXJmIH4=\x07 \x9b31m \u202eevil"


def cache_of(home: Path) -> Path:
    return home / "cache" / "first-page.json"


def wait_for_bytes(term: Terminal, *needles: bytes, after: bytes = b"", timeout: float = 60.0) -> int:
    """Where the first of `needles` shows in the output, counting only what came after `after`."""
    deadline = time.monotonic() + timeout
    while True:
        start = term.output.find(after) if after else 0
        if start >= 0:
            found = [i for n in needles if (i := term.output.find(n, start)) >= 0]
            if found:
                return min(found)
        left = deadline - time.monotonic()
        if left <= 0 or not term._read(min(left, 0.2)):
            tail = bytes(term.output[-1500:]).decode(errors="replace")
            raise AssertionError(f"the terminal never showed {needles} after {after!r}; it shows:\n{tail}")


def wait_for_file(term: Terminal, path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was never written"
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
        banner_at = term.output.find(BANNER)
        assert 0 <= banner_at < stale_at
        textual_at = term.output.find(TEXTUAL_STARTED)
        assert textual_at == -1 or textual_at > stale_at
        # The live page replaces it, and the app never draws the cached-only row.
        wait_for_bytes(term, *fresh_subjects, after=TEXTUAL_STARTED)
        textual_at = term.output.find(TEXTUAL_STARTED)
        assert STALE.encode() not in term.output[textual_at:]
        assert BANNER not in term.output[textual_at:]
        # The tampered subject was painted as text: no clipboard write, no CSI, no bidi override.
        assert b"\x1b]52" not in term.output and b"\xc2\x9b" not in term.output
        assert "\u202e".encode() not in term.output
        assert "␛]52;c;".encode() in term.output[:textual_at]
    # And what the next start will paint is the live page again.
    assert STALE not in cache_of(tmp_path).read_text(encoding="utf-8")


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
        wait_for_file(term, cache_of(tmp_path))
        deadline = time.monotonic() + 60
        while cache_of(tmp_path).read_text(encoding="utf-8") == broken:  # rewritten from the live page
            assert time.monotonic() < deadline, "the broken cache was never replaced"
            term._read(0.1)
