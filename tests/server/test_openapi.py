"""The OpenAPI document: served, generated from the models, and committed without drift."""

from __future__ import annotations

import json

from conftest import ServerHandle
from supportdesk_tui.server.openapi_export import DEFAULT_TARGET, openapi_document, render


def test_committed_openapi_matches_what_the_server_serves(live_server: ServerHandle) -> None:
    with live_server.client() as client:
        served = client.get("/api/v1/openapi.json").json()
    committed = json.loads(DEFAULT_TARGET.read_text(encoding="utf-8"))
    assert committed == served, (
        "docs/api/openapi.json is stale: run `python -m supportdesk_tui.server.openapi_export`"
    )


def test_export_is_byte_for_byte_stable() -> None:
    assert DEFAULT_TARGET.read_text(encoding="utf-8") == render(openapi_document())


def test_document_uses_the_contract_models_and_one_error_shape() -> None:
    doc = openapi_document()
    schemas = doc["components"]["schemas"]
    for name in (
        "Ticket",
        "TicketCreate",
        "TicketPatch",
        "Message",
        "MessagePosted",
        "Escalation",
        "LiveStats",
        "StatsHistory",
        "Queue",
        "Me",
        "CannedReply",
        "ErrorEnvelope",
    ):
        assert name in schemas
    assert "HTTPValidationError" not in schemas
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorEnvelope"), (method, path, status)
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
