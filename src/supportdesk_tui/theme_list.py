"""`supportdesk themes`: every theme `--theme` accepts, each with a one-line colour preview.

To a terminal the preview is drawn in the theme's own colours; piped, each line is plain text
(name, dark/light, where it comes from, the main colours as hex) for scripts and `grep`.
Theme names and file problems are data: they reach Rich only inside `Text`, never as markup.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from supportdesk_tui import paths
from supportdesk_tui.themes import (
    APP_TOKEN_DEFAULTS,
    DEFAULT_THEME,
    ThemeError,
    builtin_themes,
    user_themes,
)

# What a preview shows: the theme's main colours, then the app's loudest tokens.
SWATCHES: tuple[str, ...] = ("primary", "secondary", "accent", "success", "warning", "error")
APP_SWATCHES: tuple[str, ...] = ("priority-urgent", "sla-breached", "note-border")


@dataclass(frozen=True)
class ListedTheme:
    theme: Theme
    source: str  # "supportdesk", "yours" or "textual"
    # swatch name -> "#RRGGBB", or "ansi_blue" for a colour the terminal chooses (the ansi-*
    # themes); a colour that can't be shown is left out
    colors: dict[str, str]


def _shown(value: str | None) -> str | None:
    if not value:
        return None
    try:
        color = Color.parse(value.split()[0])  # a colour with an opacity after it: the colour alone
    except ColorParseError:
        return None
    if color.ansi is not None:
        return value.split()[0]
    return color.hex6 if color.a else None


def _rich_color(shown: str) -> str:
    return shown.removeprefix("ansi_")  # Rich names the terminal's colours "blue", "default"…


def _colors(theme: Theme) -> dict[str, str]:
    generated = theme.to_color_system().generate()
    wanted = {name: generated.get(name) for name in ("background", "foreground", *SWATCHES)}
    wanted |= {name: theme.variables.get(name, APP_TOKEN_DEFAULTS[name]) for name in APP_SWATCHES}
    return {name: shown for name, value in wanted.items() if (shown := _shown(value)) is not None}


def collect_themes() -> tuple[list[ListedTheme], list[str]]:
    """The themes in the order the app registers them (a user theme replaces a built-in one of
    its name), and one line per theme file that could not be used."""
    problems: list[str] = []
    try:
        shipped = builtin_themes()
    except ThemeError as exc:
        shipped, problems = [], [str(exc)]
    mine, user_problems = user_themes()
    problems += user_problems
    by_name: dict[str, ListedTheme] = {}
    for source, themes in (("textual", BUILTIN_THEMES.values()), ("supportdesk", shipped), ("yours", mine)):
        for theme in themes:
            by_name[theme.name] = ListedTheme(theme, source, _colors(theme))
    order = {"supportdesk": 0, "yours": 1, "textual": 2}
    listed = sorted(by_name.values(), key=lambda t: (order[t.source], t.theme.name))
    return listed, problems


def plain_line(item: ListedTheme) -> str:
    tone = "dark" if item.theme.dark else "light"
    default = " (default)" if item.theme.name == DEFAULT_THEME else ""
    colours = " ".join(f"{name}={value}" for name, value in item.colors.items())
    return f"{item.theme.name}{default}\t{tone}\t{item.source}\t{colours}"


def preview_line(item: ListedTheme, name_width: int) -> Text:
    line = Text("  ")
    label = item.theme.name + (" (default)" if item.theme.name == DEFAULT_THEME else "")
    line.append(label.ljust(name_width + len(" (default)")), style="bold")
    background = _rich_color(item.colors.get("background", "default"))
    foreground = _rich_color(item.colors.get("foreground", "default"))
    line.append(" Aa Ёё ", style=f"{foreground} on {background}")
    line.append(" ")
    for name in (*SWATCHES, *APP_SWATCHES):
        if name in item.colors:
            line.append("██", style=_rich_color(item.colors[name]))
        else:
            line.append("  ")
        line.append(" " if name != SWATCHES[-1] else "  ")
    line.append(" dark" if item.theme.dark else " light", style="dim")
    return line


HEADINGS = {
    "supportdesk": "SupportDesk's themes",
    "yours": "Your themes ({folder})",
    "textual": "Textual's themes (the app's colours filled in with defaults)",
}


def run_themes(out: TextIO | None = None, err: TextIO | None = None) -> int:
    stream = out if out is not None else sys.stdout
    errors = err if err is not None else sys.stderr
    listed, problems = collect_themes()
    if not stream.isatty():
        for item in listed:
            print(plain_line(item), file=stream)
    else:
        console = Console(file=stream, highlight=False)
        console.print(Text('Pick one with --theme NAME, or theme = "NAME" under [ui] in the config file '
                           "(`supportdesk config path`). Swatches: primary, secondary, accent, success, "
                           "warning, error, then urgent, SLA breached, internal note."))
        width = max(len(item.theme.name) for item in listed)
        source = ""
        for item in listed:
            if item.source != source:
                source = item.source
                heading = HEADINGS[source].format(folder=paths.user_themes_dir())
                console.print(Text("\n" + heading, style="bold underline"))
            console.print(preview_line(item, width), overflow="ellipsis", no_wrap=True)
    for problem in problems:
        print(f"supportdesk: {problem}", file=errors)
    return 0
