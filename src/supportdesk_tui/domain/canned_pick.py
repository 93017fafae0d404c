"""Choosing a canned reply and filling it in for one ticket: search, language, variables, actions.

Rendering goes through `domain.templates`, so values are inserted literally and a reply
that still has a missing or unknown placeholder is never insertable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from supportdesk_tui.contract.models import CannedActions, CannedReply, CannedVariable, Language
from supportdesk_tui.domain.canned_library import LibraryEntry
from supportdesk_tui.domain.fuzzy import score
from supportdesk_tui.domain.layout import swap_layout
from supportdesk_tui.domain.templates import placeholders_in, render
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import priority_label, status_label

__all__ = [
    "CannedRender",
    "describe_actions",
    "has_actions",
    "initial_values",
    "merge_actions",
    "other_language",
    "render_canned",
    "search",
    "title_in",
    "used_variables",
    "variable_prompt",
]

# How much each field counts when a search term matches it.
_SHORTCUT_WEIGHT = 1.3
_TITLE_WEIGHT = 1.0
_TAG_WEIGHT = 0.9
_BODY_WEIGHT = 0.5
# A body is long enough to contain almost any short subsequence: only near-contiguous
# matches (about two points per character) count there.
_BODY_MIN_PER_CHAR = 1.8
MISSING_OPEN = "‹"
MISSING_CLOSE = "›"


def other_language(language: Language) -> Language:
    return Language.EN if language is Language.RU else Language.RU


def title_in(reply: CannedReply, language: Language) -> str:
    """The title in `language`, else in the other one, else the id."""
    return reply.title.get(language) or reply.title.get(other_language(language)) or reply.id


# --- search ------------------------------------------------------------------------------


def _term_score(term: str, reply: CannedReply) -> float | None:
    best: float | None = None

    def consider(value: float | None, weight: float) -> None:
        nonlocal best
        if value is not None and (best is None or value * weight > best):
            best = value * weight

    consider(score(term, reply.shortcut), _SHORTCUT_WEIGHT)
    for title in reply.title.values():
        consider(score(term, title), _TITLE_WEIGHT)
    for tag in reply.tags:
        consider(score(term, tag), _TAG_WEIGHT)
    for body in reply.bodies.values():
        found = score(term, body)
        if found is not None and found >= _BODY_MIN_PER_CHAR * len(term):
            consider(found, _BODY_WEIGHT)
    return best


def _score_entry(terms: Sequence[str], entry: LibraryEntry) -> float | None:
    total = 0.0
    for term in terms:
        found = _term_score(term, entry.reply)
        if found is None:
            return None
        total += found
    return total


def search(entries: Sequence[LibraryEntry], query: str,
           boosts: Mapping[str, float] | None = None) -> list[LibraryEntry]:
    """Entries matching every word of `query` (fuzzily, in title, shortcut, tags or body), best first.

    `boosts` (by `entry.key`) lifts recently and often used replies; with an empty query they
    alone decide the order, ties keeping the library's order. A query typed in the wrong
    keyboard layout is retried converted when it matches nothing.
    """
    boosts = boosts or {}
    terms = query.split()
    if not terms:
        order = sorted(range(len(entries)), key=lambda i: (-boosts.get(entries[i].key, 0.0), i))
        return [entries[i] for i in order]
    found = _search(entries, terms, boosts)
    if not found:
        swapped = swap_layout(query).split()
        if swapped != terms:
            found = _search(entries, swapped, boosts)
    return found


def _search(entries: Sequence[LibraryEntry], terms: Sequence[str],
            boosts: Mapping[str, float]) -> list[LibraryEntry]:
    scored: list[tuple[float, int, LibraryEntry]] = []
    for index, entry in enumerate(entries):
        value = _score_entry(terms, entry)
        if value is not None:
            scored.append((-(value + boosts.get(entry.key, 0.0)), index, entry))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in scored]


# --- filling in ------------------------------------------------------------------------------


def used_variables(reply: CannedReply, language: Language) -> list[CannedVariable]:
    """Declared variables the body in `language` refers to, in declaration order."""
    body = reply.bodies.get(language)
    if body is None:
        return []
    names = {p.name for p in placeholders_in(body)}
    return [variable for variable in reply.variables if variable.name in names]


def initial_values(reply: CannedReply, context: Mapping[str, str]) -> dict[str, str]:
    """The ticket's built-in values plus the declared variables' defaults."""
    values = dict(context)
    for variable in reply.variables:
        if variable.default is not None and variable.default.strip():
            values[variable.name] = variable.default
    return values


def variable_prompt(variable: CannedVariable, language: str) -> str:
    """The prompt in the agent's language, else any prompt, else the variable's name."""
    for code in (language, *variable.prompt.keys()):
        try:
            text = variable.prompt.get(Language(code))
        except ValueError:
            continue
        if text:
            return text
    return variable.name


@dataclass(frozen=True)
class CannedRender:
    """What inserting `reply` in `language` would put in the composer, and why it can't yet."""

    language: Language
    has_language: bool
    text: str
    missing: tuple[str, ...] = ()  # required variables without a value
    unknown: tuple[str, ...] = ()  # placeholders that are neither built in nor declared
    syntax_errors: tuple[str, ...] = ()

    @property
    def insertable(self) -> bool:
        return self.has_language and not (self.missing or self.unknown or self.syntax_errors)


def render_canned(reply: CannedReply, language: Language, values: Mapping[str, str], *,
                  mark_missing: bool = False) -> CannedRender:
    """Render the body in `language` (never another one).

    An optional variable left blank renders as nothing. With `mark_missing` (for the preview)
    a variable still without a value shows as `‹name›`.
    """
    body = reply.bodies.get(language)
    if body is None:
        return CannedRender(language, False, "")
    declared = [variable.name for variable in reply.variables]
    filled = dict(values)
    if mark_missing:
        for variable in used_variables(reply, language):
            if not filled.get(variable.name, "").strip():
                filled[variable.name] = f"{MISSING_OPEN}{variable.name}{MISSING_CLOSE}"
    result = render(body, filled, declared)
    optional = {variable.name for variable in reply.variables if not variable.required}
    missing = tuple(name for name in result.missing_variables if name not in optional)
    return CannedRender(
        language,
        True,
        result.text,
        missing,
        tuple(result.unknown_placeholders),
        tuple(error.message for error in result.syntax_errors),
    )


# --- actions ----------------------------------------------------------------------------------


def merge_actions(first: CannedActions | None, then: CannedActions | None) -> CannedActions | None:
    """Actions of two snippets in one reply: the later status/priority wins, tags add up."""
    if first is None:
        return then
    if then is None:
        return first
    tags = list(dict.fromkeys([*first.add_tags, *then.add_tags]))
    return CannedActions(status=then.status or first.status, priority=then.priority or first.priority,
                         add_tags=tags)


def has_actions(actions: CannedActions | None) -> bool:
    return actions is not None and bool(actions.status or actions.priority or actions.add_tags)


def describe_actions(actions: CannedActions | None) -> str:
    """One line such as "status → Pending · priority → Urgent · tags + urgent" (translated)."""
    if actions is None:
        return ""
    parts: list[str] = []
    if actions.status is not None:
        parts.append(_("status → {status}").format(status=status_label(actions.status)))
    if actions.priority is not None:
        parts.append(_("priority → {priority}").format(priority=priority_label(actions.priority)))
    if actions.add_tags:
        parts.append(_("tags + {tags}").format(tags=", ".join(actions.add_tags)))
    return " · ".join(parts)
