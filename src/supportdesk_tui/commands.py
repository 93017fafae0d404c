"""Command palette providers: every action of the current screen, the queues, and "go to ticket"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from supportdesk_tui.i18n import _
from supportdesk_tui.screens.help import format_key

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
            yield DiscoveryHit(name, partial(self._run, node, action), help=_("key: {key}").format(key=key))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, node, action in _action_commands(self.screen):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, node, action),
                          help=_("key: {key}").format(key=key))


class TicketCommands(Provider):
    """`#1234` (or just the number) opens that ticket."""

    async def search(self, query: str) -> Hits:
        match = _TICKET_REF.match(query)
        if match is None:
            return
        ticket_id = int(match.group(1))
        name = _("ticket: open #{id}").format(id=ticket_id)
        yield Hit(1.0, name, partial(self._open, ticket_id), text=name)

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
        return [(q.id, _("queue: show {name}").format(name=q.name)) for q in app.queues]

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
            yield DiscoveryHit(name, partial(self._show, queue_id))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for queue_id, name in self._queues():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._show, queue_id))
