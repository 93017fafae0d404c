"""The demo server starts and answers as the contract says."""

from __future__ import annotations

from conftest import ServerHandle


def test_demo_server_reports_health_and_the_caller(live_server: ServerHandle) -> None:
    with live_server.client("anna") as client:
        assert client.get("/api/v1/health").json()["status"] == "ok"
        me = client.get("/api/v1/me").json()
        assert me["login"] == "anna"
        assert me["queues"] == ["access", "hacked", "deletion"]
