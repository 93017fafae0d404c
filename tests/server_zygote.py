"""Start reference servers by forking a process that has already imported them.

A server started as `python -m supportdesk_tui.server serve …` spends ~0.6 s of CPU importing
FastAPI, uvicorn, pydantic and our routes before it reads its arguments; the suite starts well
over a hundred. This zygote pays for the imports once per pytest worker, then forks: the child
runs the very same `supportdesk_tui.server.cli.main(argv)` a fresh interpreter would, with the
caller's standard streams, environment and working directory, in a session of its own.

The test side sees a `ForkedProcess`, which answers to what the fixtures and tests use of
`subprocess.Popen` (pid, stdin, stdout, poll, wait, send_signal, kill, terminate, returncode).
The zygote is the children's parent, so it reaps them on request: until then a dead child stays
a zombie and its pid can't be reused, which keeps `send_signal` as safe as Popen's.

SUPPORTDESK_TEST_SERVER_START=exec starts every server in a fresh interpreter instead.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import IO, Any

# What a running server imports besides `supportdesk_tui.server.app`: uvicorn picks its loop and
# protocols when it starts serving, psycopg only on PostgreSQL. Missing optional ones are skipped.
WARM_IMPORTS = (
    "supportdesk_tui.server.cli",
    "supportdesk_tui.server.app",
    "supportdesk_tui.server.seed",
    "supportdesk_tui.server.simulate",
    "supportdesk_tui.server.store",
    "supportdesk_tui.server.storage.sqlite_engine",
    "supportdesk_tui.server.storage.postgres_engine",
    "uvicorn",
    "uvicorn.config",
    "uvicorn.server",
    "uvicorn.main",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.auto",
    "uvloop",
    "httptools",
    "anyio._backends._asyncio",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
)
MAX_MESSAGE = 1 << 20
STREAMS = 3  # stdin, stdout, stderr of the child


# --- the zygote process ------------------------------------------------------------------


def _warm_up() -> None:
    import importlib

    for name in WARM_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _receive(control: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    fds = array.array("i")
    room = socket.CMSG_SPACE(STREAMS * fds.itemsize)
    data, ancillary, _flags, _address = control.recvmsg(MAX_MESSAGE, room)
    if not data:
        return None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    return json.loads(data), list(fds)


_reaped: dict[int, int] = {}  # pid -> return code, for a caller that asks again


def _wait(pid: int, timeout: float | None) -> int | None:
    """The child's return code as Popen gives it (-N for signal N), or None if still running."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        if pid in _reaped:
            return _reaped[pid]
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            _reaped[pid] = os.waitstatus_to_exitcode(status)
            continue
        if deadline is not None and time.monotonic() >= deadline:
            return None
        with contextlib.suppress(OSError):  # pidfd: woken when it exits, not by polling
            pidfd = os.pidfd_open(pid)
            try:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                select.select([pidfd], [], [], left)
            finally:
                os.close(pidfd)
            continue
        time.sleep(0.01)


def _serve_requests(control: socket.socket) -> dict[str, Any]:
    """Answer the test process until it goes away (then exit); returns only in a forked child."""
    while True:
        received = _receive(control)
        if received is None:
            raise SystemExit(0)
        request, fds = received
        if request["op"] == "wait":
            try:
                answer: dict[str, Any] = {"returncode": _wait(request["pid"], request["timeout"])}
            except OSError as exc:  # not our child: say so rather than stop serving
                answer = {"error": f"wait for {request['pid']}: {exc}"}
            control.send(json.dumps(answer).encode())
            continue
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"error": f"fork: {exc}"}).encode())
            continue
        if pid == 0:
            control.close()
            os.setsid()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            for fd in fds:
                if fd > 2:
                    os.close(fd)
            return request
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid}).encode())


def _become_server(request: dict[str, Any]) -> int:
    """In the forked child: the same entry point `python -m supportdesk_tui.server` runs."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # Fresh streams on the descriptors the caller sent, unbuffered as PYTHONUNBUFFERED=1 makes them.
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
    sys.argv = ["supportdesk_tui.server", *request["args"]]
    from supportdesk_tui.server.cli import main

    return main(request["args"])


def zygote_main(control_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for pytest; it closes our socket
    control = socket.socket(fileno=control_fd)
    _warm_up()
    control.send(b'{"ready": true}')
    request = _serve_requests(control)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # Raised here, outside the request loop: the child exits as an interpreter does (atexit
    # hooks, non-daemon threads joined, streams flushed), like a server started with exec.
    raise SystemExit(_become_server(request))


# --- the test side -----------------------------------------------------------------------


class ForkedProcess:
    """A server forked by the zygote, answering to the parts of `subprocess.Popen` we use."""

    def __init__(self, zygote: Zygote, pid: int, stdin: IO[str], stdout: IO[str], args: list[str]) -> None:
        self._zygote, self.pid, self.stdin, self.stdout, self.args = zygote, pid, stdin, stdout, args
        self.stderr = None
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._zygote.wait(self.pid, 0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self._zygote.wait(self.pid, timeout)
            if self.returncode is None:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        # Only before it was reaped (as Popen): the pid is still this child's.
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """The test process's end: one zygote per pytest process, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def _started(self) -> socket.socket:
        if self._control is None:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            with theirs:
                run = f"import server_zygote; server_zygote.zygote_main({theirs.fileno()})"
                self._process = subprocess.Popen(
                    [sys.executable, "-c", run],
                    pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    cwd=os.getcwd(),
                    env={**os.environ, "PYTHONPATH": _python_path()},
                )
            if json.loads(ours.recv(MAX_MESSAGE) or b"{}").get("ready") is not True:
                raise RuntimeError("the server zygote did not start (its stderr is pytest's)")
            self._control = ours
        return self._control

    def _ask(self, request: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        with self._lock:
            control = self._started()
            message = json.dumps(request).encode()
            if fds:
                control.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            else:
                control.send(message)
            reply = control.recv(MAX_MESSAGE)
            if not reply:
                raise RuntimeError("the server zygote is gone (its stderr is pytest's)")
            answer: dict[str, Any] = json.loads(reply)
            if "error" in answer:
                raise RuntimeError(f"server zygote: {answer['error']}")
            return answer

    def spawn(self, command: list[str], stderr: IO[Any], env: dict[str, str]) -> ForkedProcess:
        """Like `Popen(command, stdin=PIPE, stdout=PIPE, stderr=stderr, text=True, env=env,
        start_new_session=True)` for `[python, -m, supportdesk_tui.server, *args]`."""
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        try:
            pid = self._ask(
                {"op": "spawn", "args": command[3:], "env": env, "cwd": os.getcwd()},
                [stdin_read, stdout_write, stderr.fileno()],
            )["pid"]
        except BaseException:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise
        finally:
            os.close(stdin_read)
            os.close(stdout_write)
        return ForkedProcess(
            self, pid, open(stdin_write, "w", encoding="utf-8"), open(stdout_read, encoding="utf-8"), command
        )

    def wait(self, pid: int, timeout: float | None) -> int | None:
        returncode: int | None = self._ask({"op": "wait", "pid": pid, "timeout": timeout})["returncode"]
        return returncode

    def stop(self) -> None:
        """Close our end: the zygote exits (servers still running stop when their stdin closes)."""
        with self._lock:
            if self._control is not None:
                self._control.close()
                self._control = None
            if self._process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=10)
                self._process = None


def _python_path() -> str:
    """The caller's import path for our packages, and this folder so `server_zygote` imports."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.dirname(os.path.dirname(sys.modules["supportdesk_tui"].__file__ or ""))
    parts = [here, src, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return os.pathsep.join(dict.fromkeys(parts))
