"""The user's config: one TOML file, typed, validated strictly, overridable from the environment.

The pydantic models below are the only description of the file: they validate it, their
`Field(description=...)` texts are the tables in docs/config.md (written by
`python -m supportdesk_tui.devtools.configref`), and the env overrides walk them too.

A typo must not silently fall back to a default, so unknown keys and wrong types are errors
that name the file, the line, the key path and what was expected. Saving a choice made in the
app edits the file with tomlkit (`config_file.py`), so the user's comments and layout stay as
they were.
"""

from __future__ import annotations

import difflib
import enum
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from supportdesk_tui import paths
from supportdesk_tui.contract.models import TicketSort
from supportdesk_tui.domain.image_renderers import ImageRenderer
from supportdesk_tui.domain.notifications import (
    DesktopProtocol,
    NoticeKind,
    NotificationPolicy,
    QuietHours,
)

if TYPE_CHECKING:
    pass

LanguageChoice = Literal["auto", "en", "ru"]
LANGUAGE_CHOICES: tuple[str, ...] = get_args(LanguageChoice)
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
# Checks the types alone cannot express. Each raises ValueError with the whole sentence the
# user reads after the key path.


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _join_url_list(value: Any) -> Any:
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise ValueError(
                "expected a string or an array of strings, got an array with something else in it"
            )
        return ",".join(item.strip() for item in value)
    return value


def _check_urls(value: str) -> str:
    for part in value.split(","):
        url = part.strip()
        if url and not re.match(r"^https?://[^\s/]+", url):
            raise ValueError(
                "expected an http:// or https:// URL, e.g. https://desk.example.com "
                f"(several instances: a list, or URLs separated by commas), got {value!r}"
            )
    return value


def _check_not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _normalize_keys(value: Any) -> str:
    if not isinstance(value, str) or not value.replace(",", "").strip():
        raise ValueError(f'expected keys as a string such as "r" or "ctrl+r,f5", got {_describe(value)}')
    keys = value.split(",")
    if any(not key.strip() for key in keys):
        raise ValueError(f"empty key in {value!r}; separate keys with single commas")
    return ",".join(key.strip() for key in keys)


_Value = TypeVar("_Value")


def _read_only(mapping: Mapping[str, _Value]) -> Mapping[str, _Value]:
    return MappingProxyType(dict(mapping))


def _no_entries() -> Mapping[str, Any]:
    return MappingProxyType({})


# How docs/config.md shows a field where its type or default alone would say too little.
def _shown(
    *, type: str | None = None, default: str | None = None, env: str | None = None, key: str | None = None
) -> dict[str, Any]:
    extra = {"type": type, "default": default, "env": env, "key": key}
    return {f"doc_{name}": text for name, text in extra.items() if text is not None}


# ---------------------------------------------------------------------------------------------
# The schema


class ConfigTable(BaseModel):
    """One TOML table: immutable, no unknown keys, and no conversions (a TOML string is never
    taken for a number); environment variables, which are all strings, are validated laxly."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ServerConfig(ConfigTable):
    url: Annotated[str, BeforeValidator(_join_url_list), AfterValidator(_check_urls)] = Field(
        "",
        description=(
            "Base URL of the SupportDesk API, without `/api/v1`, e.g. `https://desk.example.com`. "
            'Several instances of one deployment: an array (`["http://desk-a:8765", '
            '"http://desk-b:8765"]`) or one string with the URLs separated by commas; the app '
            "uses one and moves to the next when it stops answering "
            '(README, "Pointing the app at a backend"). The first URL names the deployment\'s local '
            "drafts and outbox."
        ),
        json_schema_extra=_shown(type="string (http/https URL), or an array of them",
                                 default='`""` (ask at sign-in)',
                                 env="`SUPPORTDESK_SERVER` (commas for several)"),
    )
    token: str | None = Field(
        None,
        description=(
            "API token. Discouraged here: prefer `supportdesk login`, which keeps the token in the "
            "system keyring. If you must, keep the file private."
        ),
    )
    verify_tls: bool = Field(
        True, description="Check the server's TLS certificate. Turn off only for a test server."
    )
    timeout: float = Field(
        10.0,
        ge=0.1,
        le=600,
        description="How long one request may take before it counts as failed.",
        json_schema_extra=_shown(type="number, seconds (0.1–600)"),
    )


class UIConfig(ConfigTable):
    language: LanguageChoice = Field(
        "auto",
        description=(
            "Interface language. `auto` follows `--lang`, then the locale (`LC_ALL`, `LC_MESSAGES`, "
            "`LANG`); anything but Russian means English. Changing it in the app saves it here."
        ),
    )
    theme: Annotated[str, AfterValidator(_check_not_blank)] = Field(
        DEFAULT_THEME,
        description=(
            "Theme name: `supportdesk-dark`, `supportdesk-light`, `supportdesk-high-contrast`, "
            "`supportdesk-colorblind`, a Textual built-in theme, or one of your theme files. An "
            "unknown name falls back to the default with a notice. Changing it in the app saves it here."
        ),
    )
    relative_times: bool = Field(True, description='Show "5 minutes ago" instead of timestamps.')
    preview_pane: bool = Field(
        True, description="Show the preview of the highlighted ticket next to the queue."
    )
    image_renderer: ImageRenderer = Field(
        "auto",
        description=(
            "How attached images are previewed: `auto` uses the terminal's graphics protocol where it "
            "has one, `kitty` or `sixel` force one, `cells` draws with coloured characters everywhere "
            "(for terminals that claim a protocol but draw it wrong, or over tmux)."
        ),
    )


class QueueConfig(ConfigTable):
    page_size: int = Field(
        100,
        ge=1,
        le=1000,
        description="Tickets fetched per page; the list loads more as you scroll.",
    )
    # The API's own list of sort orders; the file gives its value ("-updated_at").
    default_sort: TicketSort = Field(
        TicketSort.SLA_DUE,
        strict=False,
        description=(
            "Initial sort order: next SLA deadline first, oldest/newest created, last updated, "
            "priority, longest waiting."
        ),
    )
    default_filter: str = Field(
        "", description="Filter applied when the queue opens, in the same syntax as the filter bar."
    )


class QueueThresholds(ConfigTable):
    """When a dashboard tile for one queue turns red; None means "never"."""

    max_length: int | None = Field(
        None, ge=0, description="Alert when more tickets than this are waiting."
    )
    max_oldest_minutes: int | None = Field(
        None,
        ge=0,
        description="Alert when the oldest waiting ticket has waited longer than this many minutes.",
    )
    max_at_risk: int | None = Field(
        None, ge=0, description="Alert when more tickets than this are close to breaching their SLA."
    )


class DashboardConfig(ConfigTable):
    bell: bool = Field(True, description="Ring the terminal bell when a queue crosses a threshold.")
    thresholds: Annotated[
        Mapping[str, QueueThresholds], AfterValidator(_read_only), PlainSerializer(dict)
    ] = Field(
        default_factory=_no_entries,
        description="Limits per queue id for the lead dashboard.",
        json_schema_extra=_shown(key="<queue-id>"),
    )


def _check_quiet_hours(value: str) -> str:
    QuietHours.parse(value)  # raises ValueError with what is wrong
    return value.strip()


class NotificationsConfig(ConfigTable):
    """Live notifications: a toast in the app, optionally the bell, and a desktop notification
    through the terminal while the app is not focused."""

    assigned: bool = Field(True, description="Notify when a ticket is assigned to you by someone else.")
    customer_replied: bool = Field(True, description="Notify when a customer answers on one of your tickets.")
    sla_at_risk: bool = Field(True, description="Notify when one of your tickets is about to breach its SLA.")
    sla_warning_minutes: int = Field(
        15, ge=1, le=1440, description="How long before a deadline the SLA notification comes."
    )
    bell: bool = Field(False, description="Ring the terminal bell with each notification.")
    desktop: bool = Field(
        True, description="Ask the terminal for a desktop notification while the app is not focused."
    )
    desktop_protocol: Literal["osc9", "osc777"] = Field(
        "osc9",
        description="The terminal's notification sequence: osc9 (iTerm2, WezTerm, kitty, Windows "
        "Terminal) or osc777 (urxvt, foot, GNOME Terminal and other VTE terminals).",
    )
    quiet_hours: Annotated[str, AfterValidator(_check_quiet_hours)] = Field(
        "",
        description='Local times without bell or desktop notification, e.g. "22:00-08:00" '
        "(toasts still show). Empty: never quiet.",
    )

    def policy(self) -> NotificationPolicy:
        kinds = {NoticeKind.ASSIGNED: self.assigned, NoticeKind.CUSTOMER_REPLIED: self.customer_replied,
                 NoticeKind.SLA_AT_RISK: self.sla_at_risk}
        return NotificationPolicy(
            kinds=frozenset(kind for kind, on in kinds.items() if on), bell=self.bell,
            desktop=self.desktop, protocol=DesktopProtocol(self.desktop_protocol),
            quiet_hours=QuietHours.parse(self.quiet_hours),
            sla_warning=timedelta(minutes=self.sla_warning_minutes))


KeyList = Annotated[str, BeforeValidator(_normalize_keys)]


class Config(ConfigTable):
    server: ServerConfig = Field(default_factory=ServerConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    queue: QueueConfig = Field(default_factory=QueueConfig)
    # Binding id → comma-separated keys, handed to keymap.apply_keymap.
    keymap: Annotated[Mapping[str, KeyList], AfterValidator(_read_only), PlainSerializer(dict)] = Field(
        default_factory=_no_entries,
        description=(
            "Replace the keys of one action. The ids are listed in the help screen (`?`)."
        ),
        json_schema_extra=_shown(
            key="<binding-id>",
            type="string: keys separated by commas",
            default="—",
            env="`SUPPORTDESK_KEYMAP__<ID>` (only for ids without dots)",
        ),
    )
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    # View name → filter, in the order the sidebar shows them (and `1`…`9` pick them).
    views: Annotated[Mapping[str, str], AfterValidator(_read_only), PlainSerializer(dict)] = Field(
        default_factory=_no_entries,
        description=(
            "Saved views: a name and a filter in the filter bar's syntax (`status:open tag:spam-wave`), "
            "shown in the queue's sidebar with live counts, in this order; `1`…`9` open the first nine. "
            "The app adds, removes and reorders them here, keeping the rest of the file; share a view by "
            "copying its line."
        ),
        json_schema_extra=_shown(key="<view name>", type="string: a filter", default="—"),
    )

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file this was read from, if it existed."""
        return self._source


def server_urls(config: Config) -> tuple[str, ...]:
    """The configured instances, in order (empty when no server is set)."""
    # lazy: only a configured server list needs the parser
    from supportdesk_tui.api.failover import ServerListError, parse_server_list

    if not config.server.url.strip():
        return ()
    try:
        return parse_server_list(config.server.url)
    except ServerListError as exc:
        raise ConfigError(str(exc), key="server.url") from None


# ---------------------------------------------------------------------------------------------
# Walking the schema (shared by the error messages, the env overrides and the docs)


def table_of(annotation: Any) -> type[ConfigTable] | None:
    """The model of a table-valued field (`ServerConfig` for `Config.server`), else None."""
    return annotation if isinstance(annotation, type) and issubclass(annotation, ConfigTable) else None


def entries_of(annotation: Any) -> Any | None:
    """For a table whose keys the user names (`[keymap]`, `[dashboard.thresholds]`): the type
    of one entry. None for any other field."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Mapping:
        return get_args(annotation)[1]
    return None


def choices_of(annotation: Any) -> tuple[str, ...]:
    """The allowed values of a Literal or Enum field, else ()."""
    if get_origin(annotation) is Literal:
        return tuple(str(value) for value in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(str(member.value) for member in annotation)
    return ()


def _table_at(location: tuple[str, ...]) -> type[ConfigTable] | None:
    """The model of the table at `location` in the file (`("dashboard", "thresholds", "x")`)."""
    table: type[ConfigTable] | None = Config
    remaining = list(location)
    while remaining and table is not None:
        field = table.model_fields.get(remaining.pop(0))
        if field is None:
            return None
        entry = entries_of(field.annotation)
        if entry is not None:
            if not remaining:
                return None
            remaining.pop(0)
            table = table_of(entry)
        else:
            table = table_of(field.annotation)
    return table


def _field_at(location: tuple[str, ...]) -> FieldInfo | None:
    table = _table_at(location[:-1]) if location else None
    return table.model_fields.get(location[-1]) if table is not None else None


def _split_key_path(key_path: str) -> tuple[str, ...]:
    """ "keymap.ticket.reply" → ("keymap", "ticket.reply"): a name the user chose may hold dots,
    so a table of named entries takes the rest of the path (or all but its last part, for
    entries that are tables themselves: "dashboard.thresholds.a.b.max_length")."""
    parts = key_path.split(".")
    location: list[str] = []
    table: type[ConfigTable] | None = Config
    while parts:
        name = parts.pop(0)
        location.append(name)
        field = table.model_fields.get(name) if table is not None else None
        if field is None:
            table = None
            continue
        entry = entries_of(field.annotation)
        if entry is not None and parts:
            if table_of(entry) is not None and len(parts) > 1:
                location += [".".join(parts[:-1]), parts[-1]]
            else:
                location.append(".".join(parts))
            break
        table = table_of(field.annotation)
    return tuple(location)


# ---------------------------------------------------------------------------------------------
# Validation errors as the user reads them


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, int | float) and float(value).is_integer() else str(value)


def _unknown_key_message(name: str, known: list[str]) -> str:
    message = f"unknown key; expected one of {', '.join(known)}"
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message


_EXPECTED_TYPE = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "string": "a string",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "more than"),
    "less_than": ("lt", "less than"),
}


def _message(error: ErrorDetails, location: tuple[str, ...]) -> str:
    kind, value, context = error["type"], error["input"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        table = _table_at(location[:-1])
        known = list(table.model_fields) if table is not None else []
        return _unknown_key_message(location[-1], known)
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    if kind in ("model_type", "dict_type", "mapping_type", "model_attributes_type"):
        return f"expected a table ([{'.'.join(location)}]), got {_describe(value)}"
    if kind in ("literal_error", "enum"):
        field = _field_at(location)
        choices = choices_of(field.annotation) if field is not None else ()
        if choices:
            return "expected one of " + ", ".join(f'"{choice}"' for choice in choices) + f", got {value!r}"
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"expected {words} {_number(context[name])}, got {value!r}"
    base = kind.split("_")[0]
    if base in _EXPECTED_TYPE and kind.endswith(("_type", "_parsing", "_from_float")):
        return f"expected {_EXPECTED_TYPE[base]}, got {_describe(value)}"
    return f"{error['msg']}, got {_describe(value)}"


def config_error_from(exc: ValidationError, *, source: str, text: str = "",
                  prefix: tuple[str, ...] = ()) -> ConfigError:
    """The problem the user should fix first: the one nearest the top of the file."""
    found: list[ConfigError] = []
    for error in exc.errors():
        location = prefix + tuple(str(part) for part in error["loc"])
        found.append(
            ConfigError(
                _message(error, location),
                source=source,
                key=".".join(location),
                line=find_line(text, location),
            )
        )
    return min(found, key=lambda problem: problem.line if problem.line is not None else float("inf"))


def _defines(data: Mapping[str, Any], location: tuple[str, ...]) -> bool:
    node: Any = data
    for part in location:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def find_line(text: str, location: tuple[str, ...]) -> int | None:
    """The line where the key at `location` starts in the TOML `text`, or None.

    A key is defined on the first line whose beginning of the file, read as TOML, has it:
    no pattern guesses at TOML's syntax (dotted keys, quoting, inline tables). Cutting a valid
    file between lines only fails inside a value spanning several lines, so a binary search over
    the cuts that parse finds the line in a few reads, and a value over several lines is
    reported at its first line.
    """

    def defined_by(lines: int) -> bool | None:
        try:
            return _defines(tomllib.loads("\n".join(all_lines[:lines])), location)
        except tomllib.TOMLDecodeError:
            return None

    all_lines = text.split("\n")
    if not location or not defined_by(len(all_lines)):
        return None
    without, with_key = 0, len(all_lines)  # cuts that parse: the key is missing / present
    while with_key - without > 1:
        middle = (without + with_key) // 2
        probes = [*range(middle, without, -1), *range(middle + 1, with_key)]
        answer = next(((cut, found) for cut in probes if (found := defined_by(cut)) is not None), None)
        if answer is None:
            break  # every cut in between is inside the key's own multi-line value
        cut, found = answer
        if found:
            with_key = cut
        else:
            without = cut
    return without + 1


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


def _read_toml(text: str, source_name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(where.group(1)) if where else None
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "invalid TOML"
        raise ConfigError(f"invalid TOML: {detail}", source=source_name, line=line) from exc


def parse_config(text: str, source: Path | None = None) -> Config:
    """Validate TOML text; errors name `source`."""
    source_name = str(source) if source else "<config>"
    data = _read_toml(text, source_name)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise config_error_from(exc, source=source_name, text=text) from None
    config._source = source
    return config


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


def override(config: Config, key_path: str, raw: str, origin: str = "command line") -> Config:
    """Return `config` with `key_path` (e.g. "ui.language") set from the string `raw`.

    Used for environment variables and command-line flags; errors name `origin`. The string
    is converted the lax way ("25" for an integer, "off" for false), against the same schema.
    """
    data = config.model_dump()
    node = data
    *tables, key = _split_key_path(key_path)
    for name in tables:
        child = node.get(name)
        node[name] = child = child if isinstance(child, dict) else {}
        node = child
    node[key] = raw
    try:
        changed = Config.model_validate(data, strict=False)
    except ValidationError as exc:
        raise config_error_from(exc, source=origin) from None
    changed._source = config.source
    return changed
