"""The import graph of supportdesk_tui: no cycles, the floors of pyproject.toml's import-linter
contracts hold, and every import left inside a function says why it is lazy.

grimp counts every import, those inside functions and under TYPE_CHECKING too, so a cycle
cannot hide in a function body. The floors are drawn in docs/architecture.md.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "supportdesk_tui"
SRC = ROOT / "src" / PACKAGE
SERVER = f"{PACKAGE}.server"

# The backend's store and its storage engines import each other. The store split (server/store/ as
# a package, one job per module) removes this cycle: delete the allowance when it has landed.
def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module, each sorted (Tarjan, iterative)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted(graph.find_modules_directly_imported_by(root)))))
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = lowlink[other] = len(index)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(graph.find_modules_directly_imported_by(other)))))
                    break
                if other in on_stack:
                    lowlink[module] = min(lowlink[module], index[other])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[module])
                if lowlink[module] == index[module]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def describe(cycles: list[list[str]]) -> str:
    return "\n".join(f"a cycle of {len(c)} modules: {', '.join(c)}" for c in cycles)


@pytest.fixture(scope="module")
def cycles() -> list[list[str]]:
    return import_cycles(grimp.build_graph(PACKAGE))


def test_the_client_has_no_import_cycles(cycles: list[list[str]]) -> None:
    client = [c for c in cycles if not all(m.startswith(SERVER + ".") for m in c)]
    assert not client, "screens post navigation messages and reach the app through desk.DeskContext:\n" \
        + describe(client)


def test_the_server_has_no_import_cycles(cycles: list[list[str]]) -> None:
    server = [c for c in cycles if all(m.startswith(SERVER + ".") for m in c)]
    assert not server, "the store's protocol and engines never import its code:\n" + describe(server)


def test_the_import_contracts_in_pyproject_hold() -> None:
    # A fresh interpreter: import-linter puts the working directory on sys.path.
    script = ("import sys; from importlinter.cli import lint_imports; "
              f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True, "
              "no_logo=True))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def _lazy_imports_without_a_reason(path: Path) -> Iterator[str]:
    """Each run of imports inside a function needs a `# lazy:` comment: on the run's own lines or
    in the comment lines right above it."""
    lines = path.read_text(encoding="utf-8").splitlines()

    def runs(body: list[ast.stmt]) -> Iterator[list[ast.stmt]]:
        run: list[ast.stmt] = []
        for statement in body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                run.append(statement)
                continue
            if run:
                yield run
                run = []
        if run:
            yield run

    def bodies(node: ast.AST) -> Iterator[list[ast.stmt]]:
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body
        for handler in getattr(node, "handlers", []):
            yield handler.body

    def visit(node: ast.AST, in_function: bool) -> Iterator[str]:
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        if inside:
            for body in bodies(node):
                for run in runs(body):
                    first, last = run[0].lineno, run[-1].end_lineno or run[-1].lineno
                    above = first - 2
                    while above >= 0 and lines[above].strip().startswith("#"):
                        above -= 1
                    if not any("# lazy:" in line for line in lines[above + 1:last]):
                        yield f"{path.relative_to(SRC.parent)}:{first}: {lines[first - 1].strip()}"
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from visit(child, inside)

    yield from visit(ast.parse("\n".join(lines)), False)


def test_every_import_left_inside_a_function_says_why_it_is_lazy() -> None:
    # The server is kept by its own rules (and is being reorganised); the client is checked here.
    files = [path for path in sorted(SRC.rglob("*.py")) if "server" not in path.relative_to(SRC).parts]
    missing = [found for path in files for found in _lazy_imports_without_a_reason(path)]
    assert not missing, ("move these to the top of their module, or say in a `# lazy: <reason>` comment "
                         "what importing them late buys:\n" + "\n".join(missing))
