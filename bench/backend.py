"""Reference backends for the benchmarks, each a child process on a free loopback port.

The demo world comes from `supportdesk_tui.demo.demo_server` as is. Queues at scale need a
backend with only the bulk seed (no `--demo`, so "1,000 tickets" means 1,000) and without the
per-token rate limit (we measure the client, and a paging client would otherwise be throttled).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from supportdesk_tui.demo import BackendProcess

LEAD_LOGIN = "lead1"


def bulk_backend(workdir: Path, tickets: int) -> BackendProcess:
    """`serve --tickets N` alone: no demo world, no rate limit."""
    return BackendProcess(workdir, ["--tickets", str(tickets), "--rate-limit", "0"], name=f"bulk-{tickets}")


def lead_token(backend: BackendProcess) -> str:
    # A lead sees every queue, so the list is the whole bulk seed.
    return backend.token_for(LEAD_LOGIN, "lead", [])


@contextmanager
def given_or_bulk_backend(url: str | None, token: str | None, *, tickets: int = 1_000,
                          prefix: str = "sd-bench-backend-") -> Iterator[tuple[str, str]]:
    """The backend a tool was pointed at (`--url/--token`), else a bulk one of its own for the run."""
    if url is not None and token is not None:
        yield url, token
        return
    backend = bulk_backend(Path(tempfile.mkdtemp(prefix=prefix)), tickets)
    try:
        started = backend.start()
        yield started, lead_token(backend)
    finally:
        backend.stop()
