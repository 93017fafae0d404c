"""`supportdesk completion bash|zsh|fish` prints a script the shell accepts and that completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supportdesk_tui.cli import build_parser

COMMANDS = ("serve", "token", "db", "demo", "login", "logout", "themes", "config", "completion", "dashboard",
            "web")


def _script(shell: str) -> str:
    result = subprocess.run([sys.executable, "-m", "supportdesk_tui", "completion", shell],
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stderr == ""
    return result.stdout


def _bash_completes(script: str, words: list[str]) -> list[str]:
    """What bash offers for the last of `words`, from the script alone (no bash-completion)."""
    line = " ".join(words)
    program = (
        f"{script}\n"
        f"COMP_WORDS=({' '.join(repr(word) for word in words)}); COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}\n"
        '_shtab_supportdesk; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "--norc", "--noprofile"], input=program, capture_output=True,
                            text=True, timeout=30, check=True)
    return result.stdout.split()


def test_every_command_of_the_parser_is_in_the_list_the_test_checks() -> None:
    # A new command must be added above, so the completion checks below cover it.
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert set(commands.choices or ()) <= set(COMMANDS), "add the new command to COMMANDS"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_is_valid_and_completes_commands_options_and_the_backends_subcommands() -> None:
    script = _script("bash")
    subprocess.run(["bash", "-n"], input=script, text=True, check=True, timeout=30)
    for command in COMMANDS:
        assert command in script

    assert _bash_completes(script, ["supportdesk", "da"]) == ["dashboard"]
    assert _bash_completes(script, ["supportdesk", "serve", "--log-f"]) == ["--log-format"]
    assert _bash_completes(script, ["supportdesk", "serve", "--log-format", ""]) == ["text", "json"]
    assert _bash_completes(script, ["supportdesk", "token", ""]) == ["create", "list", "revoke"]
    assert _bash_completes(script, ["supportdesk", "completion", ""]) == ["bash", "zsh", "fish"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_the_zsh_and_fish_scripts_parse_in_their_shell(shell: str) -> None:
    script = _script(shell)
    assert all(command in script for command in COMMANDS)
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed: only the commands in its script were checked")
    env = {**os.environ, "HOME": os.environ.get("HOME", "/tmp")}
    subprocess.run([shell, "-n"], input=script, text=True, check=True, timeout=30, env=env)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_the_fish_script_completes_the_backends_subcommands(tmp_path: Path) -> None:
    script = tmp_path / "supportdesk.fish"
    script.write_text(_script("fish"), encoding="utf-8")
    complete = f"source {script}; complete -C 'supportdesk token '"
    result = subprocess.run(["fish", "--no-config", "-c", complete],
                            capture_output=True, text=True, timeout=30, check=True)
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["create", "list", "revoke"]
