"""Command palette providers: every action of the current screen, the queues, "go to ticket",
the interface language, themes and canned replies."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.dom import DOMNode

from supportdesk_tui.domain.safe_text import literal_markup, one_line, safe_format, safe_text
from supportdesk_tui.i18n import _
from supportdesk_tui.screens.help import format_key

if TYPE_CHECKING:
    from supportdesk_tui.app import SupportDeskApp
    from supportdesk_tui.screens.canned import CannedPicker

# Each language named in itself, so an agent who can't read the current one still finds theirs.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ru": "Русский"}

_TICKET_REF = re.compile(r"^\s*#?(\d{1,9})\s*$")


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


class ActionCommands(Provider):
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


class TicketCommands(Provider):
    """`#1234` (or just the number) opens that ticket."""

    async def search(self, query: str) -> Hits:
        match = _TICKET_REF.match(query)
        if match is None:
            return
        ticket_id = int(match.group(1))
        name = safe_format(_("ticket: open #{id}"), id=ticket_id)
        yield Hit(1.0, name, partial(self._open, ticket_id), text=name.plain)

    def _open(self, ticket_id: int) -> None:
        from supportdesk_tui.screens.conversation import ConversationScreen

        self.app.push_screen(ConversationScreen(ticket_id))


class QueueCommands(Provider):
    """`queue: show <name>` for every queue the agent can see."""

    def _queues(self) -> list[tuple[str, str]]:
        from supportdesk_tui.app import SupportDeskApp

        app = self.app
        if not isinstance(app, SupportDeskApp) or app._session is None:
            return []
        # Queue names come from the backend: plain text, one line, never markup.
        return [(q.id, safe_format(_("queue: show {name}"), name=q.name).plain) for q in app.queues]

    def _show(self, queue_id: str) -> None:
        from supportdesk_tui.screens.queue import QueueScreen

        queue_screens = [s for s in self.app.screen_stack if isinstance(s, QueueScreen)]
        if not queue_screens:
            return
        target: QueueScreen = queue_screens[-1]
        while self.app.screen is not target:
            self.app.pop_screen()
        target.show_queue(queue_id)

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
    _score, offsets = matcher.fuzzy_search.match(matcher.query, clean)
    for offset in offsets:
        if not clean[offset].isspace():
            text.stylize("reverse", offset, offset + 1)
    return text


def _key_help(key: str) -> str:
    """A hit's help is always parsed as markup: key names come from the user's keymap."""
    return literal_markup(_("key: {key}").format(key=key))


class _ListProvider(Provider):
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


def _sd_app(provider: Provider) -> SupportDeskApp | None:
    from supportdesk_tui.app import SupportDeskApp

    app = provider.app
    return app if isinstance(app, SupportDeskApp) else None


class LanguageCommands(_ListProvider):
    """`language: English` / `language: Русский` switch the interface to that language in place."""

    def commands(self) -> list[tuple[str, Callable[[], object]]]:
        app = _sd_app(self)
        if app is None:
            return []
        return [(_("language: {name}").format(name=name), partial(app.switch_language, code))
                for code, name in LANGUAGE_NAMES.items()]


class ThemeCommands(_ListProvider):
    """`theme: <name>` for every registered theme; the choice is remembered in the config file."""

    def commands(self) -> list[tuple[str, Callable[[], object]]]:
        app = _sd_app(self)
        if app is None:
            return []
        # User theme names come from files on disk: shown as plain text, never markup.
        return [(safe_format(_("theme: {name}"), name=name).plain, partial(app.switch_theme, name))
                for name in sorted(app.available_themes)]


class CannedCommands(Provider):
    """`canned: <title>` on a ticket opens the canned-reply picker on that reply, so variables,
    language checks and actions go through the picker exactly as when it is opened by key."""

    async def _entries(self) -> list[tuple[str, str]]:
        from supportdesk_tui.domain.canned_pick import title_in
        from supportdesk_tui.screens.conversation import ConversationScreen

        screen = self.screen
        app = _sd_app(self)
        if not isinstance(screen, ConversationScreen) or screen.ticket is None or app is None:
            return []
        entries, _problems = await app.session.canned_library()
        language = screen.ticket.language
        # Titles and shortcuts come from the backend or the agent's files: sanitised here, and
        # shown only as `Text` (prompt) or `literal_markup` (help), which is parsed as markup.
        return [(safe_format(_("canned: {title}"), title=title_in(e.reply, language)).plain,
                 one_line(e.reply.shortcut)) for e in entries]

    def _open(self, shortcut: str) -> None:
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
    from textual.widgets import Input

    if not picker.is_attached:
        return
    boxes = picker.query("#canned-search").results(Input)
    box = next(iter(boxes), None)
    if box is None:
        picker.call_after_refresh(_prefill, picker, query)
        return
    box.value = query
    box.cursor_position = len(query)


class EscalationCommands(Provider):
    """`escalations: list open` from any screen, for leads (register in `App.COMMANDS`)."""

    def _name(self) -> str | None:
        from supportdesk_tui.app import SupportDeskApp
        from supportdesk_tui.contract.models import Role

        app = self.app
        if not isinstance(app, SupportDeskApp) or app._session is None or app.me.role is not Role.LEAD:
            return None
        return _("escalations: list open escalations")

    def _open(self) -> None:
        from supportdesk_tui.app import SupportDeskApp
        from supportdesk_tui.screens.escalations import open_escalations

        if isinstance(self.app, SupportDeskApp):
            open_escalations(self.app)

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
