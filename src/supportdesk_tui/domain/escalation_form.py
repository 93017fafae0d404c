"""The escalation form's logic: pre-fill from a ticket, per-field validation, masked excerpts.

Pure: the screen shows what these functions return and sends `to_create(draft)`.
Limits mirror `EscalationCreate` so the agent hears about a problem before the server does;
the server's own 422 field errors are mapped back with `field_for_server_path`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from supportdesk_tui.contract.models import (
    ENVIRONMENT_MAX_LENGTH,
    Component,
    Environment,
    EnvironmentIn,
    EscalationCreate,
    Language,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Ticket,
)
from supportdesk_tui.domain.masking import mask_email, mask_phone
from supportdesk_tui.domain.safe_text import one_line, strip_unsafe
from supportdesk_tui.i18n import _

__all__ = [
    "FIELDS",
    "LIMITS",
    "MAX_MESSAGES",
    "AttachableMessage",
    "EscalationDraft",
    "attachable_messages",
    "field_for_server_path",
    "mask_contacts",
    "prefill",
    "skeletons",
    "to_create",
    "validate",
]

# (min, max) lengths of the text fields, as `EscalationCreate` declares them.
LIMITS: dict[str, tuple[int, int]] = {
    "summary": (5, 300),
    "steps": (1, 10_000),
    "expected": (1, 5_000),
    "actual": (1, 5_000),
}
MAX_MESSAGES = 50
EXCERPT_LENGTH = 120

FIELDS: tuple[str, ...] = (
    "component", "severity", "summary", "steps", "expected", "actual",
    "platform", "app_version", "device", "message_ids", "set_status",
)

# Ticket categories whose component is obvious; anything else is the agent's choice.
_CATEGORY_COMPONENT: dict[str, str] = {
    "password": "login",
    "hacked": "login",
    "login": "login",
    "payment": "payments",
    "payments": "payments",
    "music": "music",
    "messages": "messages",
    "video": "video",
    "calls": "calls",
    "feed": "feed",
    "profile": "profile",
    "notifications": "notifications",
    "search": "search",
}

_PRIORITY_SEVERITY: dict[Priority, Severity] = {
    Priority.URGENT: Severity.CRITICAL,
    Priority.HIGH: Severity.MAJOR,
    Priority.NORMAL: Severity.MINOR,
    Priority.LOW: Severity.TRIVIAL,
}


@dataclass(frozen=True, slots=True)
class Skeletons:
    steps: str
    expected: str
    actual: str


# Written for engineering in the customer's language, so quotes from the thread read naturally.
_SKELETONS: dict[Language, Skeletons] = {
    Language.EN: Skeletons(
        steps="Steps from the customer's report:\n1. \n2. \n3. ",
        expected="The customer expected: ",
        actual="Instead: ",
    ),
    Language.RU: Skeletons(
        steps="Шаги со слов клиента:\n1. \n2. \n3. ",
        expected="Клиент ожидал: ",
        actual="Вместо этого: ",
    ),
}


def skeletons(language: Language) -> Skeletons:
    return _SKELETONS.get(language, _SKELETONS[Language.EN])


@dataclass(frozen=True, slots=True)
class AttachableMessage:
    """A customer message offered for attaching; its text already has contact details masked."""

    id: int
    created_at: datetime
    author: str
    excerpt: str
    text: str


@dataclass(frozen=True, slots=True)
class EscalationDraft:
    """What the form holds; `component` is a component id or empty when none is chosen yet."""

    component: str
    severity: Severity
    summary: str
    steps: str
    expected: str
    actual: str
    platform: str = ""
    app_version: str = ""
    device: str = ""
    message_ids: tuple[int, ...] = ()
    set_status: Status | None = Status.ON_HOLD
    language: Language = Language.EN
    skeleton: Skeletons = field(default_factory=lambda: _SKELETONS[Language.EN])


# --- masking -------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with phone punctuation; dots are excluded so versions (8.41.0) never match.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d \-()]{4,}\d(?!\w)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4}")


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if _DATE.fullmatch(candidate.strip()):
        return False
    return digits >= 7 if candidate.startswith("+") else digits >= 9


def _mask_phone_match(match: re.Match[str]) -> str:
    text = match.group(0)
    return mask_phone(text) if _is_phone(text) else text


def mask_contacts(text: str, known: Iterable[str] = ()) -> str:
    """Hide e-mail addresses and phone numbers in free text (and any `known` contact verbatim)."""
    for value in known:
        value = value.strip()
        if len(value) >= 5:
            masked = mask_email(value) if "@" in value else mask_phone(value)
            text = text.replace(value, masked)
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE.sub(_mask_phone_match, text)


def _known_contacts(ticket: Ticket) -> list[str]:
    return [v for v in (ticket.requester.email, ticket.requester.phone) if v]


def attachable_messages(ticket: Ticket, messages: Sequence[Message]) -> list[AttachableMessage]:
    """The customer's messages, oldest first, with contact details masked and unsafe characters gone."""
    known = _known_contacts(ticket)
    out: list[AttachableMessage] = []
    for message in messages:
        if message.kind is not MessageKind.CUSTOMER:
            continue
        text = mask_contacts(strip_unsafe(message.body), known)
        excerpt = one_line(text)
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[: EXCERPT_LENGTH - 1].rstrip() + "…"
        out.append(AttachableMessage(message.id, message.created_at, one_line(message.author.name),
                                     excerpt, text))
    out.sort(key=lambda m: (m.created_at, m.id))
    return out


# --- pre-fill ------------------------------------------------------------------------------


def _suggest_component(ticket: Ticket, components: Sequence[Component]) -> str:
    ids = {c.id for c in components}
    category = ticket.category.strip().lower()
    for candidate in (category, _CATEGORY_COMPONENT.get(category, "")):
        if candidate in ids:
            return candidate
    return ""


def prefill(ticket: Ticket, messages: Sequence[Message], components: Sequence[Component]) -> EscalationDraft:
    """A first draft from what the ticket already says; the agent edits the rest."""
    env = ticket.environment or Environment()
    shape = skeletons(ticket.language)
    customer = attachable_messages(ticket, messages)
    summary = one_line(ticket.subject).strip()[: LIMITS["summary"][1]]
    return EscalationDraft(
        component=_suggest_component(ticket, components),
        severity=_PRIORITY_SEVERITY.get(ticket.priority, Severity.MINOR),
        summary=summary,
        steps=shape.steps,
        expected=shape.expected,
        actual=shape.actual,
        platform=one_line(env.platform or ""),
        app_version=one_line(env.app_version or ""),
        device=one_line(env.device or ""),
        # The first customer message usually is the report itself.
        message_ids=(customer[0].id,) if customer else (),
        set_status=Status.ON_HOLD,
        language=ticket.language,
        skeleton=shape,
    )


# --- validation ----------------------------------------------------------------------------

_NUMBERED_BLANK = re.compile(r"^\s*\d+[.)]\s*$")


def _only_skeleton(value: str, skeleton: str) -> bool:
    """True when the agent left the template as it was (numbered blanks and the lead-in only)."""
    template = {line.strip() for line in skeleton.splitlines() if line.strip()}
    for line in value.splitlines():
        stripped = line.strip()
        if stripped and stripped not in template and not _NUMBERED_BLANK.match(stripped):
            return False
    return True


def _length_error(name: str, value: str) -> str | None:
    low, high = LIMITS[name]
    length = len(value.strip())
    if length == 0:
        return _("Required.")
    if length < low:
        return _("At least {n} characters (now {count}).").format(n=low, count=length)
    if len(value) > high:
        return _("At most {n} characters (now {count}).").format(n=high, count=len(value))
    return None


def validate(draft: EscalationDraft, component_ids: Iterable[str]) -> dict[str, str]:
    """Field name → what is wrong, in the UI language; empty when the draft can be sent."""
    errors: dict[str, str] = {}
    ids = set(component_ids)
    if not draft.component:
        errors["component"] = _("Choose the component engineering should look at.")
    elif ids and draft.component not in ids:
        errors["component"] = _("This component is not in the backend's list any more; choose another.")
    for name in ("summary", "steps", "expected", "actual"):
        value: str = getattr(draft, name)
        problem = _length_error(name, value)
        if problem is None and name != "summary" and _only_skeleton(value, getattr(draft.skeleton, name)):
            problem = {
                "steps": _("Write the steps that reproduce the problem."),
                "expected": _("Say what the customer expected to happen."),
                "actual": _("Say what happened instead."),
            }[name]
        if problem is not None:
            errors[name] = problem
    for name in ("platform", "app_version", "device"):
        text = getattr(draft, name).strip()
        if len(text) > ENVIRONMENT_MAX_LENGTH:
            errors[name] = _("At most {n} characters (now {count}).").format(
                n=ENVIRONMENT_MAX_LENGTH, count=len(text))
    if len(draft.message_ids) > MAX_MESSAGES:
        errors["message_ids"] = _("Attach at most {n} messages (now {count}).").format(
            n=MAX_MESSAGES, count=len(draft.message_ids))
    return errors


def to_create(draft: EscalationDraft) -> EscalationCreate:
    """The request body; call only when `validate` found nothing."""
    env = EnvironmentIn(
        platform=draft.platform.strip() or None,
        app_version=draft.app_version.strip() or None,
        device=draft.device.strip() or None,
    )
    return EscalationCreate(
        component=draft.component,
        severity=draft.severity,
        summary=draft.summary.strip(),
        steps=draft.steps.rstrip(),
        expected=draft.expected.rstrip(),
        actual=draft.actual.rstrip(),
        environment=env,
        message_ids=list(draft.message_ids),
        set_status=draft.set_status,
    )


def field_for_server_path(path: str) -> str:
    """`environment.platform` → `platform`, `message_ids.3` → `message_ids`; unknown → `_` (form level)."""
    parts = [p for p in path.split(".") if p]
    if parts and parts[0] == "environment" and len(parts) > 1:
        parts = parts[1:]
    name = parts[0] if parts else "_"
    return name if name in FIELDS else "_"
