"""Cold start in a real pseudo-terminal: process start until the terminal shows the awaited text.

The child gets a pty as its controlling terminal, TERM=xterm-256color and a 160x48 window;
we read what it writes until one of the needles appears, note the time, and kill it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

COLUMNS, LINES = 160, 48


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without anything that would change how the child starts.

    SUPPORTDESK_* variables are config overrides (an unknown one is an error) and TEXTUAL_*
    ones switch on devtools or change drivers; both would make the run unlike a user's.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SUPPORTDESK_", "TEXTUAL")) and k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update({"TERM": "xterm-256color", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def _become_terminal_owner() -> None:
    # Runs in the child after setsid(): make the pty its controlling terminal, as a shell would.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# Textual switches mouse reporting on when its driver starts; a start's own pre-paint never does.
TEXTUAL_STARTED = b"\x1b[?1000h"


def time_to_text(argv: Sequence[str], env: Mapping[str, str], needles: Sequence[bytes], *,
                 cwd: Path | None = None, timeout: float = 30.0) -> float:
    """Seconds from spawning `argv` until its terminal output contains any of `needles`."""
    return time_to_stages(argv, env, [needles], cwd=cwd, timeout=timeout)[0]


def time_to_stages(argv: Sequence[str], env: Mapping[str, str], stages: Sequence[Sequence[bytes]], *,
                   cwd: Path | None = None, timeout: float = 30.0) -> list[float]:
    """Seconds from spawning `argv` until each stage's needles appear, each after the one before.

    Stage n counts only output written after stage n-1 was seen (e.g. a cached subject, then
    Textual starting, then a subject again: the one Textual drew from the fresh page).
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env),
                               cwd=cwd, start_new_session=True, preexec_fn=_become_terminal_owner)
    os.close(slave)
    seen = bytearray()
    times: list[float] = []
    search_from = 0  # where the current stage's search starts
    try:
        deadline = started + timeout
        while True:
            needles = stages[len(times)]
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{argv!r} showed none of {needles!r} within {timeout} s; "
                                   f"last output: {bytes(seen[-400:])!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{argv!r} exited before showing {needles!r}; "
                                   f"output: {bytes(seen[-2000:])!r}")
            seen.extend(chunk)
            now = time.perf_counter() - started
            # Several stages may be satisfied by one chunk; each searches after the previous match.
            while True:
                needles = stages[len(times)]
                found = [i for n in needles if (i := seen.find(n, search_from)) >= 0]
                if not found:
                    # Keep an overlap, so a needle split across reads is found next time.
                    search_from = max(search_from, len(seen) - max(len(n) for n in needles))
                    break
                first = min(found)
                search_from = first + 1
                times.append(now)
                if len(times) == len(stages):
                    return times
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)


def run_until_file(argv: Sequence[str], env: Mapping[str, str], path: Path, *,
                   cwd: Path | None = None, timeout: float = 30.0) -> None:
    """Run `argv` in a pty (its output read and dropped) until `path` exists, then kill it."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env),
                               cwd=cwd, start_new_session=True, preexec_fn=_become_terminal_owner)
    os.close(slave)
    try:
        deadline = time.perf_counter() + timeout
        while not path.exists():
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{argv!r} never wrote {path} within {timeout} s")
            if select.select([master], [], [], min(left, 0.05))[0]:
                try:
                    if not os.read(master, 65536):
                        raise RuntimeError(f"{argv!r} exited before writing {path}")
                except OSError as error:  # EIO: the child closed the terminal
                    raise RuntimeError(f"{argv!r} exited before writing {path}") from error
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)
