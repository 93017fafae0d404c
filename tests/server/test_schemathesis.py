"""Property-based fuzzing of the served OpenAPI document against the app, in process.

Every generated request, as agent, lead and intake, must pass every check schemathesis has: no
5xx, documented status codes, content types and headers, conforming bodies, invalid input refused,
valid input accepted (within the per-operation allowances of `schemathesis.toml`), missing required
headers refused. The same as `schemathesis run --checks all` against a live server, minus the
event stream (an endless response in process; the CLI run reads it with a timeout) and the
stateful phase (`docs/api/contract.md` gives the command).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from supportdesk_tui.server.app import create_app
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.seed import seed_demo
from supportdesk_tui.server.store import Store

DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TOKENS = {role: f"schemathesis-{role}-token" for role in ("agent", "lead", "intake")}
LOGINS = {"agent": "anna", "lead": "lena", "intake": "intake"}
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"


def _app() -> object:
    # Built at import: schemathesis reads the schema when the module is collected.
    directory = tempfile.mkdtemp(prefix="sd-fuzz-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    store = Store(Path(directory) / "db.sqlite3")
    seed_demo(store, DEMO_NOW)
    with store.write() as tx:
        for role, login in LOGINS.items():
            agent = store.agent_by_login(login)
            assert agent is not None
            tx.add_token(agent.id, hash_token(TOKENS[role]), DEMO_NOW)
    return create_app(store, clock=lambda: DEMO_NOW, background=False, rate_limit=None)


schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", _app(), config=SchemathesisConfig.from_path(CONFIG)
)


@pytest.fixture(params=sorted(TOKENS))
def auth_headers(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[request.param]}"}


@schema.exclude(path="/api/v1/events").parametrize()
@settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_per_the_contract(
    case: schemathesis.Case, auth_headers: dict[str, str]
) -> None:
    # As `schemathesis run -H "Authorization: …"` does: the token wins over any generated one
    # (the `ignored_auth` check still sends its own requests without it).
    headers = {**(case.headers or {}), **auth_headers}
    case.call_and_validate(headers=headers, checks=CHECKS.get_all())
