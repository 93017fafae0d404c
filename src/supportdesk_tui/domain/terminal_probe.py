"""What the terminal can draw images with, asked once at launch while the app is still importing.

Textual owns the terminal's input once it runs, so whatever the app wants to ask the terminal it
must ask before. textual-image asked at its own import: three queries one after the other, each
waiting up to 0.1 s for an answer most terminals never send (and a pseudo-terminal without a
terminal emulator behind it sends none), plus Pillow's import — ≈ 0.3 s of every start, with
nothing else happening. Here the same three questions go out at once from a thread that starts
before the heavy imports, so the wait overlaps them:

- the cell size in pixels (`CSI 16 t`), only when the kernel does not know it;
- the Kitty graphics protocol's query (`APC G … a=q … ST`; only terminals that speak it answer);
- Primary Device Attributes (`CSI c`), which every terminal answers, last: terminals answer in
  order, so once its answer is in, every answer that is coming has come; "4" in it means Sixel.

Standard library only: this runs before Textual, Pillow or textual-image is imported. The
attachment preview reads the result (`probed_graphics`) when it first draws an image.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import threading
import time
from dataclasses import dataclass

# At most this long after sending the questions: the three old waits of 0.1 s each, together.
ANSWER_WITHIN_SECONDS = 0.3
_CELL_SIZE_QUERY = b"\x1b[16t"
# The query textual-image sends: a 1x1 RGB image, `a=q` (query only, nothing is stored or drawn).
_KITTY_QUERY_ID = 31
_KITTY_QUERY = f"\x1b_Gi={_KITTY_QUERY_ID},s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\".encode()
_ATTRIBUTES_QUERY = b"\x1b[c"
_ATTRIBUTES_ANSWER = re.compile(rb"\x1b\[\?([0-9;]*)c")
_KITTY_ANSWER = re.compile(rb"\x1b_G([^\x1b]*)\x1b\\")
_CELL_SIZE_ANSWER = re.compile(rb"\x1b\[6;(\d+);(\d+)t")
_MOST_ANSWER_BYTES = 4096


@dataclass(frozen=True)
class TerminalGraphics:
    """The terminal's answers; a question it did not answer reads as "not supported"."""

    sixel: bool = False
    kitty: bool = False
    # Width and height of one cell in pixels, when the terminal said (else the renderer guesses).
    cell_size: tuple[int, int] | None = None


def read_answers(data: bytes) -> TerminalGraphics:
    """The capabilities in the bytes the terminal sent back (other bytes, such as keys, ignored)."""
    attributes = _ATTRIBUTES_ANSWER.search(data)
    sixel = attributes is not None and "4" in attributes.group(1).decode("ascii").split(";")
    kitty = any(_kitty_said_ok(answer.group(1)) for answer in _KITTY_ANSWER.finditer(data))
    size = _CELL_SIZE_ANSWER.search(data)
    cell_size = None
    if size is not None:
        height, width = int(size.group(1)), int(size.group(2))
        if width > 0 and height > 0:
            cell_size = (width, height)
    return TerminalGraphics(sixel=sixel, kitty=kitty, cell_size=cell_size)


def _kitty_said_ok(answer: bytes) -> bool:
    keys, _, status = answer.partition(b";")
    return status == b"OK" and f"i={_KITTY_QUERY_ID}".encode() in keys.split(b",")


def _kernel_knows_cell_size(fd: int) -> bool:
    with contextlib.suppress(Exception):
        import fcntl  # lazy: POSIX only
        import struct
        import termios

        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        rows, columns, width, height = struct.unpack("HHHH", packed)
        return bool(rows and columns and width and height)
    return False


class GraphicsProbe:
    """The questions asked from a thread; `finish()` before Textual starts, whatever happens."""

    def __init__(self, in_fd: int = 0, out_fd: int = 1, *, within: float = ANSWER_WITHIN_SECONDS) -> None:
        self._in_fd, self._out_fd, self._within = in_fd, out_fd, within
        self._thread: threading.Thread | None = None
        self._answers = b""
        self._result: TerminalGraphics | None = None
        # Set once the questions are written (or will never be): another writer to the terminal
        # (the first start's pre-paint, first_start.py) waits for it, so no bytes interleave.
        self._asked = threading.Event()

    def start(self) -> GraphicsProbe:
        """Ask, if stdin and stdout are one terminal we may ask; otherwise there is nothing to probe."""
        if not _asks_a_terminal(self._in_fd, self._out_fd):
            self._asked.set()
            return self
        self._thread = threading.Thread(target=self._ask, name="terminal-probe", daemon=True)
        self._thread.start()
        return self

    def wait_until_asked(self, timeout: float) -> bool:
        """Until the questions are on the terminal (at most `timeout` s): whether they are."""
        return self._asked.wait(timeout)

    def finish(self) -> TerminalGraphics | None:
        """Wait for the answers (at most what is left of the allowance); None if nothing was asked.

        The terminal's mode is back as it was when this returns, so Textual (or an error message)
        finds it as the start left it. The result is also what `probed_graphics()` returns.
        """
        thread = self._thread
        if thread is None or self._result is not None:
            return self._result
        # The thread never runs longer than its own allowance; the margin covers a loaded machine.
        thread.join(self._within + 1.0)
        self._result = read_answers(self._answers)
        set_probed_graphics(self._result)
        return self._result

    def _ask(self) -> None:
        import termios  # lazy: POSIX only (`start` checked that it imports)
        import tty

        try:
            saved = termios.tcgetattr(self._in_fd)
        except BaseException:
            self._asked.set()
            raise
        try:
            # No echo (the answers are not for the screen) and bytes as they come.
            tty.setcbreak(self._in_fd, termios.TCSANOW)
            questions = b"" if _kernel_knows_cell_size(self._out_fd) else _CELL_SIZE_QUERY
            try:
                os.write(self._out_fd, questions + _KITTY_QUERY + _ATTRIBUTES_QUERY)
            finally:
                self._asked.set()
            self._answers = _read_until_attributes(self._in_fd, time.monotonic() + self._within)
        except OSError:
            pass
        finally:
            self._asked.set()
            with contextlib.suppress(Exception):
                termios.tcsetattr(self._in_fd, termios.TCSANOW, saved)


def _asks_a_terminal(in_fd: int, out_fd: int) -> bool:
    try:
        import termios  # noqa: F401  # lazy: no terminal questions where termios does not exist
        import tty  # noqa: F401
    except ImportError:
        return False
    try:
        return os.isatty(in_fd) and os.isatty(out_fd)
    except OSError:
        return False


def _read_until_attributes(fd: int, deadline: float) -> bytes:
    data = b""
    while _ATTRIBUTES_ANSWER.search(data) is None and len(data) < _MOST_ANSWER_BYTES:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        data += chunk
    return data


# One terminal per process: what it answered is a fact about the process, like the terminal itself.
_probed: TerminalGraphics | None = None


def set_probed_graphics(result: TerminalGraphics | None) -> None:
    """What `probed_graphics()` answers from now on (the probe sets it; tests too)."""
    global _probed
    _probed = result


def probed_graphics() -> TerminalGraphics | None:
    """What this process's terminal answered at launch; None when it was not asked (not a terminal,
    a browser session, a test)."""
    return _probed
