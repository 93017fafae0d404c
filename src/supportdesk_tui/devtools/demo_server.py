"""A fresh seeded demo server on loopback, for tools that picture the real app."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk_tui.server.serving import LISTENING_PREFIX
from supportdesk_tui.server.token_admin import create_token

DEMO_NOW = "2026-11-26T09:00:00Z"


@dataclass
class DemoServer:
    url: str
    db_path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, login: str) -> str:
        if login not in self.tokens:
            self.tokens[login] = create_token(self.db_path, login, None, None)
        return self.tokens[login]


@contextmanager
def demo_server(directory: Path) -> Iterator[DemoServer]:
    """Start `supportdesk serve --demo` on a random port with the demo clock; stop it on exit."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "server.sqlite3"
    server = DemoServer("", db_path)
    server.token("anna")  # creates the database before the server opens it, as the test fixtures do
    command = [sys.executable, "-m", "supportdesk_tui.server", "serve", "--host", "127.0.0.1",
               "--port", "0", "--exit-with-stdin", "--machine-readable", "--db", str(db_path), "--demo",
               "--demo-now", DEMO_NOW, "--rate-limit", "0"]
    with (directory / "server.log").open("a", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                   text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith(LISTENING_PREFIX):
            raise RuntimeError(f"the demo server did not start: {line!r}; see {directory / 'server.log'}")
        server.url = line.split()[1].rstrip("/")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
