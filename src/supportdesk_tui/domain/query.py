"""The filter-bar query language (see docs/query.md).

`status:open,pending lang:ru tag:"two words" assignee:me sort:-created_at #1234 login`
parses into a `TicketQuery`, whose `to_params()` are the `GET /api/v1/tickets` filters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from supportdesk_tui.contract.models import Language, Priority, Status, Ticket, TicketSort

__all__ = ["QueryError", "TicketQuery", "format_query", "parse_query", "ticket_matches"]


class QueryError(ValueError):
    """A query the filter bar cannot use; `position` is the 0-based offset of the culprit."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class TicketQuery:
    """A parsed filter. Empty tuples / `None` mean "no filter on that field"."""

    statuses: tuple[Status, ...] = ()
    priorities: tuple[Priority, ...] = ()
    language: Language | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None  # "me", "none" or an agent login
    queue: str | None = None
    sort: TicketSort | None = None  # None: the server default (sla_due)
    text: str = ""  # free text, `#1234` included, words separated by single spaces

    @property
    def is_empty(self) -> bool:
        return self == TicketQuery()

    @property
    def ticket_ref(self) -> int | None:
        """The ticket number when the whole query is just `#1234` (the UI may open it directly)."""
        number = self.text.removeprefix("#")
        if self == TicketQuery(text=self.text) and self.text.startswith("#") and number.isdecimal():
            return int(number) if number.isascii() else None
        return None

    def to_params(self) -> dict[str, str]:
        """Query parameters for `GET /api/v1/tickets`; absent filters are left out."""
        params: dict[str, str] = {}
        if self.statuses:
            params["status"] = ",".join(s.value for s in self.statuses)
        if self.priorities:
            params["priority"] = ",".join(p.value for p in self.priorities)
        if self.language is not None:
            params["language"] = self.language.value
        if self.tags:
            params["tag"] = ",".join(self.tags)
        if self.assignee is not None:
            params["assignee"] = self.assignee
        if self.queue is not None:
            params["queue"] = self.queue
        if self.sort is not None:
            params["sort"] = self.sort.value
        if self.text:
            params["q"] = self.text
        return params


# --- values ------------------------------------------------------------------

_STATUS_ALIASES = {"on-hold": Status.ON_HOLD, "onhold": Status.ON_HOLD, "hold": Status.ON_HOLD}
_SORT_ALIASES = {
    "sla": TicketSort.SLA_DUE,
    "created": TicketSort.CREATED,
    "oldest": TicketSort.CREATED,
    "-created": TicketSort.CREATED_DESC,
    "newest": TicketSort.CREATED_DESC,
    "updated": TicketSort.UPDATED_DESC,
    "-updated": TicketSort.UPDATED_DESC,
}
_KEY_ALIASES = {
    "status": "status",
    "priority": "priority",
    "prio": "priority",
    "lang": "lang",
    "language": "lang",
    "tag": "tag",
    "tags": "tag",
    "assignee": "assignee",
    "queue": "queue",
    "sort": "sort",
}
_CANONICAL_KEYS = ("status", "priority", "lang", "tag", "assignee", "queue", "sort")
_LIST_KEYS = frozenset({"status", "priority", "tag"})
# The contract's `tag` parameter takes a single tag today; raise this once it takes a comma list.
MAX_TAGS = 1
# The whole free text as one ticket number: the server then looks up that ticket alone.
_TICKET_NUMBER = re.compile(r"^#(\d{1,18})$")

E = TypeVar("E", bound=StrEnum)


def _enum_parser(enum: type[E], noun: str, aliases: dict[str, E] | None = None) -> Callable[[str, int], E]:
    choices = ", ".join(member.value for member in enum)

    def parse(raw: str, position: int) -> E:
        lowered = raw.lower()
        if aliases and lowered in aliases:
            return aliases[lowered]
        try:
            return enum(lowered)
        except ValueError:
            raise QueryError(f"unknown {noun} {raw!r} — use one of {choices}", position) from None

    return parse


_parse_status = _enum_parser(Status, "status", _STATUS_ALIASES)
_parse_priority = _enum_parser(Priority, "priority")
_parse_language = _enum_parser(Language, "language")
_parse_sort = _enum_parser(TicketSort, "sort order", _SORT_ALIASES)


def _is_login(value: str) -> bool:
    return bool(value) and all(c.isalnum() or c in "._-" for c in value)


def _parse_assignee(raw: str, position: int) -> str:
    lowered = raw.lower()
    if lowered in ("me", "none"):
        return lowered
    if not _is_login(raw):
        raise QueryError(f"assignee {raw!r} is not a login — use me, none or an agent login", position)
    return raw


# --- tokens ------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    value: str
    position: int


@dataclass(frozen=True)
class _Token:
    position: int
    key: str | None  # None: free text
    items: tuple[_Item, ...] = field(default_factory=tuple)
    word: str = ""


class _Scanner:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0

    def at_end(self) -> bool:
        return self.i >= len(self.s)

    def skip_space(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def quoted(self) -> str:
        start = self.i
        self.i += 1  # opening quote
        out: list[str] = []
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch == "\\" and self.i + 1 < len(self.s) and self.s[self.i + 1] in '"\\':
                out.append(self.s[self.i + 1])
                self.i += 2
            elif ch == '"':
                self.i += 1
                return "".join(out)
            else:
                out.append(ch)
                self.i += 1
        raise QueryError('unclosed quote — add a closing "', start)

    def bare(self, stop: str) -> str:
        start = self.i
        while self.i < len(self.s) and not self.s[self.i].isspace() and self.s[self.i] not in stop:
            self.i += 1
        return self.s[start : self.i]

    def items(self, key: str, key_position: int) -> tuple[_Item, ...]:
        """`value(,value)*` where each value is bare or "quoted"."""
        found: list[_Item] = []
        while True:
            position = self.i
            if self.at_end() or self.s[self.i].isspace():
                raise QueryError(f"{key}: needs a value", key_position if not found else position)
            value = self.quoted() if self.s[self.i] == '"' else self.bare(',"')
            if not value.strip():
                raise QueryError(f"{key}: needs a value", position)
            found.append(_Item(value, position))
            if not self.at_end() and self.s[self.i] == ",":
                self.i += 1
                continue
            if not self.at_end() and not self.s[self.i].isspace():
                raise QueryError(
                    f"{key}: unexpected {self.s[self.i]!r} — separate values with commas", self.i
                )
            return tuple(found)


def _key_at(s: str, i: int) -> str | None:
    """The `key` of a `key:` starting at `i`, if there is one (URLs such as http:// are free text)."""
    j = i
    while j < len(s) and (s[j].isascii() and (s[j].isalpha() or s[j] == "_")):
        j += 1
    if j == i or j >= len(s) or s[j] != ":":
        return None
    if s.startswith("//", j + 1):
        return None
    return s[i:j]


def _tokens(source: str) -> Iterator[_Token]:
    sc = _Scanner(source)
    while True:
        sc.skip_space()
        if sc.at_end():
            return
        position = sc.i
        if source[position] == '"':
            yield _Token(position, None, word=sc.quoted())
            if not sc.at_end() and not source[sc.i].isspace():
                raise QueryError("put a space after the closing quote", sc.i)
            continue
        raw_key = _key_at(source, position)
        if raw_key is None:
            yield _Token(position, None, word=sc.bare(""))
            continue
        key = _KEY_ALIASES.get(raw_key.lower())
        after = position + len(raw_key) + 1
        if key is None and (after >= len(source) or source[after].isspace()):
            yield _Token(position, None, word=sc.bare(""))  # "Note:" in prose is not a filter
            continue
        if key is None:
            known = ", ".join(_CANONICAL_KEYS)
            raise QueryError(
                f"unknown filter '{raw_key}:' — use one of {known}; "
                f'put it in quotes ("{raw_key}:…") to search for the text',
                position,
            )
        sc.i = position + len(raw_key) + 1
        yield _Token(position, key, sc.items(raw_key, position))


# --- parse / format ----------------------------------------------------------


def parse_query(source: str) -> TicketQuery:
    """Parse the filter bar; raises `QueryError` (with a position) for anything it cannot use."""
    statuses: list[Status] = []
    priorities: list[Priority] = []
    tags: list[str] = []
    single: dict[str, tuple[object, int]] = {}
    words: list[str] = []

    for token in _tokens(source):
        if token.key is None:
            words.extend(token.word.split())
            continue
        if token.key not in _LIST_KEYS:
            if token.key in single or len(token.items) > 1:
                raise QueryError(f"{token.key}: takes one value", token.position)
            item = token.items[0]
            parsed: object
            if token.key == "lang":
                parsed = _parse_language(item.value, item.position)
            elif token.key == "sort":
                parsed = _parse_sort(item.value, item.position)
            elif token.key == "assignee":
                parsed = _parse_assignee(item.value, item.position)
            else:
                parsed = item.value
            single[token.key] = (parsed, token.position)
            continue
        for item in token.items:
            if token.key == "status":
                status = _parse_status(item.value, item.position)
                if status not in statuses:
                    statuses.append(status)
            elif token.key == "priority":
                priority = _parse_priority(item.value, item.position)
                if priority not in priorities:
                    priorities.append(priority)
            elif item.value not in tags:
                if len(tags) >= MAX_TAGS:
                    raise QueryError("tag: one tag at a time for now", item.position)
                tags.append(item.value)

    def get(key: str) -> object:
        return single[key][0] if key in single else None

    language = get("lang")
    sort = get("sort")
    assignee = get("assignee")
    queue = get("queue")
    assert language is None or isinstance(language, Language)
    assert sort is None or isinstance(sort, TicketSort)
    assert assignee is None or isinstance(assignee, str)
    assert queue is None or isinstance(queue, str)
    return TicketQuery(
        statuses=tuple(statuses),
        priorities=tuple(priorities),
        language=language,
        tags=tuple(tags),
        assignee=assignee,
        queue=queue,
        sort=sort,
        text=" ".join(words),
    )


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(value: str) -> str:
    plain = value and not any(c.isspace() or c in ',"' for c in value)
    return value if plain else _quoted(value)


def _text_word(word: str) -> str:
    return _quoted(word) if word.startswith('"') or _key_at(word, 0) is not None else word


def format_query(query: TicketQuery) -> str:
    """The canonical text of `query`; `parse_query(format_query(q)) == q`."""
    parts: list[str] = []
    if query.statuses:
        parts.append("status:" + ",".join(s.value for s in query.statuses))
    if query.priorities:
        parts.append("priority:" + ",".join(p.value for p in query.priorities))
    if query.language is not None:
        parts.append(f"lang:{query.language.value}")
    if query.tags:
        parts.append("tag:" + ",".join(_value(t) for t in query.tags))
    if query.assignee is not None:
        parts.append(f"assignee:{query.assignee}")
    if query.queue is not None:
        parts.append("queue:" + _value(query.queue))
    if query.sort is not None:
        parts.append(f"sort:{query.sort.value}")
    parts.extend(_text_word(word) for word in query.text.split())
    return " ".join(parts)


def ticket_matches(query: TicketQuery, ticket: Ticket, *, me_login: str, queue: str | None = None) -> bool:
    """Whether a ticket pushed by the event stream belongs in a view filtered by `query`.

    The server's filters of `GET /api/v1/tickets`, as `to_params()` sends them; the cases in
    tests/filter_cases.py hold both to the same answers. `queue` is the view's own queue, which
    a `queue:` in the query overrides. Free text is the server's: `#1234` alone is that ticket,
    anything else one phrase found in the subject or the requester's name, account id or email.
    The server also finds the words in the ticket's messages, which an event does not carry:
    such a ticket shows up on the next reload instead.
    """
    wanted_queue = query.queue or queue
    if wanted_queue and ticket.queue != wanted_queue:
        return False
    if query.statuses and ticket.status not in query.statuses:
        return False
    if query.priorities and ticket.priority not in query.priorities:
        return False
    if query.language and ticket.language != query.language:
        return False
    # Tags are stored trimmed and lowercased; the server compares the parameter the same way.
    if any(tag.strip().lower() not in ticket.tags for tag in query.tags):
        return False
    if query.assignee:
        login = ticket.assignee.login if ticket.assignee else None
        expected = {"me": me_login, "none": None}.get(query.assignee, query.assignee)
        if login != expected:
            return False
    text = query.text.strip()
    if text:
        number = _TICKET_NUMBER.match(text)
        if number is not None:
            return ticket.id == int(number.group(1))
        requester = ticket.requester
        own = " ".join([ticket.subject, requester.name, requester.account_id, requester.email or ""])
        if text.casefold() not in own.casefold():
            return False
    return True
