"""Themes: the built-in `themes/*.toml` files, the user's own, and the app's colour tokens.

A theme file holds Textual `Theme` fields plus app tokens under `[variables]`:

    name = "my-theme"
    dark = true
    primary = "#4c9aff"
    ...
    [variables]
    priority-urgent = "#ff6b6b"

Stylesheets refer to the tokens (`$priority-urgent`, `$sla-breached`, ...); APP_TOKEN_DEFAULTS
fills in any a theme leaves out (Textual's own themes, partial user themes). Colours live only
in the theme files and in APP_TOKEN_DEFAULTS.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from supportdesk_tui import paths
from supportdesk_tui.i18n import _

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_THEME = "supportdesk-dark"
BUILTIN_THEME_NAMES: tuple[str, ...] = (
    "supportdesk-dark",
    "supportdesk-light",
    "supportdesk-high-contrast",
    "supportdesk-colorblind",
)

APP_TOKEN_DEFAULTS: dict[str, str] = {
    # Mid-tone values readable on both dark and light backgrounds, for themes that
    # do not define the tokens (Textual's built-ins, partial user themes).
    "priority-urgent": "#e5534b",
    "priority-high": "#d9822b",
    "priority-normal": "#8b949e",
    "priority-low": "#768390",
    "sla-ok": "#3fa35b",
    "sla-at-risk": "#c69026",
    "sla-breached": "#e5534b",
    "sla-paused": "#8b949e",
    "note-background": "#c69026 20%",
    "note-border": "#c69026",
    "reply-border": "#4c8fd6",
    "customer-border": "#986ee2",
    "presence-viewing": "#4c8fd6",
    "presence-composing": "#d9822b",
    "status-new": "#c69026",
    # Red is for what needs action now (urgent, breached); an open ticket is ordinary work.
    "status-open": "#4c8fd6",
    "status-pending": "#8b949e",
    "status-solved": "#3fa35b",
    # Dashboard tiles past a threshold: near the limit, and over it.
    "alarm-warning": "#c69026",
    "alarm-critical": "#e5534b",
}
APP_TOKENS: tuple[str, ...] = tuple(APP_TOKEN_DEFAULTS)

COLOR_FIELDS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_NUMBER_FIELDS: tuple[str, ...] = ("luminosity_spread", "text_alpha")
_KNOWN_KEYS: tuple[str, ...] = ("name", "dark", *COLOR_FIELDS, *_NUMBER_FIELDS, "variables")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_STYLE_RE = re.compile(
    r"^(none|(?:(?:not\s+)?(?:bold|dim|italic|underline|underline2|reverse|strike|blink|overline)\s*)+)$"
)


class ThemeError(Exception):
    """A theme file we cannot use; the message names the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"theme file {source}: {problem}")


def _textual_variable_names() -> frozenset[str]:
    return frozenset(BUILTIN_THEMES["textual-dark"].to_color_system().generate())


def _check_color(value: Any, where: str, allow_alpha: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f'{where}: expected a colour string such as "#4c9aff", got {value!r}')
    text = value.strip()
    if allow_alpha:
        # Textual variables may carry an opacity: "#4c9aff 20%".
        text = re.sub(r"\s+\d{1,3}%$", "", text)
    try:
        Color.parse(text)
    except ColorParseError:
        raise ValueError(f'{where}: {value!r} is not a colour (try "#rrggbb")') from None
    return value


def _check_variable(name: str, value: Any, known: frozenset[str]) -> str:
    where = f"variables.{name}"
    if name not in known:
        suggestion = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean {suggestion[0]!r}?)" if suggestion else ""
        raise ValueError(f"{where}: unknown variable{hint}")
    if name.endswith("text-style") or name.startswith("link-style"):
        if not isinstance(value, str) or not _STYLE_RE.match(value.strip()):
            raise ValueError(f'{where}: expected a text style such as "bold" or "none", got {value!r}')
        return value
    return _check_color(value, where, allow_alpha=True)


def parse_theme(data: Mapping[str, Any], source: str, default_name: str) -> Theme:
    """Build a Theme from parsed TOML, raising ThemeError on the first problem."""
    try:
        return _parse_theme(data, default_name)
    except ValueError as exc:
        raise ThemeError(source, str(exc)) from None


def _parse_theme(data: Mapping[str, Any], default_name: str) -> Theme:
    for key in data:
        if key not in _KNOWN_KEYS:
            suggestion = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
            hint = f" (did you mean {suggestion[0]!r}?)" if suggestion else ""
            raise ValueError(f"{key}: unknown key{hint}; expected {', '.join(_KNOWN_KEYS)}")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"name: expected letters, digits, '-' or '_', got {name!r}")
    if "primary" not in data:
        raise ValueError("primary: missing (every theme needs at least a primary colour)")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ValueError(f"dark: expected true or false, got {dark!r}")
    colors = {key: _check_color(data[key], key) for key in COLOR_FIELDS if key in data}
    numbers: dict[str, float] = {}
    for key in _NUMBER_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{key}: expected a number between 0 and 1, got {value!r}")
            numbers[key] = float(value)
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, dict):
        raise ValueError("variables: expected a table ([variables])")
    known = _textual_variable_names() | frozenset(APP_TOKENS)
    variables = {str(key): _check_variable(str(key), value, known) for key, value in raw_variables.items()}
    theme = Theme(name=name, primary=colors.pop("primary"), dark=dark, variables=variables)
    # Theme is a plain dataclass; setting fields after construction keeps mypy's field types.
    for key, color in colors.items():
        setattr(theme, key, color)
    for key, number in numbers.items():
        setattr(theme, key, number)
    return theme


def load_theme_file(path: Path) -> Theme:
    """Read one theme file; a missing, unreadable, non-TOML or invalid file raises ThemeError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(str(path), f"cannot read it ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(str(path), f"invalid TOML: {exc}") from None
    return parse_theme(data, str(path), default_name=path.stem)


_PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_themes_dir(package_dir: Path = _PACKAGE_DIR) -> Path:
    """`_themes` next to the package when installed (the wheel force-includes it), else the
    source checkout's top-level `themes/`."""
    for candidate in (package_dir / "_themes", package_dir.parents[1] / "themes"):
        if candidate.is_dir():
            return candidate
    raise ThemeError(str(package_dir / "_themes"), "built-in themes are missing from this installation")


def builtin_themes(directory: Path | None = None) -> list[Theme]:
    """The themes shipped with the app; a broken one is a bug in our package, so it raises."""
    folder = directory if directory is not None else builtin_themes_dir()
    return [load_theme_file(path) for path in sorted(folder.glob("*.toml"))]


def user_themes(directory: Path | None = None) -> tuple[list[Theme], list[str]]:
    """Themes from the user's themes folder, and one problem line per file that failed."""
    folder = directory if directory is not None else paths.user_themes_dir()
    themes: list[Theme] = []
    problems: list[str] = []
    if not folder.is_dir():
        return themes, problems
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            theme = load_theme_file(path)
        except ThemeError as exc:
            problems.append(str(exc))
            continue
        if theme.name in seen:
            problems.append(f"theme file {path}: name {theme.name!r} is already used by {seen[theme.name]}")
            continue
        seen[theme.name] = path
        themes.append(theme)
    return themes, problems


def register_all_themes(app: App[Any], user_dir: Path | None = None) -> list[str]:
    """Register the built-in and user themes with `app`; returns problems to show the user.

    User themes are registered last, so a user file may replace a built-in theme of the same name.
    """
    problems: list[str] = []
    try:
        shipped = builtin_themes()
    except ThemeError as exc:
        shipped = []
        problems.append(str(exc))
    mine, user_problems = user_themes(user_dir)
    problems.extend(user_problems)
    for theme in (*shipped, *mine):
        app.register_theme(theme)
    return problems


def apply_theme(app: App[Any], name: str, fallback: str = DEFAULT_THEME) -> str | None:
    """Switch `app` to theme `name`, or to `fallback` if there is no such theme.

    Returns a problem message when it fell back, None when `name` was applied.
    """
    if app.get_theme(name) is not None:
        app.theme = name
        return None
    if app.get_theme(fallback) is not None:
        app.theme = fallback
    return _("Theme {name!r} not found; using {fallback}").format(name=name, fallback=app.theme)
