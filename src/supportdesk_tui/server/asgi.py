"""The reference backend as an ASGI app built from the environment, for process managers.

    SUPPORTDESK_DATABASE_URL=postgresql://supportdesk@db.internal/supportdesk \\
        uvicorn --factory supportdesk_tui.server.asgi:app_from_env --workers 4 --host 0.0.0.0

Each worker process calls `app_from_env()` and is one instance: on PostgreSQL the workers (and
any other instances on the database) share events, presence, rate limits and idempotency keys,
and elect one leader for the background jobs (see docs/deploy.md). On SQLite run ONE worker:
its state lives in the process.

Every `supportdesk serve` option that is not about binding has a variable: `--rate-limit` is
`SUPPORTDESK_RATE_LIMIT`, and so on (`SERVE_OPTIONS`); the database is SUPPORTDESK_DATABASE_URL.
Host, port, workers, TLS and proxy headers belong to the process manager's own options.
The log: `SUPPORTDESK_LOG_FORMAT` (`text` or `json`) and `SUPPORTDESK_LOG_LEVEL` (of the
diagnostics), as `--log-format` and `--log-level`; our line per request replaces the process
manager's access log (`uvicorn --no-access-log`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from supportdesk_tui.server.cli import parse_when
from supportdesk_tui.server.log_format import LOG_FORMATS, LOG_LEVELS, configure_logging
from supportdesk_tui.server.serving import build_app, default_db_path
from supportdesk_tui.server.storage import DATABASE_URL_ENV, database_from


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


LOG_FORMAT_ENV = "SUPPORTDESK_LOG_FORMAT"
LOG_LEVEL_ENV = "SUPPORTDESK_LOG_LEVEL"

# variable -> (build_app argument, parser)
SERVE_OPTIONS: Mapping[str, tuple[str, Callable[[str], Any]]] = {
    "SUPPORTDESK_DEMO": ("demo", _flag),
    "SUPPORTDESK_DEMO_NOW": ("demo_now", parse_when),
    "SUPPORTDESK_TICKETS": ("tickets", int),
    "SUPPORTDESK_SIMULATE": ("simulate", float),
    "SUPPORTDESK_RATE_LIMIT": ("rate_limit", float),
    "SUPPORTDESK_RATE_BURST": ("rate_burst", int),
    "SUPPORTDESK_AUTH_FAIL_RATE": ("auth_fail_rate", float),
    "SUPPORTDESK_AUTH_FAIL_BURST": ("auth_fail_burst", int),
    "SUPPORTDESK_KEEPALIVE": ("keepalive", float),
    "SUPPORTDESK_IDEMPOTENCY_LEASE": ("idempotency_lease", float),
}


def options_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """`build_app` arguments from the variables that are set; a bad value names its variable."""
    options: dict[str, Any] = {}
    for name, (argument, parse) in SERVE_OPTIONS.items():
        raw = environ.get(name)
        if raw is None or raw.strip() == "":
            continue
        try:
            options[argument] = parse(raw.strip())
        except ValueError as exc:
            raise ValueError(f"{name}={raw!r}: {exc}") from None
    return options


def app_from_env(environ: Mapping[str, str] | None = None) -> Any:
    """The app `supportdesk serve` would run, configured from `environ` (default: os.environ)."""
    env = os.environ if environ is None else environ
    log_level = env.get(LOG_LEVEL_ENV, "").strip().lower() or "warning"
    log_format = env.get(LOG_FORMAT_ENV, "").strip().lower() or "text"
    if log_level not in LOG_LEVELS:
        raise ValueError(f"{LOG_LEVEL_ENV}={log_level!r}: use one of {', '.join(LOG_LEVELS)}")
    if log_format not in LOG_FORMATS:
        raise ValueError(f"{LOG_FORMAT_ENV}={log_format!r}: use one of {', '.join(LOG_FORMATS)}")
    configure_logging(log_level, log_format, include_server=False)
    raw_db = env.get(DATABASE_URL_ENV, "").strip() or None
    db = database_from(raw_db, default_db_path())
    app, _store = build_app(db=db, close_store=True, **options_from_env(env))
    return app
