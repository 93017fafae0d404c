"""The sinks Textual parses as markup or passes to the terminal get only inert text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App
from textual.content import Content

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.safe_text import literal_markup, one_line, safe_format
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.safe_notify import SafeNotify

TRAPS = ["[/bold]", "[@click=app.quit]x[/]", "[name=value:", "[b]", "\\[b]", "x\\", "[[", "]]", "[$var]",
         "\x1b]52;c;cHduZWQ=\x07", "\x9b31m", "\x90q\x9c", "\u202e"]


@given(st.lists(st.sampled_from([*TRAPS, "a", " ", "\\", "[", "]", "=", ":", "@"]), max_size=12))
def test_literal_markup_reads_back_as_the_sanitised_text(parts: list[str]) -> None:
    value = "".join(parts)
    content = Content.from_markup(literal_markup(value))
    assert content.plain == one_line(value)
    assert not content.spans


def test_safe_format_fills_our_template_with_sanitised_values() -> None:
    text = safe_format("{name} took #{id} first.", name="Mal\x1b]0;t\x07[/bold]", id=7)
    assert isinstance(text, Text) and not text.spans
    assert text.plain == "Mal␛]0;t␇[/bold] took #7 first."


@pytest.fixture
def shown_toasts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What reaches Textual's own `App.notify`, the last step before a toast is drawn."""
    seen: list[dict[str, Any]] = []

    def capture(self: App[Any], message: str, **kwargs: Any) -> None:
        seen.append({"message": message, **kwargs})

    monkeypatch.setattr(App, "notify", capture)
    return seen


def an_app(data_dir: Path) -> SupportDeskApp:
    return SupportDeskApp(AppSettings(server_url="http://127.0.0.1:9", token="t", data_dir=data_dir))


def test_a_raw_string_that_slips_into_notify_is_still_shown_inert(
        shown_toasts: list[dict[str, Any]], tmp_path: Path) -> None:
    app = an_app(tmp_path)
    app.notify("Mal\x1b]52;c;eA==\x07 [@click=app.quit]x[/]", title="T\x9b2J", markup=True)
    [toast] = shown_toasts
    assert toast["message"] == "Mal␛]52;c;eA==␇ [@click=app.quit]x[/]"
    assert toast["title"] == "T⟨U+009B⟩2J"
    assert toast["markup"] is False


def test_a_screen_notify_takes_text_and_goes_the_same_way(
        shown_toasts: list[dict[str, Any]], tmp_path: Path) -> None:
    app = an_app(tmp_path)

    class Node(SafeNotify):
        pass

    node = Node()
    node.app = app  # type: ignore[attr-defined]
    node.notify(safe_format("{name} took #{id} first.", name="[/bold]\x90q", id=3), severity="warning")
    [toast] = shown_toasts
    assert toast["message"] == "[/bold]⟨U+0090⟩q took #3 first." and toast["markup"] is False
