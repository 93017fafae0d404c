"""`supportdesk completion bash|zsh|fish`: a shell completion script written from the parsers.

shtab reads the same argparse parsers the commands run with, so a new option completes as soon
as it exists. The backend's commands (`serve`, `token`, `db`) are stubs on the main parser (they
are handed to `server/cli.py` whole); for completion they are swapped for the real ones.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import shtab

from supportdesk_tui.server.cli import build_parser as build_server_parser


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    return next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))


def with_server_commands(parser: argparse.ArgumentParser, names: Sequence[str]) -> argparse.ArgumentParser:
    """`parser` (the `supportdesk` one) with the backend's commands `names` in full."""
    commands = _commands(parser).choices
    server_commands = _commands(build_server_parser()).choices
    for name in names:
        commands[name] = server_commands[name]
    return parser


def completion_script(shell: str, parser: argparse.ArgumentParser, server_commands: Sequence[str]) -> str:
    script: str = shtab.complete(with_server_commands(parser, server_commands), shell=shell)
    return script


def run_completion(shell: str, parser: argparse.ArgumentParser, server_commands: Sequence[str]) -> int:
    """`parser`: the one `supportdesk` runs with (cli.py hands it over: this module can't import
    cli.py, which imports it)."""
    print(completion_script(shell, parser, server_commands), end="")
    return 0
