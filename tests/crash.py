"""A process killed the way a crash kills it: SIGKILL, no chance to clean up."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path


def kill_once_ready(script: str, folder: Path) -> None:
    """Run `python -c script folder`, wait until it prints "ready", then SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
