"""A slow link (issue 17): the app through `bench.slow_link` (+300 ms round trip) beside the same
app straight on loopback, runs of `bench.slow_link_probe`, and their part of the report."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.backend import bulk_backend, lead_token
from bench.probes import run_probe
from bench.slow_link import SlowLinkProcess
from bench.stats import Summary, summarize

ONE_WAY_S = 0.15
TICKETS = 1_000
FRAME_S = 0.016
TITLE = "A slow link: +300 ms round trip"
MODES = ("direct", "slow")


def measure_slow_link(workdir: Path, runs: int, say: Callable[[str], None], *, moves: int = 30,
                      filters: int = 2, opens: int = 3, sends: int = 2) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    backend = bulk_backend(workdir, TICKETS)
    backend.start()
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    args = ("--moves", str(moves), "--filters", str(filters), "--opens", str(opens), "--sends", str(sends))
    try:
        token = lead_token(backend)
        with SlowLinkProcess(backend.url, ONE_WAY_S) as slow_url:
            for n in range(runs):
                for mode, url in (("direct", backend.url), ("slow", slow_url)):  # interleaved
                    say(f"slow link run {n + 1}/{runs}: {mode}")
                    results[mode].append(run_probe("bench.slow_link_probe", "--url", url, "--token", token,
                                                   *args, timeout=600))
    finally:
        backend.stop()
    return {"runs": results, "moves": moves, "filters": filters, "opens": opens, "sends": sends,
            "count": runs}


def _samples(result: dict[str, Any], mode: str, key: str) -> list[float]:
    samples: list[float] = []
    for run in result["runs"][mode]:
        value = run.get(key)
        values = value if isinstance(value, list) else [value]
        samples.extend(float(v) for v in values if v is not None)
    return samples


def _summary(result: dict[str, Any], mode: str, key: str) -> Summary:
    return summarize(_samples(result, mode, key))


def _cell(summary: Summary) -> str:
    if summary.n == 0 or math.isnan(summary.median):
        return "—"
    return f"{summary.median * 1000:.0f} / {summary.p95 * 1000:.0f}"


SPECS: list[tuple[str, str]] = [
    ("One request alone (GET /me): the link's round trip", "round_trip_s"),
    ("Start → first rows on screen (in-process)", "first_rows_s"),
    ("Cursor move (j), key → frame", "move_s"),
    ("Filter applied or cleared (enter / esc) → rows shown", "filter_shown_s"),
    ("  · → the server's rows in their place", "filter_answered_s"),
    ("Open a ticket (enter → messages shown), prefetched", "open_s"),
    ("Open a ticket not prefetched (j+enter at once)", "open_uncached_s"),
    ("Composer: a typed key → frame", "composer_key_s"),
    ("Send (ctrl+s) → reply shown as sending", "send_shown_s"),
    ("Send (ctrl+s) → confirmed by the server", "send_confirmed_s"),
]


def slow_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = [["Figure (median / p95, ms)", "Direct on loopback (baseline)",
             f"Through the proxy (+{2 * ONE_WAY_S * 1000:.0f} ms round trip)"]]
    for name, key in SPECS:
        rows.append([name, _cell(_summary(result, "direct", key)), _cell(_summary(result, "slow", key))])
    return rows


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def slow_reading(result: dict[str, Any]) -> list[str]:
    rtt = _summary(result, "slow", "round_trip_s").median
    lines: list[str] = []
    keys = [("cursor moves", "move_s"), ("filters shown", "filter_shown_s"),
            ("composer keys", "composer_key_s"), ("send shown as sending", "send_shown_s")]
    parts = []
    all_met = True
    for label, key in keys:
        slow, direct = _summary(result, "slow", key), _summary(result, "direct", key)
        # "Answers within a frame" through the proxy: no round trip in it, judged on p95 against a
        # frame, with the same figure on loopback beside it (the machine's own cost, no network).
        met = slow.p95 <= FRAME_S
        all_met &= met
        parts.append(f"{label} {slow.median * 1000:.0f} / {slow.p95 * 1000:.0f} ms "
                     f"(direct {direct.median * 1000:.0f} / {direct.p95 * 1000:.0f})")
    lines.append("- Slow link: every key within a frame (p95 ≤ 16 ms) through the proxy: "
                 f"{_verdict(all_met)} — " + "; ".join(parts) + ".")
    waits_for_network = [label for label, key in keys
                         if _summary(result, "slow", key).median - _summary(result, "direct", key).median
                         >= rtt / 2]
    lines.append("- Slow link: no key waits for the network: "
                 + (_verdict(True) + " (each key's figure is the same with and without the proxy, "
                    "within noise)." if not waits_for_network else
                    _verdict(False) + f" ({', '.join(waits_for_network)} add a round trip)."))
    for label, key, trips in (("open (not prefetched)", "open_uncached_s", 1),
                              ("send → confirmed", "send_confirmed_s", 1),
                              ("start → rows", "first_rows_s", None)):
        slow, direct = _summary(result, "slow", key), _summary(result, "direct", key)
        added = slow.median - direct.median
        count = added / rtt if rtt else math.nan
        if trips is None:
            lines.append(f"- Slow link: {label} adds {added * 1000:.0f} ms ≈ {count:.1f} round trips "
                         "(connection, sign-in, first page; the issue sets no target).")
            continue
        lines.append(f"- Slow link: {label} costs one round trip: {_verdict(count < trips + 0.5)} "
                     f"(+{added * 1000:.0f} ms over loopback ≈ {count:.1f} round trips of "
                     f"{rtt * 1000:.0f} ms).")
    return lines


def slow_setup(result: dict[str, Any]) -> str:
    return (
        f"Slow link: `python -m bench.slow_link` is an asyncio TCP proxy on loopback that delivers every "
        f"chunk {ONE_WAY_S * 1000:.0f} ms after reading it, in each direction and in order (a round trip "
        f"+{2 * ONE_WAY_S * 1000:.0f} ms, a new connection one more; the event stream keeps flowing). A "
        f"{TICKETS:,}-ticket bulk backend; `python -m bench.slow_link_probe` drives the real app headless "
        f"(Pilot, 160x48, as a lead) once straight at the backend and once through the proxy, "
        f"{result['count']} interleaved run(s) each: start → first rows; {result['moves']} × `j`; "
        f"{result['filters']} × (type `priority:high`, enter is timed; esc is timed; each 20 ms after "
        "the last frame) → the first frame "
        "with the new list's rows, and → the server's rows in their place; one uncounted open, then "
        f"{result['opens']} × open after the preview fetched the ticket and {result['opens']} × `j`+enter "
        f"at once; {result['sends']} × (open, `r`, type a short reply key by key, 20 ms apart as the "
        "queue's moves, each timed; ctrl+s) → "
        "the reply in the thread as \"sending…\", and → confirmed (the server's message in its place). "
        "All times key → the first frame that shows the result."
    )
