"""The one path by which untrusted text (customer or backend strings) reaches the screen.

`sanitize` turns control sequences and invisible/bidi characters into visible
placeholders; `safe_text` wraps the result in a `rich.text.Text`, which is
never parsed as markup. Every widget that shows a string it did not write
itself goes through here.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

# Characters that can reorder or hide text (bidi overrides/isolates, zero-width).
_INVISIBLE = {
    0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
    0xFEFF, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    0x061C, 0x180E, 0x00AD,
}


def _placeholder(ch: str) -> str:
    code = ord(ch)
    if code == 0x1B:
        return "␛"
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟ control pictures
    if code == 0x7F:
        return "␡"
    return f"⟨U+{code:04X}⟩"


def sanitize(value: str, *, keep_newlines: bool = True) -> str:
    """Return `value` with every control/invisible character replaced by a visible placeholder."""
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\t":
            out.append("    ")
        elif code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F or code in _INVISIBLE:
            out.append(_placeholder(ch))
        elif unicodedata.category(ch) in ("Cs", "Co", "Cn") and code > 0xFFFF:
            out.append(_placeholder(ch))
        else:
            out.append(ch)
    return "".join(out)


def one_line(value: str) -> str:
    """Sanitised and folded onto one line (for table cells, titles, toasts)."""
    return sanitize(value, keep_newlines=False).replace("␊", " ")


def safe_text(value: str, style: str = "", *, single_line: bool = False) -> Text:
    """A `Text` showing `value` literally: no markup, no escapes, no hidden characters."""
    clean = one_line(value) if single_line else sanitize(value)
    return Text(clean, style=style, no_wrap=single_line, overflow="ellipsis" if single_line else "fold")
