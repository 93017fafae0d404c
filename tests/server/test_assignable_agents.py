"""`GET /agents`: whom the caller may assign tickets to. A lead picks among everyone who answers
tickets, with the queues each works; an agent learns only about themselves; intake and strangers
get nothing."""

from __future__ import annotations

from server_helpers import DEMO_QUEUES, error_code

from conftest import ServerHandle


def test_a_lead_sees_every_agent_and_lead_with_the_queues_they_work(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        response = lena.get("/api/v1/agents")
    assert response.status_code == 200, response.text
    agents = {a["login"]: a for a in response.json()["data"]}
    assert {"anna", "boris", "kate", "dmitry", "lena"} <= set(agents)
    assert "intake" not in agents
    assert agents["anna"]["queues"] == ["access", "hacked", "deletion"]
    assert agents["anna"]["name"] == "Anna Petrova" and agents["anna"]["role"] == "agent"
    assert agents["lena"]["queues"] == list(DEMO_QUEUES) and agents["lena"]["role"] == "lead"


def test_an_agent_learns_only_about_themselves(backend: ServerHandle) -> None:
    with backend.client("boris") as boris:
        response = boris.get("/api/v1/agents")
        me = boris.get("/api/v1/me").json()
    assert response.status_code == 200, response.text
    [only] = response.json()["data"]
    assert (only["id"], only["login"], only["queues"]) == (me["id"], "boris", me["queues"])
    assert "Anna" not in response.text and "Elena" not in response.text


def test_intake_and_callers_without_a_valid_token_are_refused(backend: ServerHandle) -> None:
    with backend.client("intake") as intake:
        refused = intake.get("/api/v1/agents")
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    with backend.client() as stranger:
        anonymous = stranger.get("/api/v1/agents")
        forged = stranger.get("/api/v1/agents", headers={"Authorization": "Bearer sdt_forged_token"})
    for response in (anonymous, forged):
        assert response.status_code == 401, response.text
        assert "Anna" not in response.text
