"""A small fuzzy matcher for pickers (canned replies, commands, agents, tags).

The query must appear in the candidate as a subsequence (case-insensitive, ё = е).
Among all such alignments the best-scoring one is found by dynamic programming:
matches at word starts and runs of consecutive matches score higher; gaps cost a
little, so "rpw" ranks "Reset PassWord" above "wrap powder".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from supportdesk_tui.domain.layout import swap_layout

__all__ = ["FuzzyMatch", "match", "rank", "score"]

T = TypeVar("T")

_MATCH = 1.0
_WORD_START = 1.2
_FIRST_CHAR = 1.0  # on top of the word-start bonus when the match starts the candidate
_CONSECUTIVE = 1.5
_GAP = 0.05
_NEG = float("-inf")


@dataclass(frozen=True)
class FuzzyMatch:
    score: float
    positions: tuple[int, ...]  # indexes into the candidate, for highlighting


def _fold_char(ch: str) -> str:
    lowered = ch.lower()
    # Keep one character per character so positions still index the original candidate.
    return "е" if lowered == "ё" else lowered if len(lowered) == 1 else ch


def _fold(text: str) -> str:
    return "".join(map(_fold_char, text))


def _word_start_bonus(candidate: str, j: int) -> float:
    if j == 0:
        return _WORD_START + _FIRST_CHAR
    prev, cur = candidate[j - 1], candidate[j]
    if not prev.isalnum() and cur.isalnum():
        return _WORD_START
    if prev.islower() and cur.isupper():  # camelCase
        return _WORD_START
    return 0.0


def match(query: str, candidate: str) -> FuzzyMatch | None:
    """The best alignment of `query` in `candidate`, or None if it is not a subsequence."""
    q = _fold(query.strip())
    c = _fold(candidate)
    if not q:
        return FuzzyMatch(0.0, ())
    # Cheap rejection before the quadratic part.
    pos = -1
    for ch in q:
        pos = c.find(ch, pos + 1)
        if pos == -1:
            return None

    m, n = len(q), len(c)
    bonus = [_word_start_bonus(candidate, j) for j in range(n)]
    # best[i][j]: best score with q[i] matched at c[j]; back[i][j]: where q[i-1] was matched.
    best = [[_NEG] * n for _ in range(m)]
    back = [[-1] * n for _ in range(m)]
    for j in range(n):
        if c[j] == q[0]:
            best[0][j] = _MATCH + bonus[j] - _GAP * j * 0.2
    for i in range(1, m):
        prev_row, row, back_row = best[i - 1], best[i], back[i]
        running, running_at = _NEG, -1  # best prev_row[k] - gap cost, for k < j - 1
        for j in range(i, n):
            k = j - 2
            if k >= 0 and prev_row[k] > _NEG:
                candidate_score = prev_row[k] + _GAP * k
                if candidate_score > running:
                    running, running_at = candidate_score, k
            if c[j] != q[i]:
                continue
            options: list[tuple[float, int]] = []
            if prev_row[j - 1] > _NEG:
                options.append((prev_row[j - 1] + _CONSECUTIVE, j - 1))
            if running_at >= 0:
                options.append((running - _GAP * (j - 1), running_at))
            if options:
                value, origin = max(options)
                row[j] = value + _MATCH + bonus[j]
                back_row[j] = origin
    last = best[m - 1]
    end = max(range(n), key=lambda j: last[j])
    if last[end] == _NEG:
        return None
    positions = [end]
    for i in range(m - 1, 0, -1):
        positions.append(back[i][positions[-1]])
    positions.reverse()
    # Among equal alignments a shorter candidate is the better answer.
    total = last[end] - 0.01 * (n - m)
    return FuzzyMatch(total, tuple(positions))


def score(query: str, candidate: str) -> float | None:
    """Higher is better; None when `query` is not a subsequence of `candidate`."""
    found = match(query, candidate)
    return None if found is None else found.score


def rank(
    query: str,
    items: Iterable[T],
    key: Callable[[T], str],
    *,
    layout_fallback: bool = True,
) -> list[T]:
    """`items` that match `query`, best first (stable for ties); all of them for an empty query.

    With `layout_fallback`, a query typed in the wrong keyboard layout ("ghbdtn")
    is also tried converted ("привет") when it matches nothing as typed.
    """
    pool: Sequence[T] = list(items)
    if not query.strip():
        return list(pool)
    ranked = _ranked(query, pool, key)
    if not ranked and layout_fallback:
        swapped = swap_layout(query)
        if swapped != query:
            ranked = _ranked(swapped, pool, key)
    return ranked


def _ranked(query: str, pool: Sequence[T], key: Callable[[T], str]) -> list[T]:
    scored: list[tuple[float, int, T]] = []
    for index, item in enumerate(pool):
        value = score(query, key(item))
        if value is not None:
            scored.append((-value, index, item))
    scored.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _, _, item in scored]
