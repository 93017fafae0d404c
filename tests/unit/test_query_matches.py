"""A live update keeps a filtered queue as the server would fill it: `ticket_matches` answers
the shared filter cases (tests/filter_cases.py) as `GET /tickets` does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from filter_cases import CASES, ME, SPECIMENS, FilterCase, Specimen
from supportdesk_tui.contract.models import Ticket
from supportdesk_tui.domain.query import parse_query, ticket_matches

IDS = {specimen.key: 9001 + index for index, specimen in enumerate(SPECIMENS)}
AGENT_IDS = {"anna": 1, "dmitry": 4}
WHEN = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def as_event_brings_it(specimen: Specimen) -> Ticket:
    assignee = None if specimen.assignee is None else {
        "id": AGENT_IDS[specimen.assignee], "login": specimen.assignee, "name": specimen.assignee.title()}
    return Ticket.model_validate({
        "id": IDS[specimen.key], "version": 3, "subject": specimen.subject, "status": specimen.status,
        "priority": specimen.priority, "queue": specimen.queue, "language": specimen.language,
        "category": specimen.category, "tags": list(specimen.tags), "assignee": assignee,
        "requester": {"account_id": specimen.account_id, "name": specimen.requester_name,
                      "email": specimen.email, "language": specimen.language},
        "created_at": WHEN, "updated_at": WHEN, "sla": {},
    })


TICKETS = [as_event_brings_it(specimen) for specimen in SPECIMENS]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_live_ticket_lands_in_the_filtered_queue_as_the_server_would_list_it(case: FilterCase) -> None:
    query = parse_query(case.text(IDS))
    found = {specimen.key for specimen, ticket in zip(SPECIMENS, TICKETS, strict=True)
             if ticket_matches(query, ticket, me_login=ME, queue=case.screen_queue)}
    assert "".join(sorted(found)) == case.finds


def test_a_ticket_number_is_not_the_start_of_a_longer_one() -> None:
    ticket = TICKETS[0].model_copy(update={"id": 12345})
    assert ticket_matches(parse_query("#12345"), ticket, me_login=ME)
    assert not ticket_matches(parse_query("#1234"), ticket, me_login=ME)
