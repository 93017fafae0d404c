"""Built-in and user themes: they load, carry every app token, read well, and fail clearly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import Theme
from textual.widgets import Static

from supportdesk_tui.themes import (
    APP_TOKEN_DEFAULTS,
    APP_TOKENS,
    BUILTIN_THEME_NAMES,
    DEFAULT_THEME,
    ThemeError,
    apply_theme,
    builtin_themes,
    builtin_themes_dir,
    load_theme_file,
    register_all_themes,
    user_themes,
)

REPO = Path(__file__).resolve().parents[2]
THEME_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)
TEXT_TOKENS = tuple(token for token in APP_TOKENS if token != "note-background")


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio."""

    def luminance(value: str) -> float:
        color = Color.parse(value)

        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def by_name() -> dict[str, Theme]:
    return {theme.name: theme for theme in builtin_themes()}


def test_the_four_builtin_themes_ship_and_are_named_after_their_files() -> None:
    themes = by_name()
    assert sorted(themes) == sorted(BUILTIN_THEME_NAMES)
    assert DEFAULT_THEME in themes
    for path in builtin_themes_dir().glob("*.toml"):
        assert load_theme_file(path).name == path.stem


@pytest.mark.parametrize("name", BUILTIN_THEME_NAMES)
def test_builtin_theme_defines_every_field_and_app_token(name: str) -> None:
    theme = by_name()[name]
    for field in THEME_FIELDS:
        assert getattr(theme, field), f"{name} lacks {field}"
    assert set(APP_TOKENS) <= set(theme.variables), set(APP_TOKENS) - set(theme.variables)


@pytest.mark.parametrize("name", BUILTIN_THEME_NAMES)
def test_builtin_theme_text_is_readable(name: str) -> None:
    theme = by_name()[name]
    assert theme.background and theme.foreground
    minimum_text = 7.0 if name == "supportdesk-high-contrast" else 4.5
    assert contrast(theme.foreground, theme.background) >= minimum_text
    assert contrast(theme.foreground, theme.variables["note-background"]) >= minimum_text
    for token in TEXT_TOKENS:
        # Signal colours are glyphs and short words: WCAG's 3:1 for non-text/large text.
        minimum = 4.5 if name == "supportdesk-high-contrast" else 3.0
        assert contrast(theme.variables[token], theme.background) >= minimum, token


def test_light_theme_is_light_and_the_others_are_dark() -> None:
    themes = by_name()
    assert themes["supportdesk-light"].dark is False
    assert all(themes[name].dark for name in BUILTIN_THEME_NAMES if name != "supportdesk-light")


def test_colourblind_theme_uses_the_okabe_ito_palette() -> None:
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    theme = by_name()["supportdesk-colorblind"]
    signals = {
        theme.variables[token].upper()
        for token in ("sla-ok", "sla-at-risk", "sla-breached", "priority-urgent", "priority-high")
    }
    assert signals <= okabe_ito
    # Okabe–Ito's bluish green and vermillion stay apart under red/green colour blindness.
    assert (theme.variables["sla-ok"], theme.variables["sla-breached"]) == ("#009E73", "#D55E00")


def test_colours_live_only_in_theme_files_and_the_token_defaults() -> None:
    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
    offenders = []
    for path in (REPO / "src").rglob("*"):
        if path.suffix not in {".py", ".tcss"} or path.name == "themes.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if hex_colour.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_app_token_defaults_are_valid_colours() -> None:
    for token, value in APP_TOKEN_DEFAULTS.items():
        Color.parse(re.sub(r"\s+\d+%$", "", value))
        assert token in APP_TOKENS


def test_installed_layout_finds_themes_next_to_the_package(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "supportdesk_tui"
    (package / "_themes").mkdir(parents=True)
    assert builtin_themes_dir(package) == package / "_themes"


def test_source_checkout_finds_the_top_level_themes_folder(tmp_path: Path) -> None:
    package = tmp_path / "src" / "supportdesk_tui"
    package.mkdir(parents=True)
    (tmp_path / "themes").mkdir()
    assert builtin_themes_dir(package) == tmp_path / "themes"
    assert builtin_themes_dir() == REPO / "themes" or builtin_themes_dir().name == "_themes"


def test_missing_builtin_themes_is_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "src" / "supportdesk_tui"
    package.mkdir(parents=True)
    with pytest.raises(ThemeError, match="built-in themes are missing"):
        builtin_themes_dir(package)


def write_theme(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('primary = "#123456"\nname = \n', "invalid TOML"),
        ('primary = "#12345z"\n', "primary: '#12345z' is not a colour"),
        (
            'primary = "#123456"\nbackgroud = "#000000"\n',
            "backgroud: unknown key (did you mean 'background'?)",
        ),
        ('secondary = "#123456"\n', "primary: missing"),
        ('primary = "#123456"\ndark = "yes"\n', "dark: expected true or false"),
        (
            'primary = "#123456"\n[variables]\npriority-urgnet = "#ff0000"\n',
            "variables.priority-urgnet: unknown variable (did you mean 'priority-urgent'?)",
        ),
        (
            'primary = "#123456"\n[variables]\nsla-ok = "green-ish"\n',
            "variables.sla-ok: 'green-ish' is not a colour",
        ),
        ('primary = "#123456"\n[variables]\nblock-cursor-text-style = "shiny"\n', "expected a text style"),
        ('primary = "#123456"\nvariables = 3\n', "variables: expected a table"),
        ('name = "has space"\nprimary = "#123456"\n', "name: expected letters"),
        ('primary = "#123456"\ntext_alpha = 3\n', "text_alpha: expected a number between 0 and 1"),
    ],
)
def test_broken_theme_file_error_names_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write_theme(tmp_path, "broken", text)
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path)
    assert str(caught.value).startswith(f"theme file {path}: ")
    assert problem in str(caught.value)


def test_missing_theme_file_is_a_theme_error(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match="cannot read it"):
        load_theme_file(tmp_path / "nope.toml")


def test_minimal_user_theme_takes_its_name_from_the_file(tmp_path: Path) -> None:
    path = write_theme(
        tmp_path, "my-desk", 'primary = "#336699"\ndark = false\n[variables]\nsla-ok = "#00aa00 50%"\n'
    )
    theme = load_theme_file(path)
    assert (theme.name, theme.primary, theme.dark) == ("my-desk", "#336699", False)
    assert theme.variables == {"sla-ok": "#00aa00 50%"}


def test_user_themes_load_the_good_and_report_the_broken(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    write_theme(folder, "a-good", 'name = "mine"\nprimary = "#336699"\n')
    write_theme(folder, "b-broken", 'primary = "nope"\n')
    write_theme(folder, "c-duplicate", 'name = "mine"\nprimary = "#336699"\n')
    (folder / "notes.txt").write_text("ignored")
    themes, problems = user_themes(folder)
    assert [theme.name for theme in themes] == ["mine"]
    assert len(problems) == 2
    assert "b-broken.toml" in problems[0] and "is not a colour" in problems[0]
    assert "c-duplicate.toml" in problems[1] and "already used" in problems[1]


def test_no_user_theme_folder_means_no_themes_and_no_problems(tmp_path: Path) -> None:
    assert user_themes(tmp_path / "absent") == ([], [])


def test_user_themes_default_to_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path))
    write_theme(tmp_path / "config" / "themes", "mine", 'primary = "#336699"\n')
    assert [theme.name for theme in user_themes()[0]] == ["mine"]


TOKEN_CSS = "\n".join(f".t-{token} {{ color: ${token}; }}" for token in APP_TOKENS)


class ThemedApp(App[None]):
    CSS: ClassVar[str] = TOKEN_CSS + "\nStatic { background: $note-background; border: tall $note-border; }"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_TOKEN_DEFAULTS)

    def compose(self) -> ComposeResult:
        for token in APP_TOKENS:
            yield Static(token, classes=f"t-{token}")


async def test_agent_switches_through_every_theme_and_the_app_tokens_follow(tmp_path: Path) -> None:
    app = ThemedApp()
    async with app.run_test() as pilot:
        assert register_all_themes(app, user_dir=tmp_path / "none") == []
        urgent = app.query_one(".t-priority-urgent", Static)
        seen = set()
        for name in BUILTIN_THEME_NAMES:
            assert apply_theme(app, name) is None
            await pilot.pause()
            assert app.theme == name
            expected = Color.parse(by_name()[name].variables["priority-urgent"])
            assert urgent.styles.color.rgb == expected.rgb
            seen.add(urgent.styles.color.rgb)
        assert len(seen) >= 3


async def test_textual_builtin_themes_fall_back_to_the_token_defaults() -> None:
    app = ThemedApp()
    async with app.run_test() as pilot:
        app.theme = "nord"
        await pilot.pause()
        urgent = app.query_one(".t-priority-urgent", Static)
        assert urgent.styles.color.rgb == Color.parse(APP_TOKEN_DEFAULTS["priority-urgent"]).rgb


async def test_broken_user_theme_gives_one_problem_and_the_rest_still_register(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    write_theme(folder, "ok", 'primary = "#336699"\n')
    write_theme(folder, "bad", 'primary = "#33669"\n')
    app = ThemedApp()
    async with app.run_test() as pilot:
        problems = register_all_themes(app, user_dir=folder)
        assert len(problems) == 1 and "bad.toml" in problems[0]
        assert apply_theme(app, "ok") is None
        await pilot.pause()
        assert app.theme == "ok"


async def test_unknown_theme_name_falls_back_to_the_default_with_a_message() -> None:
    app = ThemedApp()
    async with app.run_test():
        register_all_themes(app, user_dir=Path("/nonexistent"))
        problem = apply_theme(app, "supportdesk-drak")
        assert app.theme == DEFAULT_THEME
        assert problem == "Theme 'supportdesk-drak' not found; using supportdesk-dark"


def test_user_theme_may_replace_a_builtin_of_the_same_name(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    write_theme(folder, "supportdesk-dark", 'primary = "#ff00ff"\n')
    app = ThemedApp()
    register_all_themes(app, user_dir=folder)
    theme = app.get_theme("supportdesk-dark")
    assert theme is not None and theme.primary == "#ff00ff"


@pytest.mark.parametrize("name", BUILTIN_THEME_NAMES)
def test_red_is_kept_for_what_needs_action_now(name: str) -> None:
    from supportdesk_tui.widgets._signals import SIGNALS

    theme = by_name()[name]
    values = {**theme.to_color_system().generate(), **APP_TOKEN_DEFAULTS, **theme.variables}

    def colour(signal_colour: str) -> Color | None:
        assert signal_colour.startswith("$"), "signals take their colours from the theme"
        value = values[signal_colour[1:]]
        # `$text-muted` is "auto 60%": a shade of the text colour, never a signal colour.
        return None if value.startswith("auto") else Color.parse(value)

    action_now = {colour(signal.colour) for signal in SIGNALS if signal.action_now}
    assert None not in action_now
    calm = {signal.name: colour(signal.colour) for signal in SIGNALS if not signal.action_now}
    assert Color.parse(theme.foreground or "") not in action_now
    assert {name for name, value in calm.items() if value in action_now} == set()
