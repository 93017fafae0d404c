"""The app's log file: `supportdesk.log` in the state folder, rotated, private.

What goes in says what the app did, never what people wrote: requests by method, path, status
and request id (the server's log names the same id), failures by kind and status. Two rules keep
the token and customer text out, and a third catches what slips past them:

- nothing logs a body, a query string or a server's message (any of them can carry customer
  text: a search, a ticket, a validation error quoting it);
- an exception is logged as its type and stack only: messages can quote the data that failed;
- every line is masked before it is written: the session's token, and anything after `Bearer`.

`--debug` adds the line per request; by default the log holds start, stop, failures and the
instance changes of a deployment.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from supportdesk_tui import __version__, paths

LOG_FILE_NAME = "supportdesk.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
MASK = "***"
# Our loggers are below this name; other libraries' records reach the file from WARNING up.
ROOT_LOGGER = "supportdesk"
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")
_active: Path | None = None


def log_file() -> Path:
    """Where the log is written (below SUPPORTDESK_HOME when that is set)."""
    return paths.state_dir() / LOG_FILE_NAME


def active_log() -> Path | None:
    """The file this process logs to now; None when it keeps no log (tests, other tools)."""
    return _active


class _PrivateRotatingFile(RotatingFileHandler):
    """Created 0600 (a fresh file and each one after a rotation): it names servers and tickets."""

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)


class MaskingFormatter(logging.Formatter):
    """Formats a record, stacks without exception messages, then masks the secrets it knows."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def formatException(
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
    ) -> str:
        kind, error, trace = ei
        if kind is None or error is None:
            return ""
        lines = ["Traceback (most recent call last):", *traceback.format_tb(trace)]
        cause = error
        while (cause := cause.__cause__ or cause.__context__) is not None:  # type: ignore[assignment]
            lines.append(f"  (while handling {type(cause).__module__}.{type(cause).__qualname__})")
        # The type says what failed; its message may quote a ticket or a server's answer.
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message not logged)")
        return "\n".join(line.rstrip("\n") for line in lines)

    def format(self, record: logging.LogRecord) -> str:
        return self.mask(super().format(record))

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _BEARER.sub(rf"\g<1>{MASK}", text)


def open_log(*, debug: bool = False, secrets: Iterable[str] = ()) -> logging.Handler | None:
    """Start logging to `log_file()`; None (and one sentence on stderr) when it can't be written."""
    global _active
    path = log_file()
    try:
        paths.ensure_dir(path.parent)
        handler: logging.Handler = _PrivateRotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                        encoding="utf-8")
    except OSError as exc:
        print(f"supportdesk: no log file ({path}: {exc.strerror or exc}); going on without one.",
              file=sys.stderr)
        return None
    handler.setFormatter(MaskingFormatter(secrets))
    handler.setLevel(logging.DEBUG)
    # Other libraries' records only from WARNING up: httpx's INFO line per request has the query.
    handler.addFilter(lambda record: record.name.startswith(ROOT_LOGGER) or record.levelno >= logging.WARNING)
    logging.getLogger().addHandler(handler)
    logging.getLogger(ROOT_LOGGER).setLevel(logging.DEBUG if debug else logging.INFO)
    _active = path
    logging.getLogger(f"{ROOT_LOGGER}.app").info(
        "SupportDesk %s started (Python %s, debug %s)", __version__, sys.version.split()[0],
        "on" if debug else "off")
    return handler


def close_log(handler: logging.Handler | None) -> None:
    global _active
    if handler is None:
        return
    logging.getLogger(f"{ROOT_LOGGER}.app").info("SupportDesk stopped")
    logging.getLogger().removeHandler(handler)
    logging.getLogger(ROOT_LOGGER).setLevel(logging.NOTSET)
    handler.close()
    _active = None


@contextmanager
def client_log(*, debug: bool = False, secrets: Iterable[str] = ()) -> Iterator[Path | None]:
    """The log open for the block: yields its path, or None when it could not be opened."""
    handler = open_log(debug=debug, secrets=secrets)
    try:
        yield active_log()
    finally:
        close_log(handler)
