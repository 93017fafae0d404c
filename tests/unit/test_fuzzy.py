"""The agent finds canned replies, commands and agents by typing a few letters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk_tui.domain.fuzzy import match, rank, score


def test_non_subsequence_does_not_match() -> None:
    assert score("xyz", "Reset password") is None
    assert score("pr", "p") is None


def test_matching_ignores_case_and_treats_yo_as_ye() -> None:
    assert score("ЁЖИК", "ежик в тумане") is not None
    assert score("RESET", "reset password") is not None


def test_word_starts_beat_scattered_letters() -> None:
    good, bad = score("rp", "Reset password"), score("rp", "wrap it up")
    assert good is not None and bad is not None
    assert good > bad


def test_consecutive_letters_beat_gaps() -> None:
    tight, loose = score("pass", "password"), score("pass", "p-a-s-s")
    assert tight is not None and loose is not None
    assert tight > loose


def test_best_alignment_is_reported_for_highlighting() -> None:
    found = match("rp", "error report")
    assert found is not None
    assert found.positions == (6, 8)  # "r" of report + "p", not the first letters of "error"


def test_agent_ranks_canned_replies() -> None:
    titles = ["Wrap up the chat", "Reset password", "Сброс пароля", "Report abuse", "Password reset link"]
    assert rank("rp", titles, key=str)[:2] == ["Reset password", "Report abuse"]
    assert rank("сбр", titles, key=str) == ["Сброс пароля"]
    assert rank("", titles, key=str) == titles


def test_query_typed_in_the_wrong_layout_still_finds_the_item() -> None:
    titles = ["Сброс пароля", "Reset password"]
    assert rank("c,hjc", titles, key=str) == ["Сброс пароля"]  # "сброс" on the US layout
    assert rank("c,hjc", titles, key=str, layout_fallback=False) == []


def test_ties_keep_the_original_order() -> None:
    items = [("a", "alpha"), ("b", "alpha")]
    assert rank("al", items, key=lambda item: item[1]) == items


@settings(max_examples=200)
@given(st.text(max_size=6), st.text(max_size=30))
def test_match_positions_spell_the_query(query: str, candidate: str) -> None:
    found = match(query, candidate)
    if found is None:
        return
    assert list(found.positions) == sorted(set(found.positions))
    folded = "".join(candidate[i] for i in found.positions).lower().replace("ё", "е")
    assert folded == query.strip().lower().replace("ё", "е")
