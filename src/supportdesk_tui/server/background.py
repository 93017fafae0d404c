"""Periodic jobs of a running server: presence expiry, coalesced queue counts, history snapshots."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread

from supportdesk_tui.api.models import Queue
from supportdesk_tui.server import stats
from supportdesk_tui.server.service import Service

log = logging.getLogger("supportdesk.server")


@dataclass(frozen=True)
class Intervals:
    presence: float = 1.0
    counts: float = 0.5  # at most two queue.counts events per second
    history: float = 5.0  # how often to check whether a minute has ended


def _counts_signature(queues: list[Queue]) -> tuple[object, ...]:
    # Waiting age grows every second; only a new minute of it is worth an event.
    return tuple(
        (
            q.id,
            q.counts.open,
            q.counts.unassigned,
            q.counts.sla_at_risk,
            q.counts.sla_breached,
            None if q.counts.oldest_waiting_seconds is None else q.counts.oldest_waiting_seconds // 60,
        )
        for q in queues
    )


class Background:
    def __init__(self, service: Service, intervals: Intervals = Intervals()) -> None:
        self.service = service
        self.intervals = intervals
        self._tasks: list[asyncio.Task[None]] = []
        self._last_counts: tuple[object, ...] | None = None
        self._last_history: datetime | None = None

    def start(self, extra: list[Callable[[], Coroutine[Any, Any, None]]] | None = None) -> None:
        jobs: list[tuple[float, Callable[[], None]]] = [
            (self.intervals.presence, self.service.sweep_presence),
            (self.intervals.counts, self._counts_tick),
            (self.intervals.history, self._history_tick),
        ]
        for interval, job in jobs:
            self._tasks.append(asyncio.create_task(self._every(interval, job)))
        for coroutine in extra or []:
            self._tasks.append(asyncio.create_task(coroutine()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _every(self, interval: float, job: Callable[[], None]) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await anyio.to_thread.run_sync(job)
            except Exception:  # a failed tick must not end the loop
                log.exception("background job %s failed", getattr(job, "__name__", job))

    def _counts_tick(self) -> None:
        queues = self.service.all_queues()
        signature = _counts_signature(queues)
        if self._last_counts is not None and signature != self._last_counts:
            self.service.emit_counts(queues)
        self._last_counts = signature

    def _history_tick(self) -> None:
        self._last_history = stats.record_minute(self.service, self._last_history)
