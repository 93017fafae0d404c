"""An agent on an 80×24 terminal — a laptop's split pane, a jump host — gets a desk that reads
well in English and in Russian: the sidebars and the preview fold away first, the queue keeps
the subject and the deadline, and no label of the app is cut to "Приорит…".

The pictures are taken in this process (`supportdesk_tui.devtools.render`) and compared byte
for byte with the committed SVGs; after reviewing a change, run with `SNAPSHOT_UPDATE=1`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from snapshots.snapshot_support import demo_server_for, snapshot_app
from supportdesk_tui.devtools.render import SCENES, UNREACHABLE_URL, capture, pinned_environment
from supportdesk_tui.i18n import set_language
from supportdesk_tui.i18n.catalog import catalog_path
from supportdesk_tui.i18n.po import read_po
from supportdesk_tui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallNotice
from waiting import wait_until

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_small_terminal"
SMALL = (80, 24)
MAIN_SCREENS = ("queue", "conversation", "dashboard", "help", "escalations", "outbox")
# A word cut short: letters (or a digit run) ending in the ellipsis.
CUT_WORD = re.compile(r"(\w+)…")


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Any:
    """The snapshot session's demo server (see conftest.py); the dashboard a fresh one of its own."""
    return demo_server_for(request)


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


async def picture(scene: str, language: str, server: Any) -> tuple[str, dict[str, Any]]:
    with pinned_environment() as data_dir:
        return await capture(scene, language, server.url, server.token(SCENES[scene].login), data_dir, SMALL)


def matches_snapshot(name: str, svg: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.svg"
    out.write_text(svg, encoding="utf-8")
    expected = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("SNAPSHOT_UPDATE") == "1" or not expected.exists():
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        expected.write_text(svg, encoding="utf-8")
    assert svg == expected.read_text(encoding="utf-8"), (
        f"the 80×24 {name} picture changed; compare {out} with {expected}, then SNAPSHOT_UPDATE=1")


@cache
def russian_ui_words() -> frozenset[str]:
    """Every word the Russian catalog puts on screen, lower-cased."""
    words: set[str] = set()
    for entry in read_po(catalog_path("ru")).entries:
        for text in entry.forms():
            words.update(word.lower() for word in re.findall(r"\w+", text))
    return frozenset(words)


def cut_ui_words(text: str) -> list[str]:
    """Words followed by '…' that are the start of one of the app's own Russian words."""
    words = russian_ui_words()
    cut: list[str] = []
    for match in CUT_WORD.finditer(text):
        start = match.group(1).lower()
        if len(start) >= 2 and start not in words and any(word.startswith(start) for word in words):
            cut.append(match.group(0))
    return cut


@pytest.mark.parametrize("scene", ["queue", "conversation", "dashboard"])
@pytest.mark.parametrize("language", ["en", "ru"])
async def test_the_main_screens_read_well_on_an_80_by_24_terminal(
        scene: str, language: str, server: Any, tmp_path: Path) -> None:
    svg, _chrome = await picture(scene, language, server)
    matches_snapshot(f"{scene}-{language}", svg, tmp_path)


async def test_the_queue_keeps_subject_deadline_and_assignee_on_80_columns(server: Any) -> None:
    _svg, chrome = await picture("queue", "en", server)
    header = chrome["text"].splitlines()[1]
    for title in ("#", "Priority", "Status", "Subject", "SLA", "Assignee"):
        assert re.search(rf"(^|\s){re.escape(title)}(▲|▼)?(\s|$)", header), (title, header)
    first_row = chrome["text"].splitlines()[2]
    assert "anna" in first_row, "the assignee column is on screen"


@pytest.mark.parametrize("scene", MAIN_SCREENS)
async def test_no_russian_label_is_cut_on_an_80_by_24_terminal(scene: str, server: Any) -> None:
    _svg, chrome = await picture(scene, "ru", server)
    cut = cut_ui_words(chrome["text"])
    assert not cut, f"UI words cut on the Russian {scene} screen at 80×24: {cut}\n{chrome['text']}"


async def test_a_terminal_below_the_minimum_says_how_big_it_must_be(tmp_path: Path) -> None:
    app = snapshot_app(UNREACHABLE_URL, "token", tmp_path)
    async with app.run_test(size=(50, 12)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(TooSmallNotice), what="the size notice")
        notice = str(app.screen.query_one(TooSmallNotice).render())
        assert "The terminal is 50×12" in notice, notice
        assert f"at least {MIN_WIDTH}×{MIN_HEIGHT}" in notice, notice

        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await wait_until(pilot, lambda: not app.screen.query(TooSmallNotice), what="the app back")
