"""`supportdesk demo`: the reference backend with demo data and live traffic, and the app on it.

The demo keeps its state between runs in the user's data folder (`demo_folder()`): the
database, the server's log and the app's own home (drafts, outbox, settings), and it comes back
on the same address, so a draft written in one demo is there in the next, as it is on a real
deployment. `supportdesk demo --fresh` throws that state away and starts from the seed again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from supportdesk_tui import paths
from supportdesk_tui.extras import SERVER, missing_extra_sentence
from supportdesk_tui.launch import resolve_settings, run_with_settings
from supportdesk_tui.server.token_admin import create_token
from supportdesk_tui.settings import AppSettings

DEMO_LOGINS = {"agent": "anna", "lead": "lena"}
LISTENING_PREFIX = "SUPPORTDESK_LISTENING "


class BackendProcess:
    """The reference backend in a child process on a free loopback port, on its own SQLite file
    (or on `database`: a postgresql:// URL or another file, e.g. a second instance's)."""

    def __init__(self, workdir: Path, serve_args: list[str], *, name: str = "demo",
                 database: Path | str | None = None, port: int = 0) -> None:
        self.workdir = workdir
        self.db_path: Path | str = workdir / f"{name}.db" if database is None else database
        self.log_path = workdir / f"{name}-server.log"
        self.serve_args = serve_args
        self.name = name
        self.port = port
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
                   "--port", str(self.port), "--db", str(self.db_path), *self.serve_args,
                   # If this process dies without cleaning up, the server notices and exits too.
                   "--exit-with-stdin", "--machine-readable"]
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


def demo_server(workdir: Path, *, tickets: int = 0, simulate: float = 0.0, port: int = 0,
                database: Path | None = None) -> BackendProcess:
    """The demo world: seeded data, optional extra tickets and live traffic."""
    args = ["--demo"]
    if tickets:
        args += ["--tickets", str(tickets)]
    if simulate > 0:
        args += ["--simulate", str(simulate)]
    return BackendProcess(workdir, args, database=database, port=port)


def demo_folder() -> Path:
    """Where the demo keeps its state between runs (below SUPPORTDESK_HOME when that is set)."""
    return paths.data_dir() / "demo"


def _port_is_free(port: int) -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        probe.bind(("127.0.0.1", port))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def _demo_port(folder: Path) -> int:
    """The port of the demo's first run, so drafts (kept per server address) find their server
    again; 0 (any free one) the first time, or when another program holds it now."""
    try:
        port = int((folder / "port").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if _port_is_free(port):
        return port
    print(f"Port {port} of the last demo is in use (another demo running?); this one takes "
          "another, and its drafts are kept apart.", flush=True)
    return 0


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class DemoError(Exception):
    """The demo could not start; the message says why."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@contextmanager
def demo_session(args: argparse.Namespace) -> Iterator[AppSettings]:
    """The demo backend running on the state of the last demo (or a new one, `args.fresh`), and
    the app's settings for it; the backend stops when the block ends, its state stays."""
    folder = demo_folder()
    if getattr(args, "fresh", False):
        shutil.rmtree(folder, ignore_errors=True)
    paths.ensure_dir(folder)
    database = folder / "server.sqlite3"
    again = database.exists()
    server = demo_server(folder, tickets=args.tickets, simulate=args.simulate,
                         port=_demo_port(folder), database=database)
    print(f"Starting the demo backend on the state of the last demo in {folder} "
          "(`supportdesk demo --fresh` starts over)…" if again else
          f"Starting the demo backend with seeded data; its state stays in {folder}…", flush=True)
    try:
        try:
            url = server.start()
        except RuntimeError as exc:
            fresh = "\n`supportdesk demo --fresh` starts over with a new demo." if again else ""
            raise DemoError(f"{exc}{fresh}") from None
        port_file = folder / "port"
        if not port_file.exists():
            port_file.write_text(url.rsplit(":", 1)[1], encoding="utf-8")
        token = server.token_for(DEMO_LOGINS[args.role])
        # The app gets a home of its own in the demo's folder: the demo's drafts and settings
        # never mix with those of a real deployment.
        with _environment({paths.HOME_ENV: str(folder / "app"), "SUPPORTDESK_TOKEN": token}):
            args.server = url
            settings = resolve_settings(args, mode="dashboard" if args.role == "lead" else None)
            if isinstance(settings, str):
                raise DemoError(settings, exit_code=2)
            yield replace(settings, token=token)
    finally:
        server.stop()


def run_demo(args: argparse.Namespace) -> int:
    # The demo starts the backend in a child process: without the `server` extra it would die
    # there with a traceback in its log; say what to install instead.
    if (missing := missing_extra_sentence("supportdesk demo", SERVER)) is not None:
        print(missing, file=sys.stderr)
        return 2
    try:
        with demo_session(args) as settings:
            return run_with_settings(settings, debug=bool(getattr(args, "debug", False)))
    except DemoError as exc:
        print(f"supportdesk: {exc}", file=sys.stderr)
        return exc.exit_code
