"""Live latency (issue #9, point 4): runs of `bench.live_probe` and their part of the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.probes import run_probe
from bench.stats import summarize
from supportdesk_tui.demo import BackendProcess

RATES = (1.0, 10.0, 100.0)
VIEWS = ("queue", "dashboard")
TARGET_P95_S = 0.250


def live_backend(workdir: Path) -> BackendProcess:
    # The driver writes up to 100 changes a second: the default per-token rate limit would throttle it.
    return BackendProcess(workdir, ["--demo", "--rate-limit", "0"], name="live")


def measure_live(workdir: Path, seconds: float, say: Callable[[str], None]) -> dict[str, dict[float, Any]]:
    """One fresh demo backend per view (the dashboard run adds tickets); rates low to high."""
    results: dict[str, dict[float, Any]] = {}
    for view in VIEWS:
        backend = live_backend(workdir / view)
        (workdir / view).mkdir(parents=True, exist_ok=True)
        backend.start()
        try:
            app_token = backend.token_for("lena")
            driver_token = backend.token_for("bench-driver", "lead", [])
            results[view] = {}
            for rate in RATES:
                say(f"live latency: {view} at {rate:g} changes/s for {seconds:g} s")
                results[view][rate] = run_probe(
                    "bench.live_probe", "--url", backend.url, "--token", app_token,
                    "--driver-token", driver_token, "--rate", str(rate), "--seconds", str(seconds),
                    "--view", view, timeout=seconds * 6 + 120)
        finally:
            backend.stop()
    return results


def _ms_pair(samples: list[float]) -> str:
    s = summarize(samples)
    if s.n == 0:
        return "—"
    return f"{s.median * 1000:.0f} / {s.p95 * 1000:.0f}"


def live_rows(results: dict[str, dict[float, Any]]) -> list[list[str]]:
    rows = [["View", "Changes/s", "Commit → frame p50 / p95 (ms)", "Baseline: commit → bare SSE reader (ms)",
             "Shown / committed", "Redraws per frame (max)", "Frames/s", "App CPU"]]
    for view, by_rate in results.items():
        for rate, run in by_rate.items():
            rows.append([
                view, f"{rate:g}", _ms_pair(run["latency_s"]), _ms_pair(run["baseline_s"]),
                f"{run['changes'] - run['missed']} / {run['changes']}",
                f"{run['redraws_per_frame_max']:.2f}", f"{run['frames_per_s']:.0f}",
                f"{run['app_cpu_share'] * 100:.0f} %",
            ])
    return rows


def live_reading(results: dict[str, dict[float, Any]]) -> list[str]:
    lines: list[str] = []
    for view, by_rate in results.items():
        run = by_rate.get(100.0)
        if run is None:
            continue
        p95 = summarize(run["latency_s"]).p95
        one_per_frame = run["redraws_per_frame_max"] <= 1.0 + 1e-9
        met = p95 < TARGET_P95_S and one_per_frame and run["missed"] == 0
        lines.append(
            f"- Live latency, {view} at 100 changes/s: p95 < 250 ms with at most one redraw per frame: "
            f"{'**met**' if met else '**missed**'} (p95 {p95 * 1000:.0f} ms, "
            f"{run['redraws_per_frame_max']:.2f} redraws per frame at most, "
            f"{run['missed']} changes never shown)."
        )
    return lines


def live_setup(seconds: float) -> str:
    return (
        f"Live latency: `python -m bench.live_probe` per view and rate ({', '.join(f'{r:g}' for r in RATES)} "
        f"changes/s, {seconds:g} s each), the real app headless as the lead `lena` on a fresh demo backend "
        "(rate limit off); `bench.change_driver` commits changes in another process on a steady schedule "
        "(queue: re-assigning tickets on screen; dashboard: new tickets). A change counts as shown at the "
        "first frame drawn from it (the table line at the commit's version, or the All-queues tile with "
        "the new open count). Latency = frame − the commit's HTTP answer (CLOCK_MONOTONIC in every "
        "process). Baseline, same run: a bare SSE reader process, commit → event received. Redraws per "
        "frame: table lines drawn ÷ table height (queue), `show_state` calls (dashboard)."
    )
