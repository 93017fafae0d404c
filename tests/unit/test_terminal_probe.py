"""The terminal's graphics, asked at launch from a thread while the app imports (issue 17: cold start).

What must hold: the three questions go out together and their answers are read correctly; a
terminal that answers nothing costs no more than the allowance and reads as "no graphics"; the
terminal's mode is back as it was before Textual starts; keys typed meanwhile are not taken for
answers; and textual-image, imported later with the first image, never writes a question to the
terminal Textual then owns.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from supportdesk_tui.domain.terminal_probe import GraphicsProbe, TerminalGraphics, read_answers

SIXEL_TERMINAL = b"\x1b[?62;4;6;22c"  # a VT340-like terminal: "4" is Sixel
PLAIN_TERMINAL = b"\x1b[?65;1;9c"
KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
CELL_SIZE = b"\x1b[6;18;9t"  # 18 pixels high, 9 wide
QUESTIONS = (b"\x1b[16t", b"\x1b_G", b"\x1b[c")


def test_the_answers_say_what_the_terminal_can_draw() -> None:
    assert read_answers(SIXEL_TERMINAL) == TerminalGraphics(sixel=True)
    assert read_answers(KITTY_OK + PLAIN_TERMINAL) == TerminalGraphics(kitty=True)
    assert read_answers(CELL_SIZE + KITTY_OK + SIXEL_TERMINAL) == TerminalGraphics(
        sixel=True, kitty=True, cell_size=(9, 18))


def test_anything_but_a_clear_yes_reads_as_no() -> None:
    assert read_answers(b"") == TerminalGraphics()
    assert read_answers(PLAIN_TERMINAL) == TerminalGraphics()
    # Kitty's refusal, an answer to another program's query, a cell size of zero.
    assert read_answers(b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\" + PLAIN_TERMINAL).kitty is False
    assert read_answers(b"\x1b_Gi=7;OK\x1b\\" + PLAIN_TERMINAL).kitty is False
    assert read_answers(b"\x1b[6;0;0t" + PLAIN_TERMINAL).cell_size is None
    # "14" is not "4".
    assert read_answers(b"\x1b[?62;14c").sixel is False


def test_keys_typed_meanwhile_are_not_taken_for_answers() -> None:
    assert read_answers(b"j4k" + PLAIN_TERMINAL + b"\x1b[A") == TerminalGraphics()
    assert read_answers(b"jj" + CELL_SIZE + b"q" + SIXEL_TERMINAL) == TerminalGraphics(
        sixel=True, cell_size=(9, 18))


@contextmanager
def a_terminal() -> Iterator[tuple[int, int]]:
    """(emulator side, program side) of a pseudo-terminal; the kernel knows no pixel size."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    try:
        yield master, slave
    finally:
        os.close(master)
        os.close(slave)


def answer_like_a_terminal(master: int, answers: bytes) -> tuple[threading.Thread, bytearray]:
    """Read the questions; once the last one (device attributes) is in, send `answers`."""
    asked = bytearray()

    def emulate() -> None:
        while b"\x1b[c" not in asked:
            if not select.select([master], [], [], 10)[0]:
                return
            asked.extend(os.read(master, 1024))
        os.write(master, answers)

    thread = threading.Thread(target=emulate, daemon=True)
    thread.start()
    return thread, asked


def test_the_three_questions_go_out_at_once_and_the_answers_come_back() -> None:
    with a_terminal() as (master, slave):
        before = termios.tcgetattr(slave)
        emulator, asked = answer_like_a_terminal(master, CELL_SIZE + KITTY_OK + SIXEL_TERMINAL)
        result = GraphicsProbe(slave, slave, within=10.0).start().finish()
        emulator.join(5)
        assert all(question in asked for question in QUESTIONS)
        assert asked.endswith(b"\x1b[c"), "device attributes go last: their answer closes the exchange"
        assert result == TerminalGraphics(sixel=True, kitty=True, cell_size=(9, 18))
        assert termios.tcgetattr(slave) == before


def test_a_terminal_that_answers_nothing_reads_as_no_graphics_and_gets_its_mode_back() -> None:
    with a_terminal() as (_master, slave):
        before = termios.tcgetattr(slave)
        assert before[3] & termios.ECHO
        result = GraphicsProbe(slave, slave, within=0.05).start().finish()
        assert result == TerminalGraphics()
        assert termios.tcgetattr(slave) == before


def test_nothing_is_asked_when_the_app_is_not_in_a_terminal() -> None:
    read_end, write_end = os.pipe()
    try:
        probe = GraphicsProbe(read_end, write_end).start()
        assert probe.finish() is None
        os.close(write_end)
        assert os.read(read_end, 100) == b""
    finally:
        os.close(read_end)


FIRST_IMAGE = textwrap.dedent("""
    import os, sys
    from supportdesk_tui.domain.terminal_probe import TerminalGraphics, set_probed_graphics
    if sys.argv[1] == "sixel":
        set_probed_graphics(TerminalGraphics(sixel=True, cell_size=(9, 18)))
    os.write(1, b"IMPORTING\\n")
    from supportdesk_tui.widgets.attachment_preview import image_widget_class
    chosen = image_widget_class("auto")
    from textual_image import widget
    from textual_image._terminal import get_cell_size
    names = ("SixelImage", "TGPImage", "HalfcellImage", "Image")
    name = next(n for n in names if getattr(widget, n) is chosen)
    os.write(1, f"CHOSEN {name} {tuple(get_cell_size())}\\n".encode())
""")


@pytest.mark.parametrize(("probed", "expected"), [
    ("sixel", b"CHOSEN SixelImage (9, 18)"),
    # Not asked (or nothing answered): textual-image's fallback in a terminal, half blocks.
    ("nothing", b"CHOSEN Image (10, 20)"),
])
def test_the_first_image_never_writes_a_question_to_the_terminal(probed: str, expected: bytes) -> None:
    """textual-image asks the terminal at import; by then Textual owns it and would read the answers
    as keys. Imported through the preview, it asks nothing and uses the launch's answers."""
    with a_terminal() as (master, slave):
        child = subprocess.Popen([sys.executable, "-c", FIRST_IMAGE, probed],
                                 stdin=slave, stdout=slave, stderr=slave)
        output = bytearray()
        while child.poll() is None or select.select([master], [], [], 0.2)[0]:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    output.extend(os.read(master, 65536))
                except OSError:
                    break
        child.wait(30)
    written = bytes(output)
    assert expected in written, written
    after_start = written[written.index(b"IMPORTING"):]
    assert not any(question in after_start for question in QUESTIONS), after_start
