"""Typing into a Pilot-driven app as an agent does: one key event per character (every test dir)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.message_pump import MessagePump
from textual.pilot import Pilot

HANDLED_TIMEOUT = 10.0
QUIET_TURNS = 3


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Each character as its own key event, the next one once the app has handled this one.

    The events are the ones `pilot.press` sends (named as Textual names them: " " is space, ":"
    colon), into the same queue. `pilot.press` then waits for the process to go idle, twice, at
    least 20 ms each (textual 8.2.8): most of a test's time where it types. Here the wait ends as
    soon as every message the key caused has been handled: in the editor, the composer around it
    (which opens the canned picker on a typed "::"), the screen, the app.
    """
    app = pilot.app
    for character in text:
        key = events.Key(character if character.isalnum() else _character_to_key(character), character)
        key.set_sender(app)
        app.post_message(key)
        await until_handled(app)


async def until_handled(app: App[Any]) -> None:
    """Until no node of the app has a message waiting, for a few turns of the event loop in a row
    (a handler that posts another message has run by then: house style keeps I/O out of handlers).

    Reads each node's queue (textual is pinned exactly; its own `pilot.press` guesses from CPU time).
    """
    deadline = time.monotonic() + HANDLED_TIMEOUT
    quiet = 0
    while quiet < QUIET_TURNS:
        await asyncio.sleep(0)
        quiet = quiet + 1 if not _busy_nodes(app) else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"the app never finished handling a key: {_busy_nodes(app)}")


def _busy_nodes(app: App[Any]) -> list[MessagePump]:
    nodes: list[MessagePump] = [app]
    for screen in app.screen_stack:
        nodes += screen.walk_children(with_self=True)
    return [node for node in nodes if not node._message_queue.empty() or node._next_callbacks]
