"""Queue sidebar, filter bar, preview, ticket header, customer sidebar and status line."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from test_widget_fakes import NOW, WidgetHost, make_message, make_ticket
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static

from supportdesk_tui.contract.models import EscalationRef, EscalationStatus, Queue, Requester, Sla, Status
from supportdesk_tui.widgets.customer_sidebar import CustomerSidebar
from supportdesk_tui.widgets.filter_bar import FilterBar
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.queue_sidebar import QueueSidebar
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.ticket_header import TicketHeader


def queue(queue_id: str, name: str, open_: int, breached: int = 0) -> Queue:
    return Queue.model_validate({
        "id": queue_id, "name": name, "languages": ["en"],
        "counts": {"open": open_, "unassigned": 2, "oldest_waiting_seconds": 60,
                   "sla_at_risk": 1, "sla_breached": breached},
    })


class Recorder(WidgetHost):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, *widgets: object) -> None:
        super().__init__(widgets)  # type: ignore[arg-type]
        self.events: list[object] = []

    def on_queue_sidebar_selected(self, event: QueueSidebar.Selected) -> None:
        self.events.append(("queue", event.queue_id))

    def on_filter_bar_submitted(self, event: FilterBar.Submitted) -> None:
        self.events.append(("filter", event.text))

    def on_filter_bar_cancelled(self, event: FilterBar.Cancelled) -> None:
        self.events.append(("cancel",))

    def on_customer_sidebar_open_ticket(self, event: CustomerSidebar.OpenTicket) -> None:
        self.events.append(("open", event.ticket_id))


def plain(widget: Static | TicketHeader | StatusLine) -> str:
    return str(widget.render())


async def test_queue_sidebar_lists_queues_with_counts_and_posts_the_choice() -> None:
    sidebar = QueueSidebar([queue("en", "General (EN)", 412, breached=3), queue("ru", "Общие (RU)", 655)])
    app = Recorder(sidebar)
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        options = sidebar.options
        assert options.option_count == 3
        first = str(options.get_option_at_index(0).prompt)
        assert "All my queues" in first and "1067 open" in first
        assert "3 breached" in str(options.get_option_at_index(1).prompt)
        options.focus()
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.events == [("queue", "en")]
        await pilot.press("k", "enter")
        await pilot.pause()
        assert app.events[-1] == ("queue", None)
        # Live counts keep the highlight on the same queue.
        await pilot.press("j", "j")
        sidebar.update_counts([queue("en", "General (EN)", 1), queue("ru", "Общие (RU)", 700)])
        await pilot.pause()
        assert sidebar.selected_queue == "ru"
        assert "700 open" in str(options.get_option_at_index(2).prompt)


async def test_filter_bar_submits_shows_errors_literally_and_escape_restores() -> None:
    bar = FilterBar("status:open", id="filter")
    app = Recorder(bar)
    async with app.run_test(size=(100, 10)) as pilot:
        bar.focus_input()
        await pilot.press("end", *" lang:ru", "enter")
        await pilot.pause()
        assert app.events == [("filter", "status:open lang:ru")]
        bar.show_error("Unknown field '[@click=app.quit]x'")
        await pilot.pause()
        error = bar.query_one("#filter-error", Static)
        assert bar.has_class("-error") and error.display
        assert "[@click=app.quit]x" in str(error.render())
        await pilot.press(*" junk", "escape")
        await pilot.pause()
        assert bar.value == "status:open lang:ru"
        assert not bar.has_class("-error")
        assert app.events[-1] == ("cancel",)
        assert app.is_running


async def test_preview_has_placeholder_loading_empty_and_message_states() -> None:
    preview = TicketPreview(clock=lambda: NOW)
    app = Recorder(preview)
    ticket = make_ticket(5, subject="Payment charged twice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()

        def texts() -> str:
            return "\n".join(str(s.render()) for s in preview.query(Static))

        assert "Highlight a ticket" in texts()
        preview.show_loading(ticket)
        await pilot.pause()
        assert "Payment charged twice" in texts() and "Loading messages" in texts()
        preview.show_messages(ticket, [])
        await pilot.pause()
        assert "No messages yet." in texts()
        messages = [make_message(i, "note" if i == 6 else "customer", f"body {i}", minutes_ago=60 - i)
                    for i in range(1, 7)]
        preview.show_messages(ticket, messages)
        await pilot.pause()
        shown = texts()
        assert "body 6" in shown and "body 3" in shown and "body 2" not in shown
        assert "Internal note" in shown
        assert preview.query(".-note")


async def test_ticket_header_shows_state_sla_clocks_escalation_and_needs_reply() -> None:
    ticket = make_ticket(
        42,
        subject="[@click=app.quit]Locked out",
        status=Status.OPEN,
        sla=Sla(first_response_due=NOW - timedelta(minutes=5), resolution_due=NOW + timedelta(hours=3)),
        escalation=EscalationRef(key="ENG-7", status=EscalationStatus.FIXED, url="https://t/ENG-7"),
        needs_reply=True,
        tags=["login", "vip"],
    )
    header = TicketHeader(ticket, clock=lambda: NOW)
    app = Recorder(header)
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        text = plain(header)
        assert "#42 [@click=app.quit]Locked out" in text
        assert "Open" in text and "#login" in text and "#vip" in text
        assert "First response ✕ -5m" in text
        assert "Resolution 3h 00m" in text
        assert "ENG-7 ✓ fixed" in text
        assert "needs a reply" in text
        header.set_ticket(None)
        assert "No ticket selected." in plain(header)


async def test_ticket_header_repaints_its_countdowns_only_when_they_change() -> None:
    # A repaint every second is a frame every second, which a key pressed just after it waits behind.
    now = [NOW]
    ticket = make_ticket(7, sla=Sla(first_response_due=NOW + timedelta(minutes=10),
                                    resolution_due=NOW + timedelta(hours=3)))
    header = TicketHeader(ticket, clock=lambda: now[0])
    app = Recorder(header)
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        assert "First response 10m" in plain(header)
        repaints: list[None] = []
        refresh = header.refresh
        header.refresh = lambda *a, **k: (repaints.append(None), refresh(*a, **k))[1]  # type: ignore[method-assign]
        now[0] = NOW + timedelta(seconds=20)  # still "10m" left, to the minute
        header._tick()
        assert repaints == [], "nothing it shows changed"
        now[0] = NOW + timedelta(minutes=1, seconds=5)
        header._tick()
        assert len(repaints) == 1, "the countdown moved on a minute"
        await pilot.pause()
        assert "First response 8m" in plain(header) or "First response 9m" in plain(header)
        header._tick()
        assert len(repaints) == 1, "and was painted: the next tick has nothing new"


async def test_customer_sidebar_masks_contact_details_and_opens_other_tickets() -> None:
    ticket = make_ticket(
        1,
        requester=Requester(account_id="u42", name="Anna Petrova", email="anna.petrova@mail.ru",
                            phone="+7 916 123-45-67", language="ru", account_state="locked"),
    )
    sidebar = CustomerSidebar(ticket)
    app = Recorder(sidebar)
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        facts = str(sidebar.query_one("#customer-facts", Static).render())
        assert "Anna Petrova" in facts and "u42" in facts and "locked" in facts
        assert "anna.petrova@mail.ru" not in facts and "123-45" not in facts
        assert "@" in facts
        options = sidebar.query_one("#customer-others", OptionList)
        assert "Loading" in str(options.get_option_at_index(0).prompt)
        sidebar.set_other_tickets([ticket, make_ticket(9, subject="Old question")])
        await pilot.pause()
        assert options.option_count == 1
        options.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.events == [("open", 9)]


async def test_customer_sidebar_forgets_the_other_tickets_when_shown_another_ticket_of_the_customer() -> None:
    # The conversation shows a previewed ticket straight over the last one (no empty state between):
    # the list made for ticket 1 left ticket 1 out and had ticket 9 in it, so for 9 it is wrong.
    customer = Requester(account_id="u7", name="Ivan", language="en", account_state="active")
    first = make_ticket(1, requester=customer)
    other = make_ticket(9, subject="Old question", requester=customer)
    sidebar = CustomerSidebar(first)
    async with Recorder(sidebar).run_test(size=(60, 30)) as pilot:
        sidebar.set_other_tickets([other])
        sidebar.set_ticket(first.model_copy(update={"version": first.version + 1}))  # a live change
        await pilot.pause()
        options = sidebar.query_one("#customer-others", OptionList)
        assert options.option_count == 1 and options.get_option_at_index(0).id == "9"
        sidebar.set_ticket(other)
        await pilot.pause()
        assert options.option_count == 1 and "Loading" in str(options.get_option_at_index(0).prompt)


async def test_status_line_reports_connection_and_outbox() -> None:
    line = StatusLine()
    app = Recorder(line)
    async with app.run_test(size=(120, 5)) as pilot:
        line.set_online()
        await pilot.pause()
        assert "Online" in plain(line)
        line.set_offline(retry_in=5)
        line.set_outbox(2)
        line.set_note("[@click=app.quit]x")
        await pilot.pause()
        text = plain(line)
        assert "Offline — showing what was loaded; retrying in 5 s" in text
        assert "Outbox: 2 waiting" in text and "[@click=app.quit]x" in text

