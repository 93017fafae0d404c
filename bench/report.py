"""The results table (terminal and Markdown) and docs/benchmarks.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.stats import Summary, summarize

SCALE_LABELS = {1_000: "1k", 100_000: "100k", 1_000_000: "1M"}


@dataclass
class Figure:
    name: str
    unit: str  # "s", "ms" or "MiB"; samples are seconds, or KiB for MiB
    baseline_label: str
    baseline: list[float] | None
    per_scale: dict[int, list[float]] = field(default_factory=dict)

    def summary(self, scale: int) -> Summary:
        return summarize(self.per_scale.get(scale, []))

    def base_summary(self) -> Summary | None:
        return summarize(self.baseline) if self.baseline is not None else None

    def scale_ratio(self, big: int, small: int = 1_000) -> float:
        return self.summary(big).ratio_to(self.summary(small))


def fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "—"
    if unit == "ms":
        return f"{value * 1000:.1f}"
    if unit == "MiB":
        return f"{value / 1024:.0f}"
    return f"{value:.2f}"


def cell(summary: Summary | None, unit: str) -> str:
    if summary is None or summary.n == 0:
        return "—"
    return f"{fmt(summary.median, unit)} / {fmt(summary.p95, unit)}"


def ratio(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}×"


@dataclass
class ColdStart:
    trivial: list[float]
    # A first start (nothing cached): until a subject shows (painted while loading), until the live
    # queue's rows do.
    app: list[float]
    app_live: list[float] = field(default_factory=list)
    # Starts with the last session's cache: until a cached subject shows, until the fresh page does.
    cached: list[float] = field(default_factory=list)
    cached_fresh: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return summarize(self.app).ratio_to(summarize(self.trivial))

    @property
    def app_live_ratio(self) -> float:
        return summarize(self.app_live).ratio_to(summarize(self.trivial))

    @property
    def cached_ratio(self) -> float:
        return summarize(self.cached).ratio_to(summarize(self.trivial))

    @property
    def cached_fresh_ratio(self) -> float:
        return summarize(self.cached_fresh).ratio_to(summarize(self.trivial))


def cold_table(cold: ColdStart) -> list[list[str]]:
    trivial, app = summarize(cold.trivial), summarize(cold.app)
    rows = [
        ["What (pty, 160x48)", "median / p95 (s)", "runs"],
        ["Baseline: trivial Textual app, one label", cell(trivial, "s"), str(trivial.n)],
        ["Nothing cached: process start → first ticket subject (painted while loading)", cell(app, "s"),
         str(app.n)],
        ["Ratio (medians)", ratio(cold.ratio), ""],
    ]
    if cold.app_live:
        live = summarize(cold.app_live)
        rows += [
            ["Nothing cached: process start → the live queue's first page", cell(live, "s"), str(live.n)],
            ["Ratio (medians)", ratio(cold.app_live_ratio), ""],
        ]
    if cold.cached:
        cached, fresh = summarize(cold.cached), summarize(cold.cached_fresh)
        rows += [
            ["With the last session's cache: start → cached subject (marked cached)", cell(cached, "s"),
             str(cached.n)],
            ["Ratio (medians)", ratio(cold.cached_ratio), ""],
            ["With the last session's cache: start → fresh first page", cell(fresh, "s"), str(fresh.n)],
            ["Ratio (medians)", ratio(cold.cached_fresh_ratio), ""],
        ]
    return rows


def queue_table(figures: Sequence[Figure], scales: Sequence[int]) -> list[list[str]]:
    header = ["Figure (median / p95)", "Unit", "Baseline", "Baseline value"]
    header += [SCALE_LABELS[s] for s in scales]
    header += [f"{SCALE_LABELS[s]} ÷ 1k" for s in scales if s != 1_000]
    rows = [header]
    for figure in figures:
        row = [figure.name, figure.unit, figure.baseline_label, cell(figure.base_summary(), figure.unit)]
        row += [cell(figure.summary(s), figure.unit) for s in scales]
        row += [ratio(figure.scale_ratio(s)) for s in scales if s != 1_000]
        rows.append(row)
    return rows


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def write_markdown(path: Path, *, command: str, machine: dict[str, str], setup: list[str],
                   cold: ColdStart, figures: Sequence[Figure], scales: Sequence[int],
                   reading: list[str], profile_notes: list[str],
                   sections: Sequence[tuple[str, str]] = ()) -> None:
    """`sections`: (title, Markdown body) of the other benchmarks, placed after the queue table."""
    facts = "\n".join(f"- {k}: {v}" for k, v in machine.items())
    extra = "".join(f"## {title}\n\n{body.strip()}\n\n" for title, body in sections)
    text = f"""# Benchmarks

Written by {command}; rerun the same command to regenerate it. Numbers from one run
on the machine below. These machines are noisy (±30 %), so every figure sits next to a baseline
measured in the same run, ratios are of medians, and nothing anywhere asserts on time.

## Machine

{facts}

## How it was measured

{chr(10).join("- " + s for s in setup)}

## Cold start

{render_markdown(cold_table(cold))}

## Queue at scale and opening a ticket

Times are key press → first frame showing the result (ms, median / p95 over all samples of all runs);
RSS in MiB.

{render_markdown(queue_table(figures, scales))}

{extra}## Reading the numbers

{chr(10).join(reading)}

## Where the time goes

{chr(10).join(profile_notes)}
"""
    path.write_text(text, encoding="utf-8")
