"""The real `supportdesk` command for end-to-end tests: in a pipe, or in a pseudo-terminal of its own
as a person's shell would start it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

COLUMNS, LINES = 120, 36
SUPPORTDESK = (sys.executable, "-m", "supportdesk_tui")
"""The command as this test run has it; an installed one is its console script (`program=`)."""


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    left_out = ("NO_COLOR", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SUPPORTDESK_", "TEXTUAL", "LC_")) and k not in left_out}
    env.update(SUPPORTDESK_HOME=str(home), SUPPORTDESK_NO_KEYRING="1", LANG="C.UTF-8", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def supportdesk(args: Sequence[str], env: dict[str, str], stdin: str = "",
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supportdesk_tui", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


class Terminal:
    """The command in a pseudo-terminal of its own, as a person's shell would start it."""

    def __init__(self, args: Sequence[str], env: dict[str, str], *,
                 program: Sequence[str] = SUPPORTDESK) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.process = subprocess.Popen(
            [*program, *args], stdin=slave, stdout=slave, stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.output = bytearray()

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        self.output.extend(chunk)
        return bool(chunk)

    def wait_for(self, *needles: str, timeout: float = 60.0) -> str:
        """The first of `needles` the terminal shows."""
        wanted = [n.encode() for n in needles]
        deadline = time.monotonic() + timeout
        while True:
            for needle, raw in zip(needles, wanted, strict=True):
                if raw in self.output:
                    return needle
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                text = bytes(self.output[-1500:]).decode(errors="replace")
                raise AssertionError(f"the terminal never showed any of {needles}; it shows:\n{text}")

    def read_to_exit(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while self._read(max(0.0, deadline - time.monotonic())) and time.monotonic() < deadline:
            pass
        return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the demo's backend is in its group too
        self.process.wait()
        os.close(self.master)


@contextlib.contextmanager
def terminal(args: Sequence[str], env: dict[str, str], *,
             program: Sequence[str] = SUPPORTDESK) -> Iterator[Terminal]:
    term = Terminal(args, env, program=program)
    try:
        yield term
    finally:
        term.close()
