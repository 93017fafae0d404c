"""The escalation form's logic: what it pre-fills, what it refuses and what it hides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from supportdesk_tui.contract.models import (
    Author,
    Component,
    EscalationCreate,
    Language,
    Message,
    MessageKind,
    Severity,
    Status,
    Ticket,
)
from supportdesk_tui.domain.escalation_form import (
    LIMITS,
    MAX_MESSAGES,
    attachable_messages,
    field_for_server_path,
    mask_contacts,
    prefill,
    to_create,
    validate,
)
from supportdesk_tui.i18n import set_language

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
COMPONENTS = [Component(id="music", name="Music player"), Component(id="login", name="Login and 2FA")]
IDS = [c.id for c in COMPONENTS]


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def ticket(**changes: Any) -> Ticket:
    data: dict[str, Any] = {
        "id": 7, "version": 1, "subject": "Музыка не играет", "status": "open", "priority": "high",
        "queue": "bugs-music", "language": "ru", "category": "music", "tags": [],
        "requester": {"account_id": "id1", "name": "Ольга", "language": "ru",
                      "email": "olga.k@example.org", "phone": "+7 916 123-45-67"},
        "created_at": T0, "updated_at": T0, "sla": {},
        "environment": {"platform": "Android 14", "app_version": "8.41.0", "device": "Pixel 6"},
    }
    data.update(changes)
    return Ticket.model_validate(data)


def message(id: int, body: str, kind: MessageKind = MessageKind.CUSTOMER) -> Message:
    author = Author(type="customer" if kind is MessageKind.CUSTOMER else "agent", id="a", name="Ольга")
    return Message(id=id, ticket_id=7, kind=kind, author=author, body=body,
                   created_at=T0 + timedelta(minutes=id))


THREAD = [
    message(1, "Музыка не играет после обновления"),
    message(2, "Здравствуйте! Проверим.", MessageKind.REPLY),
    message(3, "Проверяла, не помогло", MessageKind.CUSTOMER),
    message(4, "internal", MessageKind.NOTE),
]


def filled(**changes: Any) -> Any:
    draft = prefill(ticket(), THREAD, COMPONENTS)
    values = {"steps": "1. Open Music\n2. Tap a track", "expected": "It plays", "actual": "Spinner",
              **changes}
    return type(draft)(**{**{f: getattr(draft, f) for f in draft.__dataclass_fields__}, **values})


# --- pre-fill -------------------------------------------------------------------------------


def test_form_starts_from_what_the_ticket_already_says() -> None:
    draft = prefill(ticket(), THREAD, COMPONENTS)
    assert draft.component == "music"
    assert draft.severity is Severity.MAJOR  # high priority
    assert draft.summary == "Музыка не играет"
    assert (draft.platform, draft.app_version, draft.device) == ("Android 14", "8.41.0", "Pixel 6")
    assert draft.message_ids == (1,)  # the customer's first message: the report itself
    assert draft.set_status is Status.ON_HOLD


def test_skeletons_are_in_the_customers_language() -> None:
    russian = prefill(ticket(), THREAD, COMPONENTS)
    english = prefill(ticket(language="en"), THREAD, COMPONENTS)
    assert russian.expected.startswith("Клиент ожидал") and russian.steps.startswith("Шаги")
    assert english.expected.startswith("The customer expected") and english.actual.startswith("Instead")


def test_component_is_guessed_from_the_category_or_left_to_the_agent() -> None:
    assert prefill(ticket(category="hacked"), THREAD, COMPONENTS).component == "login"
    assert prefill(ticket(category="deletion"), THREAD, COMPONENTS).component == ""
    assert prefill(ticket(category="music"), THREAD, [COMPONENTS[1]]).component == ""


def test_missing_environment_leaves_the_fields_empty() -> None:
    draft = prefill(ticket(environment=None), THREAD, COMPONENTS)
    assert (draft.platform, draft.app_version, draft.device) == ("", "", "")


def test_hostile_subject_reaches_the_summary_as_one_clean_line() -> None:
    draft = prefill(ticket(subject="Bug\x1b[31m\nsecond line" + "x" * 400), THREAD, COMPONENTS)
    assert "\x1b" not in draft.summary and "\n" not in draft.summary
    assert len(draft.summary) <= LIMITS["summary"][1]


# --- attaching messages -------------------------------------------------------------------------


def test_only_customer_messages_can_be_attached_oldest_first() -> None:
    assert [m.id for m in attachable_messages(ticket(), list(reversed(THREAD)))] == [1, 3]


def test_contact_details_in_attached_messages_are_masked() -> None:
    body = "Пишите на olga.k@example.org или звоните +7 916 123-45-67, или 8 (916) 765-43-21."
    [attached] = attachable_messages(ticket(), [message(1, body)])
    for leaked in ("olga.k@", "example.org", "916 123", "765-43"):
        assert leaked not in attached.text and leaked not in attached.excerpt
    assert "•" in attached.text and "Пишите на" in attached.text


@pytest.mark.parametrize("text", [
    "Version 8.41.0 on Android 14", "since 2026-11-20", "order 12345", "ticket #1024", "id78415102",
])
def test_versions_dates_and_short_numbers_are_not_mistaken_for_phones(text: str) -> None:
    assert mask_contacts(text) == text


def test_requesters_own_contacts_are_masked_whatever_their_format() -> None:
    assert "secret-ish" not in mask_contacts("reach me: secret-ish@x", known=["secret-ish@x"])


def test_excerpt_is_one_line_and_short() -> None:
    [attached] = attachable_messages(ticket(), [message(1, "line one\nline two " + "word " * 100)])
    assert "\n" not in attached.excerpt and attached.excerpt.endswith("…")
    assert len(attached.excerpt) <= 120


# --- validation --------------------------------------------------------------------------------


def test_a_filled_form_has_no_errors_and_becomes_the_request() -> None:
    draft = filled()
    assert validate(draft, IDS) == {}
    request = to_create(draft)
    assert isinstance(request, EscalationCreate)
    assert request.environment.platform == "Android 14" and request.message_ids == [1]


def test_untouched_skeletons_are_refused_field_by_field() -> None:
    errors = validate(prefill(ticket(), THREAD, COMPONENTS), IDS)
    assert set(errors) == {"steps", "expected", "actual"}
    assert "steps" in errors["steps"].lower()


def test_each_limit_of_the_server_is_checked_before_sending() -> None:
    errors = validate(filled(component="", summary="abc", steps="x" * 10_001, expected=" ",
                             actual="y" * 5_001, message_ids=tuple(range(MAX_MESSAGES + 1))), IDS)
    assert errors["component"].startswith("Choose")
    assert errors["summary"] == "At least 5 characters (now 3)."
    assert errors["steps"] == "At most 10000 characters (now 10001)."
    assert errors["expected"] == "Required."
    assert errors["actual"].startswith("At most 5000")
    assert "50" in errors["message_ids"]


def test_an_environment_field_over_the_servers_limit_is_refused_before_sending() -> None:
    errors = validate(filled(device="d" * 201, platform="p" * 200), IDS)
    assert errors == {"device": "At most 200 characters (now 201)."}
    assert to_create(filled(platform="p" * 200)).environment.platform == "p" * 200


def test_a_component_the_backend_no_longer_has_is_refused() -> None:
    assert "component" in validate(filled(component="radio"), IDS)


def test_leave_as_is_sends_a_null_status() -> None:
    request = to_create(filled(set_status=None))
    assert request.model_dump(mode="json")["set_status"] is None


def test_errors_are_in_the_ui_language() -> None:
    set_language("ru")
    try:
        errors = validate(filled(summary=""), IDS)
    finally:
        set_language("en")
    assert errors["summary"] != "Required."


@pytest.mark.parametrize(("path", "field"), [
    ("summary", "summary"), ("environment.platform", "platform"), ("message_ids", "message_ids"),
    ("message_ids.3", "message_ids"), ("header.Idempotency-Key", "_"), ("", "_"), ("component", "component"),
])
def test_server_error_paths_map_to_form_fields(path: str, field: str) -> None:
    assert field_for_server_path(path) == field


def test_a_thread_without_customer_messages_attaches_nothing() -> None:
    assert prefill(ticket(language=Language.EN), [], COMPONENTS).message_ids == ()
