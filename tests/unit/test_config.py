"""The config file: defaults, strict validation with precise messages, env overrides, saving."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from supportdesk_tui.config import (
    Config,
    ConfigError,
    QueueThresholds,
    env_overrides,
    load_config,
    override,
    parse_config,
)
from supportdesk_tui.config_file import config_as_toml, save_ui_choice
from supportdesk_tui.devtools.configref import updated_doc

DOCS = Path(__file__).resolve().parents[2] / "docs" / "config.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_agent_without_a_config_file_gets_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "missing.toml", env={})
    assert config.server.url == ""
    assert config.server.token is None
    assert config.server.verify_tls is True
    assert config.server.timeout == 10.0
    assert config.ui.language == "auto"
    assert config.ui.theme == "supportdesk-dark"
    assert config.ui.relative_times and config.ui.preview_pane
    assert (config.queue.page_size, config.queue.default_sort, config.queue.default_filter) == (
        100,
        "sla_due",
        "",
    )
    assert dict(config.keymap) == {}
    assert config.dashboard.bell is True
    assert dict(config.dashboard.thresholds) == {}
    assert config.source is None


def test_agent_sees_every_section_of_a_full_config_file_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[server]
url = "https://desk.example.com"
verify_tls = false
timeout = 5

[ui]
language = "ru"
theme = "supportdesk-light"
relative_times = false

[queue]
page_size = 50
default_sort = "-updated_at"
default_filter = "status:open"

[keymap]
"ticket.reply" = "x, ctrl+r"
quit = "q"

[dashboard]
bell = false

[dashboard.thresholds.billing]
max_length = 40
max_oldest_minutes = 90

[dashboard.thresholds."account-security"]
max_at_risk = 3
""",
    )
    config = load_config(path, env={})
    assert config.source == path
    assert config.server.url == "https://desk.example.com"
    assert config.server.verify_tls is False
    assert config.server.timeout == 5.0 and isinstance(config.server.timeout, float)
    assert config.ui.language == "ru" and config.ui.theme == "supportdesk-light"
    assert config.ui.relative_times is False and config.ui.preview_pane is True
    assert config.queue.page_size == 50 and config.queue.default_sort == "-updated_at"
    assert dict(config.keymap) == {"ticket.reply": "x,ctrl+r", "quit": "q"}
    assert config.dashboard.bell is False
    assert config.dashboard.thresholds["billing"] == QueueThresholds(max_length=40, max_oldest_minutes=90)
    assert config.dashboard.thresholds["account-security"].max_at_risk == 3


def test_config_is_immutable() -> None:
    config = Config()
    with pytest.raises(ValidationError, match="frozen"):
        config.ui.theme = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.keymap["a"] = "b"  # type: ignore[index]


def test_typo_in_a_key_names_the_file_the_key_path_the_line_and_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "http://x"\n\n[ui]\nlangauge = "ru"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    error = caught.value
    assert error.key == "ui.langauge"
    assert error.line == 5
    message = str(error)
    assert str(path) in message and ":5:" in message
    assert "unknown key" in message and "'language'" in message


def test_bad_keymap_entry_and_threshold_point_at_their_lines(tmp_path: Path) -> None:
    text = '[ui]\ntheme = "a"\n\n[keymap]\nquit = "q"\n"ticket.reply" = 5\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    assert caught.value.line == 6
    text = '[dashboard.thresholds."account-security"]\nmax_length = 1\nmax_at_risk = -1\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    assert caught.value.line == 3


def test_unknown_section_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"serevr: unknown key; expected one of server, ui"):
        load_config(write(tmp_path, "[serevr]\nurl = 'x'\n"), env={})


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[queue]\npage_size = '100'\n", "queue.page_size", "expected an integer, got '100'"),
        ("[queue]\npage_size = true\n", "queue.page_size", "expected an integer, got true"),
        ("[queue]\npage_size = 0\n", "queue.page_size", "expected at least 1"),
        ("[server]\nverify_tls = 'yes'\n", "server.verify_tls", "expected true or false"),
        ("[server]\ntimeout = -1\n", "server.timeout", "expected at least 0.1"),
        ("[server]\nurl = 'desk.example.com'\n", "server.url", "http:// or https://"),
        ("[ui]\nlanguage = 'de'\n", "ui.language", 'expected one of "auto", "en", "ru"'),
        ("[ui]\ntheme = ' '\n", "ui.theme", "non-empty"),
        ("[queue]\ndefault_sort = 'oldest'\n", "queue.default_sort", "sla_due"),
        ("ui = 3\n", "ui", "expected a table"),
        ("[keymap]\n'ticket.reply' = 5\n", "keymap.ticket.reply", "expected keys as a string"),
        ("[keymap]\nquit = 'q,,x'\n", "keymap.quit", "empty key"),
        (
            "[dashboard.thresholds.billing]\nmax_lenght = 3\n",
            "dashboard.thresholds.billing.max_lenght",
            "max_length",
        ),
        (
            "[dashboard.thresholds.billing]\nmax_length = -3\n",
            "dashboard.thresholds.billing.max_length",
            "at least 0",
        ),
    ],
)
def test_wrong_values_name_the_key_and_what_is_expected(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.key == key
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_toml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[ui]\ntheme = "dark"\nlanguage = ru\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.line == 3
    assert f"{path}:3: invalid TOML" in str(caught.value)


def test_short_env_vars_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://file.example"\n[ui]\nlanguage = "en"\n')
    env = {
        "SUPPORTDESK_SERVER": "http://127.0.0.1:9000",
        "SUPPORTDESK_TOKEN": "s3cret",
        "SUPPORTDESK_LANG": "ru",
        "SUPPORTDESK_THEME": "supportdesk-high-contrast",
    }
    config = load_config(path, env=env)
    assert config.server.url == "http://127.0.0.1:9000"
    assert config.server.token == "s3cret"
    assert config.ui.language == "ru"
    assert config.ui.theme == "supportdesk-high-contrast"


def test_generic_env_vars_set_any_scalar_key_with_its_type() -> None:
    env = {
        "SUPPORTDESK_QUEUE__PAGE_SIZE": "25",
        "SUPPORTDESK_UI__RELATIVE_TIMES": "false",
        "SUPPORTDESK_SERVER__TIMEOUT": "2.5",
        "SUPPORTDESK_DASHBOARD__BELL": "off",
        "SUPPORTDESK_HOME": "/ignored/for/config",
        "SUPPORTDESK_TOKEN": "",  # empty means unset
        "OTHER": "x",
    }
    config = load_config(Path("/nonexistent/config.toml"), env=env)
    assert config.queue.page_size == 25
    assert config.ui.relative_times is False
    assert config.server.timeout == 2.5
    assert config.dashboard.bell is False
    assert config.server.token is None


def test_bad_env_override_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(Path("/nonexistent.toml"), env={"SUPPORTDESK_QUEUE__PAGE_SIZE": "lots"})
    assert str(caught.value).startswith("SUPPORTDESK_QUEUE__PAGE_SIZE: queue.page_size: expected an integer")
    with pytest.raises(ConfigError, match=r"SUPPORTDESK_UI__LANGAUGE: ui.langauge: unknown key.*'language'"):
        load_config(Path("/nonexistent.toml"), env={"SUPPORTDESK_UI__LANGAUGE": "ru"})
    with pytest.raises(ConfigError, match=r"SUPPORTDESK_LANG: ui\.language"):
        load_config(Path("/nonexistent.toml"), env={"SUPPORTDESK_LANG": "de"})


def test_env_overrides_are_listed_in_a_stable_order() -> None:
    found = env_overrides({"SUPPORTDESK_UI__THEME": "a", "SUPPORTDESK_LANG": "ru", "PATH": "/bin"})
    assert found == [("SUPPORTDESK_LANG", "ui.language", "ru"), ("SUPPORTDESK_UI__THEME", "ui.theme", "a")]


def test_command_line_overrides_reuse_the_same_validation() -> None:
    config = override(Config(), "ui.language", "ru", origin="--lang")
    assert config.ui.language == "ru"
    config = override(config, "keymap.ticket.reply", "x")
    assert config.keymap["ticket.reply"] == "x"
    config = override(config, "dashboard.thresholds.billing.max_length", "7")
    assert config.dashboard.thresholds["billing"].max_length == 7
    with pytest.raises(ConfigError, match=r"--lang: ui\.language"):
        override(Config(), "ui.language", "fr", origin="--lang")


def test_config_is_found_through_supportdesk_home(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[ui]\ntheme = 'supportdesk-light'\n")
    assert load_config(env={"SUPPORTDESK_HOME": str(tmp_path)}).ui.theme == "supportdesk-light"


def test_config_file_env_var_points_at_another_file(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text("[queue]\npage_size = 7\n")
    env = {"SUPPORTDESK_HOME": str(tmp_path / "home"), "SUPPORTDESK_CONFIG_FILE": str(other)}
    assert load_config(env=env).queue.page_size == 7


def test_config_show_round_trips_and_hides_the_token(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[server]
url = "https://desk.example.com"
token = "very-secret"
[ui]
theme = 'with "quotes" \\\\ and backslash'
[keymap]
"ticket.reply" = "x"
[dashboard.thresholds."account security"]
max_length = 4
""",
    )
    config = load_config(path, env={})
    shown = config_as_toml(config)
    assert "very-secret" not in shown
    assert "token is set" in shown
    again = parse_config(shown)
    assert again.server == config.server.__class__(url="https://desk.example.com")
    assert again.ui == config.ui
    assert again.keymap == config.keymap
    assert again.dashboard == config.dashboard
    assert "very-secret" in config_as_toml(config, reveal_secrets=True)
    assert parse_config(config_as_toml(config, reveal_secrets=True)).server == config.server


def test_choosing_a_theme_creates_the_config_file_privately(tmp_path: Path) -> None:
    env = {"SUPPORTDESK_HOME": str(tmp_path / "home")}
    path = save_ui_choice("theme", "supportdesk-light", env=env)
    assert path == tmp_path / "home" / "config" / "config.toml"
    assert load_config(env=env).ui.theme == "supportdesk-light"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_choosing_a_language_keeps_comments_and_other_settings(tmp_path: Path) -> None:
    original = """# my desk
[server]
url = "https://desk.example.com"  # prod

[ui]
# I like light
theme = "supportdesk-light"
language = "en"   # was en

[keymap]
"ticket.reply" = "x"
"""
    path = write(tmp_path, original)
    save_ui_choice("language", "ru", path=path)
    text = path.read_text()
    assert text == original.replace('language = "en"   # was en', 'language = "ru"   # was en')
    save_ui_choice("theme", "supportdesk-colorblind", path=path)
    config = load_config(path, env={})
    assert config.ui.theme == "supportdesk-colorblind" and config.ui.language == "ru"
    assert "# I like light" in path.read_text() and config.keymap["ticket.reply"] == "x"


def test_saving_adds_the_key_inside_an_existing_ui_table(tmp_path: Path) -> None:
    path = write(tmp_path, "[ui]\nrelative_times = false\n\n[queue]\npage_size = 5\n")
    save_ui_choice("theme", "supportdesk-light", path=path)
    data = tomllib.loads(path.read_text())
    assert data == {"ui": {"relative_times": False, "theme": "supportdesk-light"}, "queue": {"page_size": 5}}


def test_saving_appends_a_ui_table_when_there_is_none(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "http://127.0.0.1:1"')
    save_ui_choice("language", "en", path=path)
    assert tomllib.loads(path.read_text()) == {
        "server": {"url": "http://127.0.0.1:1"},
        "ui": {"language": "en"},
    }


def test_saving_edits_an_inline_ui_table_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, 'ui = { theme = "supportdesk-dark" }  # inline\n')
    save_ui_choice("theme", "supportdesk-light", path=path)
    assert path.read_text() == 'ui = { theme = "supportdesk-light" }  # inline\n'


def test_saving_refuses_files_it_cannot_edit_safely(tmp_path: Path) -> None:
    original = 'ui = "supportdesk-dark"\n'
    path = write(tmp_path, original)
    with pytest.raises(ConfigError, match="set it by hand"):
        save_ui_choice("theme", "supportdesk-light", path=path)
    assert path.read_text() == original


AGENTS_OWN_FILE = """\
# SupportDesk — Anna's settings (edited by hand, keep the notes!)

[server]
url = [
    "https://desk-a.example.com",  # primary
    "https://desk-b.example.com",
]
timeout   =   7.5     # slow VPN

[ui]
theme = 'supportdesk-light'   # easier on the eyes
relative_times=false

# Keys I changed
[keymap]
"ticket.reply" = "x"
"queue.next" = "j,down"

[dashboard.thresholds."account-security"]
max_at_risk = 3
"""


def test_saving_a_setting_keeps_comments_and_unrelated_keys_byte_for_byte(tmp_path: Path) -> None:
    path = write(tmp_path, AGENTS_OWN_FILE)
    save_ui_choice("theme", "supportdesk-colorblind", path=path)
    changed = "theme = 'supportdesk-colorblind'   # easier on the eyes"
    assert path.read_text() == AGENTS_OWN_FILE.replace(
        "theme = 'supportdesk-light'   # easier on the eyes", changed
    )

    save_ui_choice("language", "ru", path=path)
    before, after = AGENTS_OWN_FILE.splitlines(), path.read_text().splitlines()
    added = [line for line in after if line not in before and line != changed]
    assert added == ['language = "ru"']
    assert [line for line in after if line not in added] == [
        changed if line.startswith("theme =") else line for line in before
    ]
    config = load_config(path, env={})
    assert (config.ui.theme, config.ui.language, config.ui.relative_times) == (
        "supportdesk-colorblind", "ru", False)
    assert config.keymap == {"ticket.reply": "x", "queue.next": "j,down"}


def test_saving_keeps_windows_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'# mine\r\n[ui]\r\nlanguage = "en"\r\n\r\n[queue]\r\npage_size = 5\r\n')
    save_ui_choice("language", "ru", path=path)
    assert path.read_bytes() == b'# mine\r\n[ui]\r\nlanguage = "ru"\r\n\r\n[queue]\r\npage_size = 5\r\n'


def test_an_invalid_value_names_the_file_its_line_and_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, AGENTS_OWN_FILE.replace("max_at_risk = 3", "max_at_risk = -3"))
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value) == (
        f"{path}:20: dashboard.thresholds.account-security.max_at_risk: expected at least 0, got -3"
    )


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        # a dotted key outside its table
        ('# mine\nui.theme = "a"\n\nui.langauge = "ru"\n[server]\ntimeout = 5\n', 4, "ui.langauge"),
        # an inline table
        ("# mine\n\ndashboard = { bell = 'yes' }\n[server]\ntimeout = 5\n", 3, "dashboard.bell"),
        # a value over several lines is reported where it starts
        ('[ui]\ntheme = "a"\n[server]\nurl = [\n  "https://a.example",\n  8765,\n]\n', 4, "server.url"),
        # an entry of a table of named entries, given as a dotted key
        ("[dashboard]\nbell = true\nthresholds.billing.max_lenght = 3\n", 3,
         "dashboard.thresholds.billing.max_lenght"),
    ],
)
def test_the_line_is_found_however_the_key_is_written(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert (caught.value.key, caught.value.line) == (key, line)
    assert str(caught.value).startswith(f"{path}:{line}: {key}: ")


def test_of_several_problems_the_one_nearest_the_top_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "[queue]\npage_size = 0\n\n[server]\ntimeout = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert (caught.value.key, caught.value.line) == ("queue.page_size", 2)


def test_an_unknown_key_inside_a_queue_threshold_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "[dashboard]\nthresholds = { billing = { max_atrisk = 1 } }\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.line == 2
    assert caught.value.key == "dashboard.thresholds.billing.max_atrisk"
    assert "unknown key" in str(caught.value) and "'max_at_risk'" in str(caught.value)


def test_saving_rejects_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    with pytest.raises(ConfigError):
        save_ui_choice("page_size", "3", path=path)
    with pytest.raises(ConfigError, match=r"ui\.language"):
        save_ui_choice("language", "de", path=path)
    assert not path.exists()


def test_the_key_tables_in_the_docs_are_generated_from_the_models() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert updated_doc(docs) == docs, "run python -m supportdesk_tui.devtools.configref"
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_<>-]+)+)`", docs))
    assert {"server.url", "ui.theme", "queue.page_size", "dashboard.bell", "keymap.<binding-id>",
            "dashboard.thresholds.<queue-id>.max_at_risk"} <= documented
    for env_var in (
        "SUPPORTDESK_SERVER",
        "SUPPORTDESK_TOKEN",
        "SUPPORTDESK_LANG",
        "SUPPORTDESK_THEME",
        "SUPPORTDESK_HOME",
        "SUPPORTDESK_CONFIG_FILE",
    ):
        assert env_var in docs
