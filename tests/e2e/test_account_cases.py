"""Account cases with the real app and backend: a hacked account walked through its playbook,
a one-time code masked and revealed with an audit entry, a Russian help article inserted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from e2e_helpers import audit_of, create_customer_ticket, make_app, open_conversation, server_ticket

from supportdesk_tui.i18n import gettext_in
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel, StepRow
from supportdesk_tui.widgets.thread import Thread
from waiting import settle, wait_until


async def confirm(pilot: Any, app: Any) -> None:
    """Answer yes to the question every account action asks first."""
    from supportdesk_tui.screens.pickers import ConfirmModal

    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the confirmation")
    await pilot.press("y")


async def test_agent_walks_a_hacked_account_through_its_playbook(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(180, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await wait_until(pilot, lambda: any(row.step.action is not None
                                            for row in screen.query_one(PlaybookPanel).query(StepRow)),
                         what="the playbook's steps beside the thread")
        panel = screen.query_one(PlaybookPanel)
        rows = {row.step.id: row for row in panel.query(StepRow)}
        action_row = next(row for row in rows.values() if row.step.action is not None)

        # An account action before verification: asked first, refused by the server, the panel says
        # why, in the ticket's language like the steps it names.
        refused = gettext_in(ticket["language"], "Refused until verified: {steps}").split(":")[0]
        panel.tick(action_row)
        await confirm(pilot, app)
        await wait_until(pilot, lambda: refused in " ".join(
            str(w.render()) for w in action_row.query(".step-refusal")), what="the refusal")
        assert not [e for e in audit_of(workday_server, ticket["id"]) if e["kind"] == "action"]

        # Verification steps, each recorded on the server (names of facts only).
        for row in rows.values():
            if row.step.verification:
                for field in row.query("Input"):
                    field.value = "Moscow"  # type: ignore[attr-defined]
                panel.tick(row)
                await wait_until(pilot, lambda row=row: row.step.id in panel.done_steps,
                                 what=f"step {row.step.id} recorded")
        trail = audit_of(workday_server, ticket["id"])
        assert {e["step_id"] for e in trail if e["kind"] == "step"} >= {
            r.step.id for r in rows.values() if r.step.verification}
        assert all("Moscow" not in e["summary"] for e in trail)

        # Now the action is allowed.
        panel.tick(action_row)
        await confirm(pilot, app)
        await wait_until(pilot, lambda: any(
            e["kind"] == "action" for e in audit_of(workday_server, ticket["id"])),
            what="the action performed")
        await pilot.press("b")
        assert not panel.display  # one key hides it (and shows it again)
        await pilot.press("b")
        assert panel.display


async def test_one_time_code_is_masked_and_revealing_it_is_audited(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="access",
                                    body="Мне пришёл код 482913, что делать?")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(180, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        thread = screen.query_one(Thread)

        def shown() -> str:
            return " ".join(card.drawn_box_text() for card in thread.mounted_cards)

        # The messages arrive before their cards are drawn: wait for the card, then read it.
        await wait_until(pilot, lambda: "Мне пришёл код" in shown(), what="the customer's message on screen")
        assert "482913" not in shown() and "••••" in shown()
        await pilot.press("v")
        await wait_until(pilot, lambda: "482913" in shown(), what="the revealed code")
        await wait_until(pilot, lambda: any(
            e["kind"] == "reveal" for e in audit_of(workday_server, ticket["id"])), what="the reveal entry")
        assert all("482913" not in e["summary"] for e in audit_of(workday_server, ticket["id"]))


async def test_russian_ticket_gets_the_russian_help_article(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="access", language="ru")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(180, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("a")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ArticlePicker" and app.screen.loaded,
                         what="the article picker")
        for key in "двух":
            await pilot.press(key)
        await settle(pilot)  # the list filtered to the search
        await pilot.press("enter")
        composer = screen.query_one(Composer)
        await wait_until(pilot, lambda: "help.example.invalid/ru/" in composer.text,
                         what="the article inserted")
        assert server_ticket(workday_server, ticket["id"])["language"] == "ru"


async def test_agent_is_warned_before_sending_what_looks_like_a_card_number(
        workday_server: Any, tmp_path: Path) -> None:
    from supportdesk_tui.screens.pickers import ConfirmModal

    ticket = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(180, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        screen.query_one(Composer).insert_at_cursor("Your card 4111 1111 1111 1111 is blocked")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the warning")
        await pilot.press("n")
        await settle(pilot)
        assert screen.query_one(Composer).text.startswith("Your card")
        with httpx.Client(base_url=workday_server.url, headers=workday_server.headers("lena")) as http:
            messages = http.get(f"/api/v1/tickets/{ticket['id']}/messages").json()["data"]
        assert [m["kind"] for m in messages] == ["customer"]
