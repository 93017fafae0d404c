"""The agent sees how long is left before a ticket breaches its SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from domain_builders import NOW, make_ticket

from supportdesk_tui.contract.models import Sla
from supportdesk_tui.domain.sla import (
    DeadlineKind,
    SlaRisk,
    next_deadline,
    sla_state,
    waiting_seconds,
)


def due(minutes: float) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


def test_agent_sees_the_earliest_running_deadline() -> None:
    ticket = make_ticket(sla={"first_response_due": due(90), "resolution_due": due(60 * 24)})
    state = sla_state(ticket, NOW)
    assert state.risk is SlaRisk.OK
    assert state.kind is DeadlineKind.FIRST_RESPONSE
    assert state.remaining_seconds == 90 * 60


def test_first_response_deadline_stops_counting_once_answered() -> None:
    sla = Sla.model_validate(
        {"first_response_due": due(5), "first_responded_at": due(-1), "next_response_due": due(45)}
    )
    assert next_deadline(sla) == (DeadlineKind.NEXT_RESPONSE, NOW + timedelta(minutes=45))


@pytest.mark.parametrize(
    ("minutes", "risk"),
    [
        (31, SlaRisk.OK),
        (30, SlaRisk.AT_RISK),
        (0.5, SlaRisk.AT_RISK),
        (0, SlaRisk.BREACHED),
        (-3, SlaRisk.BREACHED),
    ],
)
def test_risk_levels_around_the_deadline(minutes: float, risk: SlaRisk) -> None:
    assert sla_state(make_ticket(sla={"next_response_due": due(minutes)}), NOW).risk is risk


def test_pending_ticket_is_paused_even_with_a_deadline() -> None:
    state = sla_state(make_ticket(status="pending", sla={"resolution_due": due(-10)}), NOW)
    assert state.risk is SlaRisk.PAUSED
    assert state.remaining_seconds == -600


def test_paused_flag_pauses() -> None:
    assert sla_state(make_ticket(sla={"paused": True}), NOW).risk is SlaRisk.PAUSED


def test_solved_tickets_and_tickets_without_deadlines_have_no_clock() -> None:
    assert sla_state(make_ticket(status="solved", sla={"resolution_due": due(-5)}), NOW).risk is SlaRisk.NONE
    state = sla_state(make_ticket(), NOW)
    assert state.risk is SlaRisk.NONE
    assert state.remaining_seconds is None


def test_bare_sla_and_naive_now_are_accepted() -> None:
    sla = Sla.model_validate({"next_response_due": due(10)})
    assert sla_state(sla, NOW.replace(tzinfo=None)).risk is SlaRisk.AT_RISK


def test_waiting_time_of_a_ticket() -> None:
    assert waiting_seconds(make_ticket(), NOW) is None
    assert waiting_seconds(make_ticket(waiting_since=due(-15)), NOW) == 900
    assert waiting_seconds(make_ticket(waiting_since=due(5)), NOW) == 0
