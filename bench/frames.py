"""When did a frame that shows X reach the terminal? Frame timestamps for an app under Pilot.

Headless Textual composes every frame but skips turning it into terminal bytes. The recorder
wraps `App._display` (which every screen update goes through), does that last step too so a
frame costs what it costs in a terminal, and resolves the waiters whose condition holds for
the state that frame shows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App

Condition = Callable[[], bool]


class FrameRecorder:
    def __init__(self, app: App[Any], clock: Callable[[], float] = time.perf_counter) -> None:
        """`clock` stamps each frame: wall time, or `time.process_time` for the CPU a key cost."""
        self.app = app
        self.frames = 0
        self._waiters: list[tuple[Condition, asyncio.Future[float]]] = []
        original = app._display
        # A second recorder on the same app (a CPU clock and a wall clock) wraps the first one's
        # display, which already made the terminal bytes: made twice, a frame cost twice that step.
        bytes_made = getattr(original, "makes_terminal_bytes", False)

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render_segments = getattr(renderable, "render_segments", None)
            if render_segments is not None and not bytes_made:
                render_segments(app.console)
            now = clock()
            self.frames += 1
            self._resolve(now)

        display.makes_terminal_bytes = True  # type: ignore[attr-defined]
        app._display = display  # type: ignore[method-assign]

    def _resolve(self, now: float) -> None:
        still: list[tuple[Condition, asyncio.Future[float]]] = []
        for condition, future in self._waiters:
            if future.done():
                continue
            try:
                met = condition()
            except Exception:  # widgets not mounted yet
                met = False
            if met:
                future.set_result(now)
            else:
                still.append((condition, future))
        self._waiters = still

    def expect(self, condition: Condition) -> asyncio.Future[float]:
        """A future for the time of the first frame, from now on, painted while `condition()` holds.

        Register it before pressing the key, so a frame drawn while Pilot is still waiting counts.
        """
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((condition, future))
        return future

    async def wait(self, future: asyncio.Future[float], timeout: float = 60.0) -> float:
        return await asyncio.wait_for(future, timeout)


def send_key(app: App[Any], key: str) -> None:
    """Deliver a key the way the terminal driver would, without Pilot's wait-for-idle.

    `Pilot.press` waits until the process is idle after every key (tens of ms), which
    would hide what a held-down key costs; this mirrors its event building only.
    """
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key

    char: str | None
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    driver = app._driver
    assert driver is not None
    driver.send_message(event)
