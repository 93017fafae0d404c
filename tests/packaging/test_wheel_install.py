"""The package as a user gets it: the sdist and the wheel built as a release builds them, the wheel
installed into a fresh virtual environment outside the source tree, first as the agent's app, then
with the `server` extra as the reference backend.

One venv and two installs (the second only adds the backend's packages): each costs wall time in
the suite, and the plain install has to be checked before the extra arrives anyway. pip's own cache
is left on, so the second install and later runs download nothing twice. PyPI must be reachable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e.pty_terminal import clean_env, terminal
from supportdesk_tui.extras import SERVER

pytestmark = [pytest.mark.e2e, pytest.mark.runs_long(seconds=30)]

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
INSTALL_TIMEOUT = 600
SERVER_HINT = "pip install 'supportdesk-tui[server]'"
LISTENING = "SUPPORTDESK_LISTENING "
# What a user of the sdist needs (the code, its themes, the licence, the docs they read)…
SDIST_HAS = ("src/supportdesk_tui/cli.py", "src/supportdesk_tui/app.tcss", "themes/supportdesk-dark.toml",
             "LICENSE", "README.md", "docs/config.md", "pyproject.toml", "PKG-INFO")
# …and what only a developer of this repository does (see [tool.hatch.build.targets.sdist]).
SDIST_LEAVES_OUT = ("tests/", "bench/", ".ci/", "tools/", "Makefile", "docs/screenshots/")


def _run(command: Sequence[str | Path], env: dict[str, str], *, cwd: Path,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{output}"
    return result.stdout


def _user_env(home: Path) -> dict[str, str]:
    """A user's shell: none of this test run's own paths (PYTHONPATH would lend it the source tree)."""
    env = clean_env(home)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


def _sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        # Every member sits below `supportdesk_tui-<version>/`.
        return [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]


def _pip_install(python: Path, requirement: str, env: dict[str, str], cwd: Path) -> None:
    # This run's pip drives the new venv (`--python`), so the venv needs no pip of its own.
    # --no-compile: no .pyc written for every installed module (~2 s of CPU; the commands below
    # compile what they import, and nothing here is about bytecode).
    _ok(_run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile",
              "--disable-pip-version-check", requirement], env, cwd=cwd, timeout=INSTALL_TIMEOUT))


def test_the_wheel_installs_as_the_agents_app_and_with_its_extra_as_the_backend(
        tmp_path: Path, live_server: Any) -> None:
    outside = tmp_path / "user"  # every command runs here, far from the source tree
    outside.mkdir()
    env = _user_env(tmp_path / "home")

    # Built as a release builds it: the sdist, then the wheel from the sdist (so the sdist is
    # complete enough to build from).
    dist = tmp_path / "dist"
    _ok(_run([sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO],
             {**os.environ}, cwd=outside, timeout=INSTALL_TIMEOUT))
    names = _sdist_names(next(dist.glob("*.tar.gz")))
    assert not [wanted for wanted in SDIST_HAS if wanted not in names], names
    assert not [name for name in names if name.startswith(SDIST_LEAVES_OUT)]
    wheel = next(dist.glob("*.whl"))

    venv = outside / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", venv], env, cwd=outside))
    python, supportdesk = venv / "bin" / "python", venv / "bin" / "supportdesk"

    # --- the agent's install: `pip install supportdesk-tui` ---------------------------------------
    _pip_install(python, str(wheel), env, outside)
    assert _ok(_run([supportdesk, "--version"], env, cwd=outside)).strip() == f"supportdesk {VERSION}"
    installed = _ok(_run([python, "-c", "import supportdesk_tui; print(supportdesk_tui.__file__)"],
                         env, cwd=outside))
    assert Path(installed.strip()).is_relative_to(venv)
    found = _ok(_run([python, "-c", "import importlib.util as u, sys; "
                      "print(' '.join(m for m in sys.argv[1:] if u.find_spec(m)))", *SERVER.modules],
                     env, cwd=outside))
    assert found.split() == [], "the agent's install pulls in the backend's packages"

    for command in (["serve", "--demo"], ["demo"], ["token", "create", "--agent", "anna"]):
        refused = _run([supportdesk, *command], env, cwd=outside)
        assert refused.returncode == 2, refused
        assert "Traceback" not in refused.stderr
        assert refused.stderr.strip().count("\n") == 0 and SERVER_HINT in refused.stderr, refused.stderr
    refused = _run([python, "-m", "supportdesk_tui.server", "serve", "--demo"], env, cwd=outside)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused
    assert "python -m supportdesk_tui.server" in refused.stderr and SERVER_HINT in refused.stderr

    # The installed app's first frame, on a real backend (this test run's), in a terminal of its own.
    app_env = {**env, "SUPPORTDESK_SERVER": live_server.url, "SUPPORTDESK_TOKEN": live_server.token("anna")}
    with terminal(["--lang", "en"], app_env, program=[str(supportdesk)]) as term:
        term.wait_for("Account access", timeout=90)  # the agent's queues, read from the server
        term.wait_for("Help")  # the footer
        os.write(term.master, b"\x11")  # ctrl+q
        assert term.read_to_exit() == 0

    # --- the backend's install: `pip install 'supportdesk-tui[server]'` ---------------------------
    _pip_install(python, f"{wheel}[server]", env, outside)
    _ok(_run([sys.executable, "-m", "pip", "--python", python, "check"], env, cwd=outside))
    server = subprocess.Popen(
        [str(supportdesk), "serve", "--demo", "--port", "0", "--db", str(outside / "demo.db"),
         "--machine-readable", "--exit-with-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=outside)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # the server exits (and this returns "") if it cannot start
        assert line.startswith(LISTENING), line + (server.stderr.read() if server.stderr else "")
        health = httpx.get(line[len(LISTENING):].strip() + "/api/v1/health", timeout=30)
        assert health.status_code == 200, health.text
    finally:
        assert server.stdin is not None
        server.stdin.close()  # --exit-with-stdin: a polite stop
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
