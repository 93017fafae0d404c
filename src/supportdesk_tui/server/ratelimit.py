"""A token bucket per bearer token: bursts are fine, a sustained flood gets 429 + Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    rate: float = 50.0  # tokens refilled per second
    burst: int = 200  # bucket size


class RateLimiter:
    def __init__(self, limit: RateLimit, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def acquire(self, key: str) -> float:
        """Take one token; 0 when allowed, else the seconds to wait before the next try."""
        now = self._monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self._limit.burst), now))
            tokens = min(float(self._limit.burst), tokens + (now - last) * self._limit.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._limit.rate if self._limit.rate > 0 else 60.0

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
