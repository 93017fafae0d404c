"""The audit trail's dates follow the interface language, whatever the ticket's language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from e2e_helpers import create_customer_ticket, make_app, wait_until

from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.screens.queue import QueueScreen

ENGLISH_MONTH = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")


async def test_an_english_agent_reads_a_russian_tickets_audit_trail_with_english_dates(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", language="ru")
    with httpx.Client(base_url=workday_server.url, headers=workday_server.headers("anna")) as http:
        http.post(f"/api/v1/tickets/{ticket['id']}/audit",
                  json={"kind": "step", "step_id": "last-login",
                        "evidence_fields": ["last_login_city", "last_login_device"]}).raise_for_status()
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        app.screen.open_ticket(ticket["id"])  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket is not None, what="the conversation")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the audit trail")
        def shown() -> str:
            return " ".join(str(w.render()) for w in app.screen.query("Static"))

        await wait_until(pilot, lambda: "Anna" in shown(), what="the trail's entries")
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert ENGLISH_MONTH.search(text), text
        assert not re.search(r"(янв|февр|мар|апр|мая|июн|июл|авг|сент|окт|нояб|дек)\.? \d{4}", text), text
