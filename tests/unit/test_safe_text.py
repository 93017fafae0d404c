"""Untrusted text is shown literally and can never drive the terminal."""

from __future__ import annotations

import io
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from supportdesk_tui.domain.safe_text import (
    PLAIN_RANGES,
    find_links,
    is_unsafe_char,
    one_line,
    safe_text,
    sanitize,
    strip_unsafe,
)

BIDI_AND_ZERO_WIDTH = {
    0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x061C,
}  # fmt: skip


def is_dangerous(ch: str, *, newline_ok: bool = True) -> bool:
    """An independent statement of the spec (not a call into the code under test)."""
    code = ord(ch)
    if ch == "\n":
        return not newline_ok
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or code in BIDI_AND_ZERO_WIDTH
        or 0xE0000 <= code <= 0xE007F  # invisible tag characters
        or unicodedata.category(ch) in ("Cs", "Cn", "Cf")
    )


any_text = st.text(st.characters(exclude_categories=()), max_size=80)  # includes surrogates
printable = st.text(
    st.characters(categories=("L", "M", "N", "P", "S", "Zs")).filter(lambda c: not is_dangerous(c)),
    max_size=80,
)
# Text that looks like escape sequences, markup and links, to exercise the interesting paths often.
nasty_fragments = st.sampled_from(
    [
        "\x1b[31m", "\x1b]8;;http://evil\x1b\\", "\x1bP1$r\x1b\\", "\x9b2J", "\x9d0;title\x07",
        "\x90q\x9c", "\x1b", "\x07", "\x00", "\x7f", "\r\n", "\r", "\t", "\u202e", "\u2066",
        "\u200b", "\ufeff", "\U000e0041", "\ud800", "[@click=app.quit]x[/]", "[bold", "[/]",
        "http://example.com/a_(b)", "привет", "\u2028",
    ]
)  # fmt: skip
nasty_text = st.lists(st.one_of(nasty_fragments, any_text), max_size=8).map("".join)


def render(text: Text) -> str:
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, color_system=None, width=60).print(text)
    return buffer.getvalue()


def exported(value: str) -> str:
    console = Console(file=io.StringIO(), record=True, width=200)
    console.print(safe_text(value))
    return console.export_text()


@settings(max_examples=200)
@given(nasty_text)
def test_agent_never_receives_a_dangerous_character_from_customer_text(value: str) -> None:
    for ch in sanitize(value):
        assert not is_dangerous(ch), (value, ch)
    for ch in one_line(value):
        assert not is_dangerous(ch, newline_ok=False), (value, ch)
    for ch in strip_unsafe(value):
        assert ch == "\t" or not is_dangerous(ch), (value, ch)


@settings(max_examples=200)
@given(printable)
def test_ordinary_printable_text_is_shown_unchanged(value: str) -> None:
    assert sanitize(value) == value
    assert one_line(value) == value
    assert strip_unsafe(value) == value


@settings(max_examples=200)
@given(nasty_text, st.booleans())
def test_rendering_any_customer_text_never_emits_an_escape(value: str, single_line: bool) -> None:
    out = render(safe_text(value, "bold", single_line=single_line))
    assert "\x1b" not in out
    assert not any(0x80 <= ord(c) <= 0x9F for c in out)


def test_escape_sequences_become_visible_placeholders() -> None:
    assert sanitize("\x1b[31mred") == "␛[31mred"
    assert sanitize("\x9b2J") == "⟨U+009B⟩2J"
    assert sanitize("a\x00b\x07c\x7f") == "a␀b␇c␡"


def test_windows_line_endings_are_ordinary_newlines() -> None:
    assert sanitize("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert sanitize("a\u2028b") == "a\nb"


def test_bidi_override_cannot_disguise_a_file_name() -> None:
    assert sanitize("invoice\u202egpj.exe") == "invoice⟨U+202E⟩gpj.exe"


def test_hidden_tag_characters_are_exposed() -> None:
    assert sanitize("hi\U000e0041") == "hi⟨U+E0041⟩"


def test_lone_surrogate_does_not_break_rendering() -> None:
    assert sanitize("a\udc80b") == "a⟨U+DC80⟩b"
    assert "\x1b" not in render(safe_text("a\udc80b"))


def test_one_line_folds_newlines_and_tabs() -> None:
    assert one_line("a\nb\tc") == "a b c"
    assert sanitize("a\nb", keep_newlines=False) == "a␊b"


def test_strip_unsafe_removes_instead_of_showing() -> None:
    assert strip_unsafe("Ann\x1b[2Ja\u202e") == "Ann[2Ja"
    assert strip_unsafe("a\nb", keep_newlines=False) == "a b"


def test_cyrillic_and_emoji_are_untouched() -> None:
    assert sanitize("Привет, Ёжик! 👍🏽") == "Привет, Ёжик! 👍🏽"


def test_markup_in_customer_text_is_shown_literally() -> None:
    for hostile in ["[@click=app.quit]x[/]", "[bold", "[/]", "[red]alarm[/red]", ":smile:"]:
        assert exported(hostile).rstrip("\n") == hostile


def test_single_line_text_does_not_wrap() -> None:
    text = safe_text("a\nb", single_line=True)
    assert text.plain == "a b"
    assert text.no_wrap


def test_is_unsafe_char_leaves_newline_and_tab_to_the_caller() -> None:
    assert not is_unsafe_char("\n")
    assert not is_unsafe_char("\t")
    assert is_unsafe_char("\x1b")
    assert not is_unsafe_char("ё")


def test_agent_sees_links_in_a_message() -> None:
    body = (
        "See https://example.com/help?x=1, and (http://exa.mple/a_(b)). "
        "Again https://example.com/help?x=1. Also HTTPS://пример.рф/путь!"
    )
    assert find_links(body) == [
        "https://example.com/help?x=1",
        "http://exa.mple/a_(b)",
        "HTTPS://пример.рф/путь",
    ]


def test_links_stop_at_hidden_characters_and_quotes() -> None:
    assert find_links('<a href="https://ok.example/x">') == ["https://ok.example/x"]
    assert find_links("https://ok.example/\u202egpj.exe") == ["https://ok.example/"]
    assert find_links("https://bad\x1b[31m.example") == ["https://bad"]


def test_trailing_ellipsis_is_prose() -> None:
    assert find_links("see https://ex.com/a… now") == ["https://ex.com/a"]


def test_things_that_are_not_links_are_ignored() -> None:
    assert find_links("ftp://x.org http:// https://. mailto:a@b.c") == []


def test_fast_path_ranges_hold_only_safe_characters() -> None:
    plain = re.compile(f"[{PLAIN_RANGES}]")
    for code in range(0x3000):
        ch = chr(code)
        if plain.match(ch) and ch != "\n":
            assert not is_dangerous(ch), hex(code)
            assert ch not in "\t\r\u2028\u2029"
