"""`python -m bench [--quick] [--only SECTION,...] [--queue-sizes N,...]`: measure, write docs/benchmarks.md.

With `--only`, only those sections run and only their parts of the report are rewritten (their
table, their bullets in "How it was measured", their lines in "Reading the numbers"; bench/document.py),
each stamped with the date, command and load average of its run; every other byte stays.

Figures (median and p95 over repeated runs), each next to a baseline measured in the same run:
1. cold start in a pseudo-terminal vs a trivial Textual app;
2. the queue on backends with 1,000 / 100,000 / 1,000,000 tickets vs Textual's DataTable;
3. key → frame for cursor moves, opening a ticket (cached and not), inserting a canned reply;
4. live latency: a change committed on the backend → the frame that shows it, vs a bare SSE reader;
5. a 2,000-message conversation vs a short one;
6. the backend under a team of 10 / 100 / 500 simulated agents vs one agent on an idle server;
7. scale-out: two instances on PostgreSQL next to one on SQLite under 500 / 1,000 agents, and a
   failover (bench/cluster_load.py);
8. a slow link: the app through a delaying proxy (+300 ms round trip) vs straight on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    cluster_section,
    document,
    live_section,
    report,
    slow_link_section,
    team_section,
    thread_section,
)
from bench.backend import bulk_backend, lead_token
from bench.coldstart import (
    TEXTUAL_STARTED,
    clean_environment,
    run_until_file,
    time_to_stages,
    time_to_text,
)
from bench.document import SectionReport
from bench.machine import facts, load_average
from bench.probes import REPO, run_probe
from bench.report import ColdStart, Figure
from bench.stats import summarize
from bench.trivial_app import READY_TEXT
from supportdesk_tui.demo import BackendProcess

MILLION_SEED_BUDGET_SECONDS = 70.0
COLD_TARGET = 1.3
# The queue's header marks its sort column (SLA, the default sort) with this arrow.
QUEUE_SORT_ARROW = "▲".encode()
SCALE_TARGET = 1.2
MOVE_TARGET_S = 0.016
OPEN_TARGET_S = 0.050  # p95, the ticket already fetched by the queue's preview (issue 17)
OPEN_UNCACHED_TARGET_S = 0.080  # p95, nothing prefetched
MEMORY_GROWTH_TARGET = 1.1  # RSS after opening 200 tickets ÷ after opening 10
MEMORY_BASELINE_TARGET = 1.5  # RSS after opening 200 tickets ÷ the DataTable baseline app's
MEMORY_PROBE_RUNS = 2  # the 200 opens take a minute or more: only the first runs of each size do them
DASHBOARD_SCALES = (1_000, 100_000)  # the dashboard's event storms run on these queue backends


@dataclass(frozen=True)
class Plan:
    cold_runs: int
    probe_runs: int
    opens: int
    moves: int
    pagedowns: int
    canned: int
    scales: tuple[int, ...]
    try_million: bool
    live_seconds: float
    thread_runs: int
    dashboard_storm: bool
    slow_runs: int = 2


QUICK = Plan(cold_runs=4, probe_runs=1, opens=3, moves=30, pagedowns=10, canned=2, scales=(1_000, 100_000),
             try_million=False, live_seconds=2.0, thread_runs=1, dashboard_storm=False,
             slow_runs=1)
FULL = Plan(cold_runs=10, probe_runs=4, opens=5, moves=50, pagedowns=20, canned=3, scales=(1_000, 100_000),
            try_million=True, live_seconds=10.0, thread_runs=3, dashboard_storm=True)

_began = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _began:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- 1. cold start ---------------------------------------------------------------------


async def _first_page_subjects(url: str, token: str) -> list[bytes]:
    from supportdesk_tui.api.client import SupportDeskClient
    from supportdesk_tui.domain.query import TicketQuery

    params = TicketQuery().to_params()
    params["sort"] = "sla_due"
    async with SupportDeskClient(url, token) as api:
        page = await api.list_tickets(params, page_size=100)
    # A prefix, so a subject cut short by its column still matches; bytes as the terminal gets them.
    return sorted({t.subject[:12].encode() for t in page.items if len(t.subject) >= 8})


def measure_cold_start(workdir: Path, runs: int) -> ColdStart:
    from supportdesk_tui.demo import demo_server

    server = demo_server(workdir / "demo")
    (workdir / "demo").mkdir()
    try:
        url = server.start()
        token = server.token_for("anna")
        needles = asyncio.run(_first_page_subjects(url, token))
        trivial_argv = [sys.executable, "-m", "bench.trivial_app"]
        app_argv = [sys.executable, "-m", "supportdesk_tui", "--server", url]

        def trivial() -> float:
            return time_to_text(trivial_argv, clean_environment({}), [READY_TEXT.encode()], cwd=REPO)

        def app(n: int) -> tuple[float, float]:
            home = workdir / f"home-{n}"  # a fresh home each run: nothing cached from the last one
            env = clean_environment({"SUPPORTDESK_TOKEN": token, "SUPPORTDESK_HOME": str(home)})
            # A subject painted while the app loads (first_start.py, marked as loading), Textual
            # starting, the live queue's header (its sort arrow), then a subject in its rows.
            stages = [needles, [TEXTUAL_STARTED], [QUEUE_SORT_ARROW], needles]
            shown, _textual, _queue, live = time_to_stages(app_argv, env, stages, cwd=REPO)
            return shown, live

        # One home kept across runs: each start paints the page the one before it cached.
        cached_home = workdir / "home-cached"
        cached_env = clean_environment({"SUPPORTDESK_TOKEN": token, "SUPPORTDESK_HOME": str(cached_home)})

        def app_cached() -> tuple[float, float]:
            # A cached subject (the pre-paint), Textual starting, the live queue's header (its sort
            # arrow: the cached page on the connect screen has none), then a subject in its rows.
            stages = [needles, [TEXTUAL_STARTED], [QUEUE_SORT_ARROW], needles]
            shown, _textual, _queue, fresh = time_to_stages(app_argv, cached_env, stages, cwd=REPO)
            return shown, fresh

        trivial(), app(-1)  # warm-up (OS file cache, .pyc), not counted
        # A first start with that home fills the cache (the queue writes it once its first page
        # is on screen); not counted.
        run_until_file(app_argv, cached_env, cached_home / "cache" / "first-page.json", cwd=REPO)
        result = ColdStart([], [])
        for n in range(runs):  # interleaved, so drift in machine load hits all alike
            result.trivial.append(trivial())
            shown, live = app(n)
            result.app.append(shown)
            result.app_live.append(live)
            shown, fresh = app_cached()
            result.cached.append(shown)
            result.cached_fresh.append(fresh)
        return result
    finally:
        server.stop()


# --- 2 and 3. queue at scale, opening a ticket -------------------------------------------


def start_backends(workdir: Path, plan: Plan) -> dict[int, BackendProcess]:
    backends: dict[int, BackendProcess] = {}
    for scale in plan.scales:
        say(f"seeding and starting a backend with {scale:,} tickets")
        backend = bulk_backend(workdir, scale)
        backends[scale] = backend
        backend.start(timeout=MILLION_SEED_BUDGET_SECONDS * 4 if scale >= 1_000_000 else 60.0)
        say(f"  listening after {backend.start_seconds:.1f} s")
    if plan.try_million and 1_000_000 not in backends and {1_000, 100_000} <= set(backends):
        small, big = backends[1_000].start_seconds, backends[100_000].start_seconds
        estimate = small + (big - small) * 10
        if estimate <= MILLION_SEED_BUDGET_SECONDS:
            say(f"seeding 1,000,000 tickets (estimated {estimate:.0f} s)")
            backend = bulk_backend(workdir, 1_000_000)
            backends[1_000_000] = backend
            backend.start(timeout=MILLION_SEED_BUDGET_SECONDS * 4)
            say(f"  listening after {backend.start_seconds:.1f} s")
        else:
            say(f"skipping 1,000,000 tickets: the seed would take about {estimate:.0f} s")
    return backends


def measure_queues(backends: dict[int, BackendProcess], plan: Plan) -> dict[int, list[dict[str, Any]]]:
    tokens = {scale: lead_token(backend) for scale, backend in backends.items()}
    runs: dict[int, list[dict[str, Any]]] = {scale: [] for scale in backends}
    for n in range(plan.probe_runs):
        for scale, backend in backends.items():  # interleaved across scales, like the cold start
            say(f"queue run {n + 1}/{plan.probe_runs} at {scale:,} tickets")
            memory_opens = "200" if n < MEMORY_PROBE_RUNS else "0"
            runs[scale].append(run_probe("bench.queue_probe", "--url", backend.url, "--token", tokens[scale],
                                         "--opens", str(plan.opens), "--moves", str(plan.moves),
                                         "--pagedowns", str(plan.pagedowns), "--canned", str(plan.canned),
                                         "--memory-opens", memory_opens, timeout=900))
    return runs


def measure_dashboard(backends: dict[int, BackendProcess]) -> dict[int, list[dict[str, Any]]]:
    """One dashboard run per backend: event storms and an hour of events (bench/dashboard_probe.py)."""
    runs: dict[int, list[dict[str, Any]]] = {}
    for scale, backend in backends.items():
        say(f"dashboard run at {scale:,} tickets")
        token = lead_token(backend)
        args = ("--url", backend.url, "--token", token)
        runs[scale] = [run_probe("bench.dashboard_probe", *args, timeout=900)]
    return runs


def dashboard_figures(runs: dict[int, list[dict[str, Any]]]) -> list[Figure]:
    specs: list[tuple[str, str, str, str, str | None]] = [
        ("Dashboard: events/s absorbed (flood)", "ev/s", "the issue's storm: 100/s", "flood_events_per_s",
         None),
        ("Dashboard: redraws per frame in the flood", "ratio", "one per frame", "flood_redraws_per_frame",
         None),
        ("Dashboard: redraws/s at 100 events/s", "per s", "", "storm100_redraws_per_s", None),
        ("Dashboard: RSS after an hour of events (100/s)", "MiB", "RSS with the dashboard just open",
         "rss_after_hour_kib", "rss_dashboard_open_kib"),
    ]
    fixed = {"flood_events_per_s": [100.0], "flood_redraws_per_frame": [1.0]}
    figures: list[Figure] = []
    for name, unit, label, key, base_key in specs:
        baseline = fixed.get(key)
        if base_key is not None:
            baseline = [float(r[base_key]) for results in runs.values() for r in results]
        figure = Figure(name, unit, label, baseline)
        for scale, results in runs.items():
            figure.per_scale[scale] = gather(results, key)
        figures.append(figure)
    return figures


def dashboard_reading(figures: list[Figure], scales: tuple[int, ...]) -> list[str]:
    by_key = {f.name: f for f in figures}
    lines: list[str] = []
    for scale in scales:
        absorbed = by_key["Dashboard: events/s absorbed (flood)"].summary(scale).median
        per_frame = by_key["Dashboard: redraws per frame in the flood"].summary(scale).median
        rss = by_key["Dashboard: RSS after an hour of events (100/s)"].summary(scale).median
        lines.append(
            f"- Dashboard at {report.SCALE_LABELS[scale]}: absorbs ≥ 100 events/s at ≤ 1 redraw per frame: "
            f"{verdict(absorbed >= 100 and per_frame <= 1)} ({absorbed:,.0f} events/s, "
            f"{per_frame:.2f} redraws per frame); RSS after an hour of events {rss / 1024:.0f} MiB."
        )
    return lines


def measure_table_baseline(plan: Plan) -> list[dict[str, Any]]:
    results = []
    for n in range(plan.probe_runs):
        say(f"DataTable baseline run {n + 1}/{plan.probe_runs}")
        results.append(run_probe("bench.table_baseline"))
    return results


def gather(results: list[dict[str, Any]], key: str) -> list[float]:
    samples: list[float] = []
    for result in results:
        value = result.get(key)
        values = value if isinstance(value, list) else [value]
        samples.extend(v for v in values if v is not None)  # None: did not finish (see the reading)
    return samples


def build_figures(runs: dict[int, list[dict[str, Any]]], base: list[dict[str, Any]],
                  pagedowns: int) -> list[Figure]:
    floor_1k = gather(runs[1_000], "api_open_s")
    specs: list[tuple[str, str, str, list[float] | None, str]] = [
        ("Start → first rows on screen (in-process)", "s",
         "DataTable, 1,000 local rows", gather(base, "first_rows_s"), "first_rows_s"),
        ("Cursor move (j), key → frame", "ms", "DataTable, 1,000 rows", gather(base, "move_s"), "move_s"),
        ("  · moves inside the view", "ms", "", None, "move_in_view_s"),
        ("  · moves that scroll the list", "ms", "", None, "move_scrolling_s"),
        ("50 moves sent at once → last one shown", "ms", "DataTable, 1,000 rows",
         gather(base, "burst_s"), "burst_s"),
        ("Page down → visible rows loaded and shown", "ms", "DataTable, 1,000 rows",
         gather(base, "pagedown_s"), "pagedown_s"),
        (f"RSS after {pagedowns} page-downs", "MiB", "DataTable app, same steps",
         gather(base, "rss_after_paging_kib"), "rss_after_paging_kib"),
        ("Open a ticket (enter → messages shown)", "ms", "the 2 GETs it waits for (1k)", floor_1k, "open_s"),
        ("  · of which garbage-collector pauses", "ms", "", None, "open_gc_s"),
        ("Open a ticket not prefetched (j+enter at once)", "ms", "the 2 GETs it waits for (1k)", floor_1k,
         "open_uncached_s"),
        ("Insert a canned reply (enter → text in composer)", "ms", "", None, "canned_insert_s"),
        ("Jump to the last ticket (G → last row shown)", "ms", "", None, "jump_end_s"),
        ("RSS after G and the opens", "MiB", "", None, "rss_after_jump_kib"),
        ("RSS after opening 10 tickets one after another", "MiB", "DataTable app, same steps",
         gather(base, "rss_after_paging_kib"), "rss_after_10_opens_kib"),
        ("RSS after opening 200 tickets one after another", "MiB", "DataTable app, same steps",
         gather(base, "rss_after_paging_kib"), "rss_after_200_opens_kib"),
        ("API floor: GET ticket + GET messages", "ms", "", None, "api_open_s"),
        ("API floor: first queue page (100 rows)", "ms", "", None, "api_first_page_s"),
    ]
    figures: list[Figure] = []
    for name, unit, label, baseline, key in specs:
        figure = Figure(name, unit, label, baseline)
        for scale, results in runs.items():
            figure.per_scale[scale] = gather(results, key)
        figures.append(figure)
    return figures


# --- verdicts ------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def cold_reading(cold: ColdStart) -> list[str]:
    lines: list[str] = []
    trivial_median = summarize(cold.trivial).median
    lines.append(
        f"- Cold start ≤ {COLD_TARGET}× the trivial app, first start (nothing cached): "
        f"{verdict(cold.ratio <= COLD_TARGET)} "
        f"({cold.ratio:.2f}×: {summarize(cold.app).median:.2f} s vs {trivial_median:.2f} s)."
    )
    if cold.app_live:
        lines[-1] = (lines[-1][:-1] + "; subjects painted while the app loads, marked as loading; the "
                     f"live queue follows at {summarize(cold.app_live).median:.2f} s "
                     f"({cold.app_live_ratio:.2f}×).")
    if cold.cached:
        lines.append(
            f"- Cold start ≤ {COLD_TARGET}× the trivial app, with the last session's cache (cached "
            f"subjects on screen, marked as cached): {verdict(cold.cached_ratio <= COLD_TARGET)} "
            f"({cold.cached_ratio:.2f}×: {summarize(cold.cached).median:.2f} s vs {trivial_median:.2f} s); "
            f"the fresh first page follows at {summarize(cold.cached_fresh).median:.2f} s "
            f"({cold.cached_fresh_ratio:.2f}×)."
        )
    return lines


def queue_reading(figures: list[Figure], scales: tuple[int, ...]) -> list[str]:
    by_key = {f.name: f for f in figures}
    lines: list[str] = []
    # Sub-rows (·) and the API floors explain the figures; the target is judged on the figures.
    compared = [f for f in figures if not f.name.startswith(("API floor", "  ·", "Dashboard"))]
    for big in (s for s in scales if s != 1_000):
        label = report.SCALE_LABELS[big]
        misses = [f"{f.name.strip(' ·')} {f.scale_ratio(big):.2f}×" for f in compared
                  if f.scale_ratio(big) > SCALE_TARGET]
        worst = max(compared, key=lambda f: f.scale_ratio(big))
        target_note = "target" if big == 100_000 else "same bar, for information"
        lines.append(
            f"- {label} within {SCALE_TARGET}× of 1k on every figure ({target_note}): "
            f"{verdict(not misses)}"
            + (f" — over: {'; '.join(misses)}." if misses else
               f" (largest ratio: {worst.name.strip(' ·')} {worst.scale_ratio(big):.2f}×).")
        )
    move = by_key["Cursor move (j), key → frame"]
    in_view = by_key["  · moves inside the view"]
    scrolling = by_key["  · moves that scroll the list"]
    for scale in scales:
        s, v, sc = move.summary(scale), in_view.summary(scale), scrolling.summary(scale)
        label = report.SCALE_LABELS[scale]
        lines.append(
            f"- Cursor move < 16 ms at {label}: median {verdict(s.median < MOVE_TARGET_S)}, "
            f"p95 {verdict(s.p95 < MOVE_TARGET_S)} ({s.median * 1000:.1f} / {s.p95 * 1000:.1f} ms; "
            f"in view {report.fmt(v.median, 'ms')} ms, scrolling {report.fmt(sc.median, 'ms')} ms median)."
        )
    floor = by_key["API floor: GET ticket + GET messages"]
    opens = (("Open a ticket (enter → messages shown)", "Open a ticket (prefetched by the preview)",
              OPEN_TARGET_S),
             ("Open a ticket not prefetched (j+enter at once)", "Open a ticket (not prefetched)",
              OPEN_UNCACHED_TARGET_S))
    for name, what, target in opens:
        opened = by_key[name]
        for scale in scales:
            s, f = opened.summary(scale), floor.summary(scale)
            label = report.SCALE_LABELS[scale]
            lines.append(
                f"- {what} p95 ≤ {target * 1000:.0f} ms at {label}: {verdict(s.p95 <= target)} "
                f"({s.median * 1000:.0f} / {s.p95 * 1000:.0f} ms median / p95; "
                f"the two requests alone take {f.median * 1000:.0f} ms)."
            )
    lines.extend(memory_reading(by_key, scales))
    canned = by_key["Insert a canned reply (enter → text in composer)"]
    jump = by_key["Jump to the last ticket (G → last row shown)"]
    for scale in scales:
        c, j = canned.summary(scale), jump.summary(scale)
        label = report.SCALE_LABELS[scale]
        if c.n:
            lines.append(f"- Insert a canned reply at {label}: {c.median * 1000:.0f} / {c.p95 * 1000:.0f} ms "
                         "(the issue sets no target for it; one frame at 60 Hz is 16.7 ms).")
        if j.n == 0:
            lines.append(f"- Jump to the last ticket at {label}: **did not finish** within the probe's "
                         "limit.")
    lines.append(
        "\nA frame here is what Textual writes to the terminal: the bench wraps `App._display` and also "
        "renders the update to terminal bytes, which headless mode skips. Textual paints at most every "
        "1/60 s, so a key that lands just after a frame waits up to ~17 ms for the next one; that "
        "pacing is inside every key → frame figure. With 3–6 runs, p95 is close to the worst sample."
    )
    return lines


def memory_reading(by_key: dict[str, Figure], scales: tuple[int, ...]) -> list[str]:
    """Opening tickets leaves nothing behind: RSS after 200 opens against after 10, and against the
    DataTable baseline app."""
    few = by_key["RSS after opening 10 tickets one after another"]
    many = by_key["RSS after opening 200 tickets one after another"]
    base = many.base_summary()
    lines: list[str] = []
    for scale in scales:
        f, m = few.summary(scale), many.summary(scale)
        if f.n == 0 or m.n == 0 or base is None or base.n == 0:
            continue
        growth, against_base = m.median / f.median, m.median / base.median
        lines.append(
            f"- Memory at {report.SCALE_LABELS[scale]}: RSS after 200 opens ≤ {MEMORY_GROWTH_TARGET}× after "
            f"10 {verdict(growth <= MEMORY_GROWTH_TARGET)} ({growth:.2f}×: {m.median / 1024:.0f} vs "
            f"{f.median / 1024:.0f} MiB, {(m.median - f.median) / 190:.0f} KiB per ticket); "
            f"≤ {MEMORY_BASELINE_TARGET}× the DataTable app "
            f"{verdict(against_base <= MEMORY_BASELINE_TARGET)} "
            f"({against_base:.2f}×: {base.median / 1024:.0f} MiB)."
        )
    return lines


# "Where the time goes": written by hand from profiles (bench/profile_notes.md), not measured by
# the run; kept in a file of its own so it is edited as prose, and copied into the report as is.
PROFILE_NOTES = (Path(__file__).with_name("profile_notes.md").read_text(encoding="utf-8")
                 .rstrip("\n").split("\n"))


# --- the sections' parts of the report -------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """Which run wrote a section: when, by which command, on how busy a machine."""

    command: str
    date: str
    load_start: str
    load_end: str

    def line(self) -> str:
        return document.stamp(self.command, self.date, self.load_start, self.load_end)


def cold_report(cold: ColdStart, plan: Plan, stamp: Stamp) -> SectionReport:
    setup = (
        f"Cold start: `python -m supportdesk_tui --server URL` (agent `anna`, demo backend, fresh "
        f"SUPPORTDESK_HOME each run) in a pty it owns, TERM=xterm-256color, 160x48; timed from spawn "
        f"until the output holds a subject from the queue's first page; then killed. Baseline "
        f"`python -m bench.trivial_app` timed until its label appears. With the last session's cache: "
        f"the same command with one SUPPORTDESK_HOME kept across runs (a discarded first run fills "
        f"the cache the queue writes after showing its first page), timed until a subject of that "
        f"page is on screen (the pre-paint, marked as cached, before Textual loads; the connect "
        f"screen keeps showing it) and until a subject appears in the live queue's rows (after "
        f"Textual's driver has started and the queue's header with its sort arrow is drawn). One "
        f"discarded warm-up each, then {plan.cold_runs} interleaved runs of the three."
    )
    body = f"{stamp.line()}\n\n{report.render_markdown(report.cold_table(cold))}"
    return SectionReport("cold", body, [setup], cold_reading(cold))


def queue_report(runs: dict[int, list[dict[str, Any]]], base: list[dict[str, Any]],
                 seed_seconds: dict[int, float], plan: Plan, stamp: Stamp) -> SectionReport:
    scales = tuple(runs)
    figures = build_figures(runs, base, plan.pagedowns)
    first = runs[scales[0]][0]
    setup = [
        "Queue: reference backends seeded with " + ", ".join(f"{s:,}" for s in scales)
        + " bulk tickets (no demo data, rate limit off), signed in as a lead (sees every queue); "
        + "seed + start took " + ", ".join(f"{seed_seconds[s]:.1f} s" for s in scales) + ".",
        f"Each queue run is a fresh interpreter (`python -m bench.queue_probe`) driving the real app "
        f"headless at 160x48 with Pilot: start → first rows; {plan.moves} × `j` one at a time (20 ms "
        f"apart); {plan.moves} × `k` sent at once; {plan.pagedowns} × page down; RSS (VmRSS); then "
        f"{plan.opens} × (`j`, wait for the preview, enter, escape) = open cached (the queue's preview "
        f"already fetched the ticket's first page); {plan.opens} × (`j` and enter at once) = open "
        f"uncached; {plan.canned} × (open, `c`, type `hi`, enter) = insert a canned reply; `G` "
        f"(jump to the last ticket); then, in the first {min(MEMORY_PROBE_RUNS, plan.probe_runs)} runs "
        f"of each size, memory per ticket: from the top of the queue 200 × (`j`, enter → the "
        f"ticket's messages laid out, escape), RSS read after 10 and after 200 once the app is idle "
        f"(3 s: its idle-time full collection has run), beside the DataTable baseline's RSS. "
        f"{plan.probe_runs} runs per size, sizes interleaved. Paging reached "
        f"row {first['cursor_row_reached']} with {first['pages_held']} pages ({first['rows_held']} rows) "
        f"held.",
        "Baseline for the list figures: `python -m bench.table_baseline`, Textual's DataTable with "
        "1,000 local rows driven the same way, same number of runs.",
        "Key → frame: the time from handing the key to the driver until the first frame that shows "
        "its result (cursor on the new row; for page down also every visible row loaded; for open "
        "the conversation screen with its message cards laid out; for a canned reply the composer "
        "holding the inserted text; for `G` the cursor on the last ticket with its rows loaded).",
    ]
    table = report.render_markdown(report.queue_table(figures, scales))
    body = (f"{stamp.line()}\n\nTimes are key press → first frame showing the result (ms, median / p95 over "
            f"all samples of all runs);\nRSS in MiB.\n\n{table}")
    return SectionReport("queue", body, setup, queue_reading(figures, scales))


def dashboard_report(runs: dict[int, list[dict[str, Any]]], stamp: Stamp) -> SectionReport:
    scales = tuple(runs)
    figures = dashboard_figures(runs)
    setup = (
        "Dashboard: `python -m bench.dashboard_probe` once per backend ("
        + ", ".join(f"{s:,}" for s in scales) + " bulk tickets, the queue's backends), the real app "
        "headless as a lead on the dashboard; synthetic live events are handed to it the way the event "
        "pump hands them (each still makes it refetch `/stats/live` from the backend, coalesced): a "
        "flood as fast as the loop takes them (events/s absorbed, redraws per frame), a paced storm of "
        "100 events/s (redraws/s), then an hour of events at 100/s fed as fast as possible (RSS after "
        "it, beside RSS with the dashboard just open)."
    )
    body = f"{stamp.line()}\n\n{report.render_markdown(report.queue_table(figures, scales))}"
    return SectionReport("dashboard", body, [setup], dashboard_reading(figures, scales))


def live_report(runs: dict[str, dict[float, Any]], plan: Plan, stamp: Stamp) -> SectionReport:
    body = f"{stamp.line()}\n\n{report.render_markdown(live_section.live_rows(runs))}"
    return SectionReport("live", body, [live_section.live_setup(plan.live_seconds)],
                         live_section.live_reading(runs))


def thread_report(result: dict[str, Any], stamp: Stamp) -> SectionReport:
    body = f"{stamp.line()}\n\n{report.render_markdown(thread_section.thread_rows(result))}"
    return SectionReport("thread", body, [thread_section.thread_setup(result)],
                         thread_section.thread_reading(result))


def slow_report(result: dict[str, Any], stamp: Stamp) -> SectionReport:
    body = f"{stamp.line()}\n\n{report.render_markdown(slow_link_section.slow_rows(result))}"
    return SectionReport("slow", body, [slow_link_section.slow_setup(result)],
                         slow_link_section.slow_reading(result))


def team_report(result: dict[str, Any], quick: bool, stamp: Stamp) -> SectionReport:
    command = "python -m bench.team_load" + (" --quick" if quick else "")
    body = f"{stamp.line()}\n\n{report.render_markdown(team_section.team_rows(result))}"
    return SectionReport("team", body, [team_section.team_setup(result, command)],
                         team_section.team_reading(result))


def cluster_report(result: dict[str, Any], quick: bool) -> SectionReport:
    # Self-contained (its own stamp, setup and reading): `bench.cluster_load --write` writes it alone.
    return SectionReport("cluster", cluster_section.section(result, cluster_section.command_for(quick)))


# --- main ----------------------------------------------------------------------------------


def queue_sizes(spec: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in spec.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of ticket counts: {spec!r}") from None
    known = tuple(report.SCALE_LABELS)
    if not sizes or any(s not in known for s in sizes) or 1_000 not in sizes:
        raise argparse.ArgumentTypeError(
            f"queue sizes are some of {', '.join(map(str, known))} and include 1000 (the figures are "
            f"compared with it), not {spec!r}")
    return sizes


def sections_arg(spec: str) -> tuple[str, ...]:
    try:
        return document.parse_sections(spec)
    except document.UnknownSection as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and no 1,000,000-ticket queue")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md",
                        help="where to write the Markdown report")
    parser.add_argument("--only", type=sections_arg, default=None, metavar="SECTION[,SECTION...]",
                        help="run only these sections and rewrite only their parts of the report, "
                             f"keeping the rest as it is ({', '.join((*document.SECTIONS, document.NOTES))}; "
                             f"'{document.NOTES}' rewrites \"Where the time goes\" from the bench's notes)")
    parser.add_argument("--queue-sizes", type=queue_sizes, default=None, metavar="N[,N...]",
                        help="queue backends to seed, e.g. 1000,100000 to skip the 1,000,000-ticket seed")
    return parser.parse_args(argv)


def plan_for(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else FULL
    if args.queue_sizes is not None:
        plan = replace(plan, scales=args.queue_sizes, try_million=False)
    return plan


def chosen_sections(args: argparse.Namespace, plan: Plan) -> tuple[str, ...]:
    if args.only is not None:
        return tuple(args.only)
    # The dashboard's event storms (issue #5's figures) only in the full run.
    return tuple(s for s in document.SECTIONS if s != "dashboard" or plan.dashboard_storm)


def command_line(argv: list[str]) -> str:
    return shlex.join(["python", "-m", "bench", *argv])


def measure(chosen: tuple[str, ...], plan: Plan, quick: bool, command: str, workdir: Path,
            reports: list[SectionReport]) -> None:
    """Run the chosen sections in the bench's order, adding each one's report as it is done; each
    gets the stamp of its own stretch of time."""
    started: dict[str, tuple[str, str]] = {}

    def begin(name: str) -> None:
        started[name] = (datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), load_average())

    def stamp(name: str) -> Stamp:
        date, load = started[name]
        return Stamp(command, date, load, load_average())

    if "cold" in chosen:
        begin("cold")
        say(f"cold start: {plan.cold_runs} runs each of the trivial app and SupportDesk")
        cold = measure_cold_start(workdir, plan.cold_runs)
        reports.append(cold_report(cold, plan, stamp("cold")))
    if "queue" in chosen or "dashboard" in chosen:
        scales_needed = plan.scales if "queue" in chosen else tuple(
            s for s in plan.scales if s in DASHBOARD_SCALES)
        backend_plan = replace(plan, scales=scales_needed, try_million=plan.try_million and "queue" in chosen)
        begin("queue")
        begin("dashboard")
        backends: dict[int, BackendProcess] = {}
        try:
            backends = start_backends(workdir, backend_plan)
            if "queue" in chosen:
                seed_seconds = {scale: b.start_seconds for scale, b in backends.items()}
                base = measure_table_baseline(plan)
                runs = measure_queues(backends, plan)
                reports.append(queue_report(runs, base, seed_seconds, plan, stamp("queue")))
                begin("dashboard")
            if "dashboard" in chosen:
                storm = {s: b for s, b in backends.items() if s in DASHBOARD_SCALES}
                dashboard_runs = measure_dashboard(storm)
                reports.append(dashboard_report(dashboard_runs, stamp("dashboard")))
        finally:
            for backend in backends.values():
                backend.stop()  # the other benchmarks want the two cores to themselves
    if "live" in chosen:
        begin("live")
        live_runs = live_section.measure_live(workdir / "live", plan.live_seconds, say)
        reports.append(live_report(live_runs, plan, stamp("live")))
    if "thread" in chosen:
        begin("thread")
        thread_result = thread_section.measure_thread(workdir / "thread", plan.thread_runs, say)
        reports.append(thread_report(thread_result, stamp("thread")))
    if "slow" in chosen:
        begin("slow")
        slow_result = slow_link_section.measure_slow_link(workdir / "slow", plan.slow_runs, say)
        reports.append(slow_report(slow_result, stamp("slow")))
    quick_args = ("--quick",) if quick else ()
    if "team" in chosen:
        begin("team")
        say("backend under a team: 10, 100 and 500 agents (bench.team_load)")
        team_result = run_probe("bench.team_load", *quick_args, timeout=900)
        reports.append(team_report(team_result, quick, stamp("team")))
    if "cluster" in chosen:
        say("scale-out: SQLite vs two PostgreSQL instances, then a failover (bench.cluster_load)")
        cluster_result = run_probe("bench.cluster_load", *quick_args, timeout=900)
        reports.append(cluster_report(cluster_result, quick))


def write_report(path: Path, reports: list[SectionReport], *, partial: bool, rewrite_notes: bool) -> None:
    """A full run writes the whole report; a partial one only its sections' parts of the report there."""
    if partial and path.exists():
        text = document.splice(path.read_text(encoding="utf-8"), reports)
        if rewrite_notes:
            text = document.replace_notes(text, PROFILE_NOTES)
    else:
        machine = {k: v for k, v in facts().items() if k != "date" and not k.startswith("load average")}
        text = document.splice(document.skeleton(machine, PROFILE_NOTES), reports)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    plan = plan_for(args)
    chosen = chosen_sections(args, plan)
    command = command_line(argv)
    measured = tuple(s for s in chosen if s != document.NOTES)
    workdir = Path(tempfile.mkdtemp(prefix="supportdesk-bench-"))
    reports: list[SectionReport] = []
    try:
        measure(measured, plan, args.quick, command, workdir, reports)
    except BaseException:
        if reports:  # a later section failed: keep what the earlier ones measured
            write_report(args.out, reports, partial=True, rewrite_notes=False)
            say(f"wrote the sections measured before the failure into {args.out}: "
                + ", ".join(r.name for r in reports))
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for section in reports:
        print(f"\n## {section.title}\n\n{section.body}")
        if section.reading:
            print("\n" + "\n".join(section.reading))
    write_report(args.out, reports, partial=args.only is not None, rewrite_notes=document.NOTES in chosen)
    say(f"wrote {args.out}" + (f" (sections: {', '.join(chosen)})" if args.only is not None else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
