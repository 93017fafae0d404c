"""The send key's frame: the thread draws the reply's "sending…" block itself and the screen is not
laid out again for it (only what changed size asks for a layout). The shortcut must not show a stale
screen: in the first frame that shows the reply, the composer is empty, its files line gone and its
editor back to its full height, and the block sits at the bottom of the thread's view, which
follows the thread's new end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, open_conversation
from held_requests import hold_requests

from keyboard import type_text
from supportdesk_tui.widgets.composer import Composer
from waiting import settle, wait_until

API = "/api/v1"
LINES = [f"Line {n} of a long answer." for n in range(1, 13)]


async def test_the_first_frame_showing_a_long_reply_as_sending_shows_the_composer_empty_at_its_own_size(
        workday_server: Any, tmp_path: Path) -> None:
    # Longer than the view: the reply's block scrolls it.
    created = create_customer_ticket(workday_server, body="\n".join(f"Строка {n}" for n in range(60)))
    attached = tmp_path / "invoice.txt"
    attached.write_text("total: 10 EUR\n")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, created["id"])
        composer = screen.query_one(Composer)
        await pilot.press("r")
        await settle(pilot)
        editor_height = composer.editor.region.height
        composer.attach(attached)
        await settle(pilot)
        assert composer.editor.region.height < editor_height, "the files line took a line (else no check)"
        held = hold_requests(app)
        held.hold(lambda r: r.method == "POST" and r.url.path == f"{API}/tickets/{created['id']}/messages")
        for index, line in enumerate(LINES):
            if index:
                await pilot.press("enter")
            await type_text(pilot, line)
        await settle(pilot)
        assert screen.thread.max_scroll_y > 0, "a thread longer than its view (else no check)"

        seen: list[tuple[int, bool, bool, int, int, int]] = []
        original = app._display

        def display(shown_screen: Any, renderable: Any) -> None:
            original(shown_screen, renderable)
            cards = screen.thread.waiting_cards
            if renderable is not None and cards and not seen:
                thread = screen.thread
                block = cards[0].region
                view = thread.scrollable_content_region
                files_line = composer.query_one("#composer-files")
                seen.append((composer.editor.region.height, composer.text == "",
                             files_line.display and files_line.region.height > 0, block.bottom, view.bottom,
                             thread.max_scroll_y - round(thread.scroll_y)))

        app._display = display  # type: ignore[method-assign]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(seen), what="a frame showing the reply as sending")
        app._display = original  # type: ignore[method-assign]
        height, emptied, files_shown, block_bottom, view_bottom, left_below = seen[0]
        assert emptied, "the composer is emptied in the same frame"
        assert not files_shown, "the sent file is no longer listed in the same frame"
        assert height == editor_height, "the editor has its line back in the same frame"
        assert left_below == 0, "the thread's view follows its end"
        assert 0 < block_bottom <= view_bottom, "the block is drawn inside the view, at its bottom"
        assert view_bottom - block_bottom <= 1, "nothing stale below the block"
        held.release()
        await wait_until(pilot, lambda: not screen.thread.waiting_cards, what="the reply confirmed")
