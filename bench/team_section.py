"""The "backend under a team" part of the report, from `bench.team_load`'s JSON."""

from __future__ import annotations

import math
from typing import Any

READ_TARGET_S = 0.100


def _ms(summary: dict[str, Any] | None, key: str = "median") -> str:
    if not summary or summary.get(key) is None or summary.get("n", 0) == 0:
        return "—"
    value = float(summary[key])
    return f"{value * 1000:.0f}" if abs(value) >= 0.1 else f"{value * 1000:.1f}"


def _pair(summary: dict[str, Any] | None) -> str:
    return f"{_ms(summary)} / {_ms(summary, 'p95')}"


def team_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = [["Agents", "Req/s served (asked)", "Reads p50 / p95 (ms)", "Page of 100 p95", "Open p95",
             "Writes p50 / p95 (ms)", "Errors (rate)", "Fan-out p50 / p95 (ms)", "Missed events",
             "Server CPU (1 core)", "Server RSS (MiB)"]]
    base = result["baseline"]
    latency = base["latency"]
    rows.append(["baseline: 1 agent, idle server", "—", _pair(latency.get("reads")),
                 _ms(latency.get("browse"), "p95"), _ms(latency.get("open"), "p95"),
                 _pair(latency.get("reply")), "0", _pair(base["fanout"]["from_send"]),
                 str(base["fanout"].get("missed", 0)), "—",
                 f"{result['setup'].get('server_idle_rss_mib', 0):.0f}"])
    for agents, run in sorted(result["runs"].items(), key=lambda item: int(item[0])):
        latency = run["latency"]
        fanout = run["fanout"]
        rows.append([
            agents,
            f"{run['requests_per_s']:.0f} ({run['paced_requests_per_s']:.0f})",
            _pair(latency.get("reads")),
            _ms(latency.get("browse"), "p95"),
            _ms(latency.get("open"), "p95"),
            _pair(latency.get("reply")),
            f"{run['error_count']} ({run['error_rate'] * 100:.1f} %)",
            _pair(fanout["from_send"]),
            f"{fanout['missed']} of {fanout['expected']:,}",
            f"{run['server']['cpu_pct']:.0f} %",
            f"{run['server']['rss_mib']:.0f}",
        ])
    return rows


def team_reading(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for agents, run in sorted(result["runs"].items(), key=lambda item: int(item[0])):
        reads = run["latency"].get("reads") or {}
        p95 = reads.get("p95")
        met = p95 is not None and p95 < READ_TARGET_S and run["error_count"] == 0
        missing = p95 is None or (isinstance(p95, float) and math.isnan(p95))
        p95_text = "—" if missing or p95 is None else f"{p95 * 1000:.0f} ms"
        lines.append(
            f"- Backend with {agents} agents: reads p95 < 100 ms and no errors: "
            f"{'**met**' if met else '**missed**'} (reads p95 {p95_text}, {run['error_count']} errors, "
            f"{run['requests_per_s']:.0f} of {run['paced_requests_per_s']:.0f} requests/s the team "
            f"asked for served, "
            f"server at {run['server']['cpu_pct']:.0f} % of a core, load generator at "
            f"{run['loadgen']['cpu_pct']:.0f} %)."
        )
    return lines


def _mix(mix: Any) -> str:
    if isinstance(mix, dict):
        return " / ".join(f"{float(v) * 100:.0f} %" for v in mix.values())
    return str(mix)


def team_setup(result: dict[str, Any], command: str) -> str:
    setup = result["setup"]
    windows = setup.get("window_s")
    return (
        f"Backend under a team: `{command}` — one `supportdesk serve` ({setup.get('server', '')}); "
        f"{setup.get('tickets', 0):,} bulk tickets on top of the demo world; agents in "
        f"{setup.get('workers')} load-generator processes on the same 2 cores ({setup.get('client', '')}); "
        f"each agent holds an event stream and acts every {setup['think_s'][0]:g}–{setup['think_s'][1]:g} s "
        f"(browse / open / write {_mix(setup.get('mix'))}); log-ins ramp ({setup.get('ramp', '')}), then a "
        f"settle and a measured window of {windows} s. Fan-out: event received − POST sent "
        f"(CLOCK_MONOTONIC is shared by all processes)."
    )
