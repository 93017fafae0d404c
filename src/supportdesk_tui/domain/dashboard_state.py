"""What the lead dashboard shows, folded from `/stats/live`, `/stats/history` and ticket events.

Pure logic (no Textual, no I/O), so it can be tested and benchmarked on its own:

- the numbers on screen are always the last `/stats/live` answer, replaced whole; events
  only say *when* to fetch again (`RefreshGate`), so a replayed or duplicated event can never
  be counted twice and a reconnect converges by fetching once more;
- thresholds per queue give each metric a level (ok / warning / alarm); a change of level is
  written to a short alarm log;
- the trend is the server's per-interval history plus a live tip for the interval in progress.
  The tip counts created/solved tickets by id, so replays don't inflate it either.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from supportdesk_tui.contract.models import CountByKey, HistoryPoint, LiveStats, StatsHistory, Status, Ticket

Level = Literal["ok", "warning", "alarm"]
Metric = Literal["length", "oldest", "at_risk"]
METRICS: tuple[Metric, ...] = ("length", "oldest", "at_risk")
LEVEL_RANK: Mapping[Level, int] = {"ok": 0, "warning": 1, "alarm": 2}

# A tile turns to warning once a metric reaches this share of its limit, before it is exceeded.
WARNING_SHARE = 0.8
ALARM_LOG_SIZE = 50
# Ticket ids remembered for the interval in progress; the next history fetch empties them. A cap
# keeps memory flat if that fetch keeps failing during a long storm.
MAX_TIP_IDS = 5_000
HOUR = 3600
SHIFT = 8 * 3600
_CLOSED = (Status.SOLVED, Status.CLOSED)


class QueueLimits(Protocol):
    """A queue's thresholds (`config.QueueThresholds` fits); None means "never alert"."""

    @property
    def max_length(self) -> int | None: ...

    @property
    def max_oldest_minutes(self) -> int | None: ...

    @property
    def max_at_risk(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class MetricCheck:
    metric: Metric
    value: int
    limit: int
    level: Level


@dataclass(frozen=True, slots=True)
class AlarmEntry:
    """One change of level; `level == "ok"` means the queue is back within its limit."""

    at: datetime
    queue: str
    metric: Metric
    level: Level
    value: int
    limit: int


def level_for(value: int, limit: int) -> Level:
    if value > limit:
        return "alarm"
    if limit > 0 and value >= WARNING_SHARE * limit:
        return "warning"
    return "ok"


def metric_value(counts: CountByKey, metric: Metric) -> int:
    if metric == "length":
        return counts.open
    if metric == "oldest":
        return (counts.oldest_waiting_seconds or 0) // 60
    return counts.sla_at_risk


def _limit(limits: QueueLimits, metric: Metric) -> int | None:
    if metric == "length":
        return limits.max_length
    if metric == "oldest":
        return limits.max_oldest_minutes
    return limits.max_at_risk


def evaluate(counts: CountByKey, limits: QueueLimits | None) -> list[MetricCheck]:
    """The configured metrics of one queue with their levels (unconfigured ones are left out)."""
    if limits is None:
        return []
    checks: list[MetricCheck] = []
    for metric in METRICS:
        limit = _limit(limits, metric)
        if limit is not None:
            value = metric_value(counts, metric)
            checks.append(MetricCheck(metric, value, limit, level_for(value, limit)))
    return checks


def worst_level(levels: Iterable[Level]) -> Level:
    return max(levels, key=LEVEL_RANK.__getitem__, default="ok")


class RefreshGate:
    """Coalesces "something changed" into at most one fetch per `min_interval`, never two at once.

    A burst of events marks the gate once; the owner polls `due()` from a timer and calls
    `begin()`/`end()` around the fetch. A request arriving during a fetch is kept for the next.
    """

    def __init__(self, min_interval: float = 0.25) -> None:
        self.min_interval = min_interval
        self.pending = False
        self.in_flight = False
        self.requests = 0
        self.fetches = 0
        self._last_begin: float | None = None

    def request(self) -> None:
        self.pending = True
        self.requests += 1

    def due(self, now: float) -> bool:
        if not self.pending or self.in_flight:
            return False
        return self._last_begin is None or now - self._last_begin >= self.min_interval

    def begin(self, now: float) -> None:
        self.pending = False
        self.in_flight = True
        self.fetches += 1
        self._last_begin = now

    def end(self) -> None:
        self.in_flight = False

    def wait_for(self, now: float) -> float | None:
        """Seconds until a pending fetch is due (0: now); None when nothing waits or one is in flight."""
        if not self.pending or self.in_flight:
            return None
        if self._last_begin is None:
            return 0.0
        return max(0.0, self.min_interval - (now - self._last_begin))

    def idle_for(self, now: float) -> float:
        return math.inf if self._last_begin is None else now - self._last_begin


@dataclass(frozen=True, slots=True)
class Interval:
    """Created and solved tickets of one history interval, all queues together."""

    at: datetime
    created: int
    solved: int


class DashboardState:
    def __init__(self, thresholds: Mapping[str, QueueLimits] | None = None, *,
                 log_size: int = ALARM_LOG_SIZE) -> None:
        self.thresholds: Mapping[str, QueueLimits] = dict(thresholds or {})
        self.live: LiveStats | None = None
        self.history: StatsHistory | None = None
        self.alarms: deque[AlarmEntry] = deque(maxlen=log_size)
        self._levels: dict[tuple[str, Metric], Level] = {}
        self._series: dict[str, list[HistoryPoint]] = {}
        self._tip_start: datetime | None = None
        # Ticket id → when it was created / solved, for the interval the history doesn't cover yet.
        self._tip_created: dict[int, datetime] = {}
        self._tip_solved: dict[int, datetime] = {}
        self.updates = 0

    # --- live numbers ----------------------------------------------------------------

    def apply_live(self, stats: LiveStats, *, now: datetime | None = None) -> list[AlarmEntry]:
        """Take the server's numbers; return the alarm-log entries this caused (newest last).

        An answer older than the one shown (a slow fetch overtaken by a newer one) is ignored.
        Log entries are stamped `now` (the viewer's clock) or else the server's `stats.at`.
        """
        if self.live is not None and stats.at < self.live.at:
            return []
        self.live = stats
        self.updates += 1
        return self._update_levels(stats, now or stats.at)

    def _update_levels(self, stats: LiveStats, now: datetime) -> list[AlarmEntry]:
        changes: list[AlarmEntry] = []
        for counts in stats.by_queue:
            for check in evaluate(counts, self.thresholds.get(counts.key)):
                key = (counts.key, check.metric)
                previous = self._levels.get(key, "ok")
                self._levels[key] = check.level
                if check.level != previous:
                    changes.append(AlarmEntry(now, counts.key, check.metric, check.level,
                                              check.value, check.limit))
        self.alarms.extend(changes)
        return changes

    def checks(self, queue: str) -> list[MetricCheck]:
        counts = self.queue_counts(queue)
        return evaluate(counts, self.thresholds.get(queue)) if counts is not None else []

    def level(self, queue: str) -> Level:
        return worst_level(check.level for check in self.checks(queue))

    def queue_counts(self, queue: str) -> CountByKey | None:
        if self.live is None:
            return None
        return next((c for c in self.live.by_queue if c.key == queue), None)

    @property
    def queue_ids(self) -> list[str]:
        return [c.key for c in self.live.by_queue] if self.live is not None else sorted(self._series)

    # --- history and the live tip ----------------------------------------------------------

    def apply_history(self, history: StatsHistory) -> None:
        self.history = history
        series: dict[str, list[HistoryPoint]] = {}
        for point in sorted(history.points, key=lambda p: p.at):
            series.setdefault(point.queue, []).append(point)
        self._series = series
        last = max((p.at for p in history.points), default=None)
        if last is not None and (self._tip_start is None or last >= self._tip_start):
            self._tip_start = last
            # What the new history covers is in its points now; only the newer tickets stay.
            self._tip_created = {k: t for k, t in self._tip_created.items() if t >= last}
            self._tip_solved = {k: t for k, t in self._tip_solved.items() if t >= last}

    def history_due(self, now: datetime) -> bool:
        """Whether the server has closed an interval since the last history we hold."""
        if self.history is None or self._tip_start is None:
            return self.history is None
        return now >= self._tip_start + timedelta(seconds=self.history.interval_seconds)

    def note_ticket(self, ticket: Ticket) -> None:
        """Count a created/solved ticket into the interval in progress (idempotent by id)."""
        start = self._tip_start
        if start is None:
            return
        if ticket.created_at >= start and len(self._tip_created) < MAX_TIP_IDS:
            self._tip_created[ticket.id] = ticket.created_at
        if ticket.status in _CLOSED:
            if ticket.updated_at >= start and len(self._tip_solved) < MAX_TIP_IDS:
                self._tip_solved.setdefault(ticket.id, ticket.updated_at)
        else:
            self._tip_solved.pop(ticket.id, None)

    @property
    def tip_created(self) -> int:
        return len(self._tip_created)

    @property
    def tip_solved(self) -> int:
        return len(self._tip_solved)

    def open_series(self, queue: str) -> list[int]:
        """Open tickets of `queue` per interval, oldest first, ending with the live number."""
        values = [p.open for p in self._series.get(queue, [])]
        counts = self.queue_counts(queue)
        if counts is not None and self._live_is_newer(queue):
            values.append(counts.open)
        return values

    def _live_is_newer(self, queue: str) -> bool:
        points = self._series.get(queue)
        return self.live is not None and (not points or self.live.at > points[-1].at)

    def intervals(self) -> list[Interval]:
        """Created vs solved per interval over all queues, ending with the interval in progress."""
        created: dict[datetime, int] = {}
        solved: dict[datetime, int] = {}
        for points in self._series.values():
            for point in points:
                created[point.at] = created.get(point.at, 0) + point.created
                solved[point.at] = solved.get(point.at, 0) + point.solved
        result = [Interval(at, created[at], solved[at]) for at in sorted(created)]
        if self.live is not None and self._tip_start is not None:
            result.append(Interval(self.live.at, self.tip_created, self.tip_solved))
        return result


def downsample(values: list[int], columns: int, *, total: bool = False) -> list[int]:
    """At most `columns` values: each column is the max (or the sum) of the values it covers.

    The last column always holds the newest value, so the live tip stays visible.
    """
    if columns <= 0 or not values:
        return []
    if len(values) <= columns:
        return list(values)
    size = math.ceil(len(values) / columns)
    # Group from the newest end, so the newest value is never merged into a half-empty column.
    groups: list[list[int]] = []
    end = len(values)
    while end > 0:
        groups.append(values[max(0, end - size):end])
        end -= size
    groups.reverse()
    return [sum(g) if total else max(g) for g in groups]


BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[int], *, low: int | None = None, high: int | None = None) -> str:
    """One character per value, scaled between `low` and `high` (default: the values' range)."""
    if not values:
        return ""
    lo = min(values) if low is None else low
    hi = max(values) if high is None else high
    span = hi - lo
    if span <= 0:
        return BLOCKS[4 if hi > 0 else 1] * len(values)
    steps = len(BLOCKS) - 2  # index 1..8: never blank, so a zero still shows as a floor
    return "".join(BLOCKS[1 + round((min(max(v, lo), hi) - lo) / span * steps)] for v in values)
