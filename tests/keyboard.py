"""Typing into a Pilot-driven app as an agent does: one key event per character (every test dir)."""

from __future__ import annotations

import asyncio
import time
import unicodedata
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


async def press_keys_once_handled(app: App[Any], keys: Any) -> None:
    """Textual's `App._press_keys` (what `pilot.press` runs), waiting for each key to be handled
    instead of for the process to look idle.

    Textual's own version waits twice per key for a 20 ms slice with almost no CPU used: at least
    40 ms a key, ~65 ms here, and the suite presses keys thousands of times while its CPUs idle.
    This one sends the same event the same way, then waits until every node of the app has handled
    every message (`until_handled`), any animation has ended, and the frame the key asked for is
    drawn (`until_drawn`: layout and scroll offsets are then what the agent sees). A key whose
    effect needs the server was never covered by either wait: tests wait for the condition
    (`wait_until`). "wait:N" keys keep Textual's meaning.
    """
    from textual.app import REPLACED_KEYS, _get_unicode_name_from_key  # textual is pinned exactly

    driver = app._driver
    assert driver is not None
    for key in keys:
        if key.startswith("wait:"):
            await asyncio.sleep(float(key.split(":")[1]) / 1000)
            await app._animator.wait_until_complete()
            continue
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)
        await until_handled(app)
        await animations_done(app)
        await until_drawn(app)


async def animations_done(app: App[Any]) -> None:
    """Until every animation is over. With animations off (the suite's default: conftest) an
    animation still ends only at the animator's next ticks, 1/60 s apart: two ticks are run here
    instead of waited for (the first sets each final value, the second finds none left)."""
    animator = app._animator
    if app.animation_level == "none":
        for _ in range(2):
            if animator._complete_event.is_set():
                break
            animator()
    await animator.wait_until_complete()


async def until_drawn(app: App[Any], rounds: int = 10) -> None:
    """Draw the frame the screen is waiting for now, as `pilot.pause` does, and handle what drawing
    it caused (resizes, callbacks after the refresh), until nothing is left to draw. A held frame
    (`batch_update`) stays held."""
    for _ in range(rounds):
        await until_handled(app)
        screen = app.screen
        if app._batch_count or not (screen._layout_required or screen._scroll_required
                                    or screen._repaint_required or screen._dirty_widgets):
            return
        screen._on_timer_update()


TEXTUALS_PRESS_KEYS = App._press_keys


def install_press_keys_once_handled() -> None:
    App._press_keys = press_keys_once_handled  # type: ignore[method-assign]
