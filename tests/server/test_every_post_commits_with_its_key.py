"""Every POST route writes its effect and its Idempotency-Key record in one transaction.

`server/idempotency.effect_response` is what makes a POST exactly-once across a crash (see
`test_crash_exactly_once.py`); a new POST route that forgets it would commit its effect in a
transaction of its own, and a retry after a crash at the wrong moment would write it twice.
This reads the route modules and fails on any POST handler that does not answer through it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import supportdesk_tui.server as server_package

ROUTE_MODULES = sorted(Path(server_package.__file__).parent.glob("api_*.py"))


def _is_post_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "post"
    )


def _calls_effect_response(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "effect_response"
        for node in ast.walk(function)
    )


def post_handlers_without_one_transaction(source: str) -> list[str]:
    tree = ast.parse(source)
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(_is_post_route(d) for d in node.decorator_list)
        and not _calls_effect_response(node)
    ]


def test_every_post_route_commits_its_effect_with_its_idempotency_record() -> None:
    assert ROUTE_MODULES, "no route modules found"
    found = {
        f"{module.name}:{name}"
        for module in ROUTE_MODULES
        for name in post_handlers_without_one_transaction(module.read_text(encoding="utf-8"))
    }
    assert found == set(), f"POST routes that commit outside effect_response: {sorted(found)}"


def test_the_check_catches_a_post_route_that_commits_on_its_own() -> None:
    forgetful = '''
@router.post("/things")
async def create_thing(service: ServiceDep) -> Thing:
    return service.create_thing()

@router.post("/other")
def create_other(service: ServiceDep) -> Response:
    return effect_response(service.store, Thing, 201, service.create_other)
'''
    assert post_handlers_without_one_transaction(forgetful) == ["create_thing"]
