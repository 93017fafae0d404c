"""A Russian-speaking agent sees the queue and a conversation entirely in Russian, whether the
app started in Russian or the agent switched to it from the palette mid-session.

Every label is translated when it is shown, so the pictures are taken in this process
(`supportdesk_tui.devtools.render`). The SVG is compared byte for byte with the committed one;
after reviewing a change, run with `SNAPSHOT_UPDATE=1` to rewrite it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from snapshots.snapshot_support import OWN_SERVER_SCENES, demo_server_for
from supportdesk_tui.devtools.render import SCENES, capture, pinned_environment, render
from supportdesk_tui.i18n import set_language

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_russian_ui"
ENGLISH_UI_WORDS = ("Filter", "Take", "Reply", "Queue", "Status", "Note", "Back", "Refresh", "Sort",
                    "Open", "Quit", "Help", "Priority", "Tags", "Escalate", "Online", "Subject",
                    "Customer", "agent", "Here", "Next", "palette")


def chrome_words(chrome: dict[str, Any]) -> str:
    """The footer and the bars, without the address and people's names (data, not UI)."""
    parts = [*chrome["footer"], *chrome["regions"].get("status", "").splitlines()]
    bar = chrome["regions"].get("app-bar", "")
    parts += [piece for piece in bar.split("·")[2:3]]  # the role; the rest is the product, a name, a URL
    footer_line = chrome["text"].splitlines()[-1]
    return "\n".join([*parts, footer_line])


def matches_snapshot(scene: str, svg: str, tmp_path: Path) -> None:
    out = tmp_path / f"{scene}.svg"
    out.write_text(svg, encoding="utf-8")
    expected = SNAPSHOTS / f"{scene}.svg"
    if os.environ.get("SNAPSHOT_UPDATE") == "1" or not expected.exists():
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        expected.write_text(svg, encoding="utf-8")
    assert svg == expected.read_text(encoding="utf-8"), (
        f"the Russian {scene} picture changed; compare {out} with {expected}, then SNAPSHOT_UPDATE=1")


def picture_in_russian(scene: str, server: Any, tmp_path: Path) -> dict[str, Any]:
    svg, chrome = render(scene, "ru", server.url, server.token("anna"))
    matches_snapshot(scene, svg, tmp_path)
    return chrome


def assert_russian_chrome(chrome: dict[str, Any], russian_words: tuple[str, ...]) -> None:
    words = chrome_words(chrome)
    missing = [word for word in russian_words if word not in words]
    assert not missing, f"expected Russian UI words {missing} in:\n{words}"
    english = sorted({w for w in ENGLISH_UI_WORDS if re.search(rf"\b{w}\b", words)})
    assert not english, f"English left in the Russian UI: {english} in:\n{words}"


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Any:
    """The snapshot session's demo server (see conftest.py); the dashboard a fresh one of its own."""
    return demo_server_for(request)


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


def test_russian_agent_sees_the_queue_in_russian(server: Any, tmp_path: Path) -> None:
    chrome = picture_in_russian("queue", server, tmp_path)
    assert_russian_chrome(chrome, ("Фильтр", "Взять", "Выход", "В сети"))
    header = chrome["text"].splitlines()[1]
    assert "Статус" in header and "Тема" in header
    assert not re.search(r"\b(Status|Subject|Priority|Here|Assignee)\b", header), header


def test_russian_agent_sees_a_conversation_in_russian(server: Any, tmp_path: Path) -> None:
    chrome = picture_in_russian("conversation", server, tmp_path)
    assert_russian_chrome(chrome, ("Ответить", "Взять", "Статус", "Назад"))
    header = chrome["regions"]["header"]
    assert "Очередь" in header, header


@pytest.mark.parametrize(("scene", "russian_words"), [("queue", ("Фильтр", "Взять", "В сети")),
                                                     ("conversation", ("Ответить", "Назад"))])
async def test_switching_to_russian_mid_session_looks_like_starting_in_russian(
        scene: str, russian_words: tuple[str, ...], server: Any, tmp_path: Path) -> None:
    with pinned_environment() as data_dir:
        svg, chrome = await capture(scene, "en", server.url, server.token("anna"), data_dir, switch_to="ru")
    matches_snapshot(scene, svg, tmp_path)
    assert_russian_chrome(chrome, russian_words)


@pytest.mark.parametrize(("scene", "started_in", "switched_to"), [
    ("help", "en", "ru"), ("dashboard", "en", "ru"), ("escalations", "en", "ru"),
    ("escalation-form", "en", "ru"), ("canned-picker", "en", "ru"), ("outbox", "en", "ru"),
    ("conversation", "ru", "en"),
])
async def test_a_screen_switched_mid_session_reads_as_if_it_had_started_in_that_language(
        scene: str, started_in: str, switched_to: str, server: Any, request: pytest.FixtureRequest) -> None:
    token = server.token(SCENES[scene].login)
    with pinned_environment() as data_dir:
        _svg, fresh = await capture(scene, switched_to, server.url, token, data_dir)
    # The dashboard draws its server's first history minute: on a busy machine the two captures
    # of one server can fall on both sides of a minute, so the second gets a server of its own,
    # its clock anchored at the same demo time.
    second = request.getfixturevalue("server_factory")() if scene in OWN_SERVER_SCENES else server
    with pinned_environment() as data_dir:
        _svg, switched = await capture(scene, started_in, second.url, second.token(SCENES[scene].login),
                                       data_dir, switch_to=switched_to)
    assert switched["text"] == fresh["text"]
    assert switched["footer"] == fresh["footer"]


async def test_a_russian_lead_reads_the_escalations_key_column_as_the_escalations_key(server: Any) -> None:
    """ENG-1001 is an escalation's ключ; the help screen's keyboard key is a клавиша."""
    with pinned_environment() as data_dir:
        _svg, chrome = await capture("escalations", "ru", server.url,
                                     server.token(SCENES["escalations"].login), data_dir)
    assert "Ключ" in chrome["text"]
    assert "Клавиша" not in chrome["text"]
