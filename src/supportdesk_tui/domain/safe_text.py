"""The one path by which untrusted text (customer or backend strings) reaches the screen.

`sanitize` turns control sequences and invisible/bidi characters into visible
placeholders; `safe_text` wraps the result in a `rich.text.Text`, which is
never parsed as markup. Every widget that shows a string it did not write
itself goes through here.

What counts as dangerous (see `is_unsafe_char`):
- C0 controls except `\\n` (tab becomes spaces, `\\r\\n` / `\\r` become `\\n`), DEL, C1 controls.
  Neutralising the single ESC / CSI (0x9B) / OSC (0x9D) / DCS (0x90) character is enough to
  defuse every escape sequence: what follows it is ordinary printable text.
- Unicode format characters (category Cf): bidi overrides/isolates/marks, zero-width
  characters, soft hyphen, and the invisible "tag" block used to smuggle hidden text.
- Surrogates and unassigned code points (they break encoding or cell-width maths),
  and private-use characters outside the BMP.
- U+2028/U+2029 are line breaks: they become `\\n` (or a space on one line).
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

__all__ = [
    "find_links",
    "is_unsafe_char",
    "literal_markup",
    "one_line",
    "safe_format",
    "safe_text",
    "sanitize",
    "shown",
    "strip_unsafe",
]

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


def safe_text(value: str, style: str = "", *, single_line: bool = False) -> Text:
    """A `Text` showing `value` literally: no markup, no escapes, no hidden characters."""
    clean = one_line(value) if single_line else sanitize(value)
    return Text(clean, style=style, no_wrap=single_line, overflow="ellipsis" if single_line else "fold")


def safe_format(template: str, /, *, single_line: bool = True, **values: object) -> Text:
    """Our own (translated) `template` with untrusted `values` filled in, as literal `Text`.

    `"{name} took #{id} first."` with `name=<anything>`: the template is ours, each value is
    sanitised (one line unless `single_line=False`) and the result is never parsed as markup.
    """
    clean = {key: (one_line if single_line else sanitize)(str(value)) for key, value in values.items()}
    return safe_text(template.format_map(clean), single_line=single_line)


def shown(value: object, *, single_line: bool = False) -> str:
    """The plain string a sink may show literally, whatever it was given.

    The runtime backstop of the app's `notify`: a `Text` (already built by `safe_text`) or any
    other object is reduced to its plain characters and sanitised again (idempotent), so even a
    raw `str` that slipped past review reaches the terminal with its escapes neutralised.
    """
    plain = getattr(value, "plain", None)
    text = plain if isinstance(plain, str) else str(value)
    return one_line(text) if single_line else sanitize(text)


def literal_markup(value: str) -> str:
    """`value` sanitised and escaped for an API that only takes Textual markup (a palette hit's help).

    Every `[` is escaped, not only those that look like tags: `textual.markup.escape` leaves an
    unclosed `[name=value:` alone, which then crashes the markup parser. Textual's parser
    un-escapes `\\[` to `[` and keeps every other backslash, so this round-trips exactly.
    """
    return one_line(value).replace("[", "\\[")


# A URL runs until whitespace, a quote/angle bracket, or any character `is_unsafe_char` flags
# (so a bidi override cannot be smuggled into a link the agent is shown).
_URL = re.compile(
    r"""https?://[^\s<>"'`\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"""
    r"""\u2060-\u206f\ufeff«»“”‘’⟨⟩]+""",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?*'\"…"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            # "(see https://x.org/a)" - the paren belongs to the prose; Wikipedia-style
            # "https://en.wikipedia.org/wiki/Foo_(bar)" keeps its balanced one.
            url = url[:-1]
        else:
            break
    return url


def find_links(text: str) -> list[str]:
    """The http(s) URLs in `text`, in order of appearance, without duplicates.

    They are shown to the agent (through `safe_text`) and opened only on request.
    """
    seen: dict[str, None] = {}
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        host = url.split("://", 1)[1]
        if not host or not (host[0].isalnum() or host[0] == "["):
            continue
        if any(is_unsafe_char(c) for c in url):
            continue  # unassigned/surrogate characters: not a link we will offer to open
        seen.setdefault(url, None)
    return list(seen)
