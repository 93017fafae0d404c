"""Token buckets in the shared database (PostgreSQL): one budget per key across all instances.

Same interface and arithmetic as `ratelimit.RateLimiter`. Each request is one UPSERT …
RETURNING on a pooled connection: the row lock makes concurrent requests on every instance take
turns on their bucket, and time is the database's clock, so instances with skewed clocks still
refill a bucket at one rate. The table is UNLOGGED (a crash of the database forgets budgets,
which only means full buckets) and the leader drops buckets idle long enough to be full again,
so the table stays as small as the set of recently active callers.
"""

from __future__ import annotations

from collections.abc import Hashable

from supportdesk_tui.server.ratelimit import RateLimit, RateLimiter
from supportdesk_tui.server.storage.engine import Engine

# One value for the whole statement, from the database's clock.
_NOW = "extract(epoch FROM statement_timestamp())::double precision"
# The bucket after refilling since its last use (`excluded` carries this limiter's burst and rate).
# A request that waited for the row lock may carry an earlier time than the one stored: greatest().
_REFILL = f"least(excluded.burst, b.tokens + greatest(0, {_NOW} - b.at) * excluded.rate)"
_TAKE = f"""
INSERT INTO rate_buckets AS b (key, burst, rate, tokens, at, allowed)
VALUES (?, ?, ?, ?, {_NOW}, ?)
ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN {_REFILL} >= 1 THEN {_REFILL} - 1 ELSE {_REFILL} END,
    at = greatest(b.at, {_NOW}),
    allowed = {_REFILL} >= 1,
    burst = excluded.burst,
    rate = excluded.rate
RETURNING b.tokens, b.allowed
"""
_PEEK = f"SELECT least(burst, tokens + ({_NOW} - at) * rate) FROM rate_buckets WHERE key = ?"
# Idle long enough to have refilled: a full bucket is the same as none.
_FORGET = f"DELETE FROM rate_buckets WHERE at < {_NOW} - burst / rate"


class DbRateLimiter:
    def __init__(self, engine: Engine, limit: RateLimit, name: str) -> None:
        if limit.rate <= 0:
            raise ValueError("a shared rate limit needs a positive rate")
        self._engine = engine
        self._limit = limit
        self._prefix = f"{name}:"  # one table for every limiter: keys of each apart

    def acquire(self, key: Hashable) -> float:
        """Take one token; 0 when allowed, else the seconds to wait before the next try."""
        burst, rate = float(self._limit.burst), self._limit.rate
        first = (burst - 1.0, True) if burst >= 1.0 else (burst, False)  # a new, full bucket
        with self._engine.read() as db:
            row = db.execute(_TAKE, (self._key(key), burst, rate, *first)).fetchone()
        tokens, allowed = float(row[0]), bool(row[1])
        return 0.0 if allowed else (1.0 - tokens) / rate

    def peek(self, key: Hashable) -> float:
        """Like `acquire` but takes nothing: would a request be allowed now?"""
        with self._engine.read() as db:
            row = db.execute(_PEEK, (self._key(key),)).fetchone()
        tokens = float(self._limit.burst) if row is None else float(row[0])
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self._limit.rate

    def forget_full(self) -> int:
        """Drop every limiter's buckets that have refilled; the leader's job."""
        with self._engine.read() as db:
            return db.execute(_FORGET).rowcount

    retry_after = staticmethod(RateLimiter.retry_after)

    def _key(self, key: Hashable) -> str:
        return f"{self._prefix}{key}"
