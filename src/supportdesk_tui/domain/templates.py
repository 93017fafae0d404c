"""The canned-reply template engine; the syntax is specified in docs/templates.md.

One left-to-right pass: values are inserted literally and never expanded again,
so a customer called "{agent.name}" or "[b]x[/b]" stays exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from supportdesk_tui.contract.models import Language, Ticket
from supportdesk_tui.domain.safe_text import strip_unsafe

__all__ = [
    "BUILTIN_PLACEHOLDERS",
    "Placeholder",
    "RenderResult",
    "SyntaxProblem",
    "context_for",
    "first_name",
    "placeholders_in",
    "render",
]

BUILTIN_PLACEHOLDERS: tuple[str, ...] = (
    "customer.name",
    "customer.first_name",
    "agent.name",
    "agent.first_name",
    "ticket.id",
    "ticket.subject",
    "queue.name",
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class Placeholder:
    name: str
    fallback: str | None  # None: no `|`; "" for `{x|}`
    start: int  # offsets of the whole `{...}` in the template
    end: int


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    position: int


@dataclass(frozen=True)
class RenderResult:
    text: str
    missing_variables: list[str] = field(default_factory=list)
    unknown_placeholders: list[str] = field(default_factory=list)
    syntax_errors: list[SyntaxProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Safe to insert: every placeholder was known, filled (or had a fallback), and it parsed."""
        return not (self.missing_variables or self.unknown_placeholders or self.syntax_errors)


def _scan(template: str) -> tuple[list[str | Placeholder], list[SyntaxProblem]]:
    """Split into literal text and placeholders; broken braces become errors (and are dropped)."""
    parts: list[str | Placeholder] = []
    errors: list[SyntaxProblem] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch in "{}" and template.startswith(ch * 2, i):
            literal.append(ch)
            i += 2
        elif ch == "}":
            errors.append(SyntaxProblem("stray '}' — write '}}' for a literal brace", i))
            i += 1
        elif ch == "{":
            close = template.find("}", i + 1)
            opener = template.find("{", i + 1)
            if close == -1 or (opener != -1 and opener < close):
                errors.append(SyntaxProblem("unclosed '{' — write '{{' for a literal brace", i))
                i += 1
                continue
            inner = template[i + 1 : close]
            name, bar, fallback = inner.partition("|")
            name = name.strip()
            if not _NAME.fullmatch(name):
                errors.append(SyntaxProblem(f"{{{inner}}} is not a placeholder name", i))
            else:
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(Placeholder(name, fallback if bar else None, i, close + 1))
            i = close + 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        parts.append("".join(literal))
    return parts, errors


def placeholders_in(template: str) -> list[Placeholder]:
    """Every well-formed placeholder, in order (duplicates included)."""
    return [part for part in _scan(template)[0] if isinstance(part, Placeholder)]


def render(template: str, values: Mapping[str, str], declared: Iterable[str] = ()) -> RenderResult:
    """Fill `template` from `values` (built-ins from `context_for` plus the declared variables).

    A placeholder whose value is absent or blank uses its fallback; without one it is reported
    in `missing_variables`. Names that are neither built in nor declared are reported in
    `unknown_placeholders`. Either way the output has nothing in their place: the UI refuses
    to insert a result that is not `ok`.
    """
    known = set(BUILTIN_PLACEHOLDERS) | set(declared)
    parts, errors = _scan(template)
    out: list[str] = []
    missing: list[str] = []
    unknown: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        if part.name not in known:
            if part.name not in unknown:
                unknown.append(part.name)
            continue
        value = strip_unsafe(values.get(part.name, ""), keep_newlines=False).strip()
        if value:
            out.append(value)
        elif part.fallback is not None:
            out.append(strip_unsafe(part.fallback, keep_newlines=False))
        elif part.name not in missing:
            missing.append(part.name)
    # Templates come from the backend: no terminal controls survive into the composer.
    return RenderResult(strip_unsafe("".join(out)), missing, unknown, errors)


_PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ична", "оглы", "кызы")


def first_name(full_name: str) -> str:
    """The given name: "Anna Petrova" → "Anna"; "Петрова Анна Сергеевна" → "Анна".

    A three-part Russian name ending in a patronymic is written surname-first.
    """
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 3 and words[2].lower().endswith(_PATRONYMIC_ENDINGS):
        return words[1]
    return words[0]


def context_for(ticket: Ticket, agent_name: str, queue_name: str, lang: Language | str) -> dict[str, str]:
    """Built-in placeholder values for `ticket`.

    `lang` is the reply's language; names and subjects are used as written, so it does not
    change anything today, but callers pass it so language-specific values need no API change.
    """
    Language(lang)  # reject an unsupported language early
    return {
        "customer.name": ticket.requester.name.strip(),
        "customer.first_name": first_name(ticket.requester.name),
        "agent.name": agent_name.strip(),
        "agent.first_name": first_name(agent_name),
        "ticket.id": str(ticket.id),
        "ticket.subject": ticket.subject.strip(),
        "queue.name": queue_name.strip(),
    }
