"""Property-based fuzzing of the served OpenAPI document against the app, in process, on each engine.

Every generated request, as agent, lead and intake (a boundary case of the coverage phase as one of
them, in turn; its invalid ones on SQLite alone), must pass every check schemathesis has: no
5xx, documented status codes, content types and headers, conforming bodies, invalid input refused,
valid input accepted (within the per-operation allowances of `schemathesis.toml`), missing required
headers refused. The same as `schemathesis run --checks all` against a live server, minus the
event stream (an endless response in process; the CLI run reads it with a timeout) and the
stateful phase (`docs/api/contract.md` gives the command).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from conftest import database_for
from supportdesk_tui.server.app import create_app
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.seed import seed_demo
from supportdesk_tui.server.store import open_store

pytestmark = pytest.mark.runs_long(seconds=15)
DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TOKENS = {role: f"schemathesis-{role}-token" for role in ("agent", "lead", "intake")}
LOGINS = {"agent": "anna", "lead": "lena", "intake": "intake"}
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
# The coverage phase's boundary cases (about 1,500 per engine, three quarters of the fuzz's time when
# each went out as every role) are mostly about validation, which is the same for every caller; each
# goes out as the next role in turn, so every role still meets a third of them. Generated cases go out
# as every role.
_COVERAGE_ROLES = itertools.cycle(sorted(TOKENS))


@pytest.fixture(scope="session")
def api_schema(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.BaseSchema]:
    """The app on a fresh demo database of `engine`, and the schema it serves."""
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
        config = SchemathesisConfig.from_path(CONFIG)
        if engine != "sqlite":
            # The coverage phase's invalid boundary cases are refused by validation before any
            # storage is reached, the same on every engine: they run on SQLite. Its valid ones
            # (the longest strings, the largest numbers: what an engine may store differently)
            # and every generated case run on every engine.
            config.projects.default.phases.coverage.generation.modes = [GenerationMode.POSITIVE]
        yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=config)
    finally:
        store.close()


# Loaded from the fixture when the test runs (one engine's database at a time), not at import.
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.exclude(path="/api/v1/events").parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_per_the_contract(
    case: schemathesis.Case,
) -> None:
    # Every role in turn on the same case (derandomized, the cases were the same for each role
    # anyway); a loop, as the schema loaded from a fixture can't take a parametrized one.
    roles = sorted(TOKENS)
    if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
        roles = [next(_COVERAGE_ROLES)]
    for role in roles:
        # As `schemathesis run -H "Authorization: …"` does: the token wins over any generated one
        # (the `ignored_auth` check still sends its own requests without it).
        headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKENS[role]}"}
        case.call_and_validate(headers=headers, checks=CHECKS.get_all())
