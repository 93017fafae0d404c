"""`python -m bench.team_load [--quick] [--profile OUT]`: the backend under a team (issue #9, point 6).

N simulated agents (N = 10, 100, 500) against one `supportdesk serve` (demo world plus 10,000
bulk tickets, the default per-token rate limit of 50 req/s left on: a person at one action per
2–5 s is far below it, so it only costs what it costs in production). Each agent holds one event
stream and one keep-alive request connection and, after a think time of 2–5 s, browses (a page of
100 tickets of one of its queues, sometimes the next page), opens a ticket (GET ticket + GET its
newest 50 messages) or writes (a reply or an internal note with Idempotency-Key and seen_up_to
to the ticket it has open), 60/30/10. The agents run as asyncio tasks in a few processes
(`bench/team_agent.py`) on a small HTTP/1.1 client (`bench/raw_http.py`). Log-ins are spread
over a ramp; the ramp and a settling period are not counted; then a measured window. Actions
that start in the window are counted, even if they finish after it; when the last one has
finished, the event streams stay open for a drain period before they close.
The baseline, measured first in the same run, is one agent on the idle server doing the same
reads back to back (with a short gap) and a note every fourth round.

Progress goes to stderr; the last stdout line is one JSON object:

    setup       constants and one-line descriptions: agent_counts, window_s, settle_s, drain_s,
                ramp_s {N: s}, ramp, workers, think_s, mix, note_share, next_page_share,
                page_size, queues_per_agent, request_timeout_s, tickets, server, server_start_s,
                server_idle_rss_mib, client, clock, cpu, baseline, profiled, machine {…}
    baseline    latency {kind: summary}, fanout {from_response, from_send: summary,
                expected, missed}, outcomes, rounds
    runs        {"10"|"100"|"500": run}; each run:
      agents, workers, ramp_s, window_s
      tail_s              window end → the last counted action finished (long when overloaded)
      requests            requests started in the window (all kinds, any outcome)
      requests_per_s      requests / window_s
      paced_requests_per_s  what the team asks for if every answer were instant: N × requests
                          per action (1.3 with this mix) / mean think time; requests_per_s falls
                          short of it when the server cannot keep up (each agent waits for its answer)
      latency             {kind: summary} over 2xx answers; kinds: browse, open_ticket,
                          open_messages, reply (one request each), open (the two GETs of an
                          open, as the agent waits for them), reads (every GET request)
      outcomes            {kind: {outcome: count}}: ok, http_<status>, timeout,
                          connection_error:<exception>, conflict_new_activity
      errors              {kind: {outcome: count}} without ok and conflict_new_activity
      error_count, error_rate (errors / requests), conflicts (409 new_activity, not errors)
      warmup_outcomes     outcomes of requests made before the window (not in the figures)
      login               summary of stream connected + first page, during the ramp; failures
      streams             connected, drops, errors {what: count}
      fanout              from_response / from_send: summary of (event received − POST answered)
                          and (event received − POST sent) over every expected delivery; the
                          commit lies between the two (the server publishes on commit, before it
                          writes the POST's answer, so from_response can be below zero); expected,
                          delivered, missed (not received when the streams closed, drain_s after
                          the last action), posts
      reconnects          request connections reopened (the server closes one idle for 5 s)
      server              cpu_pct (of one core), rss_mib, peak_rss_mib, threads
      loadgen             cpu_pct (all worker processes, of one core), machine_busy_pct (of all cores)
      target              {reads_p95_under_100ms, no_errors, met}
      profile             only with --profile, on the largest team: py-spy samples of the server
                          while a thread holds the GIL; areas_pct {area: %} (PROFILE_AREAS),
                          self_pct / inclusive_pct: [[function, %]]
    summary = {"median": s, "p95": s, "max": s, "n": count} (seconds; nearest-rank p95).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import facts, load_average
from bench.probes import REPO
from bench.stats import summarize
from supportdesk_tui.demo import BackendProcess

AGENT_COUNTS = (10, 100, 500)
WORKERS = 4
TICKETS = 10_000
THINK_SECONDS = (2.0, 5.0)
MIX = (0.6, 0.3, 0.1)  # browse, open, write
NOTE_SHARE = 0.5  # half the writes are internal notes: tickets don't all flip to open and get assigned
NEXT_PAGE_SHARE = 0.3
PAGE_SIZE = 100  # the app's queue page
REQUEST_TIMEOUT = 10.0  # the app's own client timeout
LOGINS_PER_SECOND = 100.0  # the morning ramp: 500 agents log in over 5 s
MIN_RAMP_SECONDS = 1.0
READ_P95_TARGET = 0.100
QUEUES_PER_AGENT = 3
PROFILE_TOP = 40
BASELINE_DRAIN_SECONDS = 1.0
LATENCY_KINDS = ("browse", "open", "open_messages", "open_ticket", "reads", "reply")
# Where a profile's samples fall: label -> a frame that marks the area (inclusive share).
PROFILE_AREAS = {
    "GET /tickets (list page)": "list_tickets (supportdesk_tui/server/api_tickets.py",
    "  rows -> Ticket models": "Store.list_tickets",
    "event streams (SSE send path)": "StreamingResponse.stream_response",
    "  asyncio.wait_for per event": "wait_for (asyncio/tasks.py",
    "FastAPI dependency solving": "solve_dependencies",
    "response serialization": "serialize_response",
    "uvicorn h11: parse requests": "H11Protocol.handle_events",
    "uvicorn h11: send responses": "RequestResponseCycle.send",
    "anyio worker threads (sync endpoints)": "WorkerThread.run",
    "event-loop thread": "BaseEventLoop.run_forever",
}


@dataclass(frozen=True)
class Windows:
    window: float  # measured seconds per N
    settle: float  # after the last log-in, before the window: streams settle, agents start acting
    drain: float  # after the last counted action has finished, for its events to arrive
    baseline_rounds: int
    baseline_gap: float


FULL = Windows(window=40.0, settle=5.0, drain=10.0, baseline_rounds=60, baseline_gap=0.05)
QUICK = Windows(window=5.0, settle=1.0, drain=2.0, baseline_rounds=15, baseline_gap=0.05)

_began = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _began:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- the server and its agents ----------------------------------------------------------------


def server_pid(backend: BackendProcess) -> int:
    # BackendProcess runs `python -m supportdesk_tui.server` itself, so its child is the server.
    process = backend._process
    assert process is not None
    return process.pid


def create_agents(db_path: Path | str, count: int, prefix: str = "team") -> list[tuple[str, tuple[str, ...]]]:
    """`count` agents with tokens in one transaction (`token_for` opens the store per call: ~0.15 s)."""
    from supportdesk_tui.contract.models import Language, Role
    from supportdesk_tui.server.auth import hash_token, new_token
    from supportdesk_tui.server.store import open_store

    store = open_store(db_path)
    try:
        queues = [q.id for q in store.list_queues()]
        agents: list[tuple[str, tuple[str, ...]]] = []
        with store.write() as tx:
            for index in range(count):
                # Three neighbouring queues each, so every queue has about 3/7 of the team.
                mine = tuple(queues[(index + k) % len(queues)] for k in range(QUEUES_PER_AGENT))
                record = tx.upsert_agent(f"{prefix}{index:03d}", f"Team agent {index}", Role.AGENT,
                                         (Language.RU, Language.EN), mine)
                token = new_token()
                tx.add_token(record.id, hash_token(token), datetime.now(UTC))
                agents.append((token, mine))
        return agents
    finally:
        store.close()


# --- /proc --------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2:].split()
    # utime and stime are fields 14 and 15 of stat(5); the slice starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(x) for x in Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass(frozen=True)
class CpuMark:
    at: float
    server: float
    workers: float
    machine: tuple[int, int]


def cpu_mark(server: int, workers: Sequence[int]) -> CpuMark:
    return CpuMark(time.monotonic(), cpu_seconds(server), sum(cpu_seconds(p) for p in workers),
                   machine_jiffies())


# --- running the workers ---------------------------------------------------------------------


def plan_for(url: str, mode: str, agents: Sequence[dict[str, Any]], windows: Windows,
             seed: int) -> dict[str, Any]:
    return {"url": url, "mode": mode, "agents": list(agents), "think": list(THINK_SECONDS),
            "mix": list(MIX), "note_share": NOTE_SHARE, "next_page_share": NEXT_PAGE_SHARE,
            "page_size": PAGE_SIZE, "timeout": REQUEST_TIMEOUT, "seed": seed,
            "baseline_rounds": windows.baseline_rounds, "baseline_gap": windows.baseline_gap}


@dataclass
class Workers:
    processes: list[subprocess.Popen[str]]

    @classmethod
    def start(cls, workdir: Path, plans: Sequence[dict[str, Any]]) -> Workers:
        processes = []
        for number, plan in enumerate(plans):
            config = workdir / f"worker-{number}.json"
            config.write_text(json.dumps(plan), encoding="utf-8")
            command = [sys.executable, "-m", "bench.team_agent", str(config)]
            processes.append(subprocess.Popen(command, cwd=REPO, stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, text=True))
        workers = cls(processes)
        for process in processes:  # each has read its agents: the schedule can start soon
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                workers.kill()
                raise RuntimeError("a team_agent worker failed to start")
        return workers

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def go(self, schedule: dict[str, float]) -> None:
        line = json.dumps(schedule) + "\n"
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(line)
            process.stdin.flush()

    def wait_idle(self) -> None:
        """Until every agent has finished its last action (in-flight writes included)."""
        for process in self.processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "idle":
                self.kill()
                raise RuntimeError(f"a team_agent worker failed ({process.poll()})")

    def stop_streams(self, at: float) -> None:
        line = json.dumps({"stop_at": at}) + "\n"
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(line)
            process.stdin.close()
            process.stdin = None  # so communicate() doesn't flush the closed pipe

    def results(self, timeout: float) -> list[dict[str, Any]]:
        outputs = []
        deadline = time.monotonic() + timeout
        for process in self.processes:
            out, _ = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            lines = out.strip().splitlines()
            if process.returncode != 0 or not lines:
                self.kill()
                raise RuntimeError(f"a team_agent worker failed ({process.returncode})")
            outputs.append(json.loads(lines[-1]))
        return outputs

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def sleep_until(instant: float) -> None:
    delay = instant - time.monotonic()
    if delay > 0:
        time.sleep(delay)


# --- summaries ---------------------------------------------------------------------------------


def summary(samples: Sequence[float]) -> dict[str, float | int | None]:
    if not samples:  # JSON has no NaN
        return {"median": None, "p95": None, "max": None, "n": 0}
    s = summarize(samples)
    return {"median": s.median, "p95": s.p95, "max": max(samples), "n": s.n}


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.1f}"


def merge_counts(target: dict[str, dict[str, int]], source: dict[str, dict[str, int]]) -> None:
    for kind, counts in source.items():
        per_kind = target.setdefault(kind, {})
        for outcome, n in counts.items():
            per_kind[outcome] = per_kind.get(outcome, 0) + n


def latencies(outputs: Iterable[dict[str, Any]]) -> dict[str, list[float]]:
    """Samples per kind; every kind is there, empty when none happened (a short window may hold no write)."""
    merged: dict[str, list[float]] = {kind: [] for kind in LATENCY_KINDS}
    for output in outputs:
        for kind, samples in output["latency"].items():
            merged.setdefault(kind, []).extend(samples)
    merged["reads"] = [x for kind in ("browse", "open_ticket", "open_messages") for x in merged.get(kind, [])]
    return merged


def fanout(outputs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Every post against every stream that should carry it (its queue, connected before the send)."""
    posts = [p for output in outputs for p in output["posts"]]
    streams = [s for output in outputs for s in output["streams"]]
    from_response: list[float] = []
    from_send: list[float] = []
    expected = missed = 0
    receipts = [(set(s["queues"]), s["connected_at"], {int(r[0]): r[1] for r in s["received"]})
                for s in streams]
    for message_id, queue, sent, answered, *_ in posts:
        for queues, connected_at, received in receipts:
            if queue not in queues or connected_at is None or connected_at >= sent:
                continue
            expected += 1
            at = received.get(message_id)
            if at is None:
                missed += 1
                continue
            from_response.append(at - answered)
            from_send.append(at - sent)
    return {"from_response": summary(from_response), "from_send": summary(from_send), "posts": len(posts),
            "expected": expected, "delivered": expected - missed, "missed": missed}


def request_counts(outcomes: dict[str, dict[str, int]]) -> tuple[int, dict[str, dict[str, int]], int]:
    """(requests in the window, errors by kind, 409 new_activity answers)."""
    total = conflicts = 0
    errors: dict[str, dict[str, int]] = {}
    for kind in ("browse", "open_ticket", "open_messages", "reply"):
        for outcome, n in outcomes.get(kind, {}).items():
            total += n
            if outcome == "conflict_new_activity":
                conflicts += n
            elif outcome != "ok":
                errors.setdefault(kind, {})[outcome] = n
    return total, errors, conflicts


# --- profile (py-spy, attached to the running server) ---------------------------------------------------


def start_profiler(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample the server's Python stacks while it holds the GIL (CPU spent in Python) for the window."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [spy, "record", "--pid", str(pid), "--duration", str(round(seconds)), "--rate", "100", "--gil",
               "--format", "raw", "--output", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def summarize_profile(path: Path, top: int = PROFILE_TOP) -> dict[str, Any]:
    """Shares of the sampled stacks: where the time is spent (self) and below which calls (inclusive)."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    areas = dict.fromkeys(PROFILE_AREAS, 0)
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        for area, marker in PROFILE_AREAS.items():
            if marker in stack:
                areas[area] += count
        frames = []
        for frame in stack.split(";"):
            match = FRAME.match(frame)
            frames.append(f"{match['name']} ({match['file']})" if match else frame)
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count

    def shares(counts: dict[str, int]) -> list[list[Any]]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:top]
        return [[name, round(100 * n / total, 1)] for name, n in ranked]

    return {"file": str(path), "samples": total,
            "areas_pct": {area: round(100 * n / total, 1) if total else 0.0 for area, n in areas.items()},
            "self_pct": shares(own), "inclusive_pct": shares(inclusive)}


# --- one measured run per N ---------------------------------------------------------------------


def paced_rate(agents: int) -> float:
    per_action = MIX[0] * 1 + MIX[1] * 2 + MIX[2] * 1  # an open is two GETs
    return agents * per_action / (sum(THINK_SECONDS) / 2)


def ramp_seconds(agents: int) -> float:
    return max(MIN_RAMP_SECONDS, agents / LOGINS_PER_SECOND)


def run_team(workdir: Path, url: str, pid: int, team: Sequence[tuple[str, tuple[str, ...]]],
             windows: Windows, seed: int, profile: Path | None = None) -> dict[str, Any]:
    n = len(team)
    ramp = ramp_seconds(n)
    count = min(WORKERS, n)
    specs = [{"index": i, "token": token, "queues": list(queues), "login_offset": ramp * i / n}
             for i, (token, queues) in enumerate(team)]
    plans = [plan_for(url, "team", specs[w::count], windows, seed) for w in range(count)]
    workers = Workers.start(workdir, plans)
    try:
        ramp_start = time.monotonic() + 0.2
        window_start = ramp_start + ramp + windows.settle
        window_end = window_start + windows.window
        workers.go({"ramp_start": ramp_start, "window_start": window_start, "window_end": window_end})
        say(f"  {n} agents in {count} processes: log-ins over {ramp:.1f} s, settle {windows.settle:.0f} s, "
            f"window {windows.window:.0f} s")
        sleep_until(window_start)
        before = cpu_mark(pid, workers.pids)
        spy = start_profiler(pid, windows.window, profile) if profile else None
        sleep_until(window_end)
        after = cpu_mark(pid, workers.pids)
        rss, peak, threads = (status_field(pid, f) for f in ("VmRSS", "VmHWM", "Threads"))
        workers.wait_idle()
        tail = time.monotonic() - window_end
        workers.stop_streams(time.monotonic() + windows.drain)
        outputs = workers.results(timeout=windows.drain + 30)
        if spy is not None:
            spy.wait(timeout=30)
    finally:
        workers.kill()
    result = team_result(outputs, windows, n, count, ramp, before, after, (rss, peak, threads))
    result["tail_s"] = tail
    if profile is not None:
        result["profile"] = summarize_profile(profile)
    return result


def team_result(outputs: Sequence[dict[str, Any]], windows: Windows, n: int, workers: int, ramp: float,
                before: CpuMark, after: CpuMark, memory: tuple[int, int, int]) -> dict[str, Any]:
    outcomes: dict[str, dict[str, int]] = {}
    for output in outputs:
        merge_counts(outcomes, output["outcomes"])
    total, errors, conflicts = request_counts(outcomes)
    merged = latencies(outputs)
    streams = [s for output in outputs for s in output["streams"]]
    stream_errors: dict[str, int] = {}
    for stream in streams:
        for what, count in stream["errors"].items():
            stream_errors[what] = stream_errors.get(what, 0) + count
    elapsed = after.at - before.at
    busy = after.machine[0] - before.machine[0]
    jiffies = after.machine[1] - before.machine[1]
    error_count = sum(sum(c.values()) for c in errors.values())
    reads = summarize(merged["reads"])
    login_outcomes = outcomes.pop("login", {})
    warmup = outcomes.pop("warmup", {})
    return {
        "agents": n,
        "workers": workers,
        "ramp_s": ramp,
        "window_s": windows.window,
        "requests": total,
        "requests_per_s": total / windows.window,
        "paced_requests_per_s": paced_rate(n),
        "latency": {kind: summary(samples) for kind, samples in sorted(merged.items())},
        "outcomes": outcomes,
        "errors": errors,
        "error_count": error_count,
        "error_rate": error_count / total if total else 0.0,
        "conflicts": conflicts,
        "warmup_outcomes": warmup,
        "login": {**summary([x for o in outputs for x in o["login"]]),
                  "failures": {k: v for k, v in login_outcomes.items() if k != "ok"}},
        "streams": {"connected": sum(1 for s in streams if s["connected_at"] is not None),
                    "drops": sum(int(s["drops"]) for s in streams), "errors": stream_errors},
        "fanout": fanout(outputs),
        "reconnects": sum(int(o["reconnects"]) for o in outputs),
        "server": {"cpu_pct": 100 * (after.server - before.server) / elapsed,
                   "rss_mib": memory[0] / 1024, "peak_rss_mib": memory[1] / 1024, "threads": memory[2]},
        "loadgen": {"cpu_pct": 100 * (after.workers - before.workers) / elapsed,
                    "machine_busy_pct": 100 * busy / jiffies if jiffies else 0.0},
        "target": {"reads_p95_under_100ms": reads.p95 < READ_P95_TARGET, "no_errors": error_count == 0,
                   "met": reads.p95 < READ_P95_TARGET and error_count == 0},
    }


def run_baseline(workdir: Path, url: str, agent: tuple[str, tuple[str, ...]], windows: Windows,
                 seed: int) -> dict[str, Any]:
    token, queues = agent
    spec = {"index": 0, "token": token, "queues": list(queues), "login_offset": 0.0}
    workers = Workers.start(workdir, [plan_for(url, "baseline", [spec], windows, seed)])
    try:
        now = time.monotonic()
        workers.go({"ramp_start": now, "window_start": now, "window_end": now + 3600})
        workers.wait_idle()
        # One writer on an idle server: its own events are in long before its last request ends.
        workers.stop_streams(time.monotonic() + BASELINE_DRAIN_SECONDS)
        outputs = workers.results(timeout=30)
    finally:
        workers.kill()
    outcomes: dict[str, dict[str, int]] = {}
    merge_counts(outcomes, outputs[0]["outcomes"])
    for kind in ("login", "warmup"):  # its log-in, not part of the rounds
        outcomes.pop(kind, None)
    return {"rounds": windows.baseline_rounds, "gap_s": windows.baseline_gap,
            "latency": {kind: summary(samples) for kind, samples in sorted(latencies(outputs).items())},
            "outcomes": outcomes, "fanout": fanout(outputs)}


# --- main ----------------------------------------------------------------------------------------------


def setup_notes(windows: Windows, counts: Sequence[int], backend: BackendProcess,
                profile: Path | None, machine: dict[str, str]) -> dict[str, Any]:
    return {
        "agent_counts": list(counts),
        "window_s": windows.window,
        "settle_s": windows.settle,
        "drain_s": windows.drain,
        "ramp_s": {str(n): ramp_seconds(n) for n in counts},
        "ramp": f"log-ins spread evenly, {LOGINS_PER_SECOND:.0f} agents/s "
                f"(at least {MIN_RAMP_SECONDS:.0f} s); "
                "each log-in opens the event stream, then loads the first page of one queue",
        "workers": WORKERS,
        "think_s": list(THINK_SECONDS),
        "mix": {"browse": MIX[0], "open": MIX[1], "write": MIX[2]},
        "note_share": NOTE_SHARE,
        "next_page_share": NEXT_PAGE_SHARE,
        "page_size": PAGE_SIZE,
        "queues_per_agent": QUEUES_PER_AGENT,
        "request_timeout_s": REQUEST_TIMEOUT,
        "tickets": TICKETS,
        "server": f"one `supportdesk serve --demo --tickets {TICKETS}` process (uvicorn, one event loop, "
                  "SQLite WAL), default per-token rate limit (50 req/s, burst 200) on",
        "server_start_s": backend.start_seconds,
        "client": "agents are asyncio tasks in several processes on a minimal HTTP/1.1 keep-alive client; "
                  "each agent holds one event stream and one request connection",
        "clock": "time.monotonic (CLOCK_MONOTONIC, one clock for every process on Linux)",
        "cpu": f"{os.cpu_count()} cores shared by the server and the load generator; both are measured",
        "baseline": f"one agent on the idle server, {windows.baseline_rounds} rounds of browse + open "
                    f"({windows.baseline_gap * 1000:.0f} ms gaps) and a note every fourth round",
        "profiled": str(profile) if profile else None,
        "machine": machine,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.team_load", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows (about a minute in all)")
    parser.add_argument("--profile", type=Path, default=None, metavar="OUT",
                        help="attach py-spy to the server for the largest team's window; "
                             "collapsed stacks to OUT, a summary into the JSON")
    parser.add_argument("--agents", type=int, nargs="+", default=None, metavar="N",
                        help=f"team sizes (default {' '.join(map(str, AGENT_COUNTS))})")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    windows = QUICK if args.quick else FULL
    machine = facts()
    counts: tuple[int, ...] = tuple(args.agents) if args.agents else (
        (max(AGENT_COUNTS),) if args.profile else AGENT_COUNTS)
    workdir = Path(tempfile.mkdtemp(prefix="supportdesk-team-"))
    backend = BackendProcess(workdir, ["--demo", "--tickets", str(TICKETS)], name="team")
    try:
        say(f"starting the backend (demo world + {TICKETS:,} tickets)")
        url = backend.start()
        pid = server_pid(backend)
        say(f"  listening at {url} after {backend.start_seconds:.1f} s (pid {pid})")
        started = time.monotonic()
        team = create_agents(backend.db_path, max(counts))
        say(f"  {len(team)} agents with tokens in {time.monotonic() - started:.2f} s")
        idle_rss = status_field(pid, "VmRSS") / 1024
        say(f"baseline: one agent, {windows.baseline_rounds} rounds on the idle server")
        baseline = run_baseline(workdir, url, team[0], windows, args.seed)
        runs: dict[str, Any] = {}
        for n in counts:
            say(f"team of {n}")
            profile = args.profile.resolve() if args.profile and n == max(counts) else None
            runs[str(n)] = result = run_team(workdir, url, pid, team[:n], windows, args.seed, profile)
            reads, fan = result["latency"]["reads"], result["fanout"]["from_response"]
            say(f"  {result['requests_per_s']:.1f} req/s, reads p50/p95 {ms(reads['median'])}/"
                f"{ms(reads['p95'])} ms, errors {result['error_count']}, fan-out p95 "
                f"{ms(fan['p95'])} ms, missed {result['fanout']['missed']}, server CPU "
                f"{result['server']['cpu_pct']:.0f}%, load generator CPU {result['loadgen']['cpu_pct']:.0f}%")
        setup = setup_notes(windows, counts, backend, args.profile, machine)
        setup["server_idle_rss_mib"] = idle_rss
    finally:
        backend.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    setup["machine"]["load average at end (1/5/15 min)"] = load_average()
    if args.profile:
        say(f"profile written to {args.profile}")
    print(json.dumps({"runs": runs, "baseline": baseline, "setup": setup}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
