"""A first start's first frame: the queue's first rows, read and painted before Textual loads.

With nothing cached (first_frame.py paints the last session's page), a start used to show nothing
until Textual, pydantic and the app had imported. The server answers in milliseconds, so when the
server and the token can be known without the heavy config reader, the start sends the sign-in's
requests at once from a thread (api/prefetch.py) together with the start-up queue's first rows,
and that thread paints the rows with first_frame's painter, under a banner saying they are
loading, the moment they are read — while the app goes on importing, which waits for nothing.
Once Textual is loaded the painting stops (`EarlyPaint.close`: rows read later are not painted)
and the app starts as before: its connect screen keeps the rows (same banner), its queue reads its
own page once the event stream is up and replaces them.

The rules that keep this honest:
- Standard library only (an import-linter contract), like first_frame.py.
- Only when this module is sure of the start: server, token, language and the start-up view are
  read the way `launch.resolve_settings` reads them, from the command line, the SUPPORTDESK_*
  variables, the config file (tomllib) and the stored login's file; a token in the keyring, a
  default filter, anything it cannot read exactly → no paint (tests compare both readers).
- Only the start-up queue's default view (all my queues, SLA order), and only for an agent (a
  lead starts on the dashboard); only plain `http://` (as the prefetch); only on a UTF-8 terminal.
- The answers are untrusted: read strictly (api/early_page.py), sanitised by the painter, and
  anything unexpected — a refused token, a dead or slow server, a surprise in the JSON — means no
  paint, never an error; and the start never waits for them.
- One writer at a time: the terminal probe's questions go out first, and the app takes the
  terminal only after `close` (under the same lock as the paint).
- Never acted on: keys typed at these rows are discarded, as at a cached page.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from supportdesk_tui import paths
from supportdesk_tui.api.early_page import read_me, read_tickets
from supportdesk_tui.api.failover import ServerListError, parse_server_list, same_deployment
from supportdesk_tui.api.prefetch import PrefetchedAnswer, SignInPrefetch
from supportdesk_tui.credentials import read_login_file
from supportdesk_tui.first_frame import (
    CachedPage,
    StartKey,
    can_paint,
    first_page_row,
    first_page_title,
    leave_alternate_screen,
    quiet_keys,
    render_frame,
    restore_keys,
)

if TYPE_CHECKING:
    from supportdesk_tui.domain.terminal_probe import GraphicsProbe

# The terminal probe writes its questions within a millisecond of starting; the rows never come
# sooner. Should it not have, the paint waits this long at most, then paints anyway.
PROBE_QUESTIONS_WAIT_SECONDS = 0.1
# The start-up queue's order (screens/queue.py: `TicketSort.SLA_DUE`).
START_UP_SORT = "sla_due"
DEFAULT_PAGE_SIZE = 100
DEFAULT_TIMEOUT = 10.0
# A config file much bigger than this is not one we could read cheaply (nor, likely, at all).
_MAX_CONFIG_BYTES = 256 * 1024
# config.py's ENV_PREFIX and ENV_ALIASES: the variables that override config keys.
_ENV_PREFIX = "SUPPORTDESK_"
_ENV_ALIASES = {
    "SUPPORTDESK_SERVER": "server.url",
    "SUPPORTDESK_TOKEN": "server.token",
    "SUPPORTDESK_LANG": "ui.language",
    "SUPPORTDESK_THEME": "ui.theme",
}
_LANGUAGE_CHOICES = ("auto", "en", "ru")


class _Unsure(Exception):
    """Something this reader cannot resolve the way the app would: no early start."""


@dataclass(frozen=True)
class EarlyStart:
    """What a start will sign in with, read cheaply; `launch` checks it against the full reading."""

    instances: tuple[str, ...]
    token: str
    language: str
    page_size: int
    timeout: float


def _config_overrides(env: Mapping[str, str]) -> dict[str, str]:
    """Key path → raw value of every SUPPORTDESK_* override, the last (in name order) winning, as
    `config.apply_env_overrides` applies them."""
    found: dict[str, str] = {}
    for name in sorted(env):
        value = env[name]
        if not name.startswith(_ENV_PREFIX) or value == "":
            continue
        if name in _ENV_ALIASES:
            found[_ENV_ALIASES[name]] = value
            continue
        rest = name[len(_ENV_PREFIX):]
        if "__" in rest:
            section, key = rest.split("__", 1)
            found[f"{section.lower()}.{key.lower()}"] = value
    return found


def _config_file(env: Mapping[str, str]) -> dict[str, Any]:
    try:
        with paths.config_file(env).open("rb") as handle:
            data = handle.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise _Unsure from error
    if len(data) > _MAX_CONFIG_BYTES:
        raise _Unsure
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise _Unsure from error


def _setting(config: Mapping[str, Any], overrides: Mapping[str, str], key_path: str) -> object:
    """The config's value at `key_path` (an override's raw string first); None when unset."""
    if key_path in overrides:
        return overrides[key_path]
    section, key = key_path.split(".")
    table = config.get(section, {})
    if not isinstance(table, dict):
        raise _Unsure
    return table.get(key)


def _server_url(value: object) -> str:
    """`server.url` as the config's validator joins it (a list of strings, or one string)."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(item.strip() for item in value)
    if isinstance(value, str):
        return value
    raise _Unsure


def _number(value: object, *, low: float, high: float, integer: bool) -> float:
    if isinstance(value, str):  # an override: read laxly, as the config reads the environment
        try:
            value = int(value) if integer else float(value)
        except ValueError as error:
            raise _Unsure from error
    if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
        raise _Unsure
    if not low <= value <= high:
        raise _Unsure
    return value


def resolve_early(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> EarlyStart | None:
    """Server, token, language and page size as `launch.resolve_settings` will resolve them, read
    without pydantic; None when any of them cannot be read here exactly, or the start-up queue
    would not show its default view."""
    from supportdesk_tui.i18n import detect_language  # lazy: only once a paint is possible

    environ = os.environ if env is None else env
    try:
        config = _config_file(environ)
        overrides = _config_overrides(environ)
        default_filter = _setting(config, overrides, "queue.default_filter")
        if default_filter not in (None, ""):
            raise _Unsure  # a filtered start-up view: the filter syntax is the app's to read
        stored = read_login_file()
        wanted: str | Sequence[str] = (getattr(args, "server", None)
                                       or _server_url(_setting(config, overrides, "server.url"))
                                       or (stored[0] if stored else ""))
        if not wanted:
            return None
        urls = parse_server_list(wanted)
        token = environ.get("SUPPORTDESK_TOKEN") or _setting(config, overrides, "server.token")
        if token is not None and not isinstance(token, str):
            raise _Unsure
        if not token and stored and _stored_for(stored[0], urls):
            token = stored[1]  # None when the stored token is in the keyring: not read here
        if not token:
            return None
        language = _setting(config, overrides, "ui.language")
        if language is not None and language not in _LANGUAGE_CHOICES:
            raise _Unsure
        page_size = _setting(config, overrides, "queue.page_size")
        timeout = _setting(config, overrides, "server.timeout")
        return EarlyStart(
            instances=urls,
            token=token,
            language=detect_language(getattr(args, "lang", None), language, environ),
            page_size=DEFAULT_PAGE_SIZE if page_size is None
            else int(_number(page_size, low=1, high=1000, integer=True)),
            timeout=DEFAULT_TIMEOUT if timeout is None
            else float(_number(timeout, low=0.1, high=600, integer=False)),
        )
    except (_Unsure, ServerListError):
        return None


def _stored_for(stored_server: str, urls: Sequence[str]) -> bool:
    try:
        return same_deployment(parse_server_list(stored_server), urls)
    except ServerListError:
        return False


@dataclass
class EarlyFirstPage:
    """The sign-in's requests and the first rows, on their way since `send_early`."""

    start: EarlyStart
    prefetch: SignInPrefetch
    rows_wanted: int  # 0: the rows were not asked for (nothing will be painted)


def send_early(args: argparse.Namespace, *, with_rows: bool = True, stream: IO[str] | None = None,
               env: Mapping[str, str] | None = None) -> EarlyFirstPage | None:
    """Send `/me`, the start-up queue's first rows (`with_rows`, and only when they can be painted
    on `stream`) and `/queues` from a thread, if this start's server and token are known cheaply;
    never raises."""
    out = sys.stdout if stream is None else stream
    try:
        start = resolve_early(args, env)
        if start is None:
            return None
        rows = 0
        if with_rows and can_paint(out):
            # A screenful: the first rows of the same list the queue reads (same query and order).
            rows = max(1, min(start.page_size, os.get_terminal_size(out.fileno()).lines - 3))
        query = {"sort": START_UP_SORT, "page[size]": str(rows)} if rows else None
        prefetch = SignInPrefetch.start(start.instances, start.token, timeout=start.timeout, first_page=query)
        if prefetch is None:
            return None
        return EarlyFirstPage(start, prefetch, rows)
    except Exception:
        return None


def loading_banner() -> str:
    from supportdesk_tui.i18n import _  # lazy: with the catalog `prepare_paint` has loaded

    return _("Loading — these rows are not live yet…")


@dataclass
class EarlyPaint:
    """The rows `send_early` asked for, painted from the launch thread the moment they are read,
    as long as the app has not taken the terminal (`close`); a `first_frame.PrePaint`."""

    early: EarlyFirstPage
    key: StartKey
    out: IO[str]
    saved_mode: list[Any] | None
    keys_fd: int = 0
    handed_over: bool = False
    _probe: GraphicsProbe | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _page: CachedPage | None = field(default=None, repr=False)
    _closed: bool = False

    @property
    def read_by(self) -> SignInPrefetch:
        return self.early.prefetch

    def paint_when_read(self, probe: GraphicsProbe | None = None) -> EarlyPaint:
        """Paint the rows when they come; after `probe`'s questions, so no bytes interleave."""
        self._probe = probe
        self.early.prefetch.on_first_page(self._rows_read)
        return self

    def _rows_read(self, answer: PrefetchedAnswer | None) -> None:
        # In the launch thread (or at once): anything unexpected means no paint, and never an
        # exception, which the futures' machinery would log onto the terminal.
        try:
            page = self._page_of(answer)
            if page is None:
                return
            if self._probe is not None:
                self._probe.wait_until_asked(PROBE_QUESTIONS_WAIT_SECONDS)
            size = os.get_terminal_size(self.out.fileno())
            frame = render_frame(page, size.columns, size.lines)
            with self._lock:
                if self._closed:
                    return  # the app has the terminal by now
                self._page = page  # before writing: a frame even half written is left behind
                self.out.write(frame)
                self.out.flush()
        except Exception:
            return

    def _page_of(self, answer: PrefetchedAnswer | None) -> CachedPage | None:
        early = self.early
        me = read_me(early.prefetch.peek("/me", 0.0))  # read before the rows, on the same connection
        if me is None or me.role != "agent":
            return None  # a refused token, or a lead (who starts on the dashboard)
        tickets = read_tickets(answer)
        if not tickets:
            return None
        rows = [first_page_row(t.id, t.priority, t.status, t.subject, t.requester, t.assignee)
                for t in tickets[:early.rows_wanted]]
        return CachedPage.of_rows(self.key.fingerprint, rows, saved_at=time.time(), banner=loading_banner(),
                                  title=first_page_title(me.name, early.start.instances[0]))

    def close(self) -> CachedPage | None:
        with self._lock:
            self._closed = True
            return self._page

    def hand_over(self) -> None:
        """The terminal's mode back as the start found it; keys typed at painted rows discarded
        (they were aimed at rows that may have changed), other keys kept for the app."""
        if self.handed_over:
            return
        self.handed_over = True
        painted = self.close() is not None
        restore_keys(self.keys_fd, self.saved_mode, discard=painted)

    def leave_unless_handed_over(self, stream: IO[str]) -> None:
        if self.handed_over:
            return
        self.handed_over = True
        painted = self.close() is not None
        restore_keys(self.keys_fd, self.saved_mode, discard=painted)
        if painted:
            leave_alternate_screen(stream)


def prepare_paint(early: EarlyFirstPage, key: StartKey, *,
                  stream: IO[str] | None = None) -> EarlyPaint | None:
    """Ready to paint the rows `send_early` asked for (None: none were): the interface's language
    loaded and keys kept off the screen. Call before the terminal probe starts (it restores the
    terminal's mode as it found it), then `paint_when_read`. Never raises."""
    out = sys.stdout if stream is None else stream
    if not early.rows_wanted:
        return None
    try:
        # lazy: parsed while the answers travel. The labels are imported here, not in the launch
        # thread while this one imports the app.
        import supportdesk_tui.i18n.labels  # noqa: F401
        from supportdesk_tui.i18n import set_language

        # The app sets the same language when it starts; its catalog is then already parsed.
        set_language(early.start.language)
        saved = quiet_keys() if os.isatty(0) else None
        return EarlyPaint(early, key, out, saved)
    except Exception:
        return None
