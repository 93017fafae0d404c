"""Every piece of UI chrome went through the translation layer: in the pseudo-locale "xx" it
shows as ⟦…⟧, so a string that was never wrapped for translation stands out.

Customer data (names, subjects, queue names, the server address) is never wrapped, so the
checks look only at chrome: footer descriptions, the role in the app bar, the status line and
the labelled parts of the ticket header.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from supportdesk_tui.devtools.render import render_in_subprocess
from supportdesk_tui.i18n import PSEUDO_CLOSE, PSEUDO_OPEN

WRAPPED = re.compile(f"{PSEUDO_OPEN}[^{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}")


def pseudo_chrome(scene: str, server: Any, tmp_path: Path) -> dict[str, Any]:
    chrome_path = tmp_path / f"{scene}.json"
    svg_path = tmp_path / f"{scene}.svg"
    render_in_subprocess(scene, "xx", server.url, server.token("anna"), svg_path, chrome_path)
    chrome: dict[str, Any] = json.loads(chrome_path.read_text(encoding="utf-8"))
    return chrome


def unwrapped_words(text: str) -> list[str]:
    """Words of two or more letters left after removing every ⟦…⟧."""
    return re.findall(r"[^\W\d_]{2,}", WRAPPED.sub(" ", text))


def footer_problems(chrome: dict[str, Any]) -> list[str]:
    descriptions = [d for d in chrome["footer"] if not WRAPPED.fullmatch(d)]
    # Right of the bar is Textual's own command-palette hint; left are key names and descriptions.
    palette_hint = chrome["text"].splitlines()[-1].split("▏")[1:]
    return [*descriptions, *unwrapped_words("".join(palette_hint))]


def test_every_label_on_the_queue_screen_goes_through_translation(server: Any, tmp_path: Path) -> None:
    chrome = pseudo_chrome("queue", server, tmp_path)
    problems = footer_problems(chrome)
    role = chrome["regions"]["app-bar"].split("·")[2]
    problems += unwrapped_words(role)
    problems += unwrapped_words(chrome["regions"]["status"])
    header = chrome["text"].splitlines()[1]
    # A narrow column cuts "⟦Priority⟧" to "⟦Prio…"; an opening bracket is enough there.
    titles = [t for t in re.split(r"\s{1,}", header.split("│")[-1] if "│" in header else header) if t]
    problems += [t for t in titles[1:] if re.search(r"[^\W\d_]", t) and PSEUDO_OPEN not in t]
    assert not problems, f"UI text never wrapped for translation: {problems}"


def test_every_label_on_the_conversation_screen_goes_through_translation(
    server: Any, tmp_path: Path
) -> None:
    chrome = pseudo_chrome("conversation", server, tmp_path)
    problems = footer_problems(chrome)
    problems += unwrapped_words(chrome["regions"]["status"])
    header_lines = chrome["regions"]["header"].splitlines()
    # The first line is the subject (customer text); the third is only labels and durations.
    problems += unwrapped_words(header_lines[2])
    assert not problems, f"UI text never wrapped for translation: {problems}"
