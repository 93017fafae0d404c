"""Write the key tables of docs/config.md from the config's models.

    python -m supportdesk_tui.devtools.configref [--check]

Each table sits between `<!-- keys: <table> -->` and `<!-- /keys -->`; the prose and the
examples around the tables are written by hand. The backend's variables (`<!-- env: server -->`
… `<!-- /env -->`) come from the ASGI factory's list and the help of the `serve` options.
"""

from __future__ import annotations

import argparse
import enum
import re
import sys
import types
from pathlib import Path
from typing import Any, get_args

from annotated_types import Ge, Le
from pydantic.fields import FieldInfo

from supportdesk_tui.config import ENV_ALIASES, ENV_PREFIX, Config, choices_of, entries_of, table_of

DOC = Path(__file__).resolve().parents[3] / "docs" / "config.md"
_GENERATED = re.compile(r"(<!-- keys: (?P<table>[\w.]+) -->\n).*?(<!-- /keys -->)", re.DOTALL)
_GENERATED_ENV = re.compile(r"(<!-- env: server -->\n).*?(<!-- /env -->)", re.DOTALL)
_PLAIN_TYPES: dict[Any, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _shown(field: FieldInfo, what: str) -> str | None:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    text = extra.get(f"doc_{what}")
    return text if isinstance(text, str) else None


def _number(value: object) -> str:
    text = str(value)
    return text.removesuffix(".0")


def type_text(field: FieldInfo) -> str:
    shown = _shown(field, "type")
    if shown is not None:
        return shown
    annotation = field.annotation
    if isinstance(annotation, types.UnionType):  # `int | None`: the default says "not set"
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    choices = [f'`"{choice}"`' for choice in choices_of(annotation)]
    if choices:
        return ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
    text = _PLAIN_TYPES[annotation]
    low = next((item.ge for item in field.metadata if isinstance(item, Ge)), None)
    high = next((item.le for item in field.metadata if isinstance(item, Le)), None)
    if low is not None and high is not None:
        return f"{text} ({_number(low)}–{_number(high)})"
    if low is not None:
        return f"{text} ≥ {_number(low)}"
    return text


def default_text(field: FieldInfo) -> str:
    shown = _shown(field, "default")
    if shown is not None:
        return shown
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, enum.Enum | str):
        return f'`"{value.value if isinstance(value, enum.Enum) else value}"`'
    return f"`{_number(value)}`"


def _env_text(key_path: str, field: FieldInfo) -> str:
    shown = _shown(field, "env")
    if shown is not None:
        return shown
    alias = next((name for name, path in ENV_ALIASES.items() if path == key_path), None)
    section, key = key_path.split(".", 1)
    return f"`{alias or f'{ENV_PREFIX}{section.upper()}__{key.upper()}'}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def key_table(table_path: str) -> str:
    """The Markdown table of the keys in one TOML table ("server", "dashboard.thresholds")."""
    model: Any = Config
    key_path: list[str] = []
    named_entries = False  # below a table of named entries no environment variable reaches
    leaf: FieldInfo | None = None
    for name in table_path.split("."):
        field = model.model_fields[name]
        key_path.append(name)
        entry = entries_of(field.annotation)
        if entry is not None:
            key_path.append(_shown(field, "key") or "<name>")
            named_entries = True
            model = table_of(entry)
            if model is None:
                leaf = field
        else:
            model = table_of(field.annotation)
    rows: list[tuple[str, FieldInfo]] = []
    if leaf is not None:
        rows.append((".".join(key_path), leaf))
    else:
        for name, field in model.model_fields.items():
            if entries_of(field.annotation) is None and table_of(field.annotation) is None:
                rows.append((".".join([*key_path, name]), field))
    with_env = leaf is not None or not named_entries
    header = ["Key", "Type", "Default", "Meaning", *(["Environment"] if with_env else [])]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for path, field in rows:
        cells = [f"`{path}`", type_text(field), default_text(field), field.description or ""]
        if with_env:
            cells.append(_env_text(path, field))
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def server_env_table() -> str:
    """The backend's variables: each with the `serve` option it stands for and that option's help."""
    # lazy: only this table needs the backend's modules
    from supportdesk_tui.server.asgi import LOG_FORMAT_ENV, LOG_LEVEL_ENV, SERVE_OPTIONS
    from supportdesk_tui.server.cli import DB_HELP, add_serve_arguments
    from supportdesk_tui.server.storage import DATABASE_URL_ENV

    serve = argparse.ArgumentParser(add_help=False)
    add_serve_arguments(serve)
    options = {action.dest: action for action in serve._actions}
    variables = [(DATABASE_URL_ENV, "db"), *((name, arg) for name, (arg, _) in SERVE_OPTIONS.items()),
                 (LOG_FORMAT_ENV, "log_format"), (LOG_LEVEL_ENV, "log_level")]
    lines = ["| Variable | Same as | Meaning |", "|---|---|---|"]
    for name, dest in variables:
        action = options[dest]
        meaning = DB_HELP if dest == "db" else (action.help or "")
        if action.choices:
            meaning += f" ({', '.join(map(str, action.choices))})"
        lines.append(f"| `{name}` | `{action.option_strings[0]}` | {_cell(meaning)} |")
    return "\n".join(lines) + "\n"


def updated_doc(text: str) -> str:
    """`text` with every generated table rewritten from the models."""
    text = _GENERATED.sub(lambda match: match[1] + key_table(match["table"]) + match[3], text)
    return _GENERATED_ENV.sub(lambda match: match[1] + server_env_table() + match[2], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check the key tables in docs/config.md.")
    parser.add_argument("--check", action="store_true", help="fail if docs/config.md is out of date")
    args = parser.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    text = updated_doc(current)
    if args.check:
        if current != text:
            print(f"{DOC} is out of date; run python -m supportdesk_tui.devtools.configref", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
