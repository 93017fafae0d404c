"""The words of a search (`q`) as each engine's full-text search takes them.

User text is never handed to a full-text query parser as syntax: it is cut into words here,
and each engine builds its query from those words alone, so quotes, `*`, `NEAR`, `-`, `AND`
or parentheses are only text (or nothing) and can't make a query fail.
"""

from __future__ import annotations

import re

# Letters and digits, as FTS5's unicode61 tokenizer and PostgreSQL's parser cut words
# (an underscore separates words there too).
_WORD = re.compile(r"[^\W_]+")

# A search is a few words; more only slows it down (each word is one more index lookup) and
# a pasted page of text would never match one message anyway.
MAX_WORDS = 32

# SQLite's FTS5 has no Russian (or English) stemmer: a word is searched as a prefix, after a
# light trim of the inflection ending, so "пароли" finds "пароль" and "паролем", "passwords"
# finds "password". Only words long enough keep a meaningful stem after the trim.
_TRIM_MIN = 5
_STEM_MIN = 4
_CYRILLIC_ENDING = set("аеёиоуыэюяьй")
# Words this short are matched whole: "a*" or "в*" would match most of the index.
_PREFIX_MIN = 3


def search_words(text: str) -> list[str]:
    """The distinct words of `text`, casefolded, in order, at most MAX_WORDS."""
    words: dict[str, None] = {}
    for match in _WORD.finditer(text.casefold()):
        words.setdefault(match.group(), None)
        if len(words) >= MAX_WORDS:
            break
    return list(words)


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def trimmed(word: str) -> str:
    """`word` without its inflection ending (a rough stem for a prefix search)."""
    if len(word) < _TRIM_MIN:
        return word
    if _is_cyrillic(word):
        stem = word
        for _ in range(2):
            if len(stem) > _STEM_MIN and stem[-1] in _CYRILLIC_ENDING:
                stem = stem[:-1]
        return stem
    stem = word
    if stem.endswith("ies"):
        stem = stem[:-3]
    elif stem.endswith("s") and not stem.endswith("ss"):
        stem = stem[:-1]
    if len(stem) > _STEM_MIN and stem.endswith("e"):
        stem = stem[:-1]
    return stem if len(stem) >= _STEM_MIN else word


def fts5_query(text: str) -> str | None:
    """An FTS5 MATCH expression that finds messages holding every word of `text` (None: no words).

    Each word is an FTS5 string ("…", so never an operator or column filter), searched as a
    prefix of its trimmed form when long enough.
    """
    terms = []
    for word in search_words(text):
        stem = trimmed(word)
        terms.append(f'"{stem}"*' if len(stem) >= _PREFIX_MIN else f'"{stem}"')
    return " ".join(terms) or None


def plain_words(text: str) -> str | None:
    """The words of `text` joined by spaces, for PostgreSQL's `plainto_tsquery` (None: no words)."""
    words = search_words(text)
    return " ".join(words) or None
