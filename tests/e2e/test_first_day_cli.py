"""A newcomer's first commands: `supportdesk themes`, options before or after the command, and a
server address copied with its /api/v1 — each run as the real command, in a pipe or a terminal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pty_terminal import clean_env, supportdesk, terminal

# --- supportdesk themes ---------------------------------------------------------------------

def test_themes_lists_every_theme_plainly_when_piped_and_reports_a_broken_file(tmp_path: Path) -> None:
    themes = tmp_path / "config" / "themes"
    themes.mkdir(parents=True)
    (themes / "night-shift.toml").write_text('primary = "#123456"\nbackground = "#000000"\n',
                                             encoding="utf-8")
    (themes / "broken.toml").write_text('name = "[bold]x"\nprimary = "#123456"\n', encoding="utf-8")

    result = supportdesk(["themes"], clean_env(tmp_path))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "\x1b" not in result.stdout
    by_name = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert by_name["supportdesk-dark (default)"][1:3] == ["dark", "supportdesk"]
    assert "primary=#4C9AFF" in by_name["supportdesk-dark (default)"][3]
    assert by_name["supportdesk-light"][1] == "light"
    assert by_name["night-shift"][1:3] == ["dark", "yours"] and "primary=#123456" in by_name["night-shift"][3]
    assert "nord" in by_name  # Textual's own themes work with --theme too
    assert "broken.toml" in result.stderr and "[bold]x" in result.stderr


def test_themes_draws_each_preview_in_its_colours_in_a_terminal(tmp_path: Path) -> None:
    with terminal(["themes"], clean_env(tmp_path)) as term:
        term.wait_for("tokyo-night")
        assert term.read_to_exit() == 0
    shown = bytes(term.output).decode()
    assert "supportdesk-dark (default)" in shown
    assert "\x1b[38;2;76;154;255m██" in shown  # supportdesk-dark's primary, #4C9AFF, as a swatch
    assert "--theme NAME" in shown


# --- options before or after the command --------------------------------------------------

def test_the_language_chosen_before_the_demo_command_is_the_demos_language(tmp_path: Path) -> None:
    with terminal(["--lang", "ru", "demo", "--simulate", "0"], clean_env(tmp_path)) as term:
        # The footer of the queue: "Справка" in Russian, "Help" in English.
        assert term.wait_for("Справка", "Help", timeout=90) == "Справка"
        os.write(term.master, b"\x11")  # ctrl+q
        assert term.read_to_exit() == 0


# --- a server address with /api/v1 ----------------------------------------------------------

def test_a_server_address_copied_with_its_api_path_signs_in(workday_server: Any, tmp_path: Path) -> None:
    token = workday_server.token("anna")
    result = supportdesk(["login", "--server", workday_server.url + "/api/v1/", "--token-stdin"],
                         clean_env(tmp_path), stdin=token + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Signed in to {workday_server.url} as Anna Petrova")
