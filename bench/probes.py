"""Run one measuring child process and read back its JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run_probe(module: str, *args: str, timeout: float = 180.0) -> dict[str, Any]:
    completed = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True,
                               text=True, timeout=timeout, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result
