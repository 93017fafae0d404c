"""Account playbooks, the audit trail, guarded account actions and help articles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server_helpers import error_code, intake_creates, new_ticket_body

from conftest import ServerHandle

HACKED_VERIFICATION = {
    "last-login": ["last_login_city", "last_login_device"],
    "recent-payment": ["recent_payment"],
    "creation-details": ["signup_year", "signup_city"],
}


def _ticket(server: ServerHandle, category: str, account: str, language: str = "en") -> dict[str, Any]:
    body = new_ticket_body(category=category, language=language)
    body["requester"] = {**body["requester"], "account_id": account, "language": language}
    return intake_creates(server, body)


def _verify(client: Any, ticket_id: int, steps: dict[str, list[str]]) -> None:
    for step_id, fields in steps.items():
        done = client.post(
            f"/api/v1/tickets/{ticket_id}/audit",
            json={"kind": "step", "step_id": step_id, "evidence_fields": fields},
        )
        assert done.status_code == 201, done.text


def test_agent_gets_four_bilingual_playbooks(backend: ServerHandle) -> None:
    with backend.client("anna") as anna:
        playbooks = anna.get("/api/v1/playbooks").json()["data"]
        canned = {c["id"] for c in anna.get("/api/v1/canned-replies").json()["data"]}
    by_id = {p["id"]: p for p in playbooks}
    assert set(by_id) == {"hacked-account", "lost-access", "forgotten-password", "account-deletion"}
    assert by_id["account-deletion"]["cooling_off_days"] == 30
    for playbook in playbooks:
        assert set(playbook["title"]) == {"ru", "en"}
        assert any(s["verification"] for s in playbook["steps"])
        assert any(s["kind"] == "action" and s["action"] for s in playbook["steps"])
        for step in playbook["steps"]:
            assert set(step["title"]) == {"ru", "en"}
            if step["canned_reply"] is not None:
                assert step["canned_reply"] in canned


def test_account_action_is_refused_until_the_identity_is_verified(backend: ServerHandle) -> None:
    ticket = _ticket(backend, "hacked", "id-hacked-1")
    path = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("dmitry") as dmitry:
        refused = dmitry.post(f"{path}/account-actions", json={"action": "sign_out_all"})
        assert refused.status_code == 409 and error_code(refused) == "verification_incomplete"
        assert set(refused.json()["error"]["details"]["missing_steps"]) == set(HACKED_VERIFICATION)
        _verify(dmitry, ticket["id"], HACKED_VERIFICATION)
        done = dmitry.post(f"{path}/account-actions", json={"action": "sign_out_all"})
        assert done.status_code == 200, done.text
        result = done.json()
        trail = dmitry.get(f"{path}/audit").json()["data"]
    assert result["action"] == "sign_out_all" and result["account_state"] == "active"
    assert result["ticket"]["version"] > ticket["version"]
    assert [e["kind"] for e in trail] == ["step", "step", "step", "action"]
    assert all(e["agent"]["login"] == "dmitry" for e in trail)


def test_deletion_shows_its_date_and_can_be_cancelled_inside_the_window(backend: ServerHandle) -> None:
    ticket = _ticket(backend, "deletion", "id-delete-1", language="ru")
    path = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("anna") as anna:
        _verify(anna, ticket["id"], {"email-match": ["email_matches"], "last-login": ["last_login_city"]})
        scheduled = anna.post(f"{path}/account-actions", json={"action": "schedule_deletion"}).json()
        assert scheduled["account_state"] == "deletion_scheduled"
        due = datetime.fromisoformat(scheduled["deletion_scheduled_for"])
        done_at = datetime.fromisoformat(scheduled["done_at"])
        assert due - done_at == timedelta(days=30)
        assert anna.get(path).json()["requester"]["account_state"] == "deletion_scheduled"
        cancelled = anna.post(f"{path}/account-actions", json={"action": "cancel_deletion"}).json()
        again = anna.post(f"{path}/account-actions", json={"action": "cancel_deletion"})
    assert cancelled["account_state"] == "active" and cancelled["deletion_scheduled_for"] is None
    assert again.status_code == 409 and error_code(again) == "deletion_not_scheduled"


def test_audit_never_holds_evidence_values(backend: ServerHandle) -> None:
    ticket = _ticket(backend, "password", "id-pw-1")
    path = f"/api/v1/tickets/{ticket['id']}/audit"
    with backend.client("kate") as kate:
        sneaky = kate.post(
            path, json={"kind": "step", "step_id": "phone-digits", "evidence_fields": ["4821"]}
        )
        ok = kate.post(
            path, json={"kind": "step", "step_id": "phone-digits", "evidence_fields": ["phone_last_digits"]}
        )
        revealed = kate.post(path, json={"kind": "reveal", "message_id": ticket["last_message_id"]})
        foreign = kate.post(path, json={"kind": "reveal", "message_id": 1})
        trail = kate.get(path).json()["data"]
    assert sneaky.status_code == 422
    assert ok.status_code == 201 and "phone_last_digits" in ok.json()["summary"]
    assert revealed.status_code == 201 and revealed.json()["kind"] == "reveal"
    assert foreign.status_code == 422
    assert len(trail) == 2 and not any("4821" in e["summary"] for e in trail)


def test_audit_and_actions_of_other_queues_are_not_found(backend: ServerHandle) -> None:
    ticket = _ticket(backend, "hacked", "id-hacked-2")
    path = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("boris") as boris:
        assert boris.get(f"{path}/audit").status_code == 404
        posted = boris.post(f"{path}/audit", json={"kind": "step", "step_id": "last-login"})
        acted = boris.post(f"{path}/account-actions", json={"action": "sign_out_all"})
    with backend.client("intake") as intake:
        assert intake.get(f"{path}/audit").status_code == 403
    with backend.client("lena") as lena:
        assert lena.get(f"{path}/audit").status_code == 200
    assert posted.status_code == 404 and acted.status_code == 404


def test_help_articles_cover_both_languages_and_search(backend: ServerHandle) -> None:
    with backend.client("kate") as kate:
        ru = kate.get("/api/v1/articles", params={"lang": "ru"}).json()["data"]
        en = kate.get("/api/v1/articles", params={"lang": "en"}).json()["data"]
        two_factor = kate.get("/api/v1/articles", params={"q": "Two-Factor", "lang": "en"}).json()["data"]
        privacy_ru = kate.get("/api/v1/articles", params={"q": "приватност", "lang": "ru"}).json()["data"]
        nothing = kate.get("/api/v1/articles", params={"q": "zzzz-nothing"}).json()["data"]
    assert len(ru) >= 15 and len(en) >= 15
    assert {a["language"] for a in ru} == {"ru"} and {a["language"] for a in en} == {"en"}
    assert two_factor[0]["url"] == "https://help.example.invalid/en/articles/two-factor"
    assert privacy_ru and all(a["language"] == "ru" for a in privacy_ru)
    assert nothing == []
