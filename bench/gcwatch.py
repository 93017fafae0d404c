"""How long the cyclic garbage collector paused the process (it runs on the UI thread)."""

from __future__ import annotations

import gc
import time
from typing import Any


class GcWatch:
    def __init__(self) -> None:
        self.paused = 0.0
        self._started = 0.0
        self._pauses: list[tuple[float, float]] = []
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            ended = time.perf_counter()
            self.paused += ended - self._started
            self._pauses.append((self._started, ended))

    def paused_between(self, start: float, end: float) -> float:
        """The pauses inside [start, end] (perf_counter): a key's window up to its frame, not the
        collection the app may run right after that frame (app.py: after a ticket is shown)."""
        return sum(min(stop, end) - max(began, start) for began, stop in self._pauses
                   if stop > start and began < end)
