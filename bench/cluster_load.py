"""`python -m bench.cluster_load [--quick]`: scale-out (issue #14) — two instances on PostgreSQL next
to one instance on SQLite, same run, same load generator.

Deployments, one after the other on the same 2 cores:
    sqlite      one `supportdesk serve` on a SQLite file (the embedded default);
    postgresql  two `supportdesk serve` on one PostgreSQL database (a throwaway cluster started
                like the tests' one, `supportdesk_tui.devtools.pg_cluster`).
Each gets the demo world plus 10,000 bulk tickets and the same team sizes (500 and 1,000 agents;
100 with --quick). The agents are bench.team_load's (bench/team_agent.py: several processes, a small
keep-alive client, an event stream each, an action every 2–5 s); with several instances each agent
starts on one of them in turn, as a round-robin load balancer would place it, and stays there.

Fan-out is split by where the write and the stream were: a write answered by instance A against
a stream connected to A ("same instance") or to B ("across instances"), each as event received −
POST answered. Missed: deliveries expected (the post's queue is one of the stream's, the stream
was connected before the send) and never received before the streams closed; repeats: events a
stream got twice (an event id not above the last one).
Every write carries a marker; after each run the database says how many times each landed
(lost = answered 2xx but not there, duplicated = there more than once).

Failover (PostgreSQL, the largest team): a fresh team; a few seconds into its window one instance
is killed with SIGKILL. Its agents' streams break; they fail over to the other instance and resume
with Last-Event-ID; requests in flight are asked again there (writes with the same Idempotency-Key).
Figures: seconds from the kill until every affected stream is connected again, replies lost and
duplicated, events missed and repeated.

Progress to stderr; the last stdout line is one JSON object {"setup", "deployments", "failover"}.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import cluster_section, procfs
from bench.machine import facts, load_average
from bench.probes import REPO
from bench.team_load import (
    TICKETS,
    WORKERS,
    Windows,
    Workers,
    create_agents,
    latencies,
    merge_counts,
    paced_rate,
    plan_for,
    ramp_seconds,
    request_counts,
    sleep_until,
    summary,
)
from supportdesk_tui.demo import BackendProcess
from supportdesk_tui.devtools.pg_cluster import PgCluster, PostgresUnavailable

FULL_COUNTS = (500, 1_000)
QUICK_COUNTS = (100,)
FULL = Windows(window=20.0, settle=3.0, drain=5.0, baseline_rounds=0, baseline_gap=0.0)
QUICK = Windows(window=8.0, settle=2.0, drain=3.0, baseline_rounds=0, baseline_gap=0.0)
FAILOVER_FULL = Windows(window=15.0, settle=3.0, drain=5.0, baseline_rounds=0, baseline_gap=0.0)
FAILOVER_QUICK = Windows(window=8.0, settle=2.0, drain=3.0, baseline_rounds=0, baseline_gap=0.0)
KILL_AFTER_S = 3.0  # into the failover window
MAX_DRAIN_S = 20.0
MARKER = re.compile(r"\[bench ([0-9a-f-]{36})\]")

_began = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _began:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- deployments ----------------------------------------------------------------------------------


@dataclass
class Deployment:
    """The instances of one deployment on one database (and the PostgreSQL cluster under it)."""

    name: str
    database: Path | str
    instances: list[BackendProcess]
    cluster: PgCluster | None = None  # when on PostgreSQL
    start_seconds: list[float] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [i.url for i in self.instances]

    def postmaster(self) -> int | None:
        if self.cluster is None:
            return None
        return int((self.cluster.data / "postmaster.pid").read_text(encoding="ascii").split()[0])

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()
        if self.cluster is not None:
            self.cluster.stop()


def serve_args(tickets: int) -> list[str]:
    # The production defaults otherwise (rate limit on, 30 s idempotency lease): the bench measures
    # what a deployment would run.
    return ["--demo", "--tickets", str(tickets)] if tickets else ["--demo"]


def start_sqlite(workdir: Path, tickets: int) -> Deployment:
    instance = BackendProcess(workdir, serve_args(tickets), name="sqlite")
    deployment = Deployment("sqlite", instance.db_path, [instance])
    instance.start(timeout=180)
    deployment.start_seconds.append(instance.start_seconds)
    return deployment


def start_postgresql(workdir: Path, tickets: int, count: int = 2) -> Deployment:
    cluster = PgCluster().start()
    deployment = Deployment("postgresql", "", [], cluster)
    try:
        deployment.database = url = cluster.create_template("supportdesk_bench")  # migrated
        for number in range(count):  # one after the other: the first seeds, the next find it seeded
            instance = BackendProcess(workdir, serve_args(tickets), name=f"pg-{'AB'[number]}",
                                      database=url)
            deployment.instances.append(instance)
            instance.start(timeout=180)
            deployment.start_seconds.append(instance.start_seconds)
    except BaseException:
        deployment.stop()
        raise
    return deployment


# --- per-process CPU and memory -------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    at: float
    cpu: dict[str, float | None]  # process label -> CPU seconds (None: gone)
    machine: tuple[int, int]


def _safe(read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except (OSError, ValueError, IndexError):
        return None


def labels(deployment: Deployment) -> list[str]:
    names = [f"instance {'AB'[n]}" if len(deployment.instances) > 1 else "instance"
             for n in range(len(deployment.instances))]
    return names + (["postgresql"] if deployment.cluster is not None else [])


def mark(deployment: Deployment, workers: Sequence[int]) -> Mark:
    cpu: dict[str, float | None] = {}
    for label, instance in zip(labels(deployment), deployment.instances, strict=False):
        cpu[label] = None if instance.pid is None else _safe(procfs.cpu_seconds, instance.pid)
    postmaster = deployment.postmaster()
    if postmaster is not None:
        cpu["postgresql"] = _safe(procfs.tree_cpu_seconds, postmaster)
    cpu["load generator"] = sum(_safe(procfs.cpu_seconds, p) or 0.0 for p in workers)
    return Mark(time.monotonic(), cpu, _machine_jiffies())


def _machine_jiffies() -> tuple[int, int]:
    values = [int(x) for x in Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def memory(deployment: Deployment, workers: Sequence[int]) -> dict[str, float | None]:
    """MiB per process: RSS for the instances and the load generator (summed), PSS for PostgreSQL."""
    mib: dict[str, float | None] = {}
    for label, instance in zip(labels(deployment), deployment.instances, strict=False):
        kib = None if instance.pid is None else _safe(procfs.rss_kib_of, instance.pid)
        mib[label] = None if kib is None else kib / 1024
    postmaster = deployment.postmaster()
    if postmaster is not None:
        mib["postgresql"] = procfs.tree_pss_kib(postmaster) / 1024
    mib["load generator"] = sum(_safe(procfs.rss_kib_of, p) or 0 for p in workers) / 1024
    return mib


def cpu_pct(before: Mark, after: Mark, kill: Mark | None = None) -> dict[str, float | None]:
    elapsed = after.at - before.at
    shares: dict[str, float | None] = {}
    for label, start in before.cpu.items():
        end = after.cpu.get(label)
        if end is None and kill is not None:  # killed in the window: its CPU up to the kill
            end = kill.cpu.get(label)
        shares[label] = None if start is None or end is None else 100 * (end - start) / elapsed
    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    shares["machine (of all cores)"] = 100 * busy / total if total else None
    return shares


# --- what the database says about the writes ------------------------------------------------------


def landed(database: Path | str) -> dict[str, int]:
    """How many messages carry each write marker."""
    from supportdesk_tui.server.store import open_store

    store = open_store(database)
    try:
        with store.engine.read() as db:
            rows = db.execute("SELECT body FROM messages WHERE body LIKE ?", ("%[bench %",)).fetchall()
    finally:
        store.close()
    counts: dict[str, int] = {}
    for (body,) in rows:
        for key in MARKER.findall(str(body)):
            counts[key] = counts.get(key, 0) + 1
    return counts


def write_check(outputs: Sequence[dict[str, Any]], database: Path | str) -> dict[str, int]:
    writes = [w for output in outputs for w in output["writes"]]
    rows = landed(database)
    lost = duplicated = unanswered = refused_but_landed = retried = 0
    for key, outcome, _counted, attempts in writes:
        n = rows.get(key, 0)
        retried += attempts > 1
        duplicated += n > 1
        if outcome == "ok" and n == 0:
            lost += 1
        elif outcome == "gave_up":
            unanswered += 1
        elif outcome != "ok" and n > 0:
            refused_but_landed += 1
    return {"writes": len(writes), "ok": sum(1 for w in writes if w[1] == "ok"), "lost": lost,
            "duplicated": duplicated, "unanswered": unanswered, "refused_but_landed": refused_but_landed,
            "retried": retried}


# --- fan-out, split by instance -------------------------------------------------------------------


def instance_at(connects: Sequence[Sequence[float]], instant: float) -> int | None:
    """The instance a stream was connected to at `instant` (its last connect before it)."""
    where = None
    for at, instance in connects:
        if at > instant:
            break
        where = int(instance)
    return where


def fanout(outputs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    posts = [p for output in outputs for p in output["posts"]]
    streams = [s for output in outputs for s in output["streams"]]
    # "unknown": writes asked more than once (failover), whose committing instance is not known
    samples: dict[str, list[float]] = {"same": [], "cross": [], "unknown": []}
    expected = {"same": 0, "cross": 0, "unknown": 0}
    missed = {"same": 0, "cross": 0, "unknown": 0}
    receipts = [(set(s["queues"]), s["connected_at"], s["connects"],
                 {int(r[0]): float(r[1]) for r in s["received"]}) for s in streams]
    for message_id, queue, sent, answered, instance in posts:
        for queues, connected_at, connects, received in receipts:
            if queue not in queues or connected_at is None or connected_at >= sent:
                continue
            where = instance_at(connects, sent)
            side = "unknown" if instance < 0 else "same" if where == instance else "cross"
            expected[side] += 1
            at = received.get(message_id)
            if at is None:
                missed[side] += 1
            else:
                samples[side].append(at - answered)
    sides = {side: {**summary(samples[side]), "expected": expected[side], "missed": missed[side]}
             for side in samples}
    return {
        **sides,
        "expected": sum(expected.values()), "missed": sum(missed.values()),
        "repeats": sum(int(s["repeats"]) for s in streams), "posts": len(posts),
        "all": summary([x for side in samples.values() for x in side]),
    }


def failover_figures(outputs: Sequence[dict[str, Any]], killed_at: float, victim: int) -> dict[str, Any]:
    streams = [s for output in outputs for s in output["streams"]]
    back: list[float] = []
    affected = not_live = 0
    for stream in streams:
        if instance_at(stream["connects"], killed_at) != victim:
            continue
        affected += 1
        again = [at for at, _instance in stream["connects"] if at > killed_at]
        if again:
            back.append(min(again) - killed_at)
        else:
            not_live += 1
    moves = [m for output in outputs for m in output["moves"] if m[0] >= killed_at]
    return {"affected_streams": affected, "not_live_again": not_live, "live_again": summary(back),
            "every_agent_live_s": max(back) if back and not not_live else None,
            "agents_moved": len(moves)}


# --- one run --------------------------------------------------------------------------------------


def run_team(workdir: Path, deployment: Deployment, team: Sequence[tuple[str, tuple[str, ...]]],
             windows: Windows, seed: int, kill_after: float | None = None) -> dict[str, Any]:
    n = len(team)
    ramp = ramp_seconds(n)
    count = min(WORKERS, n)
    urls = deployment.urls
    specs = [{"index": i, "token": token, "queues": list(queues), "login_offset": ramp * i / n,
              "first": i % len(urls)} for i, (token, queues) in enumerate(team)]
    plans = [{**plan_for(urls[0], "team", specs[w::count], windows, seed), "instances": urls}
             for w in range(count)]
    workers = Workers.start(workdir, plans)
    killed: Mark | None = None
    killed_at: float | None = None
    try:
        ramp_start = time.monotonic() + 0.2
        window_start = ramp_start + ramp + windows.settle
        window_end = window_start + windows.window
        workers.go({"ramp_start": ramp_start, "window_start": window_start, "window_end": window_end})
        say(f"  {n} agents on {len(urls)} instance(s), {count} load-generator processes: log-ins over "
            f"{ramp:.1f} s, settle {windows.settle:.0f} s, window {windows.window:.0f} s")
        sleep_until(window_start)
        before = mark(deployment, workers.pids)
        if kill_after is not None:
            sleep_until(window_start + kill_after)
            killed = mark(deployment, workers.pids)
            killed_at = time.monotonic()
            deployment.instances[0].kill()
            say(f"  killed instance A (SIGKILL) {kill_after:.1f} s into the window")
        sleep_until(window_end)
        after = mark(deployment, workers.pids)
        mib = memory(deployment, workers.pids)
        workers.wait_idle()
        tail = time.monotonic() - window_end
        # An overloaded server answers late and delivers late alike: the streams stay open at least
        # as long as the last actions took to finish, so "missed" means never, not "late".
        drain = max(windows.drain, min(tail, MAX_DRAIN_S))
        workers.stop_streams(time.monotonic() + drain)
        outputs = workers.results(timeout=drain + 30)
    finally:
        workers.kill()
    result = summarize_run(outputs, windows, n, ramp)
    result.update(tail_s=tail, drain_s=drain, cpu_pct=cpu_pct(before, after, killed), memory_mib=mib,
                  writes=write_check(outputs, deployment.database))
    if killed_at is not None:
        result["failover"] = failover_figures(outputs, killed_at, victim=0)
        result["failover"]["kill_after_s"] = kill_after
    return result


def summarize_run(outputs: Sequence[dict[str, Any]], windows: Windows, n: int, ramp: float) -> dict[str, Any]:
    outcomes: dict[str, dict[str, int]] = {}
    for output in outputs:
        merge_counts(outcomes, output["outcomes"])
    login = outcomes.pop("login", {})
    outcomes.pop("warmup", None)
    total, errors, conflicts = request_counts(outcomes)
    merged = latencies(outputs)
    error_count = sum(sum(c.values()) for c in errors.values())
    streams = [s for output in outputs for s in output["streams"]]
    return {
        "agents": n, "ramp_s": ramp, "window_s": windows.window,
        "requests": total, "requests_per_s": total / windows.window, "paced_requests_per_s": paced_rate(n),
        "latency": {"reads": summary(merged["reads"]), "writes": summary(merged["reply"])},
        "errors": errors, "error_count": error_count, "error_rate": error_count / total if total else 0.0,
        "conflicts": conflicts,
        "login_failures": {k: v for k, v in login.items() if k != "ok"},
        "streams": {"connected": sum(1 for s in streams if s["connected_at"] is not None),
                    "drops": sum(int(s["drops"]) for s in streams)},
        "fanout": fanout(outputs),
    }


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.0f}"


def progress(result: dict[str, Any]) -> str:
    lat, fan = result["latency"], result["fanout"]
    return (f"  {result['requests_per_s']:.0f} req/s; reads {ms(lat['reads']['median'])}/"
            f"{ms(lat['reads']['p95'])} ms, writes {ms(lat['writes']['median'])}/"
            f"{ms(lat['writes']['p95'])} ms; "
            f"fan-out p95 same {ms(fan['same']['p95'])} / across {ms(fan['cross']['p95'])} ms; missed "
            f"{fan['missed']} of {fan['expected']}; errors {result['error_count']}; writes lost "
            f"{result['writes']['lost']}, duplicated {result['writes']['duplicated']}; CPU "
            + ", ".join(f"{k} {v:.0f}%" for k, v in result["cpu_pct"].items() if v is not None))


# --- main -----------------------------------------------------------------------------------------


def measure(workdir: Path, name: str, counts: Sequence[int], windows: Windows, seed: int,
            failover: Windows | None, tickets: int) -> dict[str, Any]:
    say(f"{name}: starting")
    starter = start_sqlite if name == "sqlite" else start_postgresql
    (workdir / name).mkdir(parents=True)
    deployment = starter(workdir / name, tickets)
    try:
        say(f"  {len(deployment.instances)} instance(s) listening after "
            + ", ".join(f"{s:.1f} s" for s in deployment.start_seconds))
        team = create_agents(deployment.database, max(counts))
        idle = memory(deployment, [])
        runs: dict[str, Any] = {}
        for n in counts:
            say(f"{name}: {n} agents")
            runs[str(n)] = result = run_team(workdir, deployment, team[:n], windows, seed)
            say(progress(result))
        out: dict[str, Any] = {"instances": len(deployment.instances), "start_s": deployment.start_seconds,
                               "idle_memory_mib": idle, "runs": runs}
        if failover is not None:
            # A fresh team of the same size (new tokens), so nothing carries over from the last run.
            n = max(counts)
            fresh = create_agents(deployment.database, n, prefix="fail")
            kill_after = min(KILL_AFTER_S, failover.window / 2)
            say(f"{name}: failover, {n} agents, instance A killed {kill_after:.1f} s into the window")
            out["failover"] = result = run_team(workdir, deployment, fresh, failover, seed + 1, kill_after)
            say(progress(result))
            fo = result["failover"]
            say(f"  every agent live again after {fo['every_agent_live_s']} s "
                f"({fo['affected_streams']} streams on A, {fo['not_live_again']} never back)")
        return out
    finally:
        deployment.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster_load", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 agents, short windows")
    parser.add_argument("--agents", type=int, nargs="+", default=None, metavar="N", help="team sizes")
    parser.add_argument("--window", type=float, default=None, metavar="S", help="measured seconds per run")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None, help="one deployment")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--tickets", type=int, default=TICKETS, help=f"bulk tickets (default {TICKETS:,})")
    parser.add_argument("--settle", type=float, default=None, metavar="S", help="seconds before a window")
    parser.add_argument("--drain", type=float, default=None, metavar="S", help="seconds for events to arrive")
    parser.add_argument("--write", type=Path, nargs="?", const=REPO / "docs" / "benchmarks.md", default=None,
                        metavar="REPORT", help="also put the section into the report (default "
                        "docs/benchmarks.md), replacing its old one, the rest of the report untouched")
    args = parser.parse_args()
    default_counts = QUICK_COUNTS if args.quick else FULL_COUNTS
    counts: tuple[int, ...] = tuple(args.agents) if args.agents else default_counts
    windows = QUICK if args.quick else FULL
    failover = FAILOVER_QUICK if args.quick else FAILOVER_FULL
    settle = windows.settle if args.settle is None else args.settle
    drain = windows.drain if args.drain is None else args.drain
    windows = Windows(args.window or windows.window, settle, drain, 0, 0.0)
    failover = Windows(args.window or failover.window, settle, drain, 0, 0.0)
    machine = facts()
    workdir = Path(tempfile.mkdtemp(prefix="supportdesk-cluster-"))
    deployments: dict[str, Any] = {}
    try:
        for name in ("sqlite", "postgresql"):
            if args.only and name != args.only:
                continue
            try:
                deployments[name] = measure(workdir, name, counts, windows, args.seed,
                                            failover if name == "postgresql" else None, args.tickets)
            except PostgresUnavailable as exc:  # not on this machine: the report says so, the rest runs
                say(f"{name}: skipped: {exc}")
                deployments[name] = {"skipped": str(exc).splitlines()[0]}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    machine["load average at end (1/5/15 min)"] = load_average()
    setup = {"agent_counts": list(counts), "window_s": windows.window, "settle_s": windows.settle,
             "drain_s": windows.drain, "failover_window_s": failover.window,
             "kill_after_s": min(KILL_AFTER_S, failover.window / 2), "workers": WORKERS,
             "tickets": args.tickets, "quick": args.quick, "machine": machine}
    result = {"setup": setup, "deployments": deployments}
    if args.write is not None:
        command = "python -m bench.cluster_load " + " ".join(sys.argv[1:])
        cluster_section.replace_section(args.write, cluster_section.TITLE,
                                        cluster_section.section(result, command.strip()))
        say(f"wrote its section into {args.write}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
