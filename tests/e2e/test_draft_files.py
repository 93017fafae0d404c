"""Files attached in the composer stay with the draft: back when the ticket is reopened and after a
restart; a file deleted meanwhile is named in a warning, and the rest of the draft comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, open_conversation
from textual.widgets import Static

from keyboard import type_text
from supportdesk_tui.screens.attach_prompt import AttachPrompt
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from waiting import wait_until

SIZE = (160, 50)


def record_warnings(app: Any) -> list[str]:
    """Every warning toast the app shows, kept after the toast times out (a loaded machine may take
    longer than a toast's life between showing it and the test looking)."""
    shown: list[str] = []
    notify = app.notify

    def recording_notify(message: Any, **options: Any) -> None:
        if options.get("severity") == "warning":
            shown.append(str(message))
        notify(message, **options)

    app.notify = recording_notify
    return shown


async def test_agent_finds_the_drafts_files_again_after_leaving_and_restarting(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server)["id"]
    folder = tmp_path / "my files"
    folder.mkdir()
    log, screenshot = folder / "app.log", folder / "screenshot.png"
    log.write_text("12:00 crash\n", encoding="utf-8")
    screenshot.write_bytes(b"\x89PNG not really")
    data = tmp_path / "data"

    first = make_app(workday_server, "anna", data)
    async with first.run_test(size=SIZE) as pilot:
        screen = await open_conversation(pilot, first, ticket_id)
        await pilot.press("r")
        await type_text(pilot, "The log and the screenshot you asked for.")
        for path in (log, screenshot):
            await pilot.press("ctrl+f")
            await wait_until(pilot, lambda: isinstance(first.screen, AttachPrompt), what="the path prompt")
            await type_text(pilot, str(path))
            await pilot.press("enter")
            await wait_until(pilot, lambda p=path: isinstance(first.screen, ConversationScreen)
                             and p in screen.composer.files, what="the file attached")
        await pilot.press("escape", "escape")  # out of the composer, back to the queue
        await wait_until(pilot, lambda: isinstance(first.screen, QueueScreen), what="the queue")
        screen = await open_conversation(pilot, first, ticket_id)
        await wait_until(pilot, lambda: screen.composer.files == (log, screenshot),
                         what="the files back on reopening")

    screenshot.unlink()  # the agent tidied the folder before the next start
    second = make_app(workday_server, "anna", data)
    warnings = record_warnings(second)
    async with second.run_test(size=SIZE) as pilot:
        screen = await open_conversation(pilot, second, ticket_id)
        await wait_until(pilot, lambda: screen.composer.files == (log,), what="the remaining file back")
        assert screen.composer.text == "The log and the screenshot you asked for."
        shown = str(screen.composer.query_one("#composer-files", Static).render())
        assert "app.log" in shown and "screenshot.png" not in shown
        await wait_until(pilot, lambda: any("screenshot.png" in text for text in warnings),
                         what="the missing file named")
        assert second.is_running
        draft = second.session.drafts.load(ticket_id)
        assert draft is not None and draft.files == (str(log),)
