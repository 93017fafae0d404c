"""How the server's log reads: plain lines for a person (default), or JSON lines for a collector.

`serve --log-format json` (or `SUPPORTDESK_LOG_FORMAT=json` for the ASGI factory) writes one JSON
object per line to standard error: `time`, `level`, `logger`, `message`, and for the request
lines `request_id`, `method`, `path`, `status`, `duration_ms`, `agent_id`; any other record
written while a request runs carries that request's `request_id` too.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from supportdesk_tui.server.request_log import current_request_id

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
# Our own loggers, and uvicorn's when `serve` runs it (the ASGI factory leaves uvicorn's alone:
# the process manager configured those).
OWN_LOGGERS = ("supportdesk",)
SERVER_LOGGERS = ("uvicorn",)
REQUEST_LOGGER = "supportdesk.requests"


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request it was written in, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-06T17:04:18.123Z INFO supportdesk.requests GET /api/v1/me 200 1.2ms request_id=…`."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name} {record.getMessage()}"
        request_id = getattr(record, "request_id", None)
        if request_id and record.name != REQUEST_LOGGER:
            line += f" request_id={request_id}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in a message are escaped by JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            entry.update(request)
        elif getattr(record, "request_id", None):
            entry["request_id"] = getattr(record, "request_id", None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    level: str = "warning", log_format: str = "text", *, stream: TextIO | None = None,
    include_server: bool = True,
) -> logging.Handler:
    """Send our records (and uvicorn's, with `include_server`) to `stream` (default stderr) in
    `log_format`. `level` is for diagnostics; the request lines are written at any level."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}: use one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    handler.set_name("supportdesk-server")
    for name in (*OWN_LOGGERS, *(SERVER_LOGGERS if include_server else ())):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == "supportdesk-server"]:
            logger.removeHandler(old)  # configured again (tests, a second app in one process)
        logger.addHandler(handler)
        logger.propagate = False
    logging.getLogger("supportdesk").setLevel(level.upper())
    logging.getLogger(REQUEST_LOGGER).setLevel(logging.INFO)
    return handler
