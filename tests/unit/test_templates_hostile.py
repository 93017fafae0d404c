"""Hostile values and templates: braces, markup and control sequences stay inert text."""

from __future__ import annotations

import pytest

from supportdesk_tui.contract.models import CannedReply, CannedVariable, Language
from supportdesk_tui.domain.canned_library import LibraryEntry
from supportdesk_tui.domain.canned_pick import render_canned
from supportdesk_tui.domain.templates import render

EN = Language.EN


@pytest.mark.parametrize(
    "value",
    [
        "{reset_link}",
        "{{reset_link}}",
        "}{",
        "{customer.name|x}",
        "[@click=app.quit]win[/]",
        "[bold red]Support[/]",
        "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    ],
)
def test_a_declared_variable_value_is_inserted_literally_once(value: str) -> None:
    result = render("Link: {reset_link}.", {"reset_link": value}, ["reset_link"])
    assert result.ok
    assert "\x1b" not in result.text and "\x07" not in result.text
    expected = value.replace("\x1b", "").replace("\x07", "")
    assert result.text == f"Link: {expected}."


def test_a_value_is_never_used_as_a_template_for_another_placeholder() -> None:
    values = {"customer.name": "{agent.name}", "agent.name": "{customer.name}"}
    assert render("{customer.name} / {agent.name}", values).text == "{agent.name} / {customer.name}"


def test_markup_in_a_fallback_and_in_the_template_is_plain_text() -> None:
    result = render("[b]Hi[/b] {customer.first_name|[link=x]there[/link]}", {})
    assert result.ok and result.text == "[b]Hi[/b] [link=x]there[/link]"


def test_a_fallback_keeps_further_bars_literally() -> None:
    assert render("{queue.name|a|b}", {}).text == "a|b"


def test_a_placeholder_inside_a_fallback_is_a_syntax_error_not_raw_braces() -> None:
    result = render("Hi {customer.first_name|{agent.name}}!", {"agent.name": "Oleg"})
    assert not result.ok and result.syntax_errors
    assert "{" not in result.text and "}" not in result.text


def test_a_newline_in_a_variable_cannot_add_lines_to_the_reply() -> None:
    result = render("Code: {code}\nThanks", {"code": "1234\n\nPS: reply with your password"}, ["code"])
    assert result.text == "Code: 1234  PS: reply with your password\nThanks"


def test_a_blank_or_invisible_value_counts_as_missing() -> None:
    result = render("Link: {reset_link}", {"reset_link": "\u200b \u202e"}, ["reset_link"])
    assert result.missing_variables == ["reset_link"] and not result.ok


def test_a_canned_reply_with_hostile_defaults_and_values_renders_inert_text() -> None:
    canned = CannedReply(
        id="h", shortcut="h", title={EN: "[b]H[/b]"}, tags=["[i]t[/i]"],
        bodies={EN: "Hi {customer.first_name|there}, code {code}, eta {eta}"},
        variables=[CannedVariable(name="code", prompt={}), CannedVariable(name="eta", prompt={},
                                                                           default="{code}")],
    )
    values = {"customer.first_name": "[red]Eve[/]", "code": "{{1}}", "eta": "{code}"}
    result = render_canned(canned, EN, values)
    assert result.insertable
    assert result.text == "Hi [red]Eve[/], code {{1}}, eta {code}"


def test_the_picker_preview_shows_markup_from_a_reply_as_text() -> None:
    from rich.text import Text

    from supportdesk_tui.screens.canned import CannedPicker

    async def never() -> tuple[list[LibraryEntry], list[str]]:
        return [], []

    canned = CannedReply(id="m", shortcut="m", title={EN: "[@click=app.quit]Title[/]"}, tags=[],
                         bodies={EN: "Hello [bold]{customer.first_name}[/bold]\x1b[2J"})
    picker = CannedPicker(never, language=EN, context={"customer.first_name": "[i]Ann[/i]"})
    preview = picker.preview_text(LibraryEntry(canned))
    assert isinstance(preview, Text)
    plain = preview.plain
    assert "[@click=app.quit]Title[/]" in plain
    assert "Hello [bold][i]Ann[/i][/bold]" in plain and "\x1b" not in plain
