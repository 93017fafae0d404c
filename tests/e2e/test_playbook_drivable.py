"""The playbook is driven from the keyboard: j/k between steps with a visible focus, evidence before
a check counts, a confirmation that says what each account action does, done actions marked with
who did them and when (as the server's audit trail has it), evidence fields named in the ticket's
language, and the help screen saying how it all works. Real app, real reference backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import audit_of, create_customer_ticket, make_app, wait_until
from textual.widgets import Input, Static

from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.customer_sidebar import CustomerSidebar
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel, StepRow
from supportdesk_tui.widgets.ticket_table import TicketTable

SIZES = [(160, 48), (80, 24)]



async def open_with_playbook(pilot: Any, app: Any,
                             ticket_id: int) -> tuple[ConversationScreen, PlaybookPanel]:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and app.screen.query_one(TicketTable), what="the queue")
    app.screen.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None and app.screen.query(PlaybookPanel),
                     what="the ticket with its playbook")
    screen: ConversationScreen = app.screen
    return screen, screen.query_one(PlaybookPanel)


def shown(widget: Any) -> str:
    return " ".join(str(w.render()) for w in widget.query(Static) if w.display)


def focused_row(app: Any) -> StepRow | None:
    focused = app.screen.focused
    if isinstance(focused, StepRow):
        return focused
    return next((a for a in focused.ancestors if isinstance(a, StepRow)), None) if focused else None


async def type_text(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def go_to(pilot: Any, app: Any, step_id: str) -> StepRow:
    """Press j until the step `step_id` has the focus (k if it is above)."""
    panel = app.screen.query_one(PlaybookPanel)
    order = [row.step.id for row in panel.rows()]
    for _ in range(len(order) + 1):
        row = focused_row(app)
        if row is not None and row.step.id == step_id:
            return row
        here = order.index(row.step.id) if row is not None else -1
        await pilot.press("j" if order.index(step_id) > here else "k")
    raise AssertionError(f"j/k never reached {step_id}")


@pytest.mark.parametrize("size", SIZES)
async def test_agent_works_the_hacked_playbook_with_the_keyboard_alone(
        workday_server: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", language="en",
                                    body="Someone took over my account")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=size) as pilot:
        screen, panel = await open_with_playbook(pilot, app, ticket["id"])
        rows = {row.step.id: row for row in panel.rows()}
        if size[0] < 120:  # too narrow for all three columns: the playbook takes the sidebar's place
            await wait_until(pilot, lambda: not screen.query_one(CustomerSidebar).display,
                             what="the sidebar making room")
            await wait_until(pilot, lambda: screen.thread.size.width >= 30, what="room for the thread")

        # j goes into the playbook; the focused step stands out from the others.
        await pilot.press("j")
        await wait_until(pilot, lambda: focused_row(app) is rows["ask-proof"], what="the first step focused")
        await pilot.press("j")
        await wait_until(pilot, lambda: focused_row(app) is rows["last-login"], what="j moved down")
        focused, other = rows["last-login"], rows["recent-payment"]
        assert focused.styles.border_left[0] != other.styles.border_left[0]
        assert focused.styles.background != other.styles.background
        await pilot.press("k")
        await wait_until(pilot, lambda: focused_row(app) is rows["ask-proof"], what="k moved up")

        # The evidence fields say what they are, in words.
        text = shown(panel)
        assert "City of the last login" in text and "Device of the last login" in text
        assert "last_login_city" not in text

        # A check with empty evidence is not ticked; the row says why and the first field takes the keys.
        row = await go_to(pilot, app, "last-login")
        await pilot.press("space")
        await wait_until(pilot, lambda: "City of the last login" in str(
            row.query_one(".step-problem", Static).render()), what="the missing evidence named")
        assert app.screen.focused is row.query_one(Input)
        assert not [e for e in audit_of(workday_server, ticket["id"]) if e["step_id"] == "last-login"]

        # Filling both fields (enter moves on, then ticks) records the step.
        await type_text(pilot, "Moscow")
        await pilot.press("enter")
        await type_text(pilot, "iPhone")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "last-login" in panel.done_steps, what="the check recorded")
        assert "Checked by Anna Petrova" in shown(row)

        for step_id, values in (("recent-payment", ["May 3 9.99"]), ("creation-details", ["2015", "Kazan"])):
            row = await go_to(pilot, app, step_id)
            await pilot.press("space")  # straight into the first field
            for value in values:
                await type_text(pilot, value)
                await pilot.press("enter")
            await wait_until(pilot, lambda step_id=step_id: step_id in panel.done_steps,
                             what=f"{step_id} recorded")

        # An account action asks first and says what it will do to whom.
        action_row = await go_to(pilot, app, "sign-out")
        await pilot.press("space")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the confirmation")
        assert "signed out on every device" in shown(app.screen)
        assert "Ольга Кузнецова" in shown(app.screen)
        await pilot.press("y")
        await wait_until(pilot, lambda: "Done by Anna Petrova" in shown(action_row), what="the action done")
        actions = [e for e in audit_of(workday_server, ticket["id"]) if e["kind"] == "action"]
        assert [(e["action"], e["agent"]["login"]) for e in actions] == [("sign_out_all", "anna")]

        # Doing it again is a decision too: the question says who already did it.
        await pilot.press("space")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the second confirmation")
        assert "Already done by Anna Petrova" in shown(app.screen)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the ticket")
        assert len([e for e in audit_of(workday_server, ticket["id"]) if e["kind"] == "action"]) == 1

        # The help screen explains how to move in the playbook.
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_text = shown(app.screen)
        assert "Playbook:" in help_text and "j" in help_text and "k" in help_text


def verify_on_server(server: Any, ticket_id: int, login: str = "anna") -> None:
    """The hacked playbook's verification steps, recorded as another session would."""
    with httpx.Client(base_url=server.url, headers=server.headers(login)) as http:
        for step_id, fields in (("last-login", ["last_login_city", "last_login_device"]),
                                ("recent-payment", ["recent_payment"]),
                                ("creation-details", ["signup_year", "signup_city"])):
            http.post(f"/api/v1/tickets/{ticket_id}/audit",
                      json={"kind": "step", "step_id": step_id, "evidence_fields": fields}).raise_for_status()


async def test_a_check_with_empty_evidence_is_not_ticked(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", language="ru")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        _screen, panel = await open_with_playbook(pilot, app, ticket["id"])
        row = panel.query_one("#step-recent-payment", StepRow)
        row.focus()
        await pilot.press("space")
        await wait_until(pilot, lambda: "Дата и сумма недавнего платежа" in str(
            row.query_one(".step-problem", Static).render()), what="the missing evidence named")
        await pilot.pause(0.2)
        assert "recent-payment" not in panel.done_steps
        assert not [e for e in audit_of(workday_server, ticket["id"]) if e["kind"] == "step"]
        # The field has the keys now; esc hands them back to the step (and does not leave the ticket).
        assert isinstance(app.screen.focused, Input)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen.focused is row, what="back on the step")
        assert isinstance(app.screen, ConversationScreen)


async def test_an_account_action_asks_first_and_says_what_it_does(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", language="en")
    verify_on_server(workday_server, ticket["id"])
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen, panel = await open_with_playbook(pilot, app, ticket["id"])
        await wait_until(pilot, lambda: not panel.missing_verification(), what="the checks shown as done")
        row = panel.query_one("#step-reset-link", StepRow)
        row.focus()
        await pilot.press("space")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the confirmation")
        assert "a link to set a new password" in shown(app.screen)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the ticket")
        await pilot.pause(0.2)
        assert not [e for e in audit_of(workday_server, ticket["id"]) if e["kind"] == "action"]
        assert not row.done


async def test_step_keys_follow_the_keymap_and_help_names_them(workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", language="en")
    app = make_app(workday_server, "anna", tmp_path,
                   keymap={"playbook.next_step": "f6", "playbook.previous_step": "f7"})
    async with app.run_test(size=(160, 48)) as pilot:
        _screen, panel = await open_with_playbook(pilot, app, ticket["id"])
        rows = panel.rows()
        await pilot.press("f6")
        await wait_until(pilot, lambda: focused_row(app) is rows[0], what="f6 into the playbook")
        await pilot.press("f6")
        await wait_until(pilot, lambda: focused_row(app) is rows[1], what="f6 down a step")
        await pilot.press("f7")
        await wait_until(pilot, lambda: focused_row(app) is rows[0], what="f7 up a step")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        assert "Playbook: f6 and f7 move between steps" in shown(app.screen)


async def test_a_colleague_sees_who_did_the_action_and_russian_field_names(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", language="ru")
    verify_on_server(workday_server, ticket["id"])
    with httpx.Client(base_url=workday_server.url, headers=workday_server.headers("anna")) as http:
        http.post(f"/api/v1/tickets/{ticket['id']}/account-actions", json={"action": "send_reset_link"},
                  headers={"Idempotency-Key": f"reset-{ticket['id']}"}).raise_for_status()

    app = make_app(workday_server, "dmitry", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        _screen, panel = await open_with_playbook(pilot, app, ticket["id"])
        rows = {row.step.id: row for row in panel.rows()}
        assert "Done by Anna Petrova" in shown(rows["reset-link"])
        assert "Checked by Anna Petrova" in shown(rows["last-login"])
        assert not rows["sign-out"].done
        # Recorded checks fold their evidence boxes away; their labels are in the ticket's language.
        labels = " ".join(str(w.render()) for w in panel.query(".step-label"))
        assert "Город последнего входа" in labels and "Год регистрации" in labels
        assert "signup_year" not in labels + shown(panel)
