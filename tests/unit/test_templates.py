"""The agent inserts a canned reply filled in for the ticket at hand."""

from __future__ import annotations

from domain_builders import make_ticket
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk_tui.domain.templates import (
    Placeholder,
    context_for,
    first_name,
    placeholders_in,
    render,
)

CONTEXT = {
    "customer.name": "Анна Петрова",
    "customer.first_name": "Анна",
    "agent.name": "Oleg Smirnov",
    "agent.first_name": "Oleg",
    "ticket.id": "1234",
    "ticket.subject": "Не могу войти",
    "queue.name": "RU Access",
}


def test_agent_gets_a_personalised_reply_in_russian() -> None:
    result = render(
        "Здравствуйте, {customer.first_name}! Ссылка: {reset_link}\n— {agent.first_name}, #{ticket.id}",
        {**CONTEXT, "reset_link": "https://ex.com/r/1"},
        ["reset_link"],
    )
    assert result.ok
    assert result.text == "Здравствуйте, Анна! Ссылка: https://ex.com/r/1\n— Oleg, #1234"


def test_fallback_is_used_when_a_value_is_blank_or_absent() -> None:
    result = render("Hi {customer.first_name|there}{queue.name|}!", {"customer.first_name": "  "})
    assert result.ok
    assert result.text == "Hi there!"


def test_missing_variable_blocks_insertion() -> None:
    result = render("Reset here: {reset_link}. {reset_link}", CONTEXT, ["reset_link"])
    assert not result.ok
    assert result.missing_variables == ["reset_link"]
    assert result.text == "Reset here: . "


def test_unknown_placeholder_is_reported_never_left_raw() -> None:
    result = render("Hello {custmer.name}, {ticket.id}", CONTEXT)
    assert result.unknown_placeholders == ["custmer.name"]
    assert "{" not in result.text and "}" not in result.text
    assert not result.ok


def test_hostile_values_are_inserted_literally_not_expanded() -> None:
    values = {**CONTEXT, "customer.first_name": "{agent.name} [b]x[/b] {{y}}\x1b[2J\u202e"}
    result = render("Hi {customer.first_name}", values)
    assert result.text == "Hi {agent.name} [b]x[/b] {{y}}[2J"
    assert result.ok


def test_multiline_value_cannot_inject_lines() -> None:
    result = render("Dear {customer.name},", {"customer.name": "Anna\n\nPS: send password"})
    assert result.text == "Dear Anna  PS: send password,"


def test_escaped_braces_are_literal() -> None:
    result = render('JSON: {{"id": {ticket.id}}}', CONTEXT)
    assert result.text == 'JSON: {"id": 1234}'
    assert result.ok


def test_broken_braces_are_syntax_errors() -> None:
    result = render("a } b { c {not a name} {x|y", CONTEXT)
    assert [e.position for e in result.syntax_errors] == [2, 6, 10, 23]
    assert not result.ok
    assert "{" not in result.text and "}" not in result.text


def test_placeholders_are_listed_with_fallbacks_and_positions() -> None:
    assert placeholders_in("{{x}} {a.b|c} {d|} {e}") == [
        Placeholder("a.b", "c", 6, 13),
        Placeholder("d", "", 14, 18),
        Placeholder("e", None, 19, 22),
    ]


def test_template_controls_from_the_backend_are_dropped() -> None:
    assert render("Hi\x1b]0;pwned\x07 there\t!", {}).text == "Hi]0;pwned there\t!"


def test_context_for_a_ticket() -> None:
    ticket = make_ticket(requester={"account_id": "u1", "name": "Петрова Анна Сергеевна", "language": "ru"})
    context = context_for(ticket, "Oleg Smirnov", "RU Access", "ru")
    assert context == {
        "customer.name": "Петрова Анна Сергеевна",
        "customer.first_name": "Анна",
        "agent.name": "Oleg Smirnov",
        "agent.first_name": "Oleg",
        "ticket.id": "1234",
        "ticket.subject": "Не могу войти",
        "queue.name": "RU Access",
    }


def test_first_name_heuristics() -> None:
    assert first_name("Anna Petrova") == "Anna"
    assert first_name("  ") == ""
    assert first_name("Иван Сергеевич Петров") == "Иван"
    assert first_name("Алиев Рашид Гасан оглы") == "Алиев"  # four words: left as written


@settings(max_examples=200)
@given(st.text(max_size=40), st.text(max_size=20))
def test_rendering_never_leaves_braces_from_placeholders(template: str, value: str) -> None:
    result = render(template, {"customer.name": value})
    if "{{" not in template and "}}" not in template and "{" not in value and "}" not in value:
        assert "{" not in result.text and "}" not in result.text
