"""Command palette providers: every action of the current screen, the queues, "go to ticket",
the interface language, themes and canned replies.

Every provider here, Textual's system commands included, ranks with `domain.fuzzy` (through
`DeskMatcher`): the palette orders hits as the canned-reply and article pickers do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property, partial
from typing import TYPE_CHECKING, Protocol, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.system_commands import SystemCommandsProvider
from textual.widgets import Input

from supportdesk_tui.contract.models import Role
from supportdesk_tui.desk import DeskContext
from supportdesk_tui.domain import fuzzy
from supportdesk_tui.domain.safe_text import literal_markup, one_line, safe_format, safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.navigation import OpenTicket, ShowEscalations, ShowQueue
from supportdesk_tui.screens.help import format_key

if TYPE_CHECKING:
    from supportdesk_tui.screens.canned import CannedPicker

# Each language named in itself, so an agent who can't read the current one still finds theirs.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ru": "Русский"}

_TICKET_NUMBER = re.compile(r"#?(\d{1,9})\s*$")
_OPEN_TICKET = N_("ticket: open #{id}")
# Any match at all scores above zero, however long the candidate (the palette drops zeros).
_WEAKEST_MATCH = 1e-6


class DeskMatcher(Matcher):
    """Textual's matcher interface over `domain.fuzzy`, the one ranking of the app's pickers.

    Scores are the match's score relative to the query matched against itself, so they lie in
    (0, 1] as `Hit.score` expects, whichever provider found the hit.
    """

    @cached_property
    def _best(self) -> float:
        found = fuzzy.match(self.query, self.query)
        return found.score if found is not None and found.score > 0 else 1.0

    def positions(self, candidate: str) -> tuple[int, ...]:
        """The candidate's matched characters; empty when it does not match."""
        found = fuzzy.match(self.query, candidate)
        return () if found is None else found.positions

    def match(self, candidate: str) -> float:
        found = fuzzy.match(self.query, candidate)
        if found is None or not found.positions:
            return 0.0
        return max(_WEAKEST_MATCH, min(1.0, found.score / self._best))

    def highlight(self, candidate: str) -> Content:
        # As Textual's own: only Textual's system command names come here (our providers
        # highlight with `plain_highlight`, which never parses markup).
        content = Content.from_markup(candidate)
        for offset in self.positions(candidate):
            if not candidate[offset].isspace():
                content = content.stylize(self.match_style, offset, offset + 1)
        return content


class DeskProvider(Provider):
    """A palette provider that ranks with `DeskMatcher`."""

    def matcher(self, user_input: str, case_sensitive: bool = False) -> Matcher:
        return DeskMatcher(user_input, match_style=self.match_style, case_sensitive=case_sensitive)


class SystemCommands(DeskProvider, SystemCommandsProvider):
    """Textual's system commands (theme, keys, screenshot, quit…), ranked like ours."""


class PaletteHost(DeskContext, Protocol):
    """What the palette's commands ask of the app (which imports this module, so never the reverse)."""

    def switch_language(self, language: str) -> None: ...

    def switch_theme(self, name: str) -> None: ...


def _host(provider: Provider) -> PaletteHost:
    # Only the app registers these providers, and mypy checks it is a `PaletteHost` (end of app.py).
    return cast("PaletteHost", provider.app)


def _action_commands(screen: DOMNode) -> Iterator[tuple[str, str, DOMNode, str]]:
    """(command name `group: verb`, key, node, action) for the screen's active bindings."""
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():  # type: ignore[attr-defined]
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        ident = binding.id or binding.action
        if ident in seen:
            continue
        seen.add(ident)
        group = ident.split(".", 1)[0] if "." in ident else "app"
        yield f"{group}: {_(binding.description).lower()}", format_key(key), active.node, binding.action


class ActionCommands(DeskProvider):
    """Each binding of the current screen as a palette command, named `group: verb`."""

    def _run(self, node: DOMNode, action: str) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for name, key, node, action in _action_commands(self.screen):
            yield DiscoveryHit(safe_text(name, single_line=True), partial(self._run, node, action),
                               text=name, help=_key_help(key))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, node, action in _action_commands(self.screen):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, name), partial(self._run, node, action),
                          text=name, help=_key_help(key))


def ticket_reference(query: str) -> int | None:
    """The ticket number of `#1234`, `1234`, or the command typed out (`ticket: open #1234`, or the
    start of its words, in English or the interface's language); None for anything else."""
    found = _TICKET_NUMBER.search(query)
    if found is None:
        return None
    typed = re.findall(r"\w+", query[:found.start()].lower())
    if typed:
        known = {word for template in (_OPEN_TICKET, _(_OPEN_TICKET))
                 for word in re.findall(r"\w+", template.split("#", 1)[0].lower())}
        if not all(any(word.startswith(part) for word in known) for part in typed):
            return None
    elif query[:found.start()].strip():
        return None  # punctuation alone before the number is not a ticket reference
    return int(found.group(1))


class TicketCommands(DeskProvider):
    """`#1234` (or just the number, or `ticket: open #1234`) opens that ticket."""

    async def search(self, query: str) -> Hits:
        ticket_id = ticket_reference(query)
        if ticket_id is None:
            return
        name = safe_format(_(_OPEN_TICKET), id=ticket_id)
        yield Hit(1.0, name, partial(self._open, ticket_id), text=name.plain)

    def _open(self, ticket_id: int) -> None:
        self.app.post_message(OpenTicket(ticket_id))


class QueueCommands(DeskProvider):
    """`queue: show <name>` for every queue the agent can see."""

    def _queues(self) -> list[tuple[str, str]]:
        desk = _host(self)
        if not desk.signed_in:
            return []
        # Queue names come from the backend: plain text, one line, never markup.
        return [(q.id, safe_format(_("queue: show {name}"), name=q.name).plain) for q in desk.queues]

    def _show(self, queue_id: str) -> None:
        self.app.post_message(ShowQueue(queue_id))

    async def discover(self) -> Hits:
        for queue_id, name in self._queues():
            yield DiscoveryHit(safe_text(name, single_line=True), partial(self._show, queue_id), text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for queue_id, name in self._queues():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, name), partial(self._show, queue_id), text=name)


def plain_highlight(matcher: Matcher, name: str) -> Text:
    """`matcher.highlight` parses markup; names with untrusted parts stay plain, sanitised text."""
    clean = one_line(name)
    text = safe_text(clean, single_line=True)
    found = fuzzy.match(matcher.query, clean)
    for offset in () if found is None else found.positions:
        if not clean[offset].isspace():
            text.stylize("reverse", offset, offset + 1)
    return text


def _key_help(key: str) -> str:
    """A hit's help is always parsed as markup: key names come from the user's keymap."""
    return literal_markup(_("key: {key}").format(key=key))


class _ListProvider(DeskProvider):
    """A fixed list of (name, callback) commands, shown on open and fuzzy-matched on typing."""

    def commands(self) -> list[tuple[str, Callable[[], object]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, run in self.commands():
            yield DiscoveryHit(safe_text(name, single_line=True), run, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, name), run, text=name)


class LanguageCommands(_ListProvider):
    """`language: English` / `language: Русский` switch the interface to that language in place."""

    def commands(self) -> list[tuple[str, Callable[[], object]]]:
        app = _host(self)
        return [(_("language: {name}").format(name=name), partial(app.switch_language, code))
                for code, name in LANGUAGE_NAMES.items()]


class ThemeCommands(_ListProvider):
    """`theme: <name>` for every registered theme; the choice is remembered in the config file."""

    def commands(self) -> list[tuple[str, Callable[[], object]]]:
        # User theme names come from files on disk: shown as plain text, never markup.
        return [(safe_format(_("theme: {name}"), name=name).plain, partial(_host(self).switch_theme, name))
                for name in sorted(self.app.available_themes)]


class CannedCommands(DeskProvider):
    """`canned: <title>` on a ticket opens the canned-reply picker on that reply, so variables,
    language checks and actions go through the picker exactly as when it is opened by key."""

    async def _entries(self) -> list[tuple[str, str]]:
        # lazy: the conversation and the canned-reply logic load with the first ticket, not with the app
        from supportdesk_tui.domain.canned_pick import title_in
        from supportdesk_tui.screens.conversation import ConversationScreen

        screen = self.screen
        if not isinstance(screen, ConversationScreen) or screen.ticket is None:
            return []
        entries, _problems = await _host(self).session.canned_library()
        language = screen.ticket.language
        # Titles and shortcuts come from the backend or the agent's files: sanitised here, and
        # shown only as `Text` (prompt) or `literal_markup` (help), which is parsed as markup.
        return [(safe_format(_("canned: {title}"), title=title_in(e.reply, language)).plain,
                 one_line(e.reply.shortcut)) for e in entries]

    def _open(self, shortcut: str) -> None:
        # lazy: the conversation and its picker load with the first ticket opened, not with the app
        from supportdesk_tui.screens.canned import CannedPicker
        from supportdesk_tui.screens.conversation import ConversationScreen

        screen = self.screen
        if not isinstance(screen, ConversationScreen):
            return
        screen.open_canned_picker()
        picker = self.app.screen
        if isinstance(picker, CannedPicker):
            _prefill(picker, shortcut)

    async def discover(self) -> Hits:
        for name, shortcut in await self._entries():
            yield DiscoveryHit(safe_text(name, single_line=True), partial(self._open, shortcut), text=name,
                               help=literal_markup("::" + shortcut))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, shortcut in await self._entries():
            score = max(matcher.match(name), matcher.match(shortcut))
            if score > 0:
                yield Hit(score, plain_highlight(matcher, name), partial(self._open, shortcut),
                          text=name, help=literal_markup("::" + shortcut))


def _prefill(picker: CannedPicker, query: str) -> None:
    """Put `query` in the picker's search box once it exists (the picker filters on change,
    and on load it filters by whatever the box holds)."""
    if not picker.is_attached:
        return
    boxes = picker.query("#canned-search").results(Input)
    box = next(iter(boxes), None)
    if box is None:
        picker.call_after_refresh(_prefill, picker, query)
        return
    box.value = query
    box.cursor_position = len(query)


class EscalationCommands(DeskProvider):
    """`escalations: list open` from any screen, for leads (register in `App.COMMANDS`)."""

    def _name(self) -> str | None:
        desk = _host(self)
        if not desk.signed_in or desk.me.role is not Role.LEAD:
            return None
        return _("escalations: list open escalations")

    def _open(self) -> None:
        self.app.post_message(ShowEscalations())

    async def discover(self) -> Hits:
        name = self._name()
        if name is not None:
            yield DiscoveryHit(safe_text(name), self._open, text=name)

    async def search(self, query: str) -> Hits:
        name = self._name()
        if name is None:
            return
        score = self.matcher(query).match(name)
        if score > 0:
            yield Hit(score, plain_highlight(self.matcher(query), name), self._open, text=name)
