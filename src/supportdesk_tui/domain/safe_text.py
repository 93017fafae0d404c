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

from rich.text import Text

from supportdesk_tui.domain.plain_text import (
    PLAIN_RANGES,
    is_unsafe_char,
    one_line,
    sanitize,
    strip_unsafe,
)

__all__ = [
    "PLAIN_RANGES",
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
