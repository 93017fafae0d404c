"""The agent's personal canned replies (TOML files) merged with the team library from the backend.

The file format is specified in docs/canned-replies.md. Every problem names the file and,
as closely as TOML allows, the line: `…/canned/refund.toml:7: bodies.ru: expected a string`.
A reply with a problem is left out; the others still load.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from supportdesk_tui.contract.models import (
    CannedActions,
    CannedReply,
    CannedVariable,
    Language,
    Priority,
    Status,
)
from supportdesk_tui.domain.templates import BUILTIN_PLACEHOLDERS, render
from supportdesk_tui.paths import config_dir

__all__ = [
    "LibraryEntry",
    "LibraryProblem",
    "PersonalLibrary",
    "load_personal_library",
    "merge_library",
    "parse_library_file",
    "personal_library_dir",
]

PERSONAL_PREFIX = "personal:"
TEAM_PREFIX = "team:"

_REPLY_KEYS = frozenset({"id", "shortcut", "title", "tags", "bodies", "variables", "actions"})
_VARIABLE_KEYS = frozenset({"name", "prompt", "required", "default"})
_ACTION_KEYS = frozenset({"status", "priority", "add_tags"})
_LANGUAGES = tuple(language.value for language in Language)
_SHORTCUT = re.compile(r"[\w-]+")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LibraryProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class LibraryEntry:
    """One reply in the picker; `personal` ones come from the agent's own files."""

    reply: CannedReply
    personal: bool = False
    source: Path | None = None

    @property
    def key(self) -> str:
        """Stable identity for usage statistics; a personal reply may reuse a team id."""
        return (PERSONAL_PREFIX if self.personal else TEAM_PREFIX) + self.reply.id


@dataclass(frozen=True)
class PersonalLibrary:
    entries: list[LibraryEntry]
    problems: list[LibraryProblem]


def personal_library_dir(env: Mapping[str, str] | None = None) -> Path:
    """`<config dir>/canned`: the agent's own replies (follows `SUPPORTDESK_HOME`)."""
    return config_dir(env) / "canned"


def merge_library(team: Iterable[CannedReply], personal: Iterable[LibraryEntry]) -> list[LibraryEntry]:
    """Personal replies first (the agent wrote them for a reason), then the team's."""
    return [*personal, *(LibraryEntry(reply) for reply in team)]


def load_personal_library(directory: Path) -> PersonalLibrary:
    """Every `*.toml` in `directory` (absent directory: an empty library, no problems)."""
    entries: list[LibraryEntry] = []
    problems: list[LibraryProblem] = []
    try:
        files = sorted(p for p in directory.glob("*.toml") if p.is_file())
    except OSError as exc:
        return PersonalLibrary([], [LibraryProblem(directory, None, exc.strerror or str(exc))])
    seen: dict[str, Path] = {}
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(LibraryProblem(path, None, "not UTF-8 text"))
            continue
        except OSError as exc:
            problems.append(LibraryProblem(path, None, exc.strerror or str(exc)))
            continue
        found, file_problems = parse_library_file(path, text)
        problems += file_problems
        for entry, line in found:
            other = seen.get(entry.reply.id)
            if other is not None:
                problems.append(LibraryProblem(
                    path, line, f"id {entry.reply.id!r} is already used in {other.name}"))
                continue
            seen[entry.reply.id] = path
            entries.append(entry)
    return PersonalLibrary(entries, problems)


def parse_library_file(path: Path, text: str) -> tuple[list[tuple[LibraryEntry, int]], list[LibraryProblem]]:
    """The replies of one file (each with the line it starts on) and its problems."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position else None
        return [], [LibraryProblem(path, line, "not valid TOML: " + _TOML_POSITION.sub("", message))]
    locator = _Locator(text)
    if "reply" in document:
        tables = document["reply"]
        extra = sorted(set(document) - {"reply"})
        if extra:
            return [], [LibraryProblem(path, locator.line((0, len(locator.lines)), (extra[0],)),
                                       f"{extra[0]}: put it inside a [[reply]] table")]
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            return [], [LibraryProblem(path, locator.line((0, len(locator.lines)), ("reply",)),
                                       "reply: expected [[reply]] tables")]
        spans = locator.reply_spans(len(tables))
        items = list(zip(tables, spans, strict=True))
    else:
        items = [(document, (0, len(locator.lines)))]
    entries: list[tuple[LibraryEntry, int]] = []
    problems: list[LibraryProblem] = []
    for table, span in items:
        checker = _ReplyChecker(path, locator, span)
        reply = checker.check(table)
        problems += checker.problems
        if reply is not None:
            entries.append((LibraryEntry(reply, personal=True, source=path), span[0] + 1))
    return entries, problems


# --- validation ----------------------------------------------------------------------------


class _ReplyChecker:
    def __init__(self, path: Path, locator: _Locator, span: tuple[int, int]) -> None:
        self.path = path
        self.locator = locator
        self.span = span
        self.problems: list[LibraryProblem] = []

    def fail(self, where: Path_, message: str) -> None:
        name = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in where)
        name = name.replace(".[", "[")
        line = self.locator.line(self.span, where)
        self.problems.append(LibraryProblem(self.path, line, f"{name}: {message}" if name else message))

    def check(self, table: Mapping[str, object]) -> CannedReply | None:
        for key in sorted(set(table) - _REPLY_KEYS):
            self.fail((key,), "unknown key (expected one of " + ", ".join(sorted(_REPLY_KEYS)) + ")")
        shortcut = self._string(table, ("shortcut",), required=True)
        if shortcut is not None and not _SHORTCUT.fullmatch(shortcut):
            self.fail(("shortcut",), "letters, digits, '-' and '_' only")
            shortcut = None
        reply_id = self._string(table, ("id",), required=False) or shortcut
        title = self._per_language(table, ("title",), required=True)
        tags = self._string_list(table, ("tags",))
        bodies = self._per_language(table, ("bodies",), required=True, allow_plain=False)
        variables = self._variables(table.get("variables"))
        actions = self._actions(table.get("actions"))
        if bodies:
            declared = [v.name for v in variables]
            for language, body in bodies.items():
                result = render(body, {}, declared)
                for error in result.syntax_errors:
                    self.fail(("bodies", language), error.message)
                for name in result.unknown_placeholders:
                    self.fail(("bodies", language), f"unknown placeholder {{{name}}} "
                              "(declare it under [[variables]] or fix the spelling)")
        if self.problems or reply_id is None or shortcut is None or not title or not bodies:
            return None
        try:
            return CannedReply(id=reply_id, shortcut=shortcut, title=title, tags=tags, bodies=bodies,
                               variables=variables, actions=actions)
        except ValidationError as exc:  # every field was checked above; this is a safety net
            self.fail((), str(exc.errors()[0]["msg"]))
            return None

    def _string(self, table: Mapping[str, object], where: Path_, *, required: bool) -> str | None:
        key = str(where[-1])
        if key not in table:
            if required:
                self.fail(where, "missing")
            return None
        value = table[key]
        if not isinstance(value, str):
            self.fail(where, "expected a string")
            return None
        if not value.strip():
            self.fail(where, "must not be empty")
            return None
        return value

    def _string_list(self, table: Mapping[str, object], where: Path_) -> list[str]:
        value = table.get(str(where[-1]), [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(where, "expected a list of non-empty strings")
            return []
        return [v.strip() for v in value]

    def _per_language(self, table: Mapping[str, object], where: Path_, *, required: bool,
                      allow_plain: bool = True) -> dict[Language, str]:
        key = str(where[-1])
        value = table.get(key)
        if value is None:
            if required:
                self.fail(where, "missing")
            return {}
        if isinstance(value, str) and allow_plain:
            if not value.strip():
                self.fail(where, "must not be empty")
                return {}
            return {language: value for language in Language}
        if not isinstance(value, dict):
            expected = "a string or a table of languages" if allow_plain else "a table of languages"
            self.fail(where, f"expected {expected} (ru, en)")
            return {}
        result: dict[Language, str] = {}
        for language, text in value.items():
            if language not in _LANGUAGES:
                self.fail((*where, language), "unknown language (expected ru or en)")
            elif not isinstance(text, str):
                self.fail((*where, language), "expected a string")
            elif not text.strip():
                self.fail((*where, language), "must not be empty")
            else:
                result[Language(language)] = text
        if not result and not value:
            self.fail(where, "needs at least one language (ru or en)")
        return result

    def _variables(self, value: object) -> list[CannedVariable]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(("variables",), "expected [[variables]] tables")
            return []
        variables: list[CannedVariable] = []
        for index, table in enumerate(value):
            where: Path_ = ("variables", index)
            for key in sorted(set(table) - _VARIABLE_KEYS):
                self.fail((*where, key), "unknown key (expected name, prompt, required, default)")
            name = self._string(table, (*where, "name"), required=True)
            if name is not None and (not _VARIABLE_NAME.fullmatch(name) or name in BUILTIN_PLACEHOLDERS):
                self.fail((*where, "name"), "letters, digits and '_' only, not a built-in name")
                name = None
            prompt = self._per_language(table, (*where, "prompt"), required=False)
            required = table.get("required", True)
            if not isinstance(required, bool):
                self.fail((*where, "required"), "expected true or false")
                required = True
            default = table.get("default")
            if default is not None and not isinstance(default, str):
                self.fail((*where, "default"), "expected a string")
                default = None
            if name is not None:
                variables.append(CannedVariable(name=name, prompt=prompt or {}, required=required,
                                                default=default))
        return variables

    def _actions(self, value: object) -> CannedActions | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(("actions",), "expected a table")
            return None
        for key in sorted(set(value) - _ACTION_KEYS):
            self.fail(("actions", key), "unknown key (expected status, priority, add_tags)")
        status = self._choice(value, "status", [s.value for s in Status if s is not Status.NEW])
        priority = self._choice(value, "priority", [p.value for p in Priority])
        tags = self._string_list(value, ("actions", "add_tags"))
        return CannedActions(status=Status(status) if status else None,
                             priority=Priority(priority) if priority else None,
                             add_tags=[t.lower() for t in tags])

    def _choice(self, table: Mapping[str, object], key: str, allowed: Sequence[str]) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if value not in allowed:
            self.fail(("actions", key), "expected one of " + ", ".join(allowed))
            return None
        return str(value)


# --- line numbers --------------------------------------------------------------------------


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


class _Locator:
    """Finds the line of a key in TOML source; tomllib keeps no positions, so this reads the text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _header(self, index: int) -> str | None:
        found = _HEADER.match(self.lines[index])
        return found.group(1).replace('"', "").replace("'", "").replace(" ", "") if found else None

    def reply_spans(self, count: int) -> list[tuple[int, int]]:
        """Line ranges of the `[[reply]]` tables, in order."""
        starts = [i for i in range(len(self.lines)) if self._header(i) == "reply"
                  and self.lines[i].lstrip().startswith("[[")]
        starts = (starts + [len(self.lines)] * count)[:count]
        ends = [*starts[1:], len(self.lines)]
        return list(zip(starts, ends, strict=True))

    def line(self, span: tuple[int, int], where: Path_) -> int:
        """1-based line of `where` inside `span`; the nearest enclosing line when not found."""
        start, end = span
        cursor = start
        previous = ""
        for part in where:
            if isinstance(part, int):
                seen = -1
                for i in range(cursor, end):
                    header = self._header(i)
                    if header is not None and header.rsplit(".", 1)[-1] == previous:
                        seen += 1
                        if seen == part:
                            cursor = i
                            break
            else:
                key = re.compile(rf"(?:^|[{{,.\s])[\"']?{re.escape(part)}[\"']?\s*=")
                for i in range(cursor, end):
                    text = self.lines[i]
                    if text.lstrip().startswith("#"):
                        continue
                    header = self._header(i)
                    if (header is not None and header.rsplit(".", 1)[-1] == part) or (
                            header is None and key.search(text)):
                        cursor = i
                        break
                previous = part
        if cursor < len(self.lines) and start == cursor and where:
            # Not found: point at the reply's own first line rather than a guess.
            return start + 1
        return cursor + 1
