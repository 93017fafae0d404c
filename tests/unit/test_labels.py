"""Every value the app names on screen has one label per language, in one table (`i18n.labels`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import get_args

import pytest

from supportdesk_tui.contract.models import (
    AgentActivity,
    EscalationStatus,
    Language,
    MessageKind,
    Priority,
    Severity,
    Status,
)
from supportdesk_tui.domain.dashboard_state import METRICS, Level
from supportdesk_tui.i18n import set_language
from supportdesk_tui.i18n.labels import (
    agent_state_label,
    alarm_level_label,
    escalation_status_label,
    kind_label,
    language_label,
    metric_short_label,
    priority_label,
    severity_label,
    status_label,
)

AGENT_STATES: tuple[str, ...] = get_args(AgentActivity.model_fields["state"].annotation)

TABLES: list[tuple[Callable[[str], str], tuple[str, ...]]] = [
    (status_label, tuple(Status)),
    (priority_label, tuple(Priority)),
    (kind_label, tuple(MessageKind)),
    (escalation_status_label, tuple(EscalationStatus)),
    (severity_label, tuple(Severity)),
    (language_label, tuple(Language)),
    (agent_state_label, AGENT_STATES),
    (alarm_level_label, get_args(Level)),
    (metric_short_label, METRICS),
]


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


@pytest.mark.parametrize(("label", "values"), TABLES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_value_reads_as_a_word_in_russian(label: Callable[[str], str], values: tuple[str, ...]) -> None:
    assert values
    set_language("ru")
    for value in values:
        text = label(value)
        assert text and text != str(value), f"{label.__name__}({value!r}) has no Russian label"
        assert any("а" <= ch <= "я" or ch == "ё" for ch in text.lower()), (label.__name__, value, text)


def test_a_value_from_a_newer_server_is_shown_as_it_is() -> None:
    assert escalation_status_label("needs_triage") == "needs_triage"
    assert severity_label("blocker") == "blocker"


def test_an_escalation_reads_the_same_in_the_ticket_header_and_on_the_dashboard() -> None:
    set_language("ru")
    assert escalation_status_label(EscalationStatus.FIXED) == "исправлена"
    assert escalation_status_label(EscalationStatus.FIXED.value) == "исправлена"


def test_enum_members_and_their_values_get_the_same_label() -> None:
    members: list[StrEnum] = [Status.ON_HOLD, Priority.URGENT, Severity.MAJOR, Language.RU]
    for member, label in zip(members, (status_label, priority_label, severity_label, language_label),
                             strict=True):
        assert label(member) == label(member.value)
