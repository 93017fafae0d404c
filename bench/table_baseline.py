"""The stock-widget baseline: Textual's own `DataTable` with 1,000 local rows, measured like the queue.

`python -m bench.table_baseline` prints one JSON line. No network, no app logic: the floor
that Textual itself sets for "rows on screen", a cursor move and a page down at 160x48.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from bench.frames import FrameRecorder, send_key
from bench.procfs import rss_kib

ROWS = 1_000
COLUMNS = ("#", "Priority", "Status", "Ln", "Subject", "Requester", "Waiting", "SLA", "Assignee",
           "Here", "Escalation", "↩")
KEY_GAP_SECONDS = 0.02


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[str] = DataTable(cursor_type="row")
        table.add_columns(*COLUMNS)
        table.add_rows(
            (str(i), "normal", "open", "RU", f"Не могу войти в аккаунт {i}", "Ольга Кузнецова", "3h 12m",
             "-1h 05m", "anna", "", "", "")
            for i in range(ROWS)
        )
        yield table
        yield Footer()


async def run(moves: int, pagedowns: int) -> dict[str, Any]:
    result: dict[str, Any] = {"rss_imported_kib": rss_kib()}
    app = TableApp()
    recorder = FrameRecorder(app)

    def rows_shown() -> bool:
        return app.query_one(DataTable).row_count == ROWS

    first = recorder.expect(rows_shown)
    started = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        result["first_rows_s"] = await recorder.wait(first) - started
        table: DataTable[str] = app.query_one(DataTable)
        await pilot.pause()
        samples: list[float] = []
        for _ in range(moves):
            target = table.cursor_row + 1
            shown = recorder.expect(lambda target=target: table.cursor_row == target)  # type: ignore[misc]
            pressed = time.perf_counter()
            send_key(app, "down")
            samples.append(await recorder.wait(shown) - pressed)
            await asyncio.sleep(KEY_GAP_SECONDS)
        result["move_s"] = samples
        await pilot.pause()
        target = max(0, table.cursor_row - moves)
        shown = recorder.expect(lambda: table.cursor_row == target)
        pressed = time.perf_counter()
        for _ in range(moves):
            send_key(app, "up")
        result["burst_s"] = await recorder.wait(shown) - pressed
        await pilot.pause()
        pages: list[float] = []
        for _ in range(pagedowns):
            before = table.cursor_row
            shown = recorder.expect(lambda before=before: table.cursor_row > before)  # type: ignore[misc]
            pressed = time.perf_counter()
            send_key(app, "pagedown")
            pages.append(await recorder.wait(shown) - pressed)
            await asyncio.sleep(KEY_GAP_SECONDS)
        result["pagedown_s"] = pages
        await pilot.pause()
        result["rss_after_paging_kib"] = rss_kib()
    return result


def main() -> None:
    print(json.dumps(asyncio.run(run(50, 20))))


if __name__ == "__main__":
    main()
