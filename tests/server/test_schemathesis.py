"""Property-based fuzzing of the served OpenAPI document against the app, in process, on each engine.

Every generated request, as agent, lead and intake, must pass every check schemathesis has: no
5xx, documented status codes, content types and headers, conforming bodies, invalid input refused,
valid input accepted (within the per-operation allowances of `schemathesis.toml`), missing required
headers refused. The same as `schemathesis run --checks all` against a live server, minus the
event stream (an endless response in process; the CLI run reads it with a timeout) and the
stateful phase (`docs/api/contract.md` gives the command).

One test per operation (and engine), not one for the whole document: the whole document is about
a minute of work on one engine, which one xdist worker would run alone at the end of the suite;
per operation, the workers share it. The operations are those of the committed document
(`docs/api/openapi.json`, read at collection); `test_every_served_operation_is_fuzzed` fails when
the app serves one it does not name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from conftest import database_for
from supportdesk_tui.server.app import create_app
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.openapi_export import DEFAULT_TARGET
from supportdesk_tui.server.seed import seed_demo
from supportdesk_tui.server.store import open_store

DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TOKENS = {role: f"schemathesis-{role}-token" for role in ("agent", "lead", "intake")}
LOGINS = {"agent": "anna", "lead": "lena", "intake": "intake"}
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
EVENT_STREAM = "/api/v1/events"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _fuzzed_operations(document: dict[str, Any]) -> list[str]:
    """Every operation of an OpenAPI document but the event stream, as schemathesis names them."""
    return [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path != EVENT_STREAM
        for method in operations
        if method in HTTP_METHODS
    ]


FUZZED_OPERATIONS = _fuzzed_operations(json.loads(DEFAULT_TARGET.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def api_schema(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.BaseSchema]:
    """The app on a fresh demo database of `engine`, and the schema it serves (one per worker and
    engine, shared by the operations' tests: their requests change only what they create)."""
    directory = tmp_path_factory.mktemp(f"fuzz-{engine}")
    store = open_store(database_for(engine, request, directory))
    try:
        seed_demo(store, DEMO_NOW)
        with store.write() as tx:
            for role, login in LOGINS.items():
                agent = store.agent_by_login(login)
                assert agent is not None
                tx.add_token(agent.id, hash_token(TOKENS[role]), DEMO_NOW)
        app = create_app(store, clock=lambda: DEMO_NOW, background=False, rate_limit=None)
        yield schemathesis.openapi.from_asgi(
            "/api/v1/openapi.json", app, config=SchemathesisConfig.from_path(CONFIG)
        )
    finally:
        store.close()


def test_every_served_operation_is_fuzzed(api_schema: schemathesis.BaseSchema) -> None:
    served = _fuzzed_operations(api_schema.raw_schema)
    assert sorted(served) == sorted(FUZZED_OPERATIONS), (
        "docs/api/openapi.json is stale: run `python -m supportdesk_tui.server.openapi_export`"
    )


# Loaded from the fixture when the test runs (one engine's database at a time), not at import.
schema = schemathesis.pytest.from_fixture("api_schema")


def _fuzz(operation: str) -> Callable[..., None]:
    """The test of one operation: every generated request answered per the contract."""

    @schema.include(name=operation).parametrize()
    @settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    def test_api_answers_every_generated_request_per_the_contract(case: schemathesis.Case) -> None:
        # Every role in turn on the same case (derandomized, the cases were the same for each role
        # anyway); a loop, as the schema loaded from a fixture can't take a parametrized one.
        for role in sorted(TOKENS):
            # As `schemathesis run -H "Authorization: …"` does: the token wins over any generated one
            # (the `ignored_auth` check still sends its own requests without it).
            headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKENS[role]}"}
            case.call_and_validate(headers=headers, checks=CHECKS.get_all())

    return test_api_answers_every_generated_request_per_the_contract


def _test_name(operation: str) -> str:
    """`POST /api/v1/tickets/{ticket_id}/messages` → `test_contract_of_post_tickets_ticket_id_messages`."""
    method, path = operation.split(" ", 1)
    words = re.findall(r"[a-z0-9]+", path.removeprefix("/api/v1").lower())
    return "_".join(["test_contract_of", method.lower(), *words])


# The operations whose bodies make the most cases (seconds on an idle machine, per engine): started
# first (`runs_long`, conftest), so that none of them is left running alone at the end of the run.
LONGEST = {
    "POST /api/v1/tickets": 8,
    "POST /api/v1/tickets/{ticket_id}/escalations": 7,
    "GET /api/v1/tickets": 4,
}

# One module-level test per operation: pytest collects each on its own, so xdist can spread them.
for _operation in FUZZED_OPERATIONS:
    assert _test_name(_operation) not in globals(), f"two operations would share {_test_name(_operation)}"
    _test = _fuzz(_operation)
    if _operation in LONGEST:
        _test = pytest.mark.runs_long(seconds=LONGEST[_operation])(_test)
    globals()[_test_name(_operation)] = _test
