"""`supportdesk login` / `logout`: the token is checked, stored privately, never printed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_cli(args: list[str], home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(SUPPORTDESK_HOME=str(home), SUPPORTDESK_NO_KEYRING="1")
    return subprocess.run([sys.executable, "-m", "supportdesk_tui", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


def test_agent_logs_in_and_out_and_the_token_file_is_private(workday_server: Any, tmp_path: Path) -> None:
    token = workday_server.token("anna")
    result = run_cli(["login", "--server", workday_server.url, "--token-stdin"], tmp_path, stdin=token + "\n")
    assert result.returncode == 0, result.stderr
    assert "Anna Petrova" in result.stdout
    assert token not in result.stdout + result.stderr
    stored = tmp_path / "data" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert "credentials.json" in result.stdout  # it says where, since no keyring works here

    result = run_cli(["logout"], tmp_path)
    assert result.returncode == 0
    assert not stored.exists()


def test_a_wrong_token_is_refused_without_echoing_it(workday_server: Any, tmp_path: Path) -> None:
    result = run_cli(["login", "--server", workday_server.url, "--token-stdin"], tmp_path,
                     stdin="sdt_wrong_token_value\n")
    assert result.returncode == 2
    assert "Not signed in" in result.stderr
    assert "sdt_wrong_token_value" not in result.stderr + result.stdout
    assert not (tmp_path / "data" / "credentials.json").exists()
    assert "Traceback" not in result.stderr
