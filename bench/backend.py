"""Reference backends for the benchmarks, each a child process on a free loopback port.

The demo world comes from `supportdesk_tui.demo.demo_server` as is. Queues at scale need a
backend with only the bulk seed (no `--demo`, so "1,000 tickets" means 1,000) and without the
per-token rate limit (we measure the client, and a paging client would otherwise be throttled).
"""

from __future__ import annotations

from pathlib import Path

from supportdesk_tui.demo import BackendProcess

LEAD_LOGIN = "lead1"


def bulk_backend(workdir: Path, tickets: int) -> BackendProcess:
    """`serve --tickets N` alone: no demo world, no rate limit."""
    return BackendProcess(workdir, ["--tickets", str(tickets), "--rate-limit", "0"], name=f"bulk-{tickets}")


def lead_token(backend: BackendProcess) -> str:
    # A lead sees every queue, so the list is the whole bulk seed.
    return backend.token_for(LEAD_LOGIN, "lead", [])
