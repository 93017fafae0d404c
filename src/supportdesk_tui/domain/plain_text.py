"""Neutralising untrusted text with the standard library alone.

The character rules behind `safe_text` (see its docstring for what counts as dangerous), kept
free of Rich and Textual so the start-up pre-painter (`first_frame.py`) can sanitise a cached
page before anything heavy is imported. `safe_text` re-exports every name here.
"""

from __future__ import annotations

import re
import unicodedata

# Listed explicitly as documentation; the category check below covers them too.
_INVISIBLE = frozenset(
    {
        0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
        0xFEFF, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
        0x061C, 0x180E, 0x00AD,
    }
)  # fmt: skip

_LINE_BREAKS = frozenset({"\u2028", "\u2029"})
_TAB = "    "


def is_unsafe_char(ch: str) -> bool:
    """True for a character a terminal could interpret or that hides/reorders text.

    `\\n` and `\\t` are not listed here: callers decide what to do with them.
    """
    code = ord(ch)
    if code < 0x20:
        return ch not in "\n\t"
    if code < 0x7F:
        return False
    if code <= 0x9F or code in _INVISIBLE:
        return True
    if code < 0x300:  # Latin-1/Latin Extended: nothing else there is dangerous
        return False
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Cs", "Cn"):
        return True
    return category == "Co" and code > 0xFFFF


def _placeholder(ch: str) -> str:
    code = ord(ch)
    if code == 0x1B:
        return "␛"
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟ control pictures
    if code == 0x7F:
        return "␡"
    return f"⟨U+{code:04X}⟩"


# Text made only of these (ASCII, Latin, combining marks, Cyrillic, common punctuation and
# currency) needs no per-character work: a C-speed check keeps long Russian threads cheap.
# A unit test proves that no character in these ranges is unsafe.
PLAIN_RANGES = (
    "\n\x20-\x7e\u00a0-\u00ac\u00ae-\u036f\u0400-\u052f\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\u2116"
)
_PLAIN = re.compile(f"[{PLAIN_RANGES}]*")


def _clean(value: str, newline: str, tab: str, replace: bool) -> str:
    if _PLAIN.fullmatch(value):
        return value if newline == "\n" else value.replace("\n", newline)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    append = out.append
    for ch in value:
        if " " <= ch < "\x7f":  # fast path: printable ASCII
            append(ch)
        elif ch == "\n" or ch in _LINE_BREAKS:
            append(newline)
        elif ch == "\t":
            append(tab)
        elif is_unsafe_char(ch):
            if replace:
                append(_placeholder(ch))
        else:
            append(ch)
    return "".join(out)


def sanitize(value: str, *, keep_newlines: bool = True) -> str:
    """Return `value` with every control/invisible character replaced by a visible placeholder.

    With `keep_newlines=False` a line break becomes the control picture ␊.
    """
    return _clean(value, "\n" if keep_newlines else "␊", _TAB, replace=True)


def one_line(value: str) -> str:
    """Sanitised and folded onto one line (for table cells, titles, toasts)."""
    return _clean(value, " ", " ", replace=True)


def strip_unsafe(value: str, *, keep_newlines: bool = True) -> str:
    """Drop (rather than show) dangerous characters; for text that goes *into* an editor or a reply.

    Tabs are kept; without `keep_newlines` line breaks become spaces.
    """
    return _clean(value, "\n" if keep_newlines else " ", "\t", replace=False)
