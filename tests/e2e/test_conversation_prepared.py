"""The conversation screen is composed, styled and drawn aside in a quiet moment after sign-in (then
frozen with the rest, out of the garbage collector's way), so the session's first open is no slower
than the next. These stories make sure a screen prepared with no ticket shows the first ticket as one
made for it would: that ticket's text, at the terminal's size, in the language and theme of the
moment, and the ticket asked for even when it is opened while the screen is still being prepared."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app
from test_reused_conversation import on_screen, open_from_queue, shows
from textual import events
from textual.color import Color

from supportdesk_tui import app as app_module
from supportdesk_tui.i18n import current_language, set_language
from supportdesk_tui.navigator import CONVERSATION_SCREEN
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_header import TicketHeader
from waiting import settle, wait_until


async def test_the_first_ticket_opened_is_shown_on_the_screen_prepared_after_sign_in(
        workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_id = create_customer_ticket(workday_server, subject="Prepared screen first",
                                       body="Hello from the first ticket")["id"]
    # Not the fallback timer: the queue's first rows on screen are the moment.
    monkeypatch.setattr(app_module, "FREEZE_AFTER_SIGN_IN_SECONDS", 3600.0)
    # As in a terminal: the app takes over garbage collection after sign-in, preparing the screen first.
    app = make_app(workday_server, "anna", tmp_path, live_updates=False, freeze_gc_after_sign_in=True)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_until(pilot, lambda: app.collector.active, what="the GC policy taking over")
            assert app.is_screen_installed(CONVERSATION_SCREEN)
            prepared = app.get_screen(CONVERSATION_SCREEN)
            assert isinstance(prepared, ConversationScreen)
            # Nothing open on it; the first row's preview may have laid that ticket out unseen meanwhile
            # (a slow machine: the preview came before the GC policy took over).
            assert prepared not in app.screen_stack and not prepared._open
            assert prepared.ticket is None or prepared._staged is not None
            # Composed aside at the terminal's size (100 columns: the medium breakpoint), and frozen.
            assert prepared.has_class("-medium") and not prepared.has_class("-narrow")
            unfrozen = gc.get_objects()  # what a full collection walks: the frozen are left out
            assert not any(obj is prepared or obj is prepared.thread for obj in unfrozen)
            del unfrozen

            screen = await open_from_queue(pilot, app, ticket_id)
            assert screen is prepared, "the prepared screen is the one shown"
            await wait_until(pilot, lambda: shows(screen, ticket_id), what="the ticket")
            await settle(pilot)
            header = screen.query_one(TicketHeader)
            assert header.ticket is not None and header.ticket.id == ticket_id
            shown = on_screen(app)
            assert "Prepared" in shown and "first&#160;ticket" in shown
            assert screen.thread.region.width > 0 and screen.composer.region.height > 0
    finally:
        app.collector.release()
        gc.unfreeze()  # what the app froze: the test session keeps its own GC settings


async def test_language_and_theme_chosen_before_the_first_ticket_reach_the_prepared_screen(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server, language="en", category="question",
                                       body="A question")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await open_from_queue_after(pilot, app)
            await app.navigator.prepare_conversation()
            app.switch_language("ru")
            await wait_until(pilot, lambda: current_language() == "ru", what="the switch")
            app.theme = "supportdesk-high-contrast"
            await settle(pilot)

            screen = await open_from_queue(pilot, app, ticket_id)
            await wait_until(pilot, lambda: shows(screen, ticket_id), what="the ticket")
            await wait_until(pilot, lambda: screen.composer.border_title == "Ответ клиенту",
                             what="the composer in Russian")
            background = Color.parse(app.get_css_variables()["background"])
            assert screen.thread.styles.background == background, "the thread in the new theme's colours"
    finally:
        set_language("en")


async def test_a_ticket_opened_while_the_screen_is_being_prepared_is_the_one_shown(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server, subject="Opened mid-preparation",
                                       body="Opened before the screen had mounted")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_from_queue_after(pilot, app)
        preparing = asyncio.create_task(app.navigator.prepare_conversation())
        await asyncio.sleep(0)  # installed; its widgets not mounted yet
        prepared = app.get_screen(CONVERSATION_SCREEN)
        assert isinstance(prepared, ConversationScreen)
        screen = await open_from_queue(pilot, app, ticket_id)
        assert screen is prepared
        await wait_until(pilot, lambda: shows(screen, ticket_id), what="the ticket opened meanwhile")
        await preparing
        await settle(pilot)
        assert app.screen is screen and screen.ticket is not None and screen.ticket.id == ticket_id
        assert "mid-preparation" in on_screen(app)


async def open_from_queue_after(pilot: Any, app: Any) -> None:
    """The start's queue is on screen (what the preparation waits for in the app)."""
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")


async def test_the_collection_after_a_ticket_is_shown_runs_and_a_key_pressed_meanwhile_lands(
        workday_server: Any, tmp_path: Path) -> None:
    first = create_customer_ticket(workday_server, subject="Collected after shown one", body="One")["id"]
    second = create_customer_ticket(workday_server, subject="Collected after shown two", body="Two")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False, freeze_gc_after_sign_in=True)
    app.collector.tickets_per_collection = 2
    app.collector.ceiling_seconds = app.collector.idle_seconds = 3600.0  # only tickets make it collect
    shown_when_collected: list[int | None] = []
    collect = app.collector._collect

    def collect_while_a_key_arrives(now: float) -> None:
        screen = app.screen
        shown_when_collected.append(screen.ticket.id if isinstance(screen, ConversationScreen)
                                    and screen.ticket else None)
        app.post_message(events.Key("escape", None))  # the agent leaves while it collects
        collect(now)

    app.collector._collect = collect_while_a_key_arrives  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.collector.active, what="the GC policy taking over")
            screen = await open_from_queue(pilot, app, first)
            await wait_until(pilot, lambda: shows(screen, first), what="the first ticket")
            await settle(pilot)
            assert app.collector.collections == 0 and app.screen is screen
            await pilot.press("escape")
            await open_from_queue_after(pilot, app)
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            queue.open_ticket(second)
            # The second ticket's frame is followed by the collection; the escape pressed during it
            # is handled after it: back on the queue.
            await wait_until(pilot, lambda: app.collector.collections == 1, what="the collection")
            assert shown_when_collected == [second], "after the second ticket was on screen"
            await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen),
                             what="the escape pressed during the collection")
            assert app.collector.tickets_opened == 0
    finally:
        app.collector.release()
        gc.unfreeze()


async def test_a_terminal_resized_before_the_first_ticket_lays_the_prepared_screen_out_anew(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server, subject="Resized before opening",
                                       body="Drawn at the new size")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_from_queue_after(pilot, app)
        await app.navigator.prepare_conversation()
        prepared = app.get_screen(CONVERSATION_SCREEN)
        assert prepared.has_class("-wide")
        await pilot.resize_terminal(90, 40)
        await settle(pilot)
        screen = await open_from_queue(pilot, app, ticket_id)
        await wait_until(pilot, lambda: shows(screen, ticket_id), what="the ticket")
        await wait_until(pilot, lambda: screen.has_class("-narrow") and not screen.has_class("-wide"),
                         what="the narrow layout")
        await settle(pilot)
        assert screen.thread.region.right <= 90 and screen.composer.region.right <= 90
        assert "Resized" in on_screen(app)
