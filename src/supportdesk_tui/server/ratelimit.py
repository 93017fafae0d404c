"""Token buckets: bursts are fine, a sustained flood gets 429 + Retry-After.

Keys are chosen by the caller (an agent id, a client address); the number of buckets is capped,
so no stream of new keys can grow memory without bound. The least recently used bucket is the
one dropped: it has had the longest to refill, so it is most likely full, and a full bucket is
the same as no bucket.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class RateLimit:
    rate: float = 50.0  # tokens refilled per second
    burst: int = 200  # bucket size


# Failed authentication, per client address: a client with a stale token gives up after a few
# 401s, while someone guessing tokens is slowed to one guess a second.
AUTH_FAILURE_LIMIT = RateLimit(rate=1.0, burst=20)


class Limiter(Protocol):
    """A set of token buckets by key: this process's own (`RateLimiter`), or shared by every
    instance on a database (`ratelimit_db.DbRateLimiter`)."""

    def acquire(self, key: Hashable) -> float: ...

    def peek(self, key: Hashable) -> float: ...

    def retry_after(self, wait: float) -> int: ...


class RateLimiter:
    def __init__(
        self,
        limit: RateLimit,
        monotonic: Callable[[], float] = time.monotonic,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        if max_buckets < 1:
            raise ValueError("max_buckets must be at least 1")
        self._limit = limit
        self._monotonic = monotonic
        self._max_buckets = max_buckets
        self._lock = threading.Lock()
        # key -> (tokens, last refill), least recently used first
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: Hashable) -> float:
        """Take one token; 0 when allowed, else the seconds to wait before the next try."""
        return self._take(key, take=True)

    def peek(self, key: Hashable) -> float:
        """Like `acquire` but takes nothing: would a request be allowed now?"""
        return self._take(key, take=False)

    def _take(self, key: Hashable, *, take: bool) -> float:
        now = self._monotonic()
        burst = float(self._limit.burst)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if not take:
                    return 0.0 if burst >= 1.0 else self._wait(0.0)
                tokens, last = burst, now
            else:
                tokens, last = bucket
            tokens = min(burst, tokens + (now - last) * self._limit.rate)
            if tokens >= 1.0:
                if take:
                    self._store(key, tokens - 1.0, now)
                return 0.0
            if bucket is not None:
                self._store(key, tokens, now)
            return self._wait(tokens)

    def _store(self, key: Hashable, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._max_buckets:
            self._buckets.popitem(last=False)

    def _wait(self, tokens: float) -> float:
        return (1.0 - tokens) / self._limit.rate if self._limit.rate > 0 else 60.0

    @staticmethod
    def retry_after(wait: float) -> int:
        """Whole seconds for `Retry-After` (never 0: that would invite an immediate retry)."""
        return max(1, math.ceil(wait))


def client_address_key(client: tuple[str, int] | list[object] | None) -> str:
    """The bucket key of an ASGI `scope["client"]`.

    An IPv6 host usually owns a whole /64, so the /64 is the key: otherwise one machine could
    take a fresh bucket for every guess.
    """
    host = str(client[0]) if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
