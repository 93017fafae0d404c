"""Shared fixtures: the real reference backend, started in a subprocess on loopback.

`live_server` is one demo server per test session (per xdist worker);
`server_factory` starts independent servers a test may kill -9 and restart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from supportdesk_tui.server.cli import LISTENING_PREFIX, create_token

DEMO_NOW = "2026-11-26T09:00:00Z"
STARTUP_TIMEOUT = 60.0
STANDARD_LOGINS = ("anna", "boris", "kate", "dmitry", "lena", "intake")


@dataclass
class ServerHandle:
    """A reference server running in its own process."""

    db_path: Path
    log_path: Path
    options: dict[str, Any]
    url: str = ""
    port: int = 0
    process: subprocess.Popen[str] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    # --- tokens ---------------------------------------------------------------
    def token(self, login: str) -> str:
        if login not in self.tokens:
            self.tokens[login] = create_token(self.db_path, login, None, None)
        return self.tokens[login]

    def new_token(self, login: str, role: str, queues: list[str], name: str | None = None) -> str:
        token = create_token(self.db_path, login, role, queues, name=name)
        self.tokens[login] = token
        return token

    def headers(self, login: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(login)}", **extra}

    def client(self, login: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {} if login is None else self.headers(login)
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    # --- process control --------------------------------------------------------
    def command(self) -> list[str]:
        opts = self.options
        # --exit-with-stdin: if pytest dies without tearing down, the closed pipe stops the server.
        cmd = [
            sys.executable,
            "-m",
            "supportdesk_tui.server",
            "serve",
            "--host",
            "127.0.0.1",
            "--exit-with-stdin",
        ]
        cmd += ["--port", str(self.port), "--db", str(self.db_path)]
        if opts.get("demo", True):
            cmd += ["--demo", "--demo-now", str(opts.get("demo_now", DEMO_NOW))]
        if opts.get("tickets"):
            cmd += ["--tickets", str(opts["tickets"])]
        if opts.get("simulate"):
            cmd += ["--simulate", str(opts["simulate"])]
        cmd += ["--rate-limit", str(opts.get("rate_limit", 0))]
        if opts.get("rate_burst") is not None:
            cmd += ["--rate-burst", str(opts["rate_burst"])]
        for option in ("auth_fail_rate", "auth_fail_burst"):
            if opts.get(option) is not None:
                cmd += [f"--{option.replace('_', '-')}", str(opts[option])]
        if opts.get("keepalive") is not None:
            cmd += ["--keepalive", str(opts["keepalive"])]
        if opts.get("idempotency_lease") is not None:
            cmd += ["--idempotency-lease", str(opts["idempotency_lease"])]
        return cmd

    def start(self) -> ServerHandle:
        log = self.log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        log.close()
        line = _read_line_with_timeout(self.process, STARTUP_TIMEOUT)
        if not line.startswith(LISTENING_PREFIX):
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}; log:\n{self.log_path.read_text()[-4000:]}")
        self.url = line.split()[1].rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown hooks run."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_pipe()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self._close_pipe()

    def restart(self) -> ServerHandle:
        """Start again on the same database and port."""
        self.stop()
        return self.start()

    def _close_pipe(self) -> None:
        if self.process is None:
            return
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def _read_line_with_timeout(process: subprocess.Popen[str], timeout: float) -> str:
    result: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        result.append(process.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


def _new_server(directory: Path, tokens: tuple[str, ...] = STANDARD_LOGINS, **options: Any) -> ServerHandle:
    directory.mkdir(parents=True, exist_ok=True)
    handle = ServerHandle(
        db_path=directory / "server.sqlite3", log_path=directory / "server.log", options=options
    )
    for login in tokens:
        handle.token(login)
    return handle.start()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """The demo server (clock anchored at DEMO_NOW), shared by the session; don't kill it."""
    handle = _new_server(tmp_path_factory.mktemp("live_server"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def workday_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A demo server the app's end-to-end tests work in (they create tickets, escalate, reply).

    Kept apart from `live_server`, which stays exactly as seeded.
    """
    handle = _new_server(tmp_path_factory.mktemp("workday"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """Another demo server for the backend's own tests, which change the world they run in.

    `live_server` then stays as seeded for tests that compare against the demo data.
    """
    handle = _new_server(tmp_path_factory.mktemp("backend"))
    try:
        yield handle
    finally:
        handle.stop()


ServerFactory = Callable[..., ServerHandle]


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start independent servers: `server_factory(tickets=10000, rate_limit=5, keepalive=0.5, demo=False)`."""
    started: list[ServerHandle] = []

    def start(**options: Any) -> ServerHandle:
        handle = _new_server(tmp_path / f"server{len(started)}", **options)
        started.append(handle)
        return handle

    try:
        yield start
    finally:
        for handle in started:
            handle.stop()
