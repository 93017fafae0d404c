"""The command palette ranks with the same matcher as the canned-reply and article pickers."""

from __future__ import annotations

from textual.command import Provider

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.commands import DeskMatcher, DeskProvider, SystemCommands, plain_highlight
from supportdesk_tui.domain.fuzzy import rank

NAMES = [
    "ticket: reply",
    "ticket: take",
    "queue: refresh",
    "language: Русский",
    "theme: supportdesk-dark",
    "canned: Сброс пароля",
    "canned: Счёт не пришёл",
]


def palette_order(query: str) -> list[str]:
    matcher = DeskMatcher(query)
    scored = [(matcher.match(name), index, name) for index, name in enumerate(NAMES)]
    return [name for score, index, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]


def test_a_query_finds_the_same_commands_in_the_same_order_as_in_the_pickers() -> None:
    for query in ("tr", "ticket", "сбр", "th", "canned с", "qr", "zz"):
        assert palette_order(query) == rank(query, NAMES, key=str, layout_fallback=False), query


def test_palette_scores_stay_between_zero_and_one() -> None:
    matcher = DeskMatcher("ticket: reply")
    assert matcher.match("ticket: reply") == 1.0
    assert 0 < matcher.match("t i c k e t :   r e p l y, and a long tail " * 5) <= 1.0
    assert matcher.match("queue: refresh") == 0.0


def test_an_agent_typing_e_finds_a_command_spelled_with_yo() -> None:
    assert palette_order("счет") == ["canned: Счёт не пришёл"]
    highlighted = plain_highlight(DeskMatcher("счет"), "canned: Счёт не пришёл")
    assert [span.start for span in highlighted.spans] == [8, 9, 10, 11]


def test_every_palette_provider_ranks_with_the_desk_matcher() -> None:
    providers = [p for p in SupportDeskApp.COMMANDS if isinstance(p, type) and issubclass(p, Provider)]
    assert len(providers) == len(SupportDeskApp.COMMANDS)
    assert SystemCommands in providers
    assert all(issubclass(p, DeskProvider) for p in providers)
