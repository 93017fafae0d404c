"""Periodic jobs of a running server: presence expiry, coalesced queue counts, history snapshots.

They run once per database: only while this instance leads (server/leader.py; on SQLite it
always does). A follower's ticks do nothing, and its extra jobs (the simulator) start when it
becomes the leader and stop when it no longer is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread

from supportdesk_tui.contract.models import Queue
from supportdesk_tui.server import stats
from supportdesk_tui.server.leader import Leadership, SoleLeader
from supportdesk_tui.server.service import Service

log = logging.getLogger("supportdesk.server")


@dataclass(frozen=True)
class Intervals:
    presence: float = 1.0
    counts: float = 0.5  # at most two queue.counts events per second
    history: float = 5.0  # how often to check whether a minute has ended
    housekeeping: float = 10.0
    leader_check: float = 0.5  # how soon extra jobs start or stop with the leadership


# `_last_counts` of a new leader: whatever the counts are, announce them on its first tick.
TAKEOVER: tuple[object, ...] = ("takeover",)


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
    def __init__(
        self,
        service: Service,
        intervals: Intervals = Intervals(),
        leader: Leadership | None = None,
        housekeeping: list[Callable[[], object]] | None = None,
    ) -> None:
        self.service = service
        self.intervals = intervals
        self.leader: Leadership = leader if leader is not None else SoleLeader()
        self._housekeeping = housekeeping or []
        self._tasks: list[asyncio.Task[None]] = []
        self._last_counts: tuple[object, ...] | None = None
        self._last_history: datetime | None = None
        self._term = 0  # the term whose leader we last ran as (SoleLeader's is always 0)

    def start(self, extra: list[Callable[[], Coroutine[Any, Any, None]]] | None = None) -> None:
        jobs: list[tuple[float, Callable[[], object]]] = [
            (self.intervals.presence, self.service.sweep_presence),
            (self.intervals.counts, self._counts_tick),
            (self.intervals.history, self._history_tick),
        ]
        jobs += [(self.intervals.housekeeping, job) for job in self._housekeeping]
        for interval, job in jobs:
            self._tasks.append(asyncio.create_task(self._every(interval, job)))
        for coroutine in extra or []:
            self._tasks.append(asyncio.create_task(self._while_leading(coroutine)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _every(self, interval: float, job: Callable[[], object]) -> None:
        while True:
            await asyncio.sleep(interval)
            if not self.leader.is_leader:
                continue
            if self.leader.term != self._term:
                # A new leader announces the counts once: the old one may have died before
                # announcing the latest change. What it remembered itself is stale by now.
                self._term = 0  # the term whose leader we last ran as (SoleLeader's is always 0)
                self._last_counts = TAKEOVER
                self._last_history = None
            try:
                await anyio.to_thread.run_sync(job)
            except Exception:  # a failed tick must not end the loop
                log.exception("background job %s failed", getattr(job, "__name__", job))

    async def _while_leading(self, coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
        while True:
            while not self.leader.is_leader:
                await asyncio.sleep(self.intervals.leader_check)
            task = asyncio.create_task(coroutine())
            try:
                while self.leader.is_leader and not task.done():
                    await asyncio.sleep(self.intervals.leader_check)
            finally:
                ended = task.done()
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
                except Exception:
                    log.exception("background job failed")
            if ended:
                return  # the job finished (or failed) by itself

    def _counts_tick(self) -> None:
        queues = self.service.all_queues()
        signature = _counts_signature(queues)
        announce = self._last_counts is TAKEOVER
        if announce or (self._last_counts is not None and signature != self._last_counts):
            self.service.emit_counts(queues)
        self._last_counts = signature

    def _history_tick(self) -> None:
        self._last_history = stats.record_minute(self.service, self._last_history)
