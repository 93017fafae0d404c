"""The scale-out benchmark's harness, run tiny: it measures what the server does, it does not judge speed.

Only the SQLite deployment, to stay fast (the PostgreSQL pair and its failover add a cluster and
three server starts; `python -m bench.cluster_load --agents 5 --window 3 --tickets 0` runs them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.runs_long
def test_a_tiny_team_is_measured_and_its_section_lands_in_the_report(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\n## Reading the numbers\n\n- earlier lines stay\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bench.cluster_load", "--only", "sqlite", "--agents", "5", "--window", "2",
         "--tickets", "0", "--settle", "0.5", "--drain", "0.5", "--write", str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    run = result["deployments"]["sqlite"]["runs"]["5"]
    assert run["streams"]["connected"] == 5
    assert run["fanout"]["cross"]["expected"] == 0  # one instance: nothing to cross
    assert run["writes"]["lost"] == run["writes"]["duplicated"] == 0
    assert set(run["cpu_pct"]) >= {"instance", "load generator"}
    assert run["memory_mib"]["instance"] > 0

    text = report.read_text(encoding="utf-8")
    assert text.index("## Scale-out") < text.index("## Reading the numbers")
    assert "- earlier lines stay" in text
    assert "`python -m bench.cluster_load --only sqlite --agents 5" in text
