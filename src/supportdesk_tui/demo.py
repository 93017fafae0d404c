"""`supportdesk demo`: a fresh reference backend with demo data and live traffic, and the app on it.

Everything lives in a temporary directory that is removed on exit, so every demo
starts from the same deterministic data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from supportdesk_tui.launch import resolve_settings, run_with_settings
from supportdesk_tui.server.cli import create_token

DEMO_LOGINS = {"agent": "anna", "lead": "lena"}
LISTENING_PREFIX = "SUPPORTDESK_LISTENING "


class BackendProcess:
    """The reference backend in a child process on a free loopback port, on its own SQLite file
    (or on `database`: a postgresql:// URL or another file, e.g. a second instance's)."""

    def __init__(self, workdir: Path, serve_args: list[str], *, name: str = "demo",
                 database: Path | str | None = None) -> None:
        self.workdir = workdir
        self.db_path: Path | str = workdir / f"{name}.db" if database is None else database
        self.log_path = workdir / f"{name}-server.log"
        self.serve_args = serve_args
        self.name = name
        self.url = ""
        self.start_seconds = 0.0
        """Process start until it listens (dominated by seeding on a fresh database)."""
        self._process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs (it is this object's own child)."""
        return self._process.pid if self._process is not None else None

    def start(self, timeout: float = 60.0) -> str:
        command = [sys.executable, "-m", "supportdesk_tui.server", "serve", "--host", "127.0.0.1",
                   "--port", "0", "--db", str(self.db_path), *self.serve_args,
                   # If this process dies without cleaning up, the server notices and exits too.
                   "--exit-with-stdin"]
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
        raise RuntimeError(f"the {self.name} backend did not start; see {self.log_path}:\n"
                           + self.log_path.read_text(encoding="utf-8")[-2000:])

    def token_for(self, login: str, role: str | None = None, queues: list[str] | None = None) -> str:
        return create_token(self.db_path, login, role=role, queues=queues)

    def kill(self) -> None:
        """SIGKILL, as when the machine under an instance dies: no shutdown, no goodbyes."""
        process = self._process
        self._process = None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def stop(self) -> None:
        process = self._process
        self._process = None
        if process is None or process.poll() is not None:
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


def demo_server(workdir: Path, *, tickets: int = 0, simulate: float = 0.0) -> BackendProcess:
    """The demo world: seeded data, optional extra tickets and live traffic."""
    args = ["--demo"]
    if tickets:
        args += ["--tickets", str(tickets)]
    if simulate > 0:
        args += ["--simulate", str(simulate)]
    return BackendProcess(workdir, args)


def run_demo(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="supportdesk-demo-"))
    server = demo_server(workdir, tickets=args.tickets, simulate=args.simulate)
    try:
        print("Starting the demo backend with seeded data…", flush=True)
        try:
            url = server.start()
        except RuntimeError as exc:
            print(f"supportdesk: {exc}", file=sys.stderr)
            return 1
        login = DEMO_LOGINS[args.role]
        token = server.token_for(login)
        os.environ["SUPPORTDESK_HOME"] = str(workdir / "home")
        args.server = url
        os.environ["SUPPORTDESK_TOKEN"] = token
        settings = resolve_settings(args, mode="dashboard" if args.role == "lead" else None)
        if isinstance(settings, str):
            print(f"supportdesk: {settings}", file=sys.stderr)
            return 2
        return run_with_settings(replace(settings, token=token))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
