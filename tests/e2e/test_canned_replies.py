"""Canned replies, driven with keys through the real app against the real reference backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app, server_messages, server_ticket
from textual.pilot import Pilot
from textual.widgets import Input, Static

from keyboard import type_text
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.paths import HOME_ENV
from supportdesk_tui.screens.canned import CannedPicker, VariablesForm
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.screens.queue import QueueScreen
from waiting import wait_until

SIGN_RU = "\n\nС уважением,\nAnna, служба поддержки"
SIGN_EN = "\n\nBest regards,\nAnna, Support team"

EN_ONLY_REPLY = """\
# A personal reply written only in English.
shortcut = "apology"
title = { en = "My apology" }
tags = ["mine"]

[bodies]
en = "Sorry for the wait, {customer.first_name|there}!"
"""

BROKEN_REPLY = """\
shortcut = "broken"
title = "Broken"

[bodies]
ru = 42
"""


@pytest.fixture(autouse=True)
def personal_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config directory: the agent's real canned files never leak in."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


async def open_ticket(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, ConversationScreen) and app.screen.ticket is not None,
        what=f"conversation #{ticket_id}",
    )
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


async def open_picker(pilot: Pilot[Any], app: SupportDeskApp, search: str = "") -> CannedPicker:
    await pilot.press("c")
    await wait_until(
        pilot, lambda: isinstance(app.screen, CannedPicker) and app.screen.loaded, what="the picker"
    )
    picker = app.screen
    assert isinstance(picker, CannedPicker)
    if search:
        await type_text(pilot, search)
        await wait_until(pilot, lambda: picker.highlighted is not None, what=f"a match for {search!r}")
    return picker


def preview_of(picker: CannedPicker) -> str:
    return str(picker.query_one("#canned-preview", Static).render())


async def fill_form(pilot: Pilot[Any], app: SupportDeskApp, value: str) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, VariablesForm), what="the variables form")
    await type_text(pilot, value)
    await pilot.press("enter")


async def test_agent_inserts_a_russian_reply_with_the_customer_name_and_a_prompted_link(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket_id = create_customer_ticket(workday_server, language="ru", category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        picker = await open_picker(pilot, app, "pwreset")
        assert picker.highlighted is not None and picker.highlighted.reply.id == "password-reset-link"
        preview = preview_of(picker)
        assert "Здравствуйте, Ольга!" in preview and "‹reset_link›" in preview
        assert "Pending" in preview and "password-reset" in preview  # actions shown before applying

        await pilot.press("enter")
        await fill_form(pilot, app, "https://example.com/r/1")
        await wait_until(pilot, lambda: screen.composer.text, what="the inserted reply")

        text = screen.composer.text
        assert text.startswith("Здравствуйте, Ольга! Мы отправили ссылку для сброса пароля: "
                               "https://example.com/r/1\n")
        assert text.endswith(SIGN_RU)
        assert "{" not in text and "}" not in text
        assert screen.composer.editor.has_focus
        status = str(screen.composer.query_one("#composer-status", Static).render())
        assert "Pending" in status and "password-reset" in status


async def test_agent_inserts_an_english_reply_into_an_english_ticket(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket_id = create_customer_ticket(workday_server, language="en", category="hacked",
                                       body="Someone logged into my account")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        await open_picker(pilot, app, "hi")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.composer.text, what="the greeting")
        assert screen.composer.text == (
            f"Hi Ольга, thanks for reaching out. I'm looking into your request #{ticket_id} now."
            + SIGN_EN
        )

        # A second snippet with a variable: asked for, then added as its own paragraph.
        await pilot.press("escape")
        await open_picker(pilot, app, "refund")
        await pilot.press("enter")
        await fill_form(pilot, app, "$12.99")
        await wait_until(pilot, lambda: "$12.99" in screen.composer.text, what="the refund snippet")
        assert "\n\nHi Ольга, we've issued a refund of $12.99." in screen.composer.text


async def test_agent_combines_two_snippets_and_their_actions_apply_when_the_reply_is_sent(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket_id = create_customer_ticket(workday_server, language="ru", category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        # "urgent" has a default for its only variable: inserted without a form.
        await open_picker(pilot, app, "urgent")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "1 hour" in screen.composer.text, what="the urgent snippet")
        await pilot.press("escape")
        await open_picker(pilot, app, "pwreset")
        await pilot.press("enter")
        await fill_form(pilot, app, "https://example.com/r/2")
        await wait_until(pilot, lambda: "r/2" in screen.composer.text, what="the second snippet")

        actions = screen.composer.pending_actions
        assert actions is not None
        assert (actions.status, actions.priority) == ("pending", "urgent")
        assert actions.add_tags == ["urgent", "password-reset"]
        body = screen.composer.text
        assert body.count("Здравствуйте, Ольга!") == 2

        before = server_ticket(workday_server, ticket_id)
        assert before["priority"] == "high" and before["status"] != "pending"
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: any(m["kind"] == "reply" and m["body"] == body
                        for m in server_messages(workday_server, ticket_id)),
            what="the reply on the server",
        )
        await wait_until(
            pilot,
            lambda: server_ticket(workday_server, ticket_id)["priority"] == "urgent",
            what="the priority change on the server",
        )
        after = server_ticket(workday_server, ticket_id)
        assert after["status"] == "pending"
        assert {"urgent", "password-reset"} <= set(after["tags"])
        assert screen.composer.pending_actions is None and screen.composer.text == ""


async def test_canned_actions_land_when_the_agents_own_reply_got_there_first(
    workday_server: Any, tmp_path: Path
) -> None:
    """A reply that went through the outbox changes the ticket before its canned actions apply:
    that is no conflict with anyone, so priority and tags land without a question."""
    from supportdesk_tui.contract.models import CannedActions, Priority

    ticket_id = create_customer_ticket(workday_server, language="en", category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        stale = screen.ticket
        assert stale is not None
        with workday_server.client("anna") as http:
            http.post(f"/api/v1/tickets/{ticket_id}/messages",
                      json={"kind": "reply", "body": "Sent from the outbox", "status": "pending"},
                      headers={"Idempotency-Key": f"outbox-{ticket_id}"}).raise_for_status()
        screen._apply_canned_actions(stale, CannedActions(priority=Priority.URGENT, add_tags=["vip"]))
        await wait_until(pilot, lambda: server_ticket(workday_server, ticket_id)["priority"] == "urgent",
                         what="the priority on the server")
        after = server_ticket(workday_server, ticket_id)
        assert "vip" in after["tags"] and after["status"] == "pending"
        assert not isinstance(app.screen, ConfirmModal)


async def test_canned_actions_ask_first_when_a_colleague_changed_the_same_field(
    workday_server: Any, tmp_path: Path
) -> None:
    from supportdesk_tui.contract.models import CannedActions, Priority

    ticket_id = create_customer_ticket(workday_server, language="en", category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        stale = screen.ticket
        assert stale is not None
        with workday_server.client("lena") as http:
            http.patch(f"/api/v1/tickets/{ticket_id}", json={"priority": "low"},
                       headers={"If-Match": f'"{stale.version}"'}).raise_for_status()
        screen._apply_canned_actions(stale, CannedActions(priority=Priority.URGENT, add_tags=[]))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the conflict dialog")
        assert server_ticket(workday_server, ticket_id)["priority"] == "low"  # nothing overwritten


async def test_agent_opens_the_picker_by_typing_the_trigger_in_the_composer(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket_id = create_customer_ticket(workday_server, language="en", category="access",
                                       body="Thanks, it works now")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        await pilot.press("r")
        await type_text(pilot, "Great news! ::")
        await wait_until(pilot, lambda: isinstance(app.screen, CannedPicker), what="the picker")
        assert screen.composer.text == "Great news! "  # the trigger is gone

        picker = app.screen
        assert isinstance(picker, CannedPicker)
        await type_text(pilot, "bye")
        assert picker.query_one("#canned-search", Input).value == "bye"
        await wait_until(pilot, lambda: picker.loaded and picker.highlighted is not None, what="results")
        assert picker.highlighted is not None and picker.highlighted.reply.id == "closing"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Glad" in screen.composer.text, what="the inserted reply")
        assert screen.composer.text.startswith("Great news! Glad it's sorted, Ольга!")

        # "std::vector" is code, not a trigger.
        await type_text(pilot, " std::x")
        await pilot.pause()
        assert isinstance(app.screen, ConversationScreen)


async def test_agent_switches_the_reply_language_with_one_key(workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server, language="ru", category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        picker = await open_picker(pilot, app, "hi")
        assert picker.language == "ru" and "Здравствуйте, Ольга!" in preview_of(picker)
        await pilot.press("ctrl+l")
        assert picker.language == "en" and "Hi Ольга, thanks" in preview_of(picker)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.composer.text, what="the English greeting")
        assert screen.composer.text.startswith("Hi Ольга, thanks for reaching out.")


async def test_agent_is_told_a_personal_reply_has_no_russian_text_and_nothing_is_inserted(
    workday_server: Any, tmp_path: Path, personal_home: Path
) -> None:
    canned = personal_home / "config" / "canned"
    canned.mkdir(parents=True)
    (canned / "apology.toml").write_text(EN_ONLY_REPLY, encoding="utf-8")
    (canned / "broken.toml").write_text(BROKEN_REPLY, encoding="utf-8")
    ticket_id = create_customer_ticket(workday_server, language="ru", category="access")["id"]
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        picker = await open_picker(pilot, app, "apology")
        entry = picker.highlighted
        assert entry is not None and entry.personal and entry.reply.id == "apology"
        problems = str(picker.query_one("#canned-problems", Static).render())
        assert f"{canned / 'broken.toml'}:5: bodies.ru: expected a string" in problems
        assert "no Russian text" in preview_of(picker)

        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is picker and screen.composer.text == ""  # refused, not inserted in English

        await pilot.press("ctrl+l")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.composer.text, what="the deliberate English insert")
        assert screen.composer.text == "Sorry for the wait, Ольга!"


async def test_agent_finds_recently_and_often_used_replies_at_the_top(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket_id = create_customer_ticket(workday_server, language="ru", category="hacked")["id"]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_ticket(pilot, app, ticket_id)
        picker = await open_picker(pilot, app)
        untouched = [entry.reply.id for entry in picker.shown]
        assert untouched[0] == "greeting"
        await pilot.press("escape")

        for shortcut in ("spam", "spam", "video"):
            await open_picker(pilot, app, shortcut)
            await pilot.press("enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, CannedPicker), what="insertion")
            await pilot.press("escape")

        picker = await open_picker(pilot, app)
        order = [entry.reply.id for entry in picker.shown]
        assert order[:2] == ["video-quality", "hacked-spam"]
        assert sorted(order) == sorted(untouched)
        usage = app.session.canned_usage
        spam = usage.get("team:hacked-spam")
        assert spam is not None and spam.count == 2
        assert usage.path.is_file() and usage.path.is_relative_to(tmp_path)
        assert screen.composer.text.count("Здравствуйте") == 3
