"""Render one screen of the real app to SVG, in any language, in this process.

    python -m supportdesk_tui.devtools.render --scene queue --lang ru \
        --server http://127.0.0.1:PORT --token TOKEN --out queue.svg [--chrome chrome.json]

Everything that could differ between runs is pinned: the clock, the time zone (UTC), the
address shown in the app bar, live updates (off), cursor blink (off), the home directory (a
throwaway one). `--chrome` also writes the visible text and the UI chrome (footer descriptions,
column titles, bars) as JSON, for tests that look for untranslated strings. Every label is
translated when it is shown, so one process can render any number of scenes in any languages.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console
from textual.widgets import DataTable, Input, TextArea
from textual.worker import WorkerState

from supportdesk_tui import session as session_module
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import OutboxItem
from supportdesk_tui.i18n import _, current_language, set_language
from supportdesk_tui.paths import HOME_ENV
from supportdesk_tui.screens.attachments import AttachmentsScreen
from supportdesk_tui.screens.canned import CannedPicker
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.escalate import EscalationForm
from supportdesk_tui.screens.escalations import EscalationsScreen
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.screens.live_stats import LiveStatsScreen
from supportdesk_tui.screens.outbox import OutboxScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.ticket_table import TicketTable

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from supportdesk_tui.app import SupportDeskApp

DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SNAPSHOT_NOW = DEMO_NOW + timedelta(minutes=5)
SHOWN_SERVER_URL = "http://127.0.0.1:8080"
UNREACHABLE_URL = "http://127.0.0.1:9"
SIZE = (160, 48)
# Widgets whose text is UI chrome rather than customer data (or mixes both).
CHROME_IDS = ("app-bar", "status", "header", "filter")

Drive = Callable[["Pilot[Any]", "Context"], Awaitable[None]]


@dataclass(frozen=True)
class Context:
    """What a scene needs to know about the server before the app starts."""

    real_url: str
    token: str


@dataclass(frozen=True)
class Scene:
    login: str
    drive: Drive
    start_mode: str | None = None
    wallboard: bool = False
    reachable: bool = True


def fixed_clock() -> datetime:
    return SNAPSHOT_NOW


# --- waits ---------------------------------------------------------------------------------


async def wait_until(pilot: Pilot[Any], condition: Callable[[], object], *, what: str,
                     timeout: float = 20.0) -> None:
    for _step in range(int(timeout / 0.05)):
        try:
            if condition():
                return
        except Exception:  # the widget may not be mounted yet
            pass
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stop_blinking(app: App[Any]) -> None:
    """Before an editor takes focus: a caret that blinks is in the picture or not by luck."""

    for screen in app.screen_stack:
        for editor in screen.query(TextArea):
            editor.cursor_blink = False
        for field in screen.query(Input):
            field.cursor_blink = False


async def settle(pilot: Pilot[Any]) -> None:

    busy = (WorkerState.PENDING, WorkerState.RUNNING)
    app = pilot.app
    for _round in range(3):
        await wait_until(pilot, lambda: not any(w.state in busy for w in app.workers), what="idle workers")
        await pilot.pause(0.15)
    stop_blinking(app)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


# --- finding tickets -----------------------------------------------------------------------


def _get(ctx: Context, path: str, **params: str) -> Any:
    with httpx.Client(base_url=ctx.real_url, headers={"Authorization": f"Bearer {ctx.token}"},
                      timeout=30) as http:
        response = http.get(path, params=params)
        response.raise_for_status()
        return response.json()


def ticket_with_reply_and_note(ctx: Context) -> int:
    """Lowest ticket id in my queues whose thread has a customer message, a reply and a note."""
    ids: list[int] = []
    for queue in _get(ctx, "/api/v1/me")["queues"]:
        ids += [t["id"] for t in _get(ctx, "/api/v1/tickets", queue=queue, **{"page[size]": "200"})["data"]]
    for ticket_id in sorted(ids):
        messages = _get(ctx, f"/api/v1/tickets/{ticket_id}/messages", **{"page[size]": "200"})["data"]
        if {"customer", "reply", "note"} <= {m["kind"] for m in messages}:
            return ticket_id
    raise AssertionError("the demo data has no ticket with a customer message, a reply and a note")


def ticket_with_photo(ctx: Context) -> int:
    """Lowest ticket id in my queues whose customer sent a file (the demo's photo)."""
    ids: list[int] = []
    for queue in _get(ctx, "/api/v1/me")["queues"]:
        ids += [t["id"] for t in _get(ctx, "/api/v1/tickets", queue=queue, **{"page[size]": "200"})["data"]]
    for ticket_id in sorted(ids):
        messages = _get(ctx, f"/api/v1/tickets/{ticket_id}/messages", **{"page[size]": "200"})["data"]
        if any(m["attachments"] for m in messages):
            return ticket_id
    raise AssertionError("the demo data has no ticket with an attachment")


def unescalated_music_ticket(ctx: Context) -> int:
    page = _get(ctx, "/api/v1/tickets", queue="bugs-music", **{"page[size]": "200"})
    for ticket in sorted(page["data"], key=lambda t: t["id"]):
        if (ticket["escalation"] is None and ticket["environment"] and ticket["language"] == "ru"
                and ticket["status"] in ("new", "open")):
            return int(ticket["id"])
    raise AssertionError("the demo data has no unescalated Russian music ticket")


# --- scenes --------------------------------------------------------------------------------


def _sd(pilot: Pilot[Any]) -> SupportDeskApp:

    app = pilot.app
    assert isinstance(app, SupportDeskApp)
    return app


def _queue_ready(app: SupportDeskApp) -> bool:

    screen = app.screen
    if not isinstance(screen, QueueScreen):
        return False
    table = screen.query_one(TicketTable)
    ticket = table.cursor_ticket
    preview = screen.query_one(TicketPreview)
    return bool(table.window is not None and table.window.row_count_known and ticket is not None
                and preview.ticket is not None and preview.ticket.id == ticket.id
                and preview.query(".preview--message"))


async def queue(pilot: Pilot[Any], ctx: Context) -> None:
    app = _sd(pilot)
    await wait_until(pilot, lambda: _queue_ready(app), what="the first page of the queue")
    stop_blinking(app)


async def queue_filtered(pilot: Pilot[Any], ctx: Context) -> None:

    await queue(pilot, ctx)
    app = _sd(pilot)
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    await pilot.press("slash")
    await type_text(pilot, "lang:ru status:open")
    await pilot.press("enter")
    await wait_until(pilot, lambda: not screen.query_filter.is_empty and _queue_ready(app),
                     what="the filtered queue")


async def queue_bulk(pilot: Pilot[Any], ctx: Context) -> None:
    """New hacked-account tickets marked for one bulk action: `*` marks every match after showing
    the count."""
    await queue(pilot, ctx)
    app = _sd(pilot)
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    await pilot.press("slash")
    await type_text(pilot, "tag:hacked status:new")
    await pilot.press("enter")
    await wait_until(pilot, lambda: not screen.query_filter.is_empty and _queue_ready(app),
                     what="the hacked accounts waiting")
    marked = screen.selection
    await pilot.press("asterisk")
    await wait_until(pilot, lambda: app.screen is not screen, what="the count to confirm")
    await pilot.press("y")
    await wait_until(pilot, lambda: app.screen is screen and len(marked) > 0, what="the marks")


async def _open_ticket(pilot: Pilot[Any], ctx: Context, ticket_id: int) -> None:

    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    screen.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None
                     and app.screen.thread.messages, what=f"conversation #{ticket_id}")
    stop_blinking(app)


async def conversation(pilot: Pilot[Any], ctx: Context) -> None:
    await queue(pilot, ctx)
    await _open_ticket(pilot, ctx, ticket_with_reply_and_note(ctx))


async def attachment(pilot: Pilot[Any], ctx: Context) -> None:
    await queue(pilot, ctx)
    await _open_ticket(pilot, ctx, ticket_with_photo(ctx))
    screen = _sd(pilot).screen
    assert isinstance(screen, ConversationScreen)
    await settle(pilot)
    screen.thread.scroll_end(animate=False)


async def attachment_preview(pilot: Pilot[Any], ctx: Context) -> None:
    await attachment(pilot, ctx)
    await settle(pilot)
    await pilot.press("f")
    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, AttachmentsScreen)
                     and app.screen.preview.shown_problem == "", what="the photo's preview")


async def composer_reply(pilot: Pilot[Any], ctx: Context) -> None:
    await conversation(pilot, ctx)
    await pilot.press("r")
    await type_text(pilot, "Hello! Please try to log in again.")


async def composer_note(pilot: Pilot[Any], ctx: Context) -> None:
    await conversation(pilot, ctx)
    await pilot.press("i")
    await type_text(pilot, "Login place matches her city.")


async def canned_picker(pilot: Pilot[Any], ctx: Context) -> None:

    await conversation(pilot, ctx)
    await settle(pilot)
    await pilot.press("c")
    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, CannedPicker) and app.screen.loaded,
                     what="the picker")
    picker = app.screen
    assert isinstance(picker, CannedPicker)
    stop_blinking(app)
    await type_text(pilot, "pass")
    await wait_until(pilot, lambda: picker.highlighted is not None, what="a match")


async def escalation_form(pilot: Pilot[Any], ctx: Context) -> None:

    await _open_ticket(pilot, ctx, unescalated_music_ticket(ctx))
    await settle(pilot)
    await pilot.press("e")
    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, EscalationForm), what="the escalation form")
    stop_blinking(app)


async def escalations(pilot: Pilot[Any], ctx: Context) -> None:

    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    await settle(pilot)
    await pilot.press("E")
    await wait_until(pilot, lambda: isinstance(app.screen, EscalationsScreen)
                     and app.screen.table.row_count > 0,
                     what="the escalations list")


async def dashboard(pilot: Pilot[Any], ctx: Context) -> None:

    app = _sd(pilot)

    def ready() -> bool:
        screen = app.screen
        return (isinstance(screen, LiveStatsScreen) and screen.state.live is not None
                and screen.state.history is not None)

    await wait_until(pilot, ready, what="the dashboard with numbers and history")


async def help_screen(pilot: Pilot[Any], ctx: Context) -> None:

    await queue(pilot, ctx)
    await pilot.press("question_mark")
    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")


async def outbox(pilot: Pilot[Any], ctx: Context) -> None:
    """A reply the server refused and a note still waiting for the server."""

    await queue(pilot, ctx)
    app = _sd(pilot)
    items = app.session.sender.outbox
    refused = items.add(OutboxItem.new(
        41, DraftKind.REPLY, "Здравствуйте! Мы восстановили доступ к странице.\nПроверьте почту.",
        now=SNAPSHOT_NOW - timedelta(minutes=12)))
    items.mark_rejected(refused.id, "Not found: Ticket #41 is in a queue you can't see", status=404)
    waiting = items.add(OutboxItem.new(
        57, DraftKind.NOTE, "Checked the login history: two sessions from Lagos.",
        now=SNAPSHOT_NOW - timedelta(minutes=3)))
    # Retried in an hour: with the clock pinned it never comes due during the picture.
    items.mark_failed(waiting.id, "Server unreachable: connection refused", SNAPSHOT_NOW, retry_after=3600)
    app.outbox_changed()
    await pilot.press("O")
    await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")


async def connect_error(pilot: Pilot[Any], ctx: Context) -> None:

    app = _sd(pilot)
    await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                     what="the error")


SCENES: dict[str, Scene] = {
    "queue": Scene("anna", queue),
    "queue-filter": Scene("anna", queue_filtered),
    "queue-bulk": Scene("anna", queue_bulk),
    "conversation": Scene("anna", conversation),
    "composer-reply": Scene("anna", composer_reply),
    "composer-note": Scene("anna", composer_note),
    "canned-picker": Scene("anna", canned_picker),
    "escalation-form": Scene("boris", escalation_form),
    "escalations": Scene("lena", escalations, start_mode="queue"),
    "dashboard": Scene("lena", dashboard),
    "wallboard": Scene("lena", dashboard, wallboard=True),
    "help": Scene("anna", help_screen),
    "attachment": Scene("anna", attachment),
    "attachment-preview": Scene("anna", attachment_preview),
    "outbox": Scene("anna", outbox),
    "connect-error": Scene("anna", connect_error, reachable=False),
}


# --- running -------------------------------------------------------------------------------


@contextmanager
def client_routed_to(real_url: str) -> Iterator[None]:
    """The session's API client talks to `real_url` whatever address the app bar shows."""

    def build(base_url: str, token: str | None, **options: Any) -> SupportDeskClient:
        return SupportDeskClient(real_url, token, **options)

    original = getattr(session_module, "SupportDeskClient")  # noqa: B009 - the same seam
    setattr(session_module, "SupportDeskClient", build)  # noqa: B010 - a test seam, not an attribute of its API
    try:
        yield
    finally:
        setattr(session_module, "SupportDeskClient", original)  # noqa: B010


@contextmanager
def pinned_environment() -> Iterator[Path]:
    """UTC local time and a throwaway home (no drafts, canned replies or config of the machine
    leak into a picture); both put back afterwards. Yields the data directory to use."""

    saved = {name: os.environ.get(name) for name in ("TZ", HOME_ENV)}
    with tempfile.TemporaryDirectory() as home:
        os.environ["TZ"] = "UTC"
        os.environ[HOME_ENV] = home
        time.tzset()
        try:
            yield Path(home) / "data"
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            time.tzset()


def chrome_of(app: App[Any]) -> dict[str, Any]:
    """The visible text, and the parts of it that are UI chrome, as the agent sees them now."""


    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    # The same composition `App.export_screenshot` draws, kept as text instead of SVG.
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    lines = console.export_text().splitlines()
    screen = app.screen
    regions: dict[str, str] = {}
    for widget_id in CHROME_IDS:
        for widget in screen.query(f"#{widget_id}"):
            box = widget.region
            regions[widget_id] = "\n".join(line[box.x:box.right].rstrip() for line in lines[box.y:box.bottom])
    # Descriptions are message ids: translated here as the key bar translates them.
    footer = [_(active.binding.description) for active in screen.active_bindings.values()
              if active.binding.show and active.binding.description]
    columns = [str(column.label) for table in screen.query(DataTable) for column in table.columns.values()]
    return {"text": "\n".join(lines), "footer": footer, "columns": columns, "regions": regions}


async def capture(scene_name: str, language: str, real_url: str, token: str, data_dir: Path,
                  size: tuple[int, int] = SIZE, *,
                  switch_to: str | None = None) -> tuple[str, dict[str, Any]]:
    """The SVG of `scene_name` and its chrome, the app started in `language`.

    `switch_to`: once the scene is ready, switch to this language the way the agent does (the
    app relabels in place) before the picture is taken.
    """

    scene = SCENES[scene_name]
    settings = AppSettings(server_url=SHOWN_SERVER_URL if scene.reachable else UNREACHABLE_URL,
                           token=token, data_dir=data_dir, language=language, live_updates=False,
                           clock=fixed_clock, start_mode=scene.start_mode, wallboard=scene.wallboard,
                           image_renderer="cells")  # the same picture whatever terminal runs this
    app = SupportDeskApp(settings)
    ctx = Context(real_url, token)
    with client_routed_to(real_url if scene.reachable else UNREACHABLE_URL):
        async with app.run_test(size=size) as pilot:
            await scene.drive(pilot, ctx)
            await settle(pilot)
            if switch_to is not None:
                app.switch_language(switch_to)
                await settle(pilot)
            return app.export_screenshot(), chrome_of(app)


def render(scene_name: str, language: str, real_url: str, token: str,
           size: tuple[int, int] = SIZE) -> tuple[str, dict[str, Any]]:
    """`capture` from synchronous code, in a pinned environment; the language is put back after."""

    before = current_language()
    try:
        with pinned_environment() as data_dir:
            return asyncio.run(capture(scene_name, language, real_url, token, data_dir, size))
    finally:
        set_language(before)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scene", choices=sorted(SCENES), required=True)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--server", required=True, help="the real server address")
    parser.add_argument("--token", required=True, help="a token for the scene's login")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--chrome", type=Path, help="also write the chrome as JSON here")
    args = parser.parse_args(argv)
    svg, chrome = render(args.scene, args.lang, args.server, args.token)
    args.out.write_text(svg, encoding="utf-8")
    if args.chrome:
        args.chrome.write_text(json.dumps(chrome, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
