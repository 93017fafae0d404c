"""A first start, nothing cached: the queue's first rows read at launch and painted before Textual
loads (issue 17: cold start; first_start.py).

Each start is the real `supportdesk` command in a pseudo-terminal of its own, against the real
reference server. What the agent must be able to rely on: the rows painted early are the ones the
queue then shows, under a banner saying they are loading until the live queue replaces them; a
refused token or a server that does not answer paints nothing and the app starts as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pty_terminal import COLUMNS, LINES, clean_env, terminal
from test_cached_first_page import (
    QUEUE_SORT_ARROW,
    TEXTUAL_STARTED,
    cache_of,
    wait_for_bytes,
    wait_for_file,
)

from supportdesk_tui.first_frame import frame_lines, parse_cache

LOADING = "Loading — these rows are not live yet".encode()
# How the pre-paint writes a row: its line, dimmed (first_frame.render_frame).
PAINTED_ROW = re.compile(rb"\x1b\[(\d+);1H\x1b\[2m(.*?)\x1b\[0m")


def painted_rows(output: bytes) -> list[str]:
    return [row.decode() for _line, row in PAINTED_ROW.findall(output)]


def test_a_first_start_paints_the_rows_the_queue_then_shows_marked_loading_until_it_does(
        workday_server: Any, tmp_path: Path) -> None:
    env = clean_env(tmp_path, SUPPORTDESK_TOKEN=workday_server.token("anna"))
    with terminal(["--server", workday_server.url], env) as term:
        loading_at = wait_for_bytes(term, LOADING)
        textual_at = wait_for_bytes(term, TEXTUAL_STARTED)
        # Painted before Textual had even started, under the banner.
        assert loading_at < textual_at
        painted = painted_rows(bytes(term.output[loading_at:textual_at]))
        assert len(painted) == LINES - 3  # a screenful
        # The live queue (its header marks the sort column) replaces them; the banner goes.
        queue_at = wait_for_bytes(term, QUEUE_SORT_ARROW, start=textual_at)
        # The queue saves what it showed for the next start, laid out by the same painter.
        wait_for_file(term, cache_of(tmp_path))
        assert LOADING not in term.output[queue_at:]
    shown = parse_cache(cache_of(tmp_path).read_bytes())
    assert shown is not None
    assert painted == list(frame_lines(shown, COLUMNS, LINES).rows)


def test_a_refused_token_paints_nothing_and_ends_on_the_usual_advice(
        workday_server: Any, tmp_path: Path) -> None:
    env = clean_env(tmp_path, SUPPORTDESK_TOKEN="sdt_not-a-real-token")
    with terminal(["--server", workday_server.url], env) as term:
        textual_at = wait_for_bytes(term, TEXTUAL_STARTED)
        wait_for_bytes(term, b"Sign in again", start=textual_at)
        assert LOADING not in term.output and b"Traceback" not in term.output


def test_a_server_that_is_not_there_paints_nothing_and_the_app_starts_as_before(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SUPPORTDESK_TOKEN="sdt_any")
    with terminal(["--server", "http://127.0.0.1:9"], env) as term:  # the discard port: refused
        textual_at = wait_for_bytes(term, TEXTUAL_STARTED)
        wait_for_bytes(term, b"Check the address", start=textual_at)
        assert LOADING not in term.output and b"Traceback" not in term.output
