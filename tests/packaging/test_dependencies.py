"""What each install brings: the agent's app (`pip install supportdesk-tui`) carries no web framework
and no database driver, and every module the code imports comes with the install that runs it."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from packaging.requirements import Requirement

from supportdesk_tui import extras

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "supportdesk_tui"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Serving HTTP or reaching a database is the backend's job, never the agent's install.
BACKEND_ONLY = {"fastapi", "starlette", "uvicorn", "gunicorn", "hypercorn", "flask", "django", "aiohttp",
                "sanic", "tornado", "quart", "litestar", "falcon", "bottle", "psycopg", "psycopg-binary",
                "psycopg-pool", "psycopg2", "psycopg2-binary", "asyncpg", "sqlalchemy"}
# Modules only the developer's tools import (python -m supportdesk_tui.devtools.…; dev extra).
DEVELOPER_ONLY = ("devtools",)


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _names(requirements: Iterable[str]) -> set[str]:
    return {_name(requirement) for requirement in requirements}


def _base() -> set[str]:
    return _names(PROJECT["dependencies"])


def _extra(name: str) -> set[str]:
    return _names(PROJECT["optional-dependencies"][name])


@cache
def _distributions_of(module: str) -> set[str]:
    """The installed distributions that provide the top-level `module` (this test run's venv)."""
    return {re.sub(r"[-_.]+", "-", name).lower()
            for name in importlib.metadata.packages_distributions().get(module, [])}


def _with_their_dependencies(names: set[str]) -> set[str]:
    """`names` and everything installing them pulls in (as installed here, extras left out)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(_name(line))
    return seen


def _third_party_imports(files: Iterable[Path]) -> dict[str, str]:
    """Top-level third-party module → a file that imports it (at any depth, lazily or not)."""
    found: dict[str, str] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("__future__", "supportdesk_tui"):
                    found.setdefault(top, str(path.relative_to(REPO)))
    return found


def _client_files() -> list[Path]:
    return [path for path in SRC.rglob("*.py")
            if path.relative_to(SRC).parts[0] not in ("server", *DEVELOPER_ONLY)]


def _server_files() -> list[Path]:
    return list((SRC / "server").rglob("*.py"))


def test_the_agents_install_brings_no_web_framework_and_no_database_driver() -> None:
    brought = _with_their_dependencies(_base())
    assert not brought & BACKEND_ONLY, (
        f"`pip install supportdesk-tui` would install {sorted(brought & BACKEND_ONLY)}: the backend's "
        "packages belong in the `server` extra of pyproject.toml")


def test_textual_is_pinned_exactly() -> None:
    pins = [Requirement(r) for r in PROJECT["dependencies"] if _name(r) == "textual"]
    assert len(pins) == 1 and str(pins[0].specifier).startswith("=="), (
        "the app reaches into Textual internals (tests/packaging/test_textual_internals.py): pin it "
        "with ==, and bump it on purpose with those tests and a snapshot review")


def test_the_developers_install_includes_the_backend() -> None:
    ours = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"] if _name(r) == "supportdesk-tui"]
    assert any("server" in requirement.extras for requirement in ours), (
        "the test suite starts the reference backend: `dev` must include the `server` extra")


def test_every_module_the_app_imports_comes_with_the_agents_install_or_an_extra_it_checks_for() -> None:
    installed = _with_their_dependencies(_base())
    checked = {module: extra for extra in vars(extras).values() if isinstance(extra, extras.Extra)
               for module in extra.modules}
    missing = {module: where for module, where in _third_party_imports(_client_files()).items()
               if not _distributions_of(module) & installed and module not in checked}
    assert not missing, (
        f"the app imports {missing}, which `pip install supportdesk-tui` does not bring: add the "
        "package to [project] dependencies, or to an extra named in supportdesk_tui/extras.py "
        "(whose command checks for it)")


def test_the_backends_modules_come_with_the_server_extra_which_the_backend_commands_check_for() -> None:
    client = _with_their_dependencies(_base())
    server_extra = _with_their_dependencies(_extra("server"))
    imported = _third_party_imports(_server_files())
    only_with_the_extra = {module for module in imported if not _distributions_of(module) & client}
    not_brought = {module: imported[module] for module in only_with_the_extra
                   if not _distributions_of(module) & server_extra}
    assert not not_brought, f"server/ imports {not_brought}: add their packages to the `server` extra"
    assert set(extras.SERVER.modules) == only_with_the_extra, (
        "supportdesk_tui/extras.py SERVER.modules must name exactly the modules server/ imports that "
        f"only the `server` extra brings: {sorted(only_with_the_extra)}, so a client-only install "
        "is told what to install before any of them is imported")
