"""Writing the config file: `supportdesk config show`'s TOML, and the choices the app saves (theme,
language, saved views) edited in place with tomlkit, so the user's comments and layout stay.

Every edit must read back as exactly the change asked for, or nothing is written; the file is
replaced atomically and keeps its permissions (a new one is private: it may hold a token).
"""

from __future__ import annotations

import enum
import os
import tempfile
import tomllib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from supportdesk_tui import paths
from supportdesk_tui.config import (
    Config,
    ConfigError,
    ConfigTable,
    UIConfig,
    config_error_from,
    entries_of,
    table_of,
)

if TYPE_CHECKING:
    from tomlkit.items import Table


def _as_toml_table(model: ConfigTable, *, reveal_secrets: bool, note_unset: bool = True) -> Table:
    """`model` as a tomlkit table; unset keys become comments in the sections people read."""
    import tomlkit  # lazy: only `config show` and saving write TOML

    table = tomlkit.table()
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        entry = entries_of(field.annotation)
        if entry is not None:
            entries = tomlkit.table(is_super_table=table_of(entry) is not None)
            for entry_key, entry_value in sorted(value.items()):
                if isinstance(entry_value, ConfigTable):
                    entry_value = _as_toml_table(entry_value, reveal_secrets=reveal_secrets, note_unset=False)
                entries.add(entry_key, entry_value)
            table.add(name, entries)
        elif isinstance(value, ConfigTable):
            table.add(name, _as_toml_table(value, reveal_secrets=reveal_secrets))
        elif value is None:
            if note_unset:
                table.add(tomlkit.comment(f"{name} is not set"))
        elif name == "token" and not reveal_secrets:
            table.add(tomlkit.comment("token is set (hidden; use --reveal-secrets to show it)"))
        else:
            table.add(name, value.value if isinstance(value, enum.Enum) else value)
    return table


def config_as_toml(config: Config, *, reveal_secrets: bool = False) -> str:
    """The effective config as TOML (for `supportdesk config show`).

    The token is replaced by a comment unless `reveal_secrets`: this output gets pasted into
    chats and bug reports.
    """
    import tomlkit  # lazy: only `config show` and saving write TOML

    document = tomlkit.document()
    for name, item in _as_toml_table(config, reveal_secrets=reveal_secrets).items():
        document.add(name, item)
    return tomlkit.dumps(document)


UI_CHOICES: tuple[str, ...] = ("theme", "language")


def save_ui_choice(
    key: str, value: str, path: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """Remember the theme or language the agent picked, touching nothing else in the file.

    tomlkit sets the one key in `[ui]` (or adds it, or the table), keeping comments and layout;
    the result must read back as exactly that one change, or nothing is written.
    """
    if key not in UI_CHOICES:
        raise ConfigError(f"only {', '.join(UI_CHOICES)} can be saved this way", key=f"ui.{key}")
    config_path = path if path is not None else paths.config_file(env)
    try:
        UIConfig.model_validate({key: value})
    except ValidationError as exc:
        raise config_error_from(exc, source=str(config_path), prefix=("ui",)) from None
    expected = {key: value}

    def set_choice(ui: MutableMapping[str, Any]) -> None:
        ui[key] = value

    def reads_back(before: dict[str, Any], after: dict[str, Any]) -> bool:
        return after == {**before, "ui": {**before.get("ui", {}), **expected}}

    _rewrite_table(config_path, "ui", f"ui.{key}", "set it by hand", set_choice, reads_back)
    return config_path


def save_views(
    views: Sequence[tuple[str, str]], path: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """Write the saved views, in order, as the `[views]` table, touching nothing else in the file.

    Like `save_ui_choice`: tomlkit edits only that table (comments elsewhere, and standalone comments
    inside it, stay), and the result must read back as exactly that change, or nothing is written.
    """
    config_path = path if path is not None else paths.config_file(env)
    wanted = dict(views)
    if len(wanted) != len(views) or any(not name.strip() for name in wanted):
        raise ConfigError("view names must be unique and not blank", key="views")

    def replace_views(table: MutableMapping[str, Any]) -> None:
        for name in list(table.keys()):
            del table[name]
        for name, query in views:
            table[name] = query

    def reads_back(before: dict[str, Any], after: dict[str, Any]) -> bool:
        def others(document: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in document.items() if k != "views"}

        return others(after) == others(before) and list(after.get("views", {}).items()) == list(views)

    _rewrite_table(config_path, "views", "views", "edit [views] by hand", replace_views, reads_back)
    return config_path


def _rewrite_table(config_path: Path, table: str, what: str, by_hand: str,
                   change: Callable[[MutableMapping[str, Any]], None],
                   reads_back: Callable[[dict[str, Any], dict[str, Any]], bool]) -> None:
    """Apply `change` to the file's `[table]` with tomlkit (comments and layout elsewhere stay), and
    write the result only if it reads back as `reads_back(before, after)` says it must."""
    import tomlkit  # lazy: only saving a choice edits TOML
    from tomlkit.exceptions import TOMLKitError

    try:
        # newline="": the file is rewritten byte for byte, Windows line ends included.
        with config_path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        text = ""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not saving {what}: the file is not valid TOML ({exc})",
                          source=str(config_path)) from exc
    refusal = ConfigError(f"not saving {what}: the file's layout is too unusual to edit safely; {by_hand}",
                          source=str(config_path))
    if not isinstance(before.get(table, {}), dict):
        raise refusal
    try:
        document = tomlkit.parse(text)
        current = document.get(table)
        if current is None:
            # A blank line before the new table, as a person would leave one.
            trailing_newlines = len(text) - len(text.rstrip("\n"))
            for _ in range(max(0, 2 - trailing_newlines) if text.strip() else 0):
                document.add(tomlkit.nl())
            document.add(table, tomlkit.table())
            current = document[table]
        if not isinstance(current, dict):
            raise refusal
        change(current)
        new_text = tomlkit.dumps(document)
    except TOMLKitError:
        raise refusal from None
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        raise refusal from None
    if not reads_back(before, after):
        raise refusal
    _write_atomically(config_path, new_text)


def _write_atomically(path: Path, text: str) -> None:
    paths.ensure_dir(path.parent)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        # The file may hold a token, so a new one is private.
        mode = 0o600
    fd, tmp_name = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
