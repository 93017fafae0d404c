"""Search text becomes words before any full-text parser sees it (storage/search_terms.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from hypothesis import given
from hypothesis import strategies as st

from supportdesk_tui.server.storage.search_terms import MAX_WORDS, fts5_query, plain_words, trimmed


def test_an_inflected_word_is_trimmed_to_a_stem_its_other_forms_share() -> None:
    assert trimmed("пароли") == trimmed("пароль") == "парол"
    assert trimmed("passwords") == "password"
    assert trimmed("replies") == "repl"
    assert trimmed("access") == "access"  # a double s is no plural
    assert trimmed("войти") == "войт"
    assert trimmed("код") == "код"  # too short to trim


def test_syntax_in_search_text_is_only_separators() -> None:
    assert fts5_query('"пароль" AND NEAR(code*) -x body:y') == (
        '"парол"* "and"* "near"* "code"* "x" "body"* "y"'
    )
    assert plain_words('"a" & !b | c:*') == "a b c"
    assert fts5_query("* - () \" '") is None
    assert plain_words("") is None


def test_a_pasted_page_counts_its_first_words_only() -> None:
    text = " ".join(f"word{n}" for n in range(1000))
    assert plain_words(text) == " ".join(f"word{n}" for n in range(MAX_WORDS))


@given(st.text(max_size=200))
def test_any_text_makes_a_valid_fts5_query(text: str) -> None:
    query = fts5_query(text)
    if query is None:
        return
    with closing(sqlite3.connect(":memory:")) as db:
        db.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
        db.execute("INSERT INTO f VALUES ('пароль от аккаунта')")
        db.execute("SELECT * FROM f WHERE f MATCH ?", (query,)).fetchall()
