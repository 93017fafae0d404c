"""An account action's audit entry says which action it was, who did it and when, so a client
can show the playbook's action steps as done without reading the English summary."""

from __future__ import annotations

from datetime import datetime, timedelta

from server_helpers import intake_creates, new_ticket_body

from conftest import ServerHandle

HACKED_VERIFICATION = {
    "last-login": ["last_login_city", "last_login_device"],
    "recent-payment": ["recent_payment"],
    "creation-details": ["signup_year", "signup_city"],
}


def test_action_entries_name_the_action_and_other_entries_name_none(backend: ServerHandle) -> None:
    body = new_ticket_body(category="hacked", language="en")
    body["requester"] = {**body["requester"], "account_id": "id-audit-action-1", "language": "en"}
    ticket = intake_creates(backend, body)
    path = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("dmitry") as dmitry:
        for step_id, fields in HACKED_VERIFICATION.items():
            recorded = dmitry.post(f"{path}/audit",
                                   json={"kind": "step", "step_id": step_id, "evidence_fields": fields})
            assert recorded.status_code == 201, recorded.text
            assert recorded.json()["action"] is None
        done = dmitry.post(f"{path}/account-actions", json={"action": "send_reset_link"})
        assert done.status_code == 200, done.text
        trail = dmitry.get(f"{path}/audit").json()["data"]
    action = trail[-1]
    assert (action["kind"], action["action"]) == ("action", "send_reset_link")
    assert action["agent"]["login"] == "dmitry"
    when = datetime.fromisoformat(action["created_at"]) - datetime.fromisoformat(done.json()["done_at"])
    assert abs(when) < timedelta(milliseconds=1)  # the entry's time is the action's, to the stored ms
    assert [e["action"] for e in trail[:-1]] == [None, None, None]
