"""Mount the workspace widgets with fake data and save SVG screenshots to look at (not a test).

    .venv/bin/python tests/ui/widget_gallery.py [OUT_DIR] [--theme NAME]

Writes queue.svg (sidebar, filter, table, preview, status line) and conversation.svg
(header, thread, composer, customer sidebar) at 160x44.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical

sys.path.insert(0, str(Path(__file__).parent))

from test_widget_fakes import NOW, THEME_TOKENS, FakeQueue, make_message, make_ticket

from supportdesk_tui.contract.models import MessageKind, Queue, TicketSort
from supportdesk_tui.domain.ticket_window import TicketWindow, sort_key_for
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.customer_sidebar import CustomerSidebar
from supportdesk_tui.widgets.filter_bar import FilterBar
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.queue_sidebar import QueueSidebar
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_header import TicketHeader
from supportdesk_tui.widgets.ticket_table import TicketTable

QUEUES = [
    Queue.model_validate({"id": q, "name": n, "languages": ["en"], "counts": c})
    for q, n, c in (
        ("general-en", "General (EN)", {"open": 412, "unassigned": 37, "oldest_waiting_seconds": 7200,
                                        "sla_at_risk": 9, "sla_breached": 3}),
        ("general-ru", "Общие (RU)", {"open": 655, "unassigned": 58, "oldest_waiting_seconds": 9600,
                                      "sla_at_risk": 12, "sla_breached": 6}),
        ("payments", "Payments", {"open": 88, "unassigned": 0, "oldest_waiting_seconds": 600,
                                  "sla_at_risk": 1, "sla_breached": 0}),
        ("safety", "Trust & Safety", {"open": 23, "unassigned": 4, "oldest_waiting_seconds": None,
                                      "sla_at_risk": 0, "sla_breached": 0}),
    )
]

CONVERSATION = [
    make_message(1, "customer", "Hi! I reset my password yesterday and now the app says "
                 "'account locked'. I tried https://example.com/help/unlock but it loops.", minutes_ago=300),
    make_message(2, "note", "Checked the auth logs: 14 failed logins from a new IP before the reset. "
                 "Looks like a brute-force attempt; lock is automatic.",
                 author="Anna Ivanova", minutes_ago=240),
    make_message(3, "reply", "Hello Alice, thanks for reaching out. For your safety the account was "
                 "locked after several failed sign-in attempts. I've sent a verification link to your email.",
                 author="Anna Ivanova", minutes_ago=235),
    make_message(4, "customer", "Got it, but the link says [@click=app.quit]expired[/] \x1b[31m — "
                 "can you send another one?", minutes_ago=12),
]


class Gallery(App[None]):
    CSS = """
    Screen { layout: vertical; }
    #main { height: 1fr; }
    #queue-pane { width: 1fr; }
    #conversation { width: 1fr; }
    TicketPreview { height: 12; }
    """

    def __init__(self, page: str, theme_name: str | None) -> None:
        super().__init__()
        self.page = page
        self.theme_name = theme_name

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_TOKENS)

    def compose(self) -> ComposeResult:
        if self.page == "queue":
            window = TicketWindow(FakeQueue(100_000).fetch, sort_key=sort_key_for(TicketSort.CREATED))
            with Horizontal(id="main"):
                yield QueueSidebar(QUEUES, id="queues")
                with Vertical(id="queue-pane"):
                    yield FilterBar("status:open lang:ru", id="filter")
                    yield TicketTable(window, sort=TicketSort.CREATED, clock=lambda: NOW, me_login="chen",
                                      id="table")
                    yield TicketPreview(clock=lambda: NOW, id="preview")
            yield StatusLine(id="status")
        else:
            ticket = make_ticket(18, subject="Account locked after password reset", needs_reply=True)
            with Horizontal(id="main"):
                with Vertical(id="conversation"):
                    yield TicketHeader(ticket, clock=lambda: NOW, id="header")
                    yield Thread(clock=lambda: NOW, id="thread")
                    yield Composer(id="composer")
                yield CustomerSidebar(ticket, id="customer")
            yield StatusLine(id="status")

    async def on_mount(self) -> None:
        try:
            from supportdesk_tui.themes import register_all_themes

            register_all_themes(self)
            self.theme = self.theme_name or "supportdesk-dark"
        except Exception as exc:  # the gallery still renders with Textual's default theme
            print(f"theme: {exc}", file=sys.stderr)
        status = self.query_one(StatusLine)
        if self.page == "queue":
            status.set_offline(retry_in=5)
            status.set_outbox(2)
            self.query_one(FilterBar).show_error("Unknown field 'lnag' — did you mean 'lang'?")
        else:
            status.set_online()
            self.query_one(Thread).set_messages(CONVERSATION, has_older=True)
            self.query_one(CustomerSidebar).set_other_tickets(
                [make_ticket(7, subject="Photos fail to upload"),
                 make_ticket(3, subject="Payment charged twice")]
            )
            composer = self.query_one(Composer)
            composer.set_draft("Hi Alice, I've just sent a fresh link — it is valid for 24 hours.",
                               MessageKind.REPLY)
            composer.focus_editor()


async def shoot(page: str, out: Path, theme: str | None) -> Path:
    app = Gallery(page, theme)
    async with app.run_test(size=(160, 44)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        if page == "queue":
            table = app.query_one(TicketTable)
            table.focus()
            await pilot.press("j", "j", "j")
            await pilot.pause(0.2)
            ticket = table.cursor_ticket
            assert ticket is not None
            app.query_one(TicketPreview).show_messages(ticket, CONVERSATION)
            await pilot.pause(0.2)
        path = out / f"{page}.svg"
        app.save_screenshot(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="/tmp/gallery")
    parser.add_argument("--theme", default=None)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for page in ("queue", "conversation"):
        print(asyncio.run(shoot(page, out, args.theme)))


if __name__ == "__main__":
    main()
