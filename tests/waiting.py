"""Waiting in tests: always for a condition, never for a fixed time (every test dir imports this).

`wait_until` lets a Pilot-driven app run until something is true; `settle` until the app has
finished what it already started; `poll_until` waits on a server or a process, no app running.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerState

from keyboard import animations_done, until_drawn

POLL_SECONDS = 0.05
# While workers or short timers are still busy, `settle` looks again after this long (their I/O runs).
SETTLE_POLL_SECONDS = 0.005
BUSY = (WorkerState.PENDING, WorkerState.RUNNING)
# A one-shot timer at most this long is part of what the app is doing now (the table's highlight
# delay, the composer's save throttle); longer ones (re-masking a revealed code) are the future.
SHORT_TIMER_SECONDS = 1.0
# Workers that run for the app's life (the event-stream pump): never "done", so not waited for.
ENDLESS_WORKER_GROUPS = frozenset({"live"})


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], *, what: str = "condition", timeout: float = 15.0
) -> None:
    """Let the app run until `condition()` is truthy; fail naming `what` if it never is.

    Then the messages already posted are handled too (a toast posted with the change it reports)
    and the frame they asked for is laid out. Between checks a plain sleep: the app runs meanwhile
    anyway, and `pilot.pause` would make every widget handle a message and the screen repaint on
    each poll, most of what waiting costs.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            holds = bool(condition())
        except Exception:  # the widget may not be mounted yet
            holds = False
        if holds:
            await until_drawn(pilot.app)
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


def poll_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = POLL_SECONDS) -> bool:
    """Poll until `predicate()` holds (no app running: a server, a process); its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


async def settle(pilot: Pilot[Any], *, timeout: float = 15.0) -> None:
    """Let the app finish what is under way: messages handled, workers done, short timers fired,
    animations over, and still so after one more round of messages.

    Each round waits for the messages and the frame (`until_drawn`), not for `pilot.pause`'s guess
    that the process looks idle (at least 20 ms a round)."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while quiet_rounds < 2:
        await until_drawn(app)
        if is_idle(app):
            await pilot._wait_for_screen()
            await animations_done(app)
            quiet_rounds += 1
        else:
            quiet_rounds = 0
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the app to settle: " + describe_busy(app))
            await asyncio.sleep(SETTLE_POLL_SECONDS)


def is_idle(app: App[Any]) -> bool:
    return not _busy_workers(app) and not _pending_short_timers(app)


def describe_busy(app: App[Any]) -> str:
    workers = [repr(worker) for worker in _busy_workers(app)]
    timers = [timer.name for timer in _pending_short_timers(app)]
    return f"workers {workers}, timers {timers}"


def _busy_workers(app: App[Any]) -> list[Any]:
    return [w for w in app.workers if w.state in BUSY and w.group not in ENDLESS_WORKER_GROUPS]


def _pending_short_timers(app: App[Any]) -> list[Any]:
    # Textual keeps each node's timers in the private `_timers` (textual 8.2.8, pinned): `set_timer`
    # makes them with `repeat=0`, a paused one is not due, and a task not yet done has not fired.
    nodes = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    return [
        timer
        for node in nodes
        for timer in list(getattr(node, "_timers", ()))
        if timer._repeat == 0
        and timer._interval <= SHORT_TIMER_SECONDS
        and timer._active.is_set()
        and timer._task is not None
        and not timer._task.done()
    ]
