"""A Russian-speaking agent sees the queue and a conversation entirely in Russian.

Binding descriptions are translated when their module is imported, so each picture is taken
in a fresh interpreter whose language is set first (`supportdesk_tui.devtools.render`).
The SVG is compared byte for byte with the committed one; after reviewing a change, run with
`SNAPSHOT_UPDATE=1` to rewrite it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from supportdesk_tui.devtools.render import render_in_subprocess

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


def picture_in_russian(scene: str, server: Any, tmp_path: Path) -> dict[str, Any]:
    out, chrome_path = tmp_path / f"{scene}.svg", tmp_path / f"{scene}.json"
    render_in_subprocess(scene, "ru", server.url, server.token("anna"), out, chrome_path)
    expected = SNAPSHOTS / f"{scene}.svg"
    actual = out.read_text(encoding="utf-8")
    if os.environ.get("SNAPSHOT_UPDATE") == "1" or not expected.exists():
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8"), (
        f"the Russian {scene} picture changed; compare {out} with {expected}, then SNAPSHOT_UPDATE=1")
    chrome: dict[str, Any] = json.loads(chrome_path.read_text(encoding="utf-8"))
    return chrome


def assert_russian_chrome(chrome: dict[str, Any], russian_words: tuple[str, ...]) -> None:
    words = chrome_words(chrome)
    missing = [word for word in russian_words if word not in words]
    assert not missing, f"expected Russian UI words {missing} in:\n{words}"
    english = sorted({w for w in ENGLISH_UI_WORDS if re.search(rf"\b{w}\b", words)})
    assert not english, f"English left in the Russian UI: {english} in:\n{words}"


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
