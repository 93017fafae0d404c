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
KEY_FRAME_TARGET_S = 0.016
OPENS_PER_RUN = 3
HELD_KEYS = ("held_after_pageups", "held_top", "held_after_pagedowns", "held_newest")


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
    if key == "held_most":
        return [max(held) for held in zip(*(_samples(result, k) for k in HELD_KEYS), strict=False)]
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
        ("Page up while reading back (key → frame)", "ms", None, "pageup_s"),
        ("Home: to the first message (key → frame)", "ms", None, "top_s"),
        ("  · requests home made", "count", None, "home_requests"),
        ("  · the request home waits for, alone", "ms", None, "api_top_floor_s"),
        ("Page down from the first message (key → frame)", "ms", None, "pagedown_s"),
        ("End: back to the newest (key → frame)", "ms", None, "end_s"),
        ("  · requests end made", "count", None, "end_requests"),
        ("RSS after opening", "MiB", "rss_small_open_kib", "rss_long_open_kib"),
        ("RSS at the first message", "MiB", None, "rss_top_kib"),
        ("RSS back at the newest", "MiB", None, "rss_newest_kib"),
        ("Message cards drawn (the window around the view) after opening", "count", "cards_small_open",
         "cards_long_open"),
        ("Message cards drawn at the first message", "count", None, "cards_top"),
        ("Message cards drawn back at the newest", "count", None, "cards_newest"),
        ("Messages held in memory at the first message", "count", None, "held_top"),
        ("Messages held in memory back at the newest", "count", None, "held_newest"),
        ("Messages held at most (after page-ups, at the first, after page-downs, newest)", "count", None,
         "held_most"),
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
    home_requests = summarize(_samples(result, "home_requests"))
    held = summarize(_samples(result, "held_most"))
    met = opened.p95 < FIRST_FRAME_TARGET_S
    growth = (top_rss.median - small_rss.median) / 1024 if small_rss.n and top_rss.n else math.nan
    keys = [(name, summarize(_samples(result, key))) for name, key in
            (("page up", "pageup_s"), ("page down", "pagedown_s"), ("home", "top_s"), ("end", "end_s"))]
    missed = [f"{name} {s.p95 * 1000:.0f} ms" for name, s in keys if s.n and s.p95 > KEY_FRAME_TARGET_S]
    one_request = home_requests.n > 0 and home_requests.p95 <= 1
    return [
        f"- Long conversation: first frame < 300 ms: {'**met**' if met else '**missed**'} "
        f"({opened.median * 1000:.0f} / {opened.p95 * 1000:.0f} ms for {MESSAGES:,} messages).",
        f"- Long conversation: home in one request: {'**met**' if one_request else '**missed**'} "
        f"({home_requests.p95:.0f} at most).",
        f"- Long conversation: memory follows what is on screen: at most {held.p95:.0f} of the "
        f"{MESSAGES:,} messages held, {cards.median:.0f} cards drawn at the first message, RSS "
        f"{growth:+.0f} MiB against the short thread.",
        "- Long conversation: scroll keys → frame ≤ 16 ms p95: "
        + ("**met**." if not missed else f"**missed** (p95: {', '.join(missed)}); see *Where the time "
           "goes*."),
    ]


def thread_setup(result: dict[str, Any]) -> str:
    runs = len(result["runs"])
    return (
        f"Long conversation: a ticket with {result['messages']:,} messages (customer and agent "
        "alternating, notes, RU/EN, 50–1,500 characters; seeded by `bench.long_thread` through the "
        "server's Store) next to one with a handful (the baseline); `python -m bench.thread_probe`, "
        f"{runs} fresh interpreter(s) × {result['opens']} opens of each: enter → the newest message laid "
        "out, 15 × page up while reading back, home → the first message at the top, 15 × page down, "
        "end → the newest again. Each key → the first frame showing its result (the view moved; the "
        "first or the newest message in view). Requests: the app's message-list calls counted from the "
        "key to that frame. Held: the messages the thread keeps in memory; cards: message cards drawn "
        "(the window of blocks the line-drawn thread keeps laid out; nothing is mounted per message); "
        "RSS after `gc.collect()` and a settle."
    )
