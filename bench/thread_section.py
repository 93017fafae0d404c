"""A long conversation (issue #9, point 5): runs of `bench.thread_probe` and their part of the report."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.probes import run_probe
from bench.stats import Summary, summarize
from supportdesk_tui.demo import BackendProcess

MESSAGES = 2_000
FIRST_FRAME_TARGET_S = 0.300
OPENS_PER_RUN = 3


def measure_thread(workdir: Path, runs: int, say: Callable[[str], None]) -> dict[str, Any]:
    from bench.long_thread import seed_long_thread

    workdir.mkdir(parents=True, exist_ok=True)
    backend = BackendProcess(workdir, ["--rate-limit", "0"], name="thread")
    backend.start()
    try:
        long_id, small_id = seed_long_thread(backend, MESSAGES)
        token = backend.token_for("lena")
        results = []
        for n in range(runs):
            say(f"long conversation run {n + 1}/{runs}: {MESSAGES:,} messages vs a short thread")
            results.append(run_probe("bench.thread_probe", "--url", backend.url, "--token", token,
                                     "--ticket", str(long_id), "--small-ticket", str(small_id),
                                     "--opens", str(OPENS_PER_RUN), timeout=300))
    finally:
        backend.stop()
    return {"runs": results, "messages": MESSAGES, "opens": OPENS_PER_RUN}


def _samples(result: dict[str, Any], key: str) -> list[float]:
    samples: list[float] = []
    for run in result["runs"]:
        value = run.get(key)
        values = value if isinstance(value, list) else [value]
        samples.extend(float(v) for v in values if v is not None)
    return samples


def _cell(summary: Summary, unit: str) -> str:
    if summary.n == 0 or math.isnan(summary.median):
        return "—"
    if unit == "MiB":
        return f"{summary.median / 1024:.0f} / {summary.p95 / 1024:.0f}"
    if unit == "count":
        return f"{summary.median:.0f} / {summary.p95:.0f}"
    return f"{summary.median * 1000:.0f} / {summary.p95 * 1000:.0f}"


def thread_rows(result: dict[str, Any]) -> list[list[str]]:
    specs: list[tuple[str, str, str | None, str]] = [
        ("Open (enter → newest message shown)", "ms", "open_small_s", "open_long_s"),
        ("  · of which garbage-collector pauses", "ms", "open_small_gc_s", "open_long_gc_s"),
        ("  · the 2 GETs it waits for, alone", "ms", "api_open_small_s", "api_open_long_s"),
        ("Page up while reading back", "ms", None, "pageup_s"),
        ("Home: to the first message", "ms", None, "top_s"),
        ("  · the requests home waits for, alone", "ms", None, "api_top_floor_s"),
        ("End: back to the newest", "ms", None, "end_s"),
        ("RSS after opening", "MiB", "rss_small_open_kib", "rss_long_open_kib"),
        ("RSS at the first message", "MiB", None, "rss_top_kib"),
        ("Message cards mounted after opening", "count", "cards_small_open", "cards_long_open"),
        ("Message cards mounted at the first message", "count", None, "cards_top"),
        ("Messages held in memory at the first message", "count", None, "held_top"),
    ]
    rows = [["Figure (median / p95)", "Unit", "Short thread (baseline)", f"{MESSAGES:,} messages"]]
    for name, unit, small_key, long_key in specs:
        small = _cell(summarize(_samples(result, small_key)), unit) if small_key else "—"
        rows.append([name, unit, small, _cell(summarize(_samples(result, long_key)), unit)])
    return rows


def thread_reading(result: dict[str, Any]) -> list[str]:
    opened = summarize(_samples(result, "open_long_s"))
    small_rss = summarize(_samples(result, "rss_small_open_kib"))
    top_rss = summarize(_samples(result, "rss_top_kib"))
    cards = summarize(_samples(result, "cards_top"))
    met = opened.p95 < FIRST_FRAME_TARGET_S
    growth = (top_rss.median - small_rss.median) / 1024 if small_rss.n and top_rss.n else math.nan
    return [
        f"- Long conversation: first frame < 300 ms: {'**met**' if met else '**missed**'} "
        f"({opened.median * 1000:.0f} / {opened.p95 * 1000:.0f} ms for {MESSAGES:,} messages).",
        f"- Long conversation: memory follows what is on screen: at the first message {cards.median:.0f} "
        f"cards are mounted and RSS is {growth:+.0f} MiB against the short thread.",
    ]


def thread_setup(result: dict[str, Any]) -> str:
    runs = len(result["runs"])
    return (
        f"Long conversation: a ticket with {result['messages']:,} messages (customer and agent "
        "alternating, notes, RU/EN, 50–1,500 characters; seeded by `bench.long_thread` through the "
        "server's Store) next to one with a handful (the baseline); `python -m bench.thread_probe`, "
        f"{runs} fresh interpreter(s) × {result['opens']} opens of each: enter → the newest message laid "
        "out, page up while reading back, home → the first message at the top, end → the newest again."
    )
