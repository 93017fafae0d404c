"""The one clock both sides read: the current time, timezone-aware and in UTC.

Every timestamp in the contract is UTC; code that needs "now" takes a `Clock` argument that
defaults to `utc_now`, so a test can hand it a fixed time instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
