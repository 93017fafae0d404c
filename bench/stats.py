"""Median and p95 of a handful of samples (nearest-rank p95: with few samples it is close to the max)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    median: float
    p95: float
    n: int

    def ratio_to(self, base: Summary) -> float:
        return self.median / base.median if base.median > 0 else math.nan


def summarize(samples: Sequence[float]) -> Summary:
    if not samples:
        return Summary(math.nan, math.nan, 0)
    ordered = sorted(samples)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return Summary(statistics.median(ordered), ordered[rank - 1], len(ordered))
