"""A ticket's history in the conversation (issue 18): its changes, made by anyone, show as quiet
lines between the messages in time order, live; a key hides and shows them. Real app, real backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, open_conversation, wait_until

HOSTILE_TAG = "vip\x1b]52;c;cm0gLXJmIH4=\x07[@click=app.quit]"


def patch_on_server(server: Any, ticket_id: int, patch: dict[str, Any], login: str) -> None:
    with server.client(login) as http:
        version = http.get(f"/api/v1/tickets/{ticket_id}").json()["version"]
        response = http.patch(f"/api/v1/tickets/{ticket_id}", json=patch,
                              headers={"If-Match": f'"{version}"'})
        response.raise_for_status()


def customer_writes(server: Any, ticket_id: int, body: str) -> None:
    with server.client("intake") as http:
        http.post(f"/api/v1/tickets/{ticket_id}/messages", json={"kind": "customer", "body": body}
                  ).raise_for_status()


def timeline(screen: Any) -> list[tuple[str, tuple[str, ...]]]:
    """Each mounted message's first words with the history lines under it."""
    return [(card.message.body[:20], card.history_lines) for card in screen.thread.mounted_cards]


def history_shown(screen: Any) -> str:
    """The history lines as the thread draws them (after the messages' boxes)."""
    return "\n".join(line for card in screen.thread.mounted_cards for line in card.drawn_text()
                     if line.strip() and not line.startswith("█"))


async def test_agent_sees_the_tickets_changes_between_the_messages_and_can_hide_them(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server, category="hacked", body="Первое сообщение")
    ticket_id = ticket["id"]
    patch_on_server(workday_server, ticket_id, {"priority": "urgent"}, "dmitry")
    customer_writes(workday_server, ticket_id, "Второе сообщение")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_conversation(pilot, app, ticket_id)
        await wait_until(pilot, lambda: any(lines for _, lines in timeline(screen)), what="the history")
        (first, first_lines), (second, second_lines) = timeline(screen)
        # The priority change came between the two messages: it is under the first one, with who.
        assert first.startswith("Первое") and second.startswith("Второе")
        assert len(first_lines) == 1 and "Dmitry Sokolov" in first_lines[0]
        assert "priority" in first_lines[0] and "Urgent" in first_lines[0]
        assert second_lines == ()

        # A change made now by someone else shows live, under the newest message; a tag with
        # escapes and markup in it shows as text.
        patch_on_server(workday_server, ticket_id, {"tags": [HOSTILE_TAG]}, "lena")
        await wait_until(pilot, lambda: timeline(screen)[-1][1] != (), what="the live change")
        line = timeline(screen)[-1][1][0]
        assert "Elena Smirnova" in line and "+vip" in line
        assert "\x1b" not in line and "\x07" not in line
        shown = history_shown(screen)
        assert "\x1b" not in shown and "[@click=app.quit]" in shown.replace("␛]52;c;cm0gLXJmIH4=␇", "")

        await pilot.press("h")
        await wait_until(pilot, lambda: all(lines == () for _, lines in timeline(screen)), what="hidden")
        assert "╶" not in history_shown(screen)
        await pilot.press("h")
        await wait_until(pilot, lambda: any(lines for _, lines in timeline(screen)), what="shown again")
