"""The user's config: one TOML file, typed, validated strictly, overridable from the environment.

A typo must not silently fall back to a default, so unknown keys and wrong types are errors
that name the file, the key path and what was expected. Every key is documented in
docs/config.md (a test keeps the two in step).
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from supportdesk_tui import paths

LanguageChoice = Literal["auto", "en", "ru"]
LANGUAGE_CHOICES: tuple[str, ...] = ("auto", "en", "ru")
DEFAULT_THEME = "supportdesk-dark"

ENV_PREFIX = "SUPPORTDESK_"
# Short names for the overrides people actually type; everything else is SUPPORTDESK_<SECTION>__<KEY>.
ENV_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "SUPPORTDESK_SERVER": "server.url",
        "SUPPORTDESK_TOKEN": "server.token",
        "SUPPORTDESK_LANG": "ui.language",
        "SUPPORTDESK_THEME": "ui.theme",
    }
)


class ConfigError(Exception):
    """A config value that cannot be used, located as precisely as we can."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.key = key
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        parts: list[str] = []
        if self.source:
            parts.append(f"{self.source}:{self.line}" if self.line else self.source)
        if self.key:
            parts.append(self.key)
        parts.append(self.message)
        return ": ".join(parts)


# ---------------------------------------------------------------------------------------------
# The typed config


@dataclass(frozen=True)
class ServerConfig:
    # One base URL, or several instances of one deployment joined by commas (the file may
    # also give an array); `server_urls()` splits it.
    url: str = ""
    token: str | None = None
    verify_tls: bool = True
    timeout: float = 10.0


@dataclass(frozen=True)
class UIConfig:
    language: LanguageChoice = "auto"
    theme: str = DEFAULT_THEME
    relative_times: bool = True
    preview_pane: bool = True


@dataclass(frozen=True)
class QueueConfig:
    page_size: int = 100
    default_sort: str = "sla_due"
    default_filter: str = ""


@dataclass(frozen=True)
class QueueThresholds:
    """When a dashboard tile for one queue turns red; None means "never"."""

    max_length: int | None = None
    max_oldest_minutes: int | None = None
    max_at_risk: int | None = None


def _empty_thresholds() -> Mapping[str, QueueThresholds]:
    return MappingProxyType({})


def _empty_keymap() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DashboardConfig:
    bell: bool = True
    thresholds: Mapping[str, QueueThresholds] = field(default_factory=_empty_thresholds)


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    ui: UIConfig = field(default_factory=UIConfig)
    queue: QueueConfig = field(default_factory=QueueConfig)
    keymap: Mapping[str, str] = field(default_factory=_empty_keymap)
    """Binding id → comma-separated keys, handed to keymap.apply_keymap."""
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
    source: Path | None = None
    """The file this was read from, if it existed."""


# ---------------------------------------------------------------------------------------------
# Schema: one entry per scalar key, used by the file reader, the env overrides and the docs test

Kind = Literal["str", "bool", "int", "float"]


@dataclass(frozen=True)
class KeySpec:
    kind: Kind
    optional: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None
    # A string key that also takes an array of strings, kept as one comma-joined string.
    joins_list: bool = False


def _check_url(value: Any) -> str | None:
    for part in str(value).split(","):
        url = part.strip()
        if url and not re.match(r"^https?://[^\s/]+", url):
            return ("expected an http:// or https:// URL, e.g. https://desk.example.com "
                    "(several instances: a list, or URLs separated by commas)")
    return None


def server_urls(config: Config) -> tuple[str, ...]:
    """The configured instances, in order (empty when no server is set)."""
    from supportdesk_tui.api.failover import ServerListError, parse_server_list

    if not config.server.url.strip():
        return ()
    try:
        return parse_server_list(config.server.url)
    except ServerListError as exc:
        raise ConfigError(str(exc), key="server.url") from None


def _check_sort(value: Any) -> str | None:
    # Imported here so reading the config does not pull pydantic in for commands that skip the API.
    from supportdesk_tui.contract.models import TicketSort

    allowed = [sort.value for sort in TicketSort]
    if value not in allowed:
        return f"expected one of {', '.join(allowed)}"
    return None


def _check_not_blank(value: Any) -> str | None:
    return "expected a non-empty string" if not str(value).strip() else None


SCALAR_KEYS: Mapping[str, Mapping[str, KeySpec]] = MappingProxyType(
    {
        "server": {
            "url": KeySpec("str", check=_check_url, joins_list=True),
            "token": KeySpec("str", optional=True),
            "verify_tls": KeySpec("bool"),
            "timeout": KeySpec("float", minimum=0.1, maximum=600),
        },
        "ui": {
            "language": KeySpec("str", choices=LANGUAGE_CHOICES),
            "theme": KeySpec("str", check=_check_not_blank),
            "relative_times": KeySpec("bool"),
            "preview_pane": KeySpec("bool"),
        },
        "queue": {
            "page_size": KeySpec("int", minimum=1, maximum=1000),
            "default_sort": KeySpec("str", check=_check_sort),
            "default_filter": KeySpec("str"),
        },
        "dashboard": {
            "bell": KeySpec("bool"),
        },
    }
)
THRESHOLD_KEYS: Mapping[str, KeySpec] = MappingProxyType(
    {
        name: KeySpec("int", optional=True, minimum=0)
        for name in ("max_length", "max_oldest_minutes", "max_at_risk")
    }
)
TOP_LEVEL_KEYS: tuple[str, ...] = ("server", "ui", "queue", "keymap", "dashboard")

_SECTION_CLASSES: Mapping[str, type[Any]] = MappingProxyType(
    {"server": ServerConfig, "ui": UIConfig, "queue": QueueConfig, "dashboard": DashboardConfig}
)

_KIND_NAMES = {"str": "a string", "bool": "true or false", "int": "an integer", "float": "a number"}


def _expected(spec: KeySpec) -> str:
    if spec.choices:
        return "one of " + ", ".join(f'"{choice}"' for choice in spec.choices)
    return _KIND_NAMES[spec.kind]


def _unknown_key_message(name: str, known: list[str]) -> str:
    message = f"unknown key; expected one of {', '.join(known)}"
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message


@dataclass
class _Reader:
    """Validates raw TOML values, knowing where they came from for error messages."""

    source: str
    text: str = ""

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, source=self.source, key=key, line=_find_line(self.text, key))

    def scalar(self, key: str, value: Any, spec: KeySpec) -> Any:
        if spec.joins_list and isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise self.error(key, "expected a string or an array of strings, got an array "
                                      "with something else in it")
            value = ",".join(item.strip() for item in value)
        if spec.kind == "bool":
            ok = isinstance(value, bool)
        elif spec.kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif spec.kind == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            value = float(value) if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise self.error(key, f"expected {_expected(spec)}, got {_describe(value)}")
        return self.check(key, value, spec)

    def check(self, key: str, value: Any, spec: KeySpec) -> Any:
        if spec.choices and value not in spec.choices:
            raise self.error(key, f"expected {_expected(spec)}, got {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise self.error(key, f"expected at least {_number(spec.minimum)}, got {value!r}")
        if spec.maximum is not None and value > spec.maximum:
            raise self.error(key, f"expected at most {_number(spec.maximum)}, got {value!r}")
        if spec.check is not None:
            problem = spec.check(value)
            if problem:
                raise self.error(key, f"{problem}, got {value!r}")
        return value

    def table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table ([{key}]), got {_describe(value)}")
        return value

    def section(self, name: str, raw: Any) -> dict[str, Any]:
        table = self.table(name, raw)
        specs = SCALAR_KEYS[name]
        known = list(specs) + (["thresholds"] if name == "dashboard" else [])
        values: dict[str, Any] = {}
        for key, value in table.items():
            path = f"{name}.{key}"
            if key == "thresholds" and name == "dashboard":
                values["thresholds"] = self.thresholds(path, value)
            elif key in specs:
                values[key] = self.scalar(path, value, specs[key])
            else:
                raise self.error(path, _unknown_key_message(key, known))
        return values

    def thresholds(self, path: str, raw: Any) -> Mapping[str, QueueThresholds]:
        result: dict[str, QueueThresholds] = {}
        for queue_id, queue_raw in self.table(path, raw).items():
            queue_path = f"{path}.{queue_id}"
            values: dict[str, Any] = {}
            for key, value in self.table(queue_path, queue_raw).items():
                key_path = f"{queue_path}.{key}"
                if key not in THRESHOLD_KEYS:
                    raise self.error(key_path, _unknown_key_message(key, list(THRESHOLD_KEYS)))
                values[key] = self.scalar(key_path, value, THRESHOLD_KEYS[key])
            result[queue_id] = QueueThresholds(**values)
        return MappingProxyType(result)

    def keymap_entry(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not [part for part in value.split(",") if part.strip()]:
            raise self.error(
                key, f'expected keys as a string such as "r" or "ctrl+r,f5", got {_describe(value)}'
            )
        if any(not part.strip() for part in value.split(",")):
            raise self.error(key, f"empty key in {value!r}; separate keys with single commas")
        return ",".join(part.strip() for part in value.split(","))

    def keymap(self, raw: Any) -> Mapping[str, str]:
        return MappingProxyType(
            {
                binding_id: self.keymap_entry(f"keymap.{binding_id}", keys)
                for binding_id, keys in self.table("keymap", raw).items()
            }
        )

    def config(self, data: Mapping[str, Any], source_path: Path | None) -> Config:
        built: dict[str, Any] = {"source": source_path}
        for name, raw in data.items():
            if name == "keymap":
                built["keymap"] = self.keymap(raw)
            elif name in _SECTION_CLASSES:
                built[name] = _SECTION_CLASSES[name](**self.section(name, raw))
            else:
                raise self.error(name, _unknown_key_message(name, list(TOP_LEVEL_KEYS)))
        return Config(**built)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _split_header(header: str) -> list[str]:
    return [part.strip().strip('"').strip("'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', header)]


def _header_of(line: str) -> list[str] | None:
    match = _HEADER_RE.match(line)
    return _split_header(match.group(1)) if match else None


def _find_line(text: str, key_path: str) -> int | None:
    """Best-effort line of `key_path` in `text`, so messages point at the right line.

    tomllib does not keep positions; a simple scan of table headers and `key =` lines finds
    the common cases, and returns None rather than guess for the rest.
    """
    if not text:
        return None
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _header_of(line)
        if header is not None:
            table = header
            if ".".join(table) == key_path:
                return number
            continue
        match = re.match(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=', line)
        # Dotted paths are compared as text, so quoted keys with dots ("ticket.reply") match too.
        if match and ".".join([*table, *_split_header(match.group(1))]) == key_path:
            return number
    return None


# ---------------------------------------------------------------------------------------------
# Loading and overriding


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (missing file → defaults) and apply SUPPORTDESK_* overrides."""
    env = os.environ if env is None else env
    config_path = path if path is not None else paths.config_file(env)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        config = Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file ({exc})", source=str(config_path)) from exc
    else:
        config = parse_config(text, source=config_path)
    return apply_env_overrides(config, env)


def parse_config(text: str, source: Path | None = None) -> Config:
    """Validate TOML text; errors name `source`."""
    source_name = str(source) if source else "<config>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(where.group(1)) if where else None
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "invalid TOML"
        raise ConfigError(f"invalid TOML: {detail}", source=source_name, line=line) from exc
    return _Reader(source_name, text).config(data, source)


def env_overrides(env: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(env var, key path, raw value) for every SUPPORTDESK_* variable that sets a config key.

    Empty values are skipped: `SUPPORTDESK_TOKEN= supportdesk` means "unset" in shell habits.
    """
    found: list[tuple[str, str, str]] = []
    for name in sorted(env):
        value = env[name]
        if not name.startswith(ENV_PREFIX) or value == "":
            continue
        if name in ENV_ALIASES:
            found.append((name, ENV_ALIASES[name], value))
            continue
        rest = name[len(ENV_PREFIX) :]
        if "__" in rest:
            section, key = rest.split("__", 1)
            found.append((name, f"{section.lower()}.{key.lower()}", value))
    return found


def apply_env_overrides(config: Config, env: Mapping[str, str]) -> Config:
    for name, key_path, value in env_overrides(env):
        config = override(config, key_path, value, origin=name)
    return config


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _from_string(reader: _Reader, key: str, raw: str, spec: KeySpec) -> Any:
    text = raw.strip()
    value: Any
    if spec.kind == "bool":
        if text.lower() not in _TRUE | _FALSE:
            raise reader.error(key, f"expected true or false, got {raw!r}")
        value = text.lower() in _TRUE
    elif spec.kind == "int":
        try:
            value = int(text)
        except ValueError:
            raise reader.error(key, f"expected an integer, got {raw!r}") from None
    elif spec.kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise reader.error(key, f"expected a number, got {raw!r}") from None
    else:
        value = raw
    return reader.check(key, value, spec)


def override(config: Config, key_path: str, raw: str, origin: str = "command line") -> Config:
    """Return `config` with `key_path` (e.g. "ui.language") set from the string `raw`.

    Used for environment variables and command-line flags; errors name `origin`.
    """
    reader = _Reader(origin)
    section, _, key = key_path.partition(".")
    if section == "keymap" and key:
        keymap = dict(config.keymap)
        keymap[key] = reader.keymap_entry(key_path, raw)
        return replace(config, keymap=MappingProxyType(keymap))
    if section == "dashboard" and key.startswith("thresholds."):
        queue_id, _, name = key[len("thresholds.") :].rpartition(".")
        if not queue_id or name not in THRESHOLD_KEYS:
            raise reader.error(
                key_path, "expected dashboard.thresholds.<queue-id>.<" + "|".join(THRESHOLD_KEYS) + ">"
            )
        thresholds = dict(config.dashboard.thresholds)
        current = thresholds.get(queue_id, QueueThresholds())
        value = _from_string(reader, key_path, raw, THRESHOLD_KEYS[name])
        thresholds[queue_id] = replace(current, **{name: value})
        return replace(config, dashboard=replace(config.dashboard, thresholds=MappingProxyType(thresholds)))
    if section not in SCALAR_KEYS:
        raise reader.error(key_path, _unknown_key_message(section, list(TOP_LEVEL_KEYS)))
    specs = SCALAR_KEYS[section]
    if key not in specs:
        raise reader.error(key_path, _unknown_key_message(key, list(specs)))
    value = _from_string(reader, key_path, raw, specs[key])
    section_value = getattr(config, section)
    return replace(config, **{section: replace(section_value, **{key: value})})


# ---------------------------------------------------------------------------------------------
# Writing


def _toml_string(value: str) -> str:
    escaped = []
    for char in value:
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif char == "\n":
            escaped.append("\\n")
        elif char == "\t":
            escaped.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _toml_string(str(value))


def config_as_toml(config: Config, *, reveal_secrets: bool = False) -> str:
    """The effective config as TOML (for `supportdesk config show`).

    The token is replaced by a comment unless `reveal_secrets`: this output gets pasted into
    chats and bug reports.
    """
    lines: list[str] = []
    for section in ("server", "ui", "queue", "dashboard"):
        if lines:
            lines.append("")
        lines.append(f"[{section}]")
        section_value = getattr(config, section)
        for item in fields(section_value):
            value = getattr(section_value, item.name)
            if item.name == "thresholds":
                continue
            if value is None:
                lines.append(f"# {item.name} is not set")
            elif item.name == "token" and not reveal_secrets:
                lines.append("# token is set (hidden; use --reveal-secrets to show it)")
            else:
                lines.append(f"{item.name} = {_toml_value(value)}")
    for queue_id, limits in sorted(config.dashboard.thresholds.items()):
        lines.append("")
        lines.append(f"[dashboard.thresholds.{_toml_key(queue_id)}]")
        for item in fields(limits):
            value = getattr(limits, item.name)
            if value is not None:
                lines.append(f"{item.name} = {_toml_value(value)}")
    lines.append("")
    lines.append("[keymap]")
    for binding_id, keys in sorted(config.keymap.items()):
        lines.append(f"{_toml_key(binding_id)} = {_toml_string(keys)}")
    return "\n".join(lines) + "\n"


UI_CHOICES: tuple[str, ...] = ("theme", "language")


def save_ui_choice(
    key: str, value: str, path: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """Remember the theme or language the agent picked, touching nothing else in the file.

    Edits the one `key = ...` line in `[ui]` (or adds it), keeping comments and layout, and
    refuses to write if the result would parse to anything other than that one change.
    """
    if key not in UI_CHOICES:
        raise ConfigError(f"only {', '.join(UI_CHOICES)} can be saved this way", key=f"ui.{key}")
    config_path = path if path is not None else paths.config_file(env)
    reader = _Reader(str(config_path))
    reader.check(f"ui.{key}", value, SCALAR_KEYS["ui"][key])
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"not saving ui.{key}: the file is not valid TOML ({exc})", source=str(config_path)
        ) from exc

    new_text = _set_ui_line(text, key, value)
    expected = {**before, "ui": {**before.get("ui", {}), key: value}}
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise ConfigError(
            f"not saving ui.{key}: the file's layout is too unusual to edit safely; set it by hand",
            source=str(config_path),
        )
    _write_atomically(config_path, new_text)
    return config_path


def _set_ui_line(text: str, key: str, value: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    new_line = f"{key} = {_toml_string(value)}\n"
    start = next((i for i, line in enumerate(lines) if _header_of(line) == ["ui"]), None)
    if start is None:
        separator = "\n" if lines and lines[-1].strip() else ""
        return "".join(lines) + f"{separator}[ui]\n{new_line}"
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[i])), len(lines))
    key_re = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    for i in range(start + 1, end):
        if key_re.match(lines[i]):
            lines[i] = new_line
            return "".join(lines)
    insert_at = end
    while insert_at > start + 1 and not lines[insert_at - 1].strip():
        insert_at -= 1
    lines.insert(insert_at, new_line)
    return "".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    paths.ensure_dir(path.parent)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        # The file may hold a token, so a new one is private.
        mode = 0o600
    fd, tmp_name = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
