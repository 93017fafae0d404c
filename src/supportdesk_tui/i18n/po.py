"""A small reader and writer for gettext `.po` files.

We read the text catalogs directly at start-up instead of compiling `.mo` files: there are two
small catalogs, so parsing costs a few milliseconds and there is no build step to forget.
Supports what our catalogs use: header, msgctxt, plurals, multi-line strings, flags
(`#, fuzzy`), references and obsolete (`#~`) entries, which are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MessageKey = tuple[str | None, str]
"""(msgctxt, msgid): how a message is looked up."""


class PoError(ValueError):
    """A `.po` file we cannot read, with the file and line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        super().__init__(f"{source}:{line}: {message}")


@dataclass
class PoEntry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def key(self) -> MessageKey:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def forms(self) -> list[str]:
        """The translated strings: one for a plain entry, one per plural form otherwise."""
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[index] for index in sorted(self.msgstr_plural)]


@dataclass
class PoFile:
    header: dict[str, str]
    entries: list[PoEntry]
    source: str = "<po>"

    def by_key(self) -> dict[MessageKey, PoEntry]:
        return {entry.key: entry for entry in self.entries}


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*)$")


def _unquote(text: str, source: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise PoError(source, line, f"expected a quoted string, got {text!r}")
    body = text[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 >= len(body):
                raise PoError(source, line, "string ends with a lone backslash")
            nxt = body[index + 1]
            if nxt not in _ESCAPES:
                raise PoError(source, line, f"unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            index += 2
            continue
        if char == '"':
            raise PoError(source, line, 'unescaped " inside a string')
        out.append(char)
        index += 1
    return "".join(out)


def parse_po(text: str, source: str = "<po>") -> PoFile:
    entries: list[PoEntry] = []
    pending_flags: set[str] = set()
    pending_refs: list[str] = []
    pending_comments: list[str] = []
    current: PoEntry | None = None
    # Which string a continuation line ("...") extends: (field name, plural index).
    target: tuple[str, int] | None = None
    seen_msgstr = False

    def finish() -> None:
        nonlocal current, target, seen_msgstr
        if current is not None:
            if not seen_msgstr:
                raise PoError(source, current.line, f"msgid {current.msgid!r} has no msgstr")
            entries.append(current)
        current, target, seen_msgstr = None, None, False

    def append(entry: PoEntry, where: tuple[str, int], value: str) -> None:
        name, index = where
        if name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif name == "msgid":
            entry.msgid += value
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif name == "msgstr":
            entry.msgstr += value
        else:
            entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + value

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and seen_msgstr:
                finish()
            if line.startswith("#,"):
                pending_flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                pending_refs.extend(line[2:].split())
            else:
                pending_comments.append(line)
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise PoError(source, number, "string continuation outside an entry")
            append(current, target, _unquote(line, source, number))
            continue
        match = _KEYWORD_RE.match(line)
        if not match:
            raise PoError(source, number, f"cannot parse {line!r}")
        keyword, plural_index, rest = match.group(1), match.group(2), match.group(3)
        value = _unquote(rest, source, number)
        if keyword in ("msgctxt", "msgid") and (current is None or seen_msgstr):
            finish()
            current = PoEntry(
                msgid="", flags=pending_flags, references=pending_refs, comments=pending_comments
            )
            current.line = number
            pending_flags, pending_refs, pending_comments = set(), [], []
        if current is None:
            raise PoError(source, number, f"{keyword} before msgid")
        if keyword == "msgctxt":
            if current.msgid:
                raise PoError(source, number, "msgctxt must come before msgid")
            current.msgctxt = ""
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural = ""
            target = ("msgid_plural", 0)
        elif plural_index is not None:
            if current.msgid_plural is None:
                raise PoError(source, number, "msgstr[N] without msgid_plural")
            seen_msgstr = True
            target = ("msgstr_plural", int(plural_index))
        else:
            if current.msgid_plural is not None:
                raise PoError(source, number, "plural entry needs msgstr[0], msgstr[1], …")
            seen_msgstr = True
            target = ("msgstr", 0)
        append(current, target, value)
    finish()

    header: dict[str, str] = {}
    body: list[PoEntry] = []
    seen: dict[MessageKey, int] = {}
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            header = _parse_header(entry.msgstr)
            continue
        if entry.key in seen:
            raise PoError(
                source, entry.line, f"duplicate msgid {entry.msgid!r} (first at line {seen[entry.key]})"
            )
        seen[entry.key] = entry.line
        body.append(entry)
    return PoFile(header=header, entries=body, source=source)


def _parse_header(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            header[name.strip()] = value.strip()
    return header


def read_po(path: Path) -> PoFile:
    return parse_po(path.read_text(encoding="utf-8"), source=str(path))


def quote(text: str) -> str:
    out = ['"']
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def format_entry(entry: PoEntry, nplurals: int = 2) -> str:
    """One entry as `.po` text (ending with a newline); empty plural forms get `nplurals` slots."""
    lines: list[str] = list(entry.comments)
    if entry.references:
        lines.append("#: " + " ".join(entry.references))
    if entry.flags:
        lines.append("#, " + ", ".join(sorted(entry.flags)))
    if entry.msgctxt is not None:
        lines.append(f"msgctxt {quote(entry.msgctxt)}")
    lines.append(f"msgid {quote(entry.msgid)}")
    if entry.msgid_plural is not None:
        lines.append(f"msgid_plural {quote(entry.msgid_plural)}")
        count = max(nplurals, max(entry.msgstr_plural, default=-1) + 1)
        for index in range(count):
            lines.append(f"msgstr[{index}] {quote(entry.msgstr_plural.get(index, ''))}")
    else:
        lines.append(f"msgstr {quote(entry.msgstr)}")
    return "\n".join(lines) + "\n"
