"""The typed client of the SupportDesk API (httpx), its errors, event stream and failover."""

import sys

# httpx's package imports its command-line tool when it can (`httpx._main`: click, pygments and
# rich's progress bars, ≈ 30 ms of every start); httpx itself falls back to a stub `httpx.main`
# when that import fails, and this app never runs httpx's CLI.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
