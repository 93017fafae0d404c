"""How long the cyclic garbage collector paused the process (it runs on the UI thread)."""

from __future__ import annotations

import gc
import time
from typing import Any


class GcWatch:
    def __init__(self) -> None:
        self.paused = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.paused += time.perf_counter() - self._started
