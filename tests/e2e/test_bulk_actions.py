"""Bulk triage from the queue: mark every ticket of a spam wave, change them at once, merge
duplicates. Real app, real reference backend; what changed is checked on the server."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from e2e_helpers import make_app, server_messages, server_ticket
from textual.widgets import OptionList

from conftest import ServerHandle
from keyboard import type_text
from supportdesk_tui.domain.bulk import Outcome
from supportdesk_tui.i18n import set_language
from supportdesk_tui.screens.bulk import BulkRunModal
from supportdesk_tui.screens.pickers import ChoiceModal, ConfirmModal
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until


def wave_ticket(server: ServerHandle, tag: str, n: int, account_id: str | None = None) -> int:
    """A ticket of the `tag` wave, as the channel gateway creates it (queue "hacked")."""
    marker = uuid.uuid4().hex[:8]
    payload = {
        "subject": f"Взлом {tag} {n}",
        "category": "hacked",
        "language": "ru",
        "tags": [tag],
        "requester": {"account_id": account_id or f"id{marker}", "name": f"Клиент {n}", "language": "ru"},
        "body": f"сообщение {n}",
    }
    with server.client("intake") as intake:
        response = intake.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": marker})
        response.raise_for_status()
        ticket_id: int = response.json()["ticket_id"]
    return ticket_id


def customer_writes(server: ServerHandle, ticket_id: int, text: str) -> None:
    with server.client("intake") as intake:
        intake.post(f"/api/v1/tickets/{ticket_id}/messages", json={"kind": "customer", "body": text},
                    headers={"Idempotency-Key": uuid.uuid4().hex}).raise_for_status()


def another_agent_sets_pending(server: ServerHandle, ticket_id: int) -> None:
    with server.client("dmitry") as dmitry:
        version = dmitry.get(f"/api/v1/tickets/{ticket_id}").json()["version"]
        dmitry.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "pending"},
                     headers={"If-Match": f'"{version}"'}).raise_for_status()


async def filter_queue(pilot: Any, app: Any, text: str) -> QueueScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and app.screen.query_one(TicketTable).window is not None, what="the queue")
    screen: QueueScreen = app.screen
    await pilot.press("slash")
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not screen.query_filter.is_empty
                     and screen.table.window is not None and screen.table.window.row_count_known > 0,
                     what="the filtered queue")
    return screen


async def mark_all_matching(pilot: Any, app: Any, screen: QueueScreen, expected: int) -> None:
    await pilot.press("asterisk")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the count to confirm")
    shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
    assert f"{expected} tickets match" in shown  # the count comes before anything is marked
    assert len(screen.selection) == 0
    await pilot.press("y")
    await wait_until(pilot, lambda: len(screen.selection) == expected, what="every match marked")


def summary_shown(app: Any) -> bool:
    return isinstance(app.screen, BulkRunModal) and app.screen.summary is not None


async def choose(pilot: Any, app: Any, label: str) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what=f"a choice with {label!r}")
    options = app.screen.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    target = labels.index(label)
    options.highlighted = 0
    for _ in range(target):
        await pilot.press("down")
    await pilot.press("enter")


async def test_bulk_status_over_30_tickets_reports_the_one_changed_meanwhile(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"spam-wave-{uuid.uuid4().hex[:6]}"
    ids = [wave_ticket(workday_server, tag, n) for n in range(30)]
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await filter_queue(pilot, app, f"tag:{tag}")
        await mark_all_matching(pilot, app, screen, 30)
        assert "30 selected" in str(screen.query_one(StatusLine).render())

        # Between marking and applying, another agent changes one of them.
        changed_meanwhile = ids[17]
        another_agent_sets_pending(workday_server, changed_meanwhile)

        await pilot.press("b")
        await choose(pilot, app, "Set status…")
        await choose(pilot, app, "Solved")
        await wait_until(pilot, lambda: summary_shown(app), what="the summary")
        modal = app.screen
        summary = modal.summary
        assert summary is not None
        assert [r.ticket_id for r in summary.of(Outcome.CONFLICT)] == [changed_meanwhile]
        changed = sorted(r.ticket_id for r in summary.of(Outcome.CHANGED))
        assert changed == sorted(set(ids) - {changed_meanwhile})
        shown = str(modal.query_one("#bulk-summary-text").render())
        assert "Changed: 29 tickets" in shown and f"#{changed_meanwhile}" in shown
        assert "changed by someone else" in shown

        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the queue")
        assert screen.selection.ids() == {changed_meanwhile}  # the conflict stays marked

    statuses = {ticket_id: server_ticket(workday_server, ticket_id)["status"] for ticket_id in ids}
    assert statuses.pop(changed_meanwhile) == "pending"  # the other agent's change stands
    assert set(statuses.values()) == {"solved"}


async def test_on_an_80_column_terminal_the_bulk_summary_fits_with_its_borders(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"small-{uuid.uuid4().hex[:6]}"
    for n in range(3):
        wave_ticket(workday_server, tag, n)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await filter_queue(pilot, app, f"tag:{tag}")
        await mark_all_matching(pilot, app, screen, 3)
        await pilot.press("b")
        await choose(pilot, app, "Set priority…")
        await choose(pilot, app, "High")
        await wait_until(pilot, lambda: summary_shown(app), what="the summary")
        box = app.screen.query_one("Vertical").region
        assert box.x >= 0 and box.right <= 80  # both side borders on screen, the text inside them


async def test_merging_three_duplicates_leaves_one_ticket_with_every_message_once(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"dupes-{uuid.uuid4().hex[:6]}"
    customer = f"id{uuid.uuid4().hex[:8]}"
    first = wave_ticket(workday_server, tag, 1, customer)
    second = wave_ticket(workday_server, tag, 2, customer)
    customer_writes(workday_server, first, "сообщение 3")
    third = wave_ticket(workday_server, tag, 4, customer)
    customer_writes(workday_server, second, "сообщение 5")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await filter_queue(pilot, app, f"tag:{tag}")
        await wait_until(pilot, lambda: screen.table.window is not None
                         and screen.table.window.row_count_known == 3, what="the three duplicates")
        for _ in range(3):
            await pilot.press("space")  # marks the row and moves down
        assert len(screen.selection) == 3
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the merge question")
        await pilot.press("y")
        await wait_until(pilot, lambda: server_ticket(workday_server, third)["status"] == "closed",
                         what="the merge on the server")
        await wait_until(pilot, lambda: len(screen.selection) == 0, what="the marks cleared")

    thread = server_messages(workday_server, first)
    customer_texts = [m["body"] for m in thread if m["kind"] == "customer"]
    assert customer_texts == [f"сообщение {n}" for n in range(1, 6)]  # each once, in time order
    assert [m["created_at"] for m in thread] == sorted(m["created_at"] for m in thread)
    assert not [m for m in thread if m["kind"] == "reply"]  # the customer was not written to
    for duplicate in (second, third):
        assert server_ticket(workday_server, duplicate)["status"] == "closed"
        (note,) = server_messages(workday_server, duplicate)
        assert note["kind"] == "note" and f"#{first}" in note["body"]


async def test_a_russian_agent_merging_two_customers_tickets_is_told_why_in_russian(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"two-people-{uuid.uuid4().hex[:6]}"
    first, second = wave_ticket(workday_server, tag, 1), wave_ticket(workday_server, tag, 2)
    app = make_app(workday_server, "anna", tmp_path, language="ru")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await filter_queue(pilot, app, f"tag:{tag}")
            await wait_until(pilot, lambda: screen.table.window is not None
                             and screen.table.window.row_count_known == 2, what="the two tickets")
            for _ in range(2):
                await pilot.press("space")
            await pilot.press("M")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the merge question")
            await pilot.press("y")
            await wait_until(pilot, lambda: any(n.title == "Не объединено" for n in app._notifications),
                             what="the refusal")
            (refusal,) = [n for n in app._notifications if n.title == "Не объединено"]
    finally:
        set_language("en")
    assert "разных клиентов" in str(refusal.message) and refusal.severity == "warning"
    assert "log" not in str(refusal.message) and "журнал" not in str(refusal.message)
    assert [server_ticket(workday_server, t)["status"] for t in (first, second)] == ["new", "new"]


async def test_a_canned_reply_to_marked_tickets_goes_once_to_each_customer_in_their_language(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"hacked-wave-{uuid.uuid4().hex[:6]}"
    russian = [wave_ticket(workday_server, tag, n) for n in range(3)]
    english = create_english_wave_ticket(workday_server, tag)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await filter_queue(pilot, app, f"tag:{tag}")
        await mark_all_matching(pilot, app, screen, 4)
        await pilot.press("b")
        await choose(pilot, app, "Send a canned reply…")
        await choose(pilot, app, "Spam sent from the account")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: summary_shown(app), what="the summary")
        summary = app.screen.summary
        assert summary is not None and summary.count(Outcome.CHANGED) == 4, summary
        assert len(app.session.sender.outbox) == 0  # nothing left waiting

    for ticket_id in [*russian, english]:
        replies = [m for m in server_messages(workday_server, ticket_id) if m["kind"] == "reply"]
        assert len(replies) == 1
        expected = "the messages with links" if ticket_id == english else "Сообщения со ссылками"
        assert expected in replies[0]["body"]


def create_english_wave_ticket(server: ServerHandle, tag: str) -> int:
    marker = uuid.uuid4().hex[:8]
    payload = {
        "subject": f"Hacked {tag}", "category": "hacked", "language": "en", "tags": [tag],
        "requester": {"account_id": f"id{marker}", "name": "Mary Jones", "language": "en"},
        "body": "Someone sent spam from my account",
    }
    with server.client("intake") as intake:
        response = intake.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": marker})
        response.raise_for_status()
        ticket_id: int = response.json()["ticket_id"]
    return ticket_id


async def choose_starting_with(pilot: Any, app: Any, start: str) -> list[str]:
    """Pick the option whose label starts with `start`; returns every label offered."""
    await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what=f"a choice of {start!r}")
    options = app.screen.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    [target] = [i for i, label in enumerate(labels) if label.startswith(start)]
    options.highlighted = 0
    for _ in range(target):
        await pilot.press("down")
    await pilot.press("enter")
    return labels


async def test_a_lead_assigns_marked_tickets_to_an_agent_of_their_queue(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"reassign-{uuid.uuid4().hex[:6]}"
    hacked = [wave_ticket(workday_server, tag, n) for n in range(3)]  # queue "hacked": dmitry works it
    marker = uuid.uuid4().hex[:8]
    with workday_server.client("intake") as intake:  # queue "access": dmitry does not
        created = intake.post("/api/v1/tickets", headers={"Idempotency-Key": marker}, json={
            "subject": f"Пароль {tag}", "category": "password", "language": "ru", "tags": [tag],
            "requester": {"account_id": f"id{marker}", "name": "Клиент", "language": "ru"},
            "body": "не могу войти"})
        created.raise_for_status()
    elsewhere: int = created.json()["ticket_id"]
    app = make_app(workday_server, "lena", tmp_path, start_mode="queue")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await filter_queue(pilot, app, f"tag:{tag}")
        await mark_all_matching(pilot, app, screen, 4)
        await pilot.press("b")
        await choose(pilot, app, "Assign to an agent…")
        offered = await choose_starting_with(pilot, app, "Dmitry Sokolov")
        assert any(label.startswith("Anna Petrova") for label in offered)
        assert not any(label.startswith(("Elena Smirnova", "Channel gateway")) for label in offered)
        await wait_until(pilot, lambda: summary_shown(app), what="the summary")
        modal = app.screen
        summary = modal.summary
        assert summary is not None
        assert sorted(r.ticket_id for r in summary.of(Outcome.CHANGED)) == sorted(hacked)
        [refused] = summary.of(Outcome.FAILED)
        assert refused.ticket_id == elsewhere and "does not work this queue" in refused.detail
        assert "Assign to Dmitry Sokolov on 4 tickets" in str(modal.query_one("#bulk-title").render())

    for ticket_id in hacked:
        assert server_ticket(workday_server, ticket_id)["assignee"]["login"] == "dmitry"
    assert server_ticket(workday_server, elsewhere)["assignee"] is None


async def test_an_agent_is_not_offered_to_assign_to_someone_else(
        workday_server: ServerHandle, tmp_path: Path) -> None:
    tag = f"solo-{uuid.uuid4().hex[:6]}"
    wave_ticket(workday_server, tag, 0)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await filter_queue(pilot, app, f"tag:{tag}")
        await pilot.press("space", "b")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the bulk actions")
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "Assign to me" in labels and "Assign to an agent…" not in labels
