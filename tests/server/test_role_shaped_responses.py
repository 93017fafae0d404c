"""Every response, for every role, holds only the fields that role may see.

The allow-lists here are written out by hand, field path by field path. They do not come from
the server's models on purpose: a field added to a response fails this test until someone writes
down who may see it. The walk covers every operation of the OpenAPI document the server serves,
and the document must not hold an operation this file does not know.

A field path names a JSON value by its keys, `[]` standing for any list item:
`data[].requester.email`. A `null`, an empty list or an empty object is allowed wherever a
field below it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
from server_helpers import new_ticket_body

from conftest import ServerHandle
from waiting import poll_until

Role = Literal["agent", "lead", "intake"]
ROLES: tuple[Role, ...] = ("agent", "lead", "intake")
LOGIN: dict[Role, str] = {"agent": "dmitry", "lead": "lena", "intake": "intake"}
LANGS = ("ru", "en")


def under(prefix: str, fields: Iterable[str]) -> frozenset[str]:
    return frozenset(f"{prefix}.{f}" for f in fields)


def per_language(name: str) -> frozenset[str]:
    return frozenset(f"{name}.{lang}" for lang in LANGS)


def data_list(item: frozenset[str]) -> frozenset[str]:
    return under("data[]", item)


def page(item: frozenset[str]) -> frozenset[str]:
    return data_list(item) | {"meta.has_more", "meta.page_size", "links.next"}


# --- the shapes, as each role may see them ------------------------------------------------------

AGENT_REF = frozenset({"id", "login", "name"})
ENVIRONMENT = frozenset({"platform", "app_version", "device"})
HEALTH = frozenset({"status", "version"})
ME = frozenset({"id", "login", "name", "role", "languages[]", "queues[]"})
ASSIGNABLE_AGENT = frozenset({"id", "login", "name", "role", "queues[]"})
QUEUE = frozenset({"id", "name", "languages[]"}) | under(
    "counts", ("open", "unassigned", "oldest_waiting_seconds", "sla_at_risk", "sla_breached")
)
TICKET = (
    frozenset({
        "id", "version", "subject", "status", "priority", "queue", "language", "category", "tags[]",
        "created_at", "updated_at", "waiting_since", "last_message_id", "message_count", "needs_reply",
        "presence[].state", "presence[].expires_at",
    })
    | under("requester", ("account_id", "name", "email", "phone", "language", "account_state"))
    | under("assignee", AGENT_REF)
    | under("sla", (
        "first_response_due", "first_responded_at", "next_response_due", "resolution_due", "paused",
    ))
    | under("environment", ENVIRONMENT)
    | under("escalation", ("key", "status", "url"))
    | under("presence[].agent", AGENT_REF)
)
ATTACHMENT = frozenset({"id", "name", "content_type", "size"})
MESSAGE = (
    frozenset({"id", "ticket_id", "kind", "body", "created_at"})
    | under("author", ("type", "id", "name"))
    | under("attachments[]", ATTACHMENT)
)
MESSAGE_POSTED = under("message", MESSAGE) | under("ticket", TICKET)
TICKET_STAMPS = frozenset({"data[].id", "data[].version", "total", "truncated"})
TICKETS_MERGED = under("survivor", TICKET) | under("closed[]", TICKET) | {"moved_message_ids[]"}
CANNED = (
    frozenset({"id", "shortcut", "tags[]", "actions.status", "actions.priority", "actions.add_tags[]"})
    | per_language("title")
    | per_language("bodies")
    | under("variables[]", {"name", "required", "default", *per_language("prompt")})
)
COMPONENT = frozenset({"id", "name"})
ESCALATION = frozenset({
    "key", "ticket_id", "status", "url", "severity", "component", "summary", "steps", "expected",
    "actual", "message_ids[]", "created_at", "updated_at", "linked_tickets", "affected_customers",
}) | under("environment", ENVIRONMENT)
LINK_RESULT = under("escalation", ESCALATION) | {
    "linked[]", "skipped[].ticket_id", "skipped[].reason", "skipped[].other_key"}
SUGGESTED = under("ticket", TICKET) | {"reasons[]", "shared_words[]"}
COUNTS = frozenset({"counts[]"})
PLAYBOOK = (
    frozenset({"id", "categories[]", "cooling_off_days"})
    | per_language("title")
    | under("steps[]", {
        "id", "kind", "evidence_fields[]", "action", "canned_reply", "verification",
        *per_language("title"), *per_language("hint"),
    })
)
AUDIT = frozenset({"id", "ticket_id", "kind", "step_id", "summary", "action", "created_at"}) | under(
    "agent", AGENT_REF)
TICKET_HISTORY = frozenset({"id", "ticket_id", "kind", "old", "new", "ref", "at"}) | under(
    "actor", ("type", "id", "name"))
ACCOUNT_ACTION = frozenset({"action", "done_at", "account_state", "deletion_scheduled_for"}) | under(
    "ticket", TICKET
)
ARTICLE = frozenset({"id", "language", "title", "summary", "url", "tags[]"})
COUNT_BY_KEY = frozenset(
    {"key", "open", "unassigned", "oldest_waiting_seconds", "sla_at_risk", "sla_breached"}
)
LIVE_STATS = (
    frozenset({"at"})
    | under("by_queue[]", COUNT_BY_KEY)
    | under("by_language[]", COUNT_BY_KEY)
    | under("by_priority[]", COUNT_BY_KEY)
    | under("total", COUNT_BY_KEY)
    | under("worst[]", ("id", "subject", "queue", "priority", "due", "breached"))
    | under("agents[]", ("state", "working_on[]", "open_assigned", "last_reply_at"))
    | under("agents[].agent", AGENT_REF)
    | under("open_escalations[]", ESCALATION)
)
HISTORY = frozenset({"window_seconds", "interval_seconds"}) | under(
    "points[]", ("at", "queue", "open", "created", "solved")
)
# What a caller who may not read the ticket gets back for what it sent: the ids, and for a
# message whether it reopened the ticket. Nothing the ticket holds.
TICKET_RECEIPT = frozenset({"ticket_id", "message_id"})
MESSAGE_RECEIPT = frozenset({"ticket_id", "message_id", "reopened"})
NO_BODY: frozenset[str] = frozenset()
# A refusal says why and nothing about the object it refused: `details` stays empty.
REFUSAL = frozenset({"error.code", "error.message", "error.details"})


class Refused:
    """The role gets no 2xx here."""


class Stream:
    """The SSE stream: its frames are the event tests' business; here only who may open it."""


class FileBytes:
    """An attachment's bytes: not JSON; here only who may read them (test_attachments.py the rest)."""


REFUSED = Refused()
STREAM = Stream()
FILE = FileBytes()
Allowed = frozenset[str] | Refused | Stream | FileBytes

# --- the operations, each asked about a ticket in the agent's queues ("own") and, where the path
# names a ticket or an escalation, about one outside them ("other") -------------------------------

Target = Literal["own", "other"]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    target: Target = "own"

    @property
    def operation(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} ({self.target})"


T = "/api/v1/tickets/{ticket_id}"
E = "/api/v1/escalations/{key}"
F = "/api/v1/attachments/{attachment_id}"

# (case, agent, lead, intake)
TABLE: list[tuple[Case, Allowed, Allowed, Allowed]] = [
    (Case("GET", "/api/v1/health"), HEALTH, HEALTH, HEALTH),
    (Case("GET", "/api/v1/me"), ME, ME, ME),
    (Case("GET", "/api/v1/agents"), data_list(ASSIGNABLE_AGENT), data_list(ASSIGNABLE_AGENT), REFUSED),
    (Case("GET", "/api/v1/queues"), data_list(QUEUE), data_list(QUEUE), REFUSED),
    (Case("GET", "/api/v1/canned-replies"), data_list(CANNED), data_list(CANNED), REFUSED),
    (Case("GET", "/api/v1/components"), data_list(COMPONENT), data_list(COMPONENT), REFUSED),
    (Case("GET", "/api/v1/playbooks"), data_list(PLAYBOOK), data_list(PLAYBOOK), REFUSED),
    (Case("GET", "/api/v1/articles"), data_list(ARTICLE), data_list(ARTICLE), REFUSED),
    (Case("GET", "/api/v1/tickets"), page(TICKET), page(TICKET), REFUSED),
    (Case("POST", "/api/v1/tickets"), TICKET, TICKET, TICKET_RECEIPT),
    # A ticket the caller creates but will not be able to read: routed outside the agent's queues.
    (Case("POST", "/api/v1/tickets", "other"), TICKET_RECEIPT, TICKET, TICKET_RECEIPT),
    (Case("GET", T), TICKET, TICKET, REFUSED),
    (Case("GET", T, "other"), REFUSED, TICKET, REFUSED),
    (Case("PATCH", T), TICKET, TICKET, REFUSED),
    (Case("PATCH", T, "other"), REFUSED, TICKET, REFUSED),
    (Case("GET", f"{T}/messages"), page(MESSAGE), page(MESSAGE), REFUSED),
    (Case("GET", f"{T}/messages", "other"), REFUSED, page(MESSAGE), REFUSED),
    (Case("POST", f"{T}/messages"), MESSAGE_POSTED, MESSAGE_POSTED, MESSAGE_RECEIPT),
    (Case("POST", f"{T}/messages", "other"), REFUSED, MESSAGE_POSTED, MESSAGE_RECEIPT),
    (Case("PUT", f"{T}/presence"), NO_BODY, NO_BODY, REFUSED),
    (Case("PUT", f"{T}/presence", "other"), REFUSED, NO_BODY, REFUSED),
    (Case("POST", f"{T}/escalations"), ESCALATION, ESCALATION, REFUSED),
    (Case("POST", f"{T}/escalations", "other"), REFUSED, ESCALATION, REFUSED),
    (Case("GET", f"{T}/audit"), data_list(AUDIT), data_list(AUDIT), REFUSED),
    (Case("GET", f"{T}/audit", "other"), REFUSED, data_list(AUDIT), REFUSED),
    (Case("POST", f"{T}/audit"), AUDIT, AUDIT, REFUSED),
    (Case("POST", f"{T}/audit", "other"), REFUSED, AUDIT, REFUSED),
    (Case("GET", f"{T}/history"), data_list(TICKET_HISTORY), data_list(TICKET_HISTORY), REFUSED),
    (Case("GET", f"{T}/history", "other"), REFUSED, data_list(TICKET_HISTORY), REFUSED),
    (Case("POST", f"{T}/account-actions"), ACCOUNT_ACTION, ACCOUNT_ACTION, REFUSED),
    (Case("POST", f"{T}/account-actions", "other"), REFUSED, ACCOUNT_ACTION, REFUSED),
    (Case("GET", "/api/v1/escalations"), REFUSED, data_list(ESCALATION), REFUSED),
    (Case("GET", E), ESCALATION, ESCALATION, REFUSED),
    (Case("GET", E, "other"), REFUSED, ESCALATION, REFUSED),
    (Case("PATCH", E), ESCALATION, ESCALATION, REFUSED),
    (Case("PATCH", E, "other"), REFUSED, ESCALATION, REFUSED),
    (Case("POST", "/api/v1/ticket-counts"), COUNTS, COUNTS, REFUSED),
    (Case("POST", f"{E}/links"), LINK_RESULT, LINK_RESULT, REFUSED),
    (Case("POST", f"{E}/links", "other"), REFUSED, LINK_RESULT, REFUSED),
    (Case("GET", f"{E}/tickets"), data_list(TICKET), data_list(TICKET), REFUSED),
    (Case("GET", f"{E}/tickets", "other"), REFUSED, data_list(TICKET), REFUSED),
    (Case("GET", f"{E}/suggestions"), data_list(SUGGESTED), data_list(SUGGESTED), REFUSED),
    (Case("GET", f"{E}/suggestions", "other"), REFUSED, data_list(SUGGESTED), REFUSED),
    (Case("GET", "/api/v1/stats/live"), REFUSED, LIVE_STATS, REFUSED),
    (Case("GET", "/api/v1/stats/history"), REFUSED, HISTORY, REFUSED),
    (Case("GET", "/api/v1/events"), STREAM, STREAM, REFUSED),
    (Case("GET", "/api/v1/ticket-ids"), TICKET_STAMPS, TICKET_STAMPS, REFUSED),
    (Case("POST", "/api/v1/ticket-merges"), TICKETS_MERGED, TICKETS_MERGED, REFUSED),
    (Case("POST", "/api/v1/ticket-merges", "other"), REFUSED, TICKETS_MERGED, REFUSED),
    (Case("POST", "/api/v1/uploads"), ATTACHMENT, ATTACHMENT, ATTACHMENT),
    (Case("GET", F), FILE, FILE, REFUSED),
    (Case("GET", F, "other"), REFUSED, FILE, REFUSED),
]
ALLOWED: dict[Role, dict[str, Allowed]] = {
    role: {case.id: allowed[n] for case, *allowed in TABLE} for n, role in enumerate(ROLES)
}
CASES = [case for case, *_ in TABLE]


# --- field paths ----------------------------------------------------------------------------------


def field_paths(value: Any, prefix: str = "") -> set[str]:
    """The path of every leaf of a JSON value (empty containers and nulls are leaves)."""
    if isinstance(value, dict) and value:
        found: set[str] = set()
        for key, item in value.items():
            found |= field_paths(item, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(value, list) and value:
        found = set()
        for item in value:
            found |= field_paths(item, f"{prefix}[]")
        return found
    if isinstance(value, list):
        return {f"{prefix}[]"}
    return {prefix} if prefix else set()


def is_allowed(path: str, allowed: frozenset[str]) -> bool:
    return path in allowed or any(a.startswith((f"{path}.", f"{path}[]")) for a in allowed)


# --- the world the walk runs in -------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    tickets: dict[Target, int]
    escalations: dict[Target, str]
    attachments: dict[Target, int]


# The agent (dmitry) works `hacked` but not `access`; both categories have an account playbook,
# so an account action can succeed on either ticket once its verification steps are recorded.
CATEGORY: dict[Target, str] = {"own": "hacked", "other": "password"}
VERIFICATION: dict[Target, dict[str, list[str]]] = {
    "own": {
        "last-login": ["last_login_city", "last_login_device"],
        "recent-payment": ["recent_payment"],
        "creation-details": ["signup_year", "signup_city"],
    },
    "other": {"email-match": ["email_matches"], "phone-digits": ["phone_last_digits"]},
}
ESCALATION_BODY = {
    "component": "login", "severity": "minor", "summary": "Role walk escalation",
    "steps": "s", "expected": "e", "actual": "a", "set_status": None,
}


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def world(backend: ServerHandle) -> World:
    """Two tickets full of what may leak: one in the agent's queues, one outside them; both
    with email, phone, an escalation and someone present, the agent's own one assigned."""
    tickets: dict[Target, int] = {}
    escalations: dict[Target, str] = {}
    attachments: dict[Target, int] = {}
    with backend.client("lena") as lena, backend.client(LOGIN["agent"]) as agent:
        agent_id = agent.get("/api/v1/me").json()["id"]
        for target, category in CATEGORY.items():
            body = new_ticket_body(category=category, subject=f"role walk {target}")
            body["requester"] = {
                **body["requester"], "account_id": f"id-walk-{uuid.uuid4().hex[:8]}",
                "email": "walk@example.com", "phone": "+7 900 000-00-00",
            }
            ticket = _created(lena.post("/api/v1/tickets", json=body))
            tickets[target] = ticket["id"]
            url = f"/api/v1/tickets/{ticket['id']}"
            escalations[target] = _created(lena.post(f"{url}/escalations", json=ESCALATION_BODY))["key"]
            for step_id, fields in VERIFICATION[target].items():
                step = {"kind": "step", "step_id": step_id, "evidence_fields": fields}
                _created(lena.post(f"{url}/audit", json=step))
            lena.put(f"{url}/presence", json={"state": "viewing"})
            upload = _created(lena.post("/api/v1/uploads", params={"name": "walk.txt"}, content=b"walk"))
            attachments[target] = upload["id"]
            note = {"kind": "note", "body": "with a file", "attachment_ids": [upload["id"]]}
            _created(lena.post(f"{url}/messages", json=note))
        own = lena.get(f"/api/v1/tickets/{tickets['own']}")
        assigned = lena.patch(
            f"/api/v1/tickets/{tickets['own']}",
            json={"assignee_id": agent_id},
            headers={"If-Match": own.headers["ETag"]},
        )
        assert assigned.status_code == 200, assigned.text
    return World(tickets, escalations, attachments)


def _request(case: Case, role: Role, world: World, lena: httpx.Client) -> tuple[str, dict[str, Any]]:
    """The URL and the keyword arguments of one call: a body that makes sense for the role."""
    ticket_id = world.tickets[case.target]
    url = case.path.replace("{ticket_id}", str(ticket_id)).replace("{key}", world.escalations[case.target])
    url = url.replace("{attachment_id}", str(world.attachments[case.target]))
    kwargs: dict[str, Any] = {}
    op = case.operation
    if op == ("POST", "/api/v1/tickets"):
        kwargs["json"] = new_ticket_body(category=CATEGORY[case.target], subject=f"role walk by {role}")
    elif op == ("PATCH", T):
        etag = lena.get(url).headers["ETag"]
        kwargs |= {"json": {"tags": ["walk", role]}, "headers": {"If-Match": etag}}
    elif op == ("POST", f"{T}/messages"):
        kind = "customer" if role == "intake" else "note"
        kwargs["json"] = {"kind": kind, "body": f"role walk {role}"}
    elif op == ("PUT", f"{T}/presence"):
        kwargs["json"] = {"state": "viewing"}
    elif op == ("POST", f"{T}/escalations"):
        kwargs["json"] = ESCALATION_BODY
    elif op == ("POST", f"{T}/audit"):
        step_id, fields = next(iter(VERIFICATION[case.target].items()))
        kwargs["json"] = {"kind": "step", "step_id": step_id, "evidence_fields": fields}
    elif op == ("POST", f"{T}/account-actions"):
        kwargs["json"] = {"action": "send_reset_link"}
    elif op == ("POST", "/api/v1/uploads"):
        kwargs |= {"params": {"name": f"{role}.txt"}, "content": b"role walk"}
    elif op == ("PATCH", E):
        kwargs["json"] = {"status": "in_progress"}
    elif op == ("POST", "/api/v1/ticket-merges"):
        kwargs["json"] = _duplicates_to_merge(lena, case.target)
    elif op == ("POST", "/api/v1/ticket-counts"):
        kwargs["json"] = {"filters": [{"status": ["new", "open"]}, {"assignee": "me"}]}
    elif op == ("POST", f"{E}/links"):
        kwargs["json"] = {"ticket_ids": [ticket_id]}
    return url, kwargs


def _duplicates_to_merge(lena: httpx.Client, target: Target) -> dict[str, Any]:
    """Two fresh tickets of one customer (a merge closes them): the body that merges them."""
    customer = {"account_id": f"id-merge-{uuid.uuid4().hex[:8]}", "name": "Dup Licate", "language": "en",
                "email": "dup@example.com", "phone": "+7 900 000-00-01"}
    tickets = [_created(lena.post("/api/v1/tickets", json=new_ticket_body(
        category=CATEGORY[target], subject=f"merge walk {n}", requester=customer))) for n in (1, 2)]
    return {"tickets": [{"id": t["id"], "version": t["version"]} for t in tickets]}


def _served_operations(backend: ServerHandle) -> set[tuple[str, str]]:
    with backend.client() as client:
        document = client.get("/api/v1/openapi.json").json()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def _walk(backend: ServerHandle, world: World, role: Role) -> Iterator[tuple[Case, httpx.Response | None]]:
    with backend.client(LOGIN[role]) as client, backend.client("lena") as lena:
        for case in CASES:
            url, kwargs = _request(case, role, world, lena)
            if case.operation == ("GET", "/api/v1/events"):
                with client.stream("GET", url, timeout=10) as response:
                    yield case, response  # only the status is looked at; the body is never read
                continue
            yield case, client.request(case.method, url, **kwargs)


def test_every_served_operation_has_an_allow_list_for_every_role(backend: ServerHandle) -> None:
    known = {case.operation for case in CASES}
    served = _served_operations(backend)
    assert served - known == set(), "write down who may see what these operations return"
    assert known - served == set(), "these operations are no longer served: drop them here"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_only_the_fields_it_may_see(backend: ServerHandle, world: World, role: Role) -> None:
    leaks: list[str] = []
    for case, response in _walk(backend, world, role):
        assert response is not None
        allowed = ALLOWED[role][case.id]
        ok = 200 <= response.status_code < 300
        if isinstance(allowed, Refused):
            assert not ok, f"{role} {case.id}: expected a refusal, got {response.status_code}"
            if case.operation != ("GET", "/api/v1/events"):
                leaks += [f"{role} {case.id}: {p}" for p in field_paths(response.json()) - REFUSAL]
            continue
        assert ok, f"{role} {case.id}: {response.status_code} {response.read()[:300]!r}"
        if isinstance(allowed, Stream | FileBytes) or not response.content:
            continue
        for path in sorted(field_paths(response.json())):
            if not is_allowed(path, allowed):
                leaks.append(f"{role} {case.id}: {path}")
    assert leaks == []


# --- intake, as a story -----------------------------------------------------------------------


@pytest.fixture
def pending_ticket(backend: ServerHandle) -> dict[str, Any]:
    """A ticket waiting on its customer, with everything intake must never see."""
    body = new_ticket_body(category="password", subject="intake-secret-subject")
    body["requester"] = {
        **body["requester"], "email": "private.person@example.org", "phone": "+7 999 123-45-67",
    }
    with backend.client("lena") as lena, backend.client("anna") as anna:
        ticket = _created(lena.post("/api/v1/tickets", json=body))
        url = f"/api/v1/tickets/{ticket['id']}"
        _created(lena.post(f"{url}/escalations", json=ESCALATION_BODY))
        _created(anna.post(f"{url}/messages", json={
            "kind": "reply", "body": "agent-only-reply-text", "status": "pending"}))
        current: dict[str, Any] = lena.get(url).json()
    assert current["status"] == "pending" and current["assignee"]["login"] == "anna"
    return current


def test_intake_learns_only_what_it_sent(backend: ServerHandle, pending_ticket: dict[str, Any]) -> None:
    url = f"/api/v1/tickets/{pending_ticket['id']}/messages"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    replays: list[httpx.Response] = []

    def replayed_once(intake: httpx.Client) -> bool:
        # The key's record may still be finishing right after the first answer (409 in flight).
        replays.append(intake.post(url, json={"kind": "customer", "body": "Still broken"}, headers=key))
        return replays[-1].status_code != 409

    with backend.client("intake") as intake:
        first = intake.post(url, json={"kind": "customer", "body": "Still broken"}, headers=key)
        second = intake.post(url, json={"kind": "customer", "body": "Hello?"})
        assert poll_until(lambda: replayed_once(intake))
    replayed = replays[-1]
    with backend.client("lena") as lena:
        thread = lena.get(url, params={"order": "desc", "page[size]": 2}).json()["data"]
    assert first.status_code == 201 and second.status_code == 201, first.text
    ticket_id = pending_ticket["id"]
    assert first.json() == {"ticket_id": ticket_id, "message_id": thread[1]["id"], "reopened": True}
    assert second.json() == {"ticket_id": ticket_id, "message_id": thread[0]["id"], "reopened": False}
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.content == first.content
    escalation_key = pending_ticket["escalation"]["key"]
    secrets = ("private.person", "123-45-67", "anna", "Anna", escalation_key, "intake-secret-subject",
               "agent-only-reply-text", "assignee", "requester", "escalation", "email", "phone")
    for response in (first, replayed, second):
        for secret in secrets:
            assert secret.encode() not in response.content, secret


def test_intake_gets_a_receipt_for_a_new_ticket(backend: ServerHandle) -> None:
    body = new_ticket_body(category="hacked", subject="intake-new-ticket")
    with backend.client("intake") as intake:
        created = intake.post("/api/v1/tickets", json=body)
    assert created.status_code == 201, created.text
    receipt = created.json()
    assert set(receipt) == {"ticket_id", "message_id"}
    with backend.client("lena") as lena:
        ticket = lena.get(f"/api/v1/tickets/{receipt['ticket_id']}").json()
    assert ticket["subject"] == "intake-new-ticket" and ticket["last_message_id"] == receipt["message_id"]


def test_intake_cannot_read_a_thread_through_a_conflict(
    backend: ServerHandle, pending_ticket: dict[str, Any]
) -> None:
    """`seen_up_to` makes the server list newer messages in a 409: intake may not ask for that."""
    url = f"/api/v1/tickets/{pending_ticket['id']}/messages"
    with backend.client("intake") as intake:
        refused = intake.post(url, json={"kind": "customer", "body": "x", "seen_up_to": 0})
    assert 400 <= refused.status_code < 500
    assert b"agent-only-reply-text" not in refused.content and b"Hello, the SMS" not in refused.content

