"""The first frame of a start: the last session's first queue page, painted before Textual loads.

Importing Textual, pydantic and the app takes most of a start. The agent's queue changes little
between two starts, so when the queue shows its first page the app saves what it showed (plain,
already translated strings) and the next start paints them at once, in the alternate screen,
under a banner saying they are cached and the app is connecting. Textual then takes the
terminal over and its own frames replace this one; the app never shows these rows as its own.

The rules that keep this honest:
- Standard library only (plus `paths`): this module runs before anything heavy is imported.
  (The same painter shows a first start's rows read at launch, under a banner saying they are
  loading: first_start.py.)
- Painted only when stdout is a terminal, and only for the same start as the one that saved it:
  a fingerprint of everything that decides the server and the agent (the command line, the
  SUPPORTDESK_* and locale variables, the config and stored-login files) must match.
- The cache file is untrusted input: anything unexpected in it means no pre-paint, never a crash,
  and every string passes the same sanitiser as the app's (`domain.plain_text.one_line`).
- Nothing acts on a cached row: keys typed while it is on screen are discarded before Textual
  reads the terminal (`PaintedFrame.hand_over`), since they were aimed at rows that may be stale.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from supportdesk_tui import paths
from supportdesk_tui.domain.plain_text import one_line

if TYPE_CHECKING:
    from supportdesk_tui.api.prefetch import SignInPrefetch

CACHE_FILE_NAME = "first-page.json"
FORMAT_VERSION = 1
# A first page is 100 rows of short strings; anything much bigger was not written by us.
MAX_CACHE_BYTES = 256 * 1024
MAX_ROWS = 200
MAX_COLUMNS = 8
# Where the time the page was cached goes in the (translated) banner.
TIME_FIELD = "{time}"
# Variables that decide the language the banner and labels were written in.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"
_LEAVE = "\x1b[?25h\x1b[?1049l"
_BOLD, _DIM, _REVERSE, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[7m", "\x1b[0m"
_KEYS_FD = 0  # Textual reads keys from stdin


def cache_file(env: Mapping[str, str] | None = None) -> Path:
    return paths.cache_dir(env) / CACHE_FILE_NAME


def start_fingerprint(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """A digest of everything that decides which server and which agent a start signs in as.

    Two starts with the same fingerprint resolve the same server list and token, so a page one
    of them saved may be painted by the other. Any change (another `--server`, token, config or
    stored login, language) gives another fingerprint and no pre-paint.
    """
    environ = os.environ if env is None else env
    digest = hashlib.sha256()

    def feed(*parts: object) -> None:
        for part in parts:
            digest.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")

    feed("argv", *argv)
    for name in sorted(environ):
        if name.startswith("SUPPORTDESK_") or name in _LOCALE_VARIABLES:
            feed(name, environ[name])
    # The stored login's file changes on every `supportdesk login` (also when the token itself
    # lives in the keyring), so its metadata stands for the keyring entry too.
    for path in (paths.config_file(environ), paths.data_dir(environ) / "credentials.json"):
        try:
            stat = path.stat()
            feed(str(path), stat.st_mtime_ns, stat.st_size, path.read_bytes())
        except OSError:
            feed(str(path), "missing")
    return digest.hexdigest()


# The columns painted before Textual loads, with their widest width (0: the rest of the line):
# what identifies a ticket, not what ages in minutes.
FIRST_PAGE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("id", 7), ("priority", 10), ("status", 12), ("subject", 0), ("requester", 24), ("assignee", 12),
)


def first_page_titles() -> tuple[str, ...]:
    """The titles of `FIRST_PAGE_COLUMNS` in the current language, as the queue's header has them."""
    from supportdesk_tui.i18n import pgettext  # lazy: a cached page's strings come translated

    # "#" as the queue's header has it (`ticket_table.column_title`: no catalog entry changes it).
    return ("#", pgettext("column", "Priority"), pgettext("column", "Status"),
            pgettext("column", "Subject"), pgettext("column", "Requester"), pgettext("column", "Assignee"))


def first_page_row(ticket_id: int, priority: str, status: str, subject: str, requester: str,
                   assignee: str | None) -> tuple[str, ...]:
    """A ticket's cells in `FIRST_PAGE_COLUMNS`, as plain strings in the current language."""
    from supportdesk_tui.i18n import _  # lazy: a cached page's strings come translated
    from supportdesk_tui.i18n.labels import priority_label, status_label

    return (str(ticket_id), priority_label(priority), status_label(status), one_line(subject),
            one_line(requester), one_line(assignee) if assignee else _("—"))


def first_page_title(name: str, server: str) -> str:
    return f"SupportDesk  ·  {one_line(name)}  ·  {one_line(server)}"


@dataclass(frozen=True)
class CachedPage:
    """What the queue showed, as plain strings: the banner and column titles already translated."""

    fingerprint: str
    saved_at: float  # seconds since the epoch
    title: str
    banner: str  # contains TIME_FIELD
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Per column: True = right-aligned (ids), and the most cells it may take (0 = takes the rest).
    right: tuple[bool, ...] = field(default=())
    widths: tuple[int, ...] = field(default=())

    def to_json(self) -> str:
        return json.dumps({
            "version": FORMAT_VERSION, "fingerprint": self.fingerprint, "saved_at": self.saved_at,
            "title": self.title, "banner": self.banner, "columns": list(self.columns),
            "right": list(self.right), "widths": list(self.widths), "rows": [list(r) for r in self.rows],
        }, ensure_ascii=False)

    @classmethod
    def of_rows(cls, fingerprint: str, rows: Sequence[tuple[str, ...]], *, title: str, banner: str,
                saved_at: float) -> CachedPage:
        """A page of `first_page_row`s under `first_page_titles`."""
        return cls(
            fingerprint=fingerprint, saved_at=saved_at, title=title, banner=banner,
            columns=first_page_titles(), rows=tuple(rows[:MAX_ROWS]),
            right=tuple(key == "id" for key, _width in FIRST_PAGE_COLUMNS),
            widths=tuple(width for _key, width in FIRST_PAGE_COLUMNS),
        )


def _strings(value: object, limit: int) -> tuple[str, ...] | None:
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def parse_cache(data: bytes) -> CachedPage | None:
    """The cached page in `data`, or None when it is not exactly what `CachedPage.to_json` writes."""
    if len(data) > MAX_CACHE_BYTES:
        return None
    try:
        record: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("version") != FORMAT_VERSION:
        return None
    fingerprint, saved_at = record.get("fingerprint"), record.get("saved_at")
    title, banner = record.get("title"), record.get("banner")
    columns = _strings(record.get("columns"), MAX_COLUMNS)
    right, widths, raw_rows = record.get("right"), record.get("widths"), record.get("rows")
    if not (isinstance(fingerprint, str) and isinstance(title, str) and isinstance(banner, str)):
        return None
    if isinstance(saved_at, bool) or not isinstance(saved_at, (int, float)) or not 0 <= saved_at < 1e11:
        return None
    if not columns or not isinstance(raw_rows, list) or len(raw_rows) > MAX_ROWS:
        return None
    if not (isinstance(right, list) and len(right) == len(columns)
            and all(isinstance(r, bool) for r in right)):
        return None
    if not (isinstance(widths, list) and len(widths) == len(columns)
            and all(type(w) is int and 0 <= w <= 200 for w in widths)):
        return None
    rows: list[tuple[str, ...]] = []
    for raw in raw_rows:
        row = _strings(raw, len(columns))
        if row is None or len(row) != len(columns):
            return None
        rows.append(row)
    return CachedPage(fingerprint, float(saved_at), title, banner, columns, tuple(rows),
                      tuple(right), tuple(widths))


def read_cache(path: Path, fingerprint: str) -> CachedPage | None:
    """The page cached at `path` for this start's `fingerprint`; None if absent, unusable or another's."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CACHE_BYTES + 1)
    except OSError:
        return None
    page = parse_cache(data)
    return page if page is not None and page.fingerprint == fingerprint else None


def save_cache(path: Path, page: CachedPage) -> None:
    """Write `page` for the next start: private, and replaced whole so a reader never sees half.

    No fsync: the file is a disposable cache, and a page lost in a crash costs one slower start.
    """
    paths.ensure_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page.to_json())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


# --- painting ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _char_cells(ch: str) -> int:
    # Cached: a frame asks about the same few hundred characters thousands of times.
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cells(text: str) -> int:
    if text.isascii():  # sanitised text: printable ASCII, one cell each
        return len(text)
    return sum(map(_char_cells, text))


def fit(text: str, width: int, *, right: bool = False) -> str:
    """`text` (already sanitised) cut with an ellipsis or padded to exactly `width` cells."""
    if width <= 0:
        return ""
    size = cells(text)
    if size > width:
        out: list[str] = []
        used = 0
        for ch in text:
            size = _char_cells(ch)
            if used + size > width - 1:
                break
            out.append(ch)
            used += size
        return "".join(out) + "…" + " " * (width - 1 - used)
    pad = " " * (width - size)
    return pad + text if right else text + pad


def _column_widths(page: CachedPage, width: int, header: Sequence[str],
                   rows: Sequence[Sequence[str]]) -> list[int]:
    count = len(header)
    natural = [max([cells(header[i])] + [cells(r[i]) for r in rows]) for i in range(count)]
    limits = page.widths or tuple(0 for _ in range(count))
    widths = [min(natural[i], limits[i]) if limits[i] else 0 for i in range(count)]
    flexible = [i for i in range(count) if not limits[i]]
    spare = max(0, width - sum(widths) - (count - 1))
    for i in flexible:
        widths[i] = spare // len(flexible)
    return widths


@dataclass(frozen=True)
class FrameLines:
    """The cached page laid out for a terminal: sanitised lines of exactly the width asked for."""

    title: str
    banner: str  # says the rows are cached and from when
    header: str
    rows: tuple[str, ...]


def frame_lines(page: CachedPage, columns: int, lines: int) -> FrameLines:
    """Lay `page` out in `columns` x `lines` cells; every string passes the app's sanitiser."""
    stamp = time.strftime("%H:%M", time.localtime(page.saved_at))
    banner = one_line(page.banner).replace(one_line(TIME_FIELD), stamp)
    header = [one_line(c) for c in page.columns]
    room = max(0, lines - 3)
    rows = [[one_line(cell) for cell in row] for row in page.rows[:room]]
    widths = _column_widths(page, columns, header, rows)
    right = page.right or tuple(False for _ in header)

    def line(cells_: Sequence[str]) -> str:
        joined = " ".join(fit(c, w, right=r) for c, w, r in zip(cells_, widths, right, strict=True))
        return fit(joined, columns)

    return FrameLines(title=fit(one_line(page.title), columns), banner=fit(banner, columns),
                      header=line(header), rows=tuple(line(row) for row in rows))


def render_frame(page: CachedPage, columns: int, lines: int) -> str:
    """The whole frame as terminal output: our own escape sequences around sanitised text only."""
    laid_out = frame_lines(page, columns, lines)
    out = [_ENTER]
    out.append(f"\x1b[1;1H{_BOLD}{laid_out.title}{_RESET}")
    out.append(f"\x1b[2;1H{_REVERSE}{laid_out.banner}{_RESET}")
    if lines >= 3:
        out.append(f"\x1b[3;1H{_BOLD}{laid_out.header}{_RESET}")
    for y, row in enumerate(laid_out.rows, start=4):
        out.append(f"\x1b[{y};1H{_DIM}{row}{_RESET}")
    return "".join(out)


@dataclass(frozen=True)
class StartKey:
    """Where this start's first page is cached, and the fingerprint that lets a later start paint it."""

    path: Path
    fingerprint: str


def start_key(argv: Sequence[str], env: Mapping[str, str] | None = None) -> StartKey:
    return StartKey(cache_file(env), start_fingerprint(argv, env))


class PrePaint(Protocol):
    """A frame painted before Textual loads (or maybe still to be painted, first_start.py); the
    app must `hand_over` before Textual reads keys."""

    @property
    def read_by(self) -> SignInPrefetch | None:
        """The early reads its rows came from (a first start); None: the cache."""

    def close(self) -> CachedPage | None:
        """Nothing is painted from now on; the page on the terminal, if any."""

    def hand_over(self) -> None:
        """Give the terminal back as it was, minus the keys typed at painted rows."""

    def leave_unless_handed_over(self, stream: IO[str]) -> None:
        """The app never started (an error on the way): leave the alternate screen for the message."""


@dataclass
class PaintedFrame:
    """The cached frame is on the terminal; the app must `hand_over` before Textual reads keys."""

    page: CachedPage
    saved_mode: list[Any] | None
    keys_fd: int = _KEYS_FD
    handed_over: bool = False
    # The early reads the rows came from (a first start: first_start.py); None: from the cache.
    read_by: SignInPrefetch | None = None

    def close(self) -> CachedPage | None:
        return self.page

    def hand_over(self) -> None:
        """Give the terminal back as it was, minus the keys typed at the cached rows.

        Those keys were aimed at rows that may have changed; letting Textual read them would act
        on whatever fresh row ended up under the cursor.
        """
        if self.handed_over:
            return
        self.handed_over = True
        restore_keys(self.keys_fd, self.saved_mode)

    def leave_unless_handed_over(self, stream: IO[str]) -> None:
        """The app never started (an error on the way): leave the alternate screen for the message."""
        if self.handed_over:
            return
        self.handed_over = True
        restore_keys(self.keys_fd, self.saved_mode)
        leave_alternate_screen(stream)


def quiet_keys(fd: int = _KEYS_FD) -> list[Any] | None:
    """Stop keys typed at the cached frame from echoing over it; returns the mode to restore."""
    try:
        import termios  # lazy: POSIX only; on other systems the pre-paint just skips this step

        saved = termios.tcgetattr(fd)
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~(termios.ECHO | termios.ICANON)
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        return saved
    except Exception:
        return None


def restore_keys(fd: int, saved_mode: list[Any] | None, *, discard: bool = True) -> None:
    """The terminal's mode back as `quiet_keys` found it; `discard`: drop what was typed meanwhile."""
    with contextlib.suppress(Exception):
        import termios  # lazy: POSIX only; on other systems the pre-paint just skips this step

        if saved_mode is not None:
            termios.tcsetattr(fd, termios.TCSANOW, saved_mode)
        if discard:
            # What was typed while a painted frame was up (see PaintedFrame.hand_over).
            termios.tcflush(fd, termios.TCIFLUSH)


def leave_alternate_screen(stream: IO[str]) -> None:
    with contextlib.suppress(Exception):
        stream.write(_LEAVE)
        stream.flush()


def paint_cached_page(key: StartKey, *, stream: IO[str] | None = None) -> PaintedFrame | None:
    """Paint the last session's first page if this start may show it; None when nothing was painted.

    Never raises: a start without a pre-paint is only slower.
    """
    out = sys.stdout if stream is None else stream
    try:
        if not can_paint(out):
            return None
        page = read_cache(key.path, key.fingerprint)
        return None if page is None else paint_page(page, out)
    except Exception:
        return None


def can_paint(out: IO[str]) -> bool:
    """Whether `out` is a terminal this module may paint on (UTF-8, as the frame is written)."""
    try:
        encoding = str(getattr(out, "encoding", "") or "")
        return out.isatty() and encoding.lower().replace("-", "") == "utf8"
    except Exception:
        return False


def paint_page(page: CachedPage, out: IO[str]) -> PaintedFrame | None:
    """Paint `page` on the terminal `out` (checked with `can_paint`) and quiet the keys; never raises."""
    try:
        size = os.get_terminal_size(out.fileno())
        frame = render_frame(page, size.columns, size.lines)
        saved = quiet_keys() if os.isatty(_KEYS_FD) else None
        out.write(frame)
        out.flush()
        return PaintedFrame(page, saved)
    except Exception:
        return None
