"""The start-up pre-paint of the last session's first page (first_frame.py): what it paints, what
it refuses to paint, and that keys typed at it never reach the app."""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import sys
import termios
from dataclasses import replace
from pathlib import Path

import pytest

from supportdesk_tui.first_frame import (
    MAX_CACHE_BYTES,
    CachedPage,
    PaintedFrame,
    StartKey,
    cells,
    fit,
    paint_cached_page,
    parse_cache,
    quiet_keys,
    read_cache,
    render_frame,
    save_cache,
    start_fingerprint,
)

HOSTILE_SUBJECT = "Refund \x1b]52;c;cm0gLXJmIH4=\x07 now \x9b31m red \u202eevil\u202c \x1b[2J done"
# The only sequences the pre-paint itself writes: cursor moves, SGR, alternate screen, cursor.
OWN_SEQUENCES = re.compile(r"\x1b\[(?:\d+;\d+H|\d*m|\?1049[hl]|\?25[hl]|H|2J)")


def a_page(**changes: object) -> CachedPage:
    page = CachedPage(
        fingerprint="f" * 64, saved_at=1_796_568_000.0, title="SupportDesk  ·  Anna  ·  http://desk",
        banner="Cached from {time}, not live — connecting…",
        columns=("#", "Priority", "Subject", "Requester"),
        rows=(("1018", "Urgent", "Password changed", "Ирина"), ("1019", "High", HOSTILE_SUBJECT, "Bob")),
        right=(True, False, False, False), widths=(7, 10, 0, 24),
    )
    return replace(page, **changes)  # type: ignore[arg-type]


class FakeTerminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no real terminal")


def test_the_frame_says_it_is_cached_and_shows_the_rows_with_their_time() -> None:
    frame = render_frame(a_page(), 120, 10)
    assert "Cached from " in frame and "not live" in frame and "{time}" not in frame
    assert "Password changed" in frame and "Ирина" in frame
    # The banner comes before any row: a cached row is never on screen without it.
    assert frame.index("Cached from") < frame.index("Password changed")


def test_every_cached_string_is_sanitised_so_a_tampered_cache_emits_no_escape() -> None:
    hostile = "\x1b[31m\x07\x9b"
    page = a_page(title=hostile + "title", banner=hostile + "{time}", columns=("#", hostile, "S", "R"))
    frame = render_frame(page, 160, 48)
    leftover = OWN_SEQUENCES.sub("", frame)
    assert not [ch for ch in leftover if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F], repr(leftover)
    assert "\u202e" not in leftover  # bidi override shown as a placeholder, not obeyed
    assert "␛]52;c;" in leftover  # the OSC 52 clipboard write is visible text, not a command


def test_rows_that_do_not_fit_are_left_out_and_wide_text_is_cut_to_the_line() -> None:
    rows = tuple((str(n), "High", "字" * 100, "x") for n in range(50))
    frame = render_frame(a_page(rows=rows), 40, 6)
    assert frame.count("\x1b[2m") == 3  # 6 lines: title, banner, header, 3 rows
    for line in OWN_SEQUENCES.split(frame):
        assert sum(2 if ch == "字" else 1 for ch in line) <= 40


def test_a_saved_page_reads_back_for_its_own_start_only(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "first-page.json"
    save_cache(path, a_page())
    assert read_cache(path, "f" * 64) == a_page()
    assert read_cache(path, "0" * 64) is None
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


@pytest.mark.parametrize("data", [
    b"", b"not json", b"[]", b"\xff\xfe", b"[" * 100_000, b" " * (MAX_CACHE_BYTES + 1),
    json.dumps({"version": 2}).encode(),
])
def test_a_corrupt_cache_is_ignored(data: bytes) -> None:
    assert parse_cache(data) is None


@pytest.mark.parametrize("field, value", [
    ("saved_at", True), ("saved_at", "noon"), ("saved_at", 1e300), ("title", None), ("banner", 5),
    ("columns", []), ("columns", ["#", 1]), ("rows", [["only one cell"]]), ("rows", "rows"),
    ("rows", [[1, 2, 3, 4]]), ("right", [True]), ("widths", [7, 10, -1, 24]), ("widths", [7.5, 1, 1, 1]),
    ("fingerprint", None),
])
def test_a_cache_with_any_field_of_the_wrong_shape_is_ignored(field: str, value: object) -> None:
    record = json.loads(a_page().to_json())
    record[field] = value
    assert parse_cache(json.dumps(record).encode()) is None


def test_nothing_is_painted_for_a_corrupt_cache_or_another_start_or_a_pipe(tmp_path: Path) -> None:
    path = tmp_path / "first-page.json"
    save_cache(path, a_page())
    screen = FakeTerminal()
    assert paint_cached_page(StartKey(path, "0" * 64), stream=screen) is None  # another agent's
    path.write_bytes(b'{"version": 1, "rows": [')  # cut short
    assert paint_cached_page(StartKey(path, "f" * 64), stream=screen) is None
    save_cache(path, a_page())
    assert paint_cached_page(StartKey(path, "f" * 64), stream=io.StringIO()) is None  # not a tty
    assert screen.getvalue() == ""


def test_the_fingerprint_changes_with_the_server_the_token_the_config_or_the_login(tmp_path: Path) -> None:
    env = {"SUPPORTDESK_HOME": str(tmp_path), "SUPPORTDESK_TOKEN": "anna-token"}
    base = start_fingerprint(["--server", "http://a"], env)
    assert start_fingerprint(["--server", "http://a"], dict(env)) == base
    assert start_fingerprint(["--server", "http://b"], env) != base
    assert start_fingerprint(["--server", "http://a"], {**env, "SUPPORTDESK_TOKEN": "bob-token"}) != base
    assert start_fingerprint(["--server", "http://a"], {**env, "LANG": "ru_RU.UTF-8"}) != base
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('[queue]\ndefault_filter = "is:mine"\n')
    with_config = start_fingerprint(["--server", "http://a"], env)
    assert with_config != base
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "credentials.json").write_text('{"server": "http://a"}')
    assert start_fingerprint(["--server", "http://a"], env) != with_config


def test_keys_typed_at_the_cached_frame_never_reach_the_app() -> None:
    master, slave = os.openpty()
    try:
        painted = PaintedFrame(a_page(), quiet_keys(slave), keys_fd=slave)
        os.write(master, b"t\r")  # "take" and "open", aimed at a row that may be stale
        assert select.select([slave], [], [], 5)[0], "the keys should be waiting to be read"
        painted.hand_over()
        assert not select.select([slave], [], [], 0)[0], "the keys should have been discarded"
        # And the terminal is back as it was (echo on), for Textual to save and restore.
        assert termios.tcgetattr(slave)[3] & termios.ECHO
    finally:
        os.close(master)
        os.close(slave)


def test_the_pre_painter_loads_neither_textual_nor_rich_nor_pydantic() -> None:
    code = ("import sys, supportdesk_tui.first_frame\n"
            "loaded = {m.split('.')[0] for m in sys.modules}\n"
            "print(sorted(loaded & {'textual', 'rich', 'pydantic', 'httpx'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("text", "width"), [
    ("Password changed", 16), ("\x07\x1b", 2), ("Мой аккаунт", 11), ("账户被盗", 8), ("e\u0301te\u0301", 3),
    ("Refund 账户 ok", 14),
])
def test_every_character_counts_the_cells_the_terminal_gives_it(text: str, width: int) -> None:
    assert cells(text) == width
    assert cells(fit(text, width + 3)) == width + 3 and cells(fit(text, width - 1)) == width - 1
