"""The suite's `pilot.press` (tests/keyboard.py, installed by conftest) waits for what the key
caused — every message, the frame it asked for — instead of for the process to look idle, which
cost at least 40 ms a key. These stories check it still leaves a test looking at the finished
result, and that the Textual internals it copies are still there."""

from __future__ import annotations

import inspect
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from keyboard import TEXTUALS_PRESS_KEYS, press_keys_once_handled


class Chain(App[None]):
    """`g` posts a message whose handler posts another, which grows a widget (a new layout)."""

    BINDINGS: ClassVar[list[Binding]] = [Binding("g", "grow", id="test.grow")]

    class First(Message):
        pass

    class Second(Message):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.handled: list[str] = []
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("top", id="top")
        yield Static("below", id="below")

    def on_key(self, event: object) -> None:
        self.keys.append(getattr(event, "key", ""))

    def action_grow(self) -> None:
        self.post_message(self.First())

    @on(First)
    def _first(self) -> None:
        self.handled.append("first")
        self.post_message(self.Second())

    @on(Second)
    def _second(self) -> None:
        self.handled.append("second")
        self.query_one("#top", Static).styles.height = 5


async def test_a_key_is_pressed_once_its_messages_are_handled_and_its_frame_laid_out() -> None:
    app = Chain()
    async with app.run_test(size=(40, 12)) as pilot:
        assert App._press_keys is press_keys_once_handled
        await pilot.press("g")
        assert app.handled == ["first", "second"]
        assert app.query_one("#below").region.y == 5  # laid out as drawn, not as before the key
        await pilot.press("a", "space", "!")
        assert app.keys[-3:] == ["a", "space", "exclamation_mark"]


def test_textuals_own_press_still_sends_keys_the_way_ours_copies() -> None:
    source = inspect.getsource(TEXTUALS_PRESS_KEYS)
    for copied in ("REPLACED_KEYS.get(key, key)", "_get_unicode_name_from_key(original_key)",
                   "_character_to_key(key)", "driver.send_message(key_event)", 'key.startswith("wait:")'):
        assert copied in source, f"Textual's _press_keys changed: check tests/keyboard.py ({copied})"
    assert list(inspect.signature(TEXTUALS_PRESS_KEYS).parameters) == ["self", "keys"]
