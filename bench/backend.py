"""Reference backends for the benchmarks, each a child process on a free loopback port.

The demo world comes from `supportdesk_tui.demo.DemoServer` as is. Queues at scale need a
backend with only the bulk seed (no `--demo`, so "1,000 tickets" means 1,000) and without the
per-token rate limit (we measure the client, and a paging client would otherwise be throttled).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from supportdesk_tui.demo import LISTENING_PREFIX

LEAD_LOGIN = "lead1"


class BulkBackend:
    """`python -m supportdesk_tui.server serve --tickets N` on its own SQLite file."""

    def __init__(self, workdir: Path, tickets: int) -> None:
        self.workdir = workdir
        self.tickets = tickets
        self.db_path = workdir / f"bulk-{tickets}.db"
        self.log_path = workdir / f"server-{tickets}.log"
        self.url = ""
        self.start_seconds = 0.0
        """Process start until it listens; dominated by the bulk seed on a fresh database."""
        self._process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 300.0) -> str:
        command = [sys.executable, "-m", "supportdesk_tui.server", "serve", "--host", "127.0.0.1",
                   "--port", "0", "--db", str(self.db_path), "--tickets", str(self.tickets),
                   "--rate-limit", "0", "--exit-with-stdin"]
        started = time.perf_counter()
        with self.log_path.open("w", encoding="utf-8") as log:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=log, text=True,
                                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self._process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self._process.stdout.readline()
            if not line:
                break
            if line.startswith(LISTENING_PREFIX):
                self.url = line[len(LISTENING_PREFIX):].strip()
                self.start_seconds = time.perf_counter() - started
                return self.url
        self.stop()
        raise RuntimeError(f"the bulk backend ({self.tickets} tickets) did not start; see {self.log_path}:\n"
                           + self.log_path.read_text(encoding="utf-8")[-2000:])

    def lead_token(self) -> str:
        # A lead sees every queue, so the list is the whole bulk seed.
        from supportdesk_tui.server.cli import create_token

        return create_token(self.db_path, LEAD_LOGIN, "lead", [])

    def stop(self) -> None:
        process = self._process
        self._process = None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # --exit-with-stdin: a polite stop
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
