"""A customer's photo, sent through intake, in the agent's real app: listed in the thread,
previewed in the terminal (graphics protocol and character cells), saved to Downloads twice as
two files; a hostile file name and a decompression bomb change nothing but their own line."""

from __future__ import annotations

import stat
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import make_app, open_conversation, server_messages, server_ticket
from textual.widgets import Input, OptionList, Static

from keyboard import type_text
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.attach_prompt import AttachPrompt
from supportdesk_tui.screens.attachments import AttachmentsScreen
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.server.seed_image import demo_photo_png
from supportdesk_tui.widgets.thread import MessageCard
from waiting import settle, wait_until

PNG = demo_photo_png()


def attachments_card(screen: ConversationScreen) -> MessageCard:
    """The message drawn with attachments."""
    return next(card for card in screen.thread.mounted_cards if card.message.attachments)


def attachment_lines(card: MessageCard) -> str:
    """The attachment lines as the thread draws them inside the message's box."""
    return "\n".join(line for line in card.drawn_box_lines() if line.startswith("▸"))
HOSTILE_NAME = "../../.ssh/\x1b[2J\x1b]0;pwned\x07[@click=app.quit]id\u202egnp.sh"


def _png_bomb(side: int = 20_000) -> bytes:
    """A few hundred KiB that would decode into side² pixels (400 megapixels here)."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def customer_sends_files(server: Any, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Intake uploads the files and opens a ticket whose first message carries them."""
    marker = uuid.uuid4().hex[:8]
    with server.client("intake") as intake:
        ids = []
        for name, data in files:
            answer = intake.post("/api/v1/uploads", params={"name": name}, content=data)
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
        created = intake.post("/api/v1/tickets", json={
            "subject": f"Фото документа {marker}", "category": "hacked", "language": "ru",
            "requester": {"account_id": f"id{marker}", "name": "Ольга Кузнецова", "language": "ru"},
            "body": "Отправил фото, как вы просили.", "attachment_ids": ids,
        })
        assert created.status_code == 201, created.text
    return server_ticket(server, created.json()["ticket_id"])


@pytest.fixture(autouse=True)
def no_system_viewer(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The viewer is the agent's own program: record the command instead of starting it."""
    started: list[list[str]] = []

    class Recorded:
        def __init__(self, command: list[str], **_: Any) -> None:
            started.append(command)

        def wait(self, timeout: float | None = None) -> int:
            return 0  # handed to the viewer

    monkeypatch.setattr("supportdesk_tui.screens.attachments.subprocess.Popen", Recorded)
    monkeypatch.setattr("supportdesk_tui.screens.attachments.viewer_command",
                        lambda path: ["viewer", str(path)])
    return started


async def open_files(pilot: Any, app: SupportDeskApp) -> AttachmentsScreen:
    await pilot.press("f")
    await wait_until(pilot, lambda: isinstance(app.screen, AttachmentsScreen), what="the files")
    screen: AttachmentsScreen = app.screen
    return screen


async def test_agent_sees_previews_and_saves_the_customers_photo(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket = customer_sends_files(workday_server, [("паспорт.png", PNG)])
    downloads = tmp_path / "downloads"
    app = make_app(workday_server, "anna", tmp_path, downloads_dir=downloads, image_renderer="kitty")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        card = attachments_card(screen)
        assert [a.name for a in card.message.attachments] == ["паспорт.png"]
        assert "паспорт.png  image/png · 265 B" in attachment_lines(card)

        files = await open_files(pilot, app)
        from textual_image.widget import HalfcellImage, TGPImage

        await wait_until(pilot, lambda: files.preview.shown_problem == "", what="the graphics preview")
        assert isinstance(files.preview.image_widget, TGPImage)
        # Where the terminal has no graphics protocol: coloured half-block characters.
        files.preview.renderer = "cells"
        files.preview.show(files.attachments[0], PNG)
        await wait_until(pilot, lambda: isinstance(files.preview.image_widget, HalfcellImage)
                         and files.preview.shown_problem == "", what="the character-cell preview")
        await settle(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: len(files.saved) == 1, what="the first save")
        await pilot.press("d")
        await wait_until(pilot, lambda: len(files.saved) == 2, what="the second save")
    assert sorted(p.name for p in downloads.iterdir()) == ["паспорт (1).png", "паспорт.png"]
    for path in downloads.iterdir():
        assert path.read_bytes() == PNG
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the agent's alone, never executable


async def test_a_hostile_name_and_a_decompression_bomb_are_harmless(
    workday_server: Any, tmp_path: Path, no_system_viewer: list[list[str]]
) -> None:
    bomb = _png_bomb()
    ticket = customer_sends_files(workday_server, [(HOSTILE_NAME, PNG), ("bomb.png", bomb)])
    downloads = tmp_path / "downloads"
    app = make_app(workday_server, "anna", tmp_path, downloads_dir=downloads, image_renderer="cells")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        shown = attachment_lines(attachments_card(screen))
        assert not any(ord(c) < 0x20 and c != "\n" for c in shown), repr(shown)
        assert "\u202e" not in shown and "/" not in shown.split("  ")[0]
        assert "[@click=app.quit]id" in shown  # markup-looking text stays literal (and inert)

        files = await open_files(pilot, app)
        # The newest file is highlighted first: the bomb, which gets a placeholder, not a decode.
        await wait_until(pilot, lambda: files.preview.shown_problem == "too_large", what="the bomb refused")
        assert files.preview.image_widget is None
        files.query_one(OptionList).highlighted = 0
        await wait_until(pilot, lambda: files.preview.shown_problem == "", what="the photo after it")
        await pilot.press("d")
        await wait_until(pilot, lambda: len(files.saved) == 1, what="the save")
        await pilot.press("o")  # a shell script's name, but the bytes are a PNG: it may open
        await wait_until(pilot, lambda: no_system_viewer, what="the viewer asked")
    saved = files.saved[0]
    assert saved.parent == downloads and saved.read_bytes() == PNG
    assert not any(ord(c) < 0x20 for c in saved.name) and "\u202e" not in saved.name
    # The viewer gets a private copy named by the sniffed type, never the sender's ".sh".
    [(_, viewed)] = no_system_viewer
    assert Path(viewed).name.endswith(".png") and Path(viewed).parent != downloads
    assert stat.S_IMODE(Path(viewed).stat().st_mode) == 0o600


async def test_without_a_viewer_to_hand_it_to_the_agent_is_told_where_the_file_is(
    workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SSH or in a container xdg-open finds no viewer and exits 3 at once: no "Opened"."""

    class NoViewerHere:
        def __init__(self, command: list[str], **_: Any) -> None:
            pass

        def wait(self, timeout: float | None = None) -> int:
            return 3  # xdg-open: "no method available for opening"

    monkeypatch.setattr("supportdesk_tui.screens.attachments.subprocess.Popen", NoViewerHere)
    monkeypatch.setattr("supportdesk_tui.screens.attachments.viewer_command", lambda path: ["xdg-open", path])
    ticket = customer_sends_files(workday_server, [("photo.png", PNG)])
    app = make_app(workday_server, "anna", tmp_path, image_renderer="cells")
    async with app.run_test(size=(160, 50)) as pilot:
        await open_conversation(pilot, app, ticket["id"])
        await open_files(pilot, app)
        await pilot.press("o")
        await wait_until(pilot, lambda: any(n.title == "Not opened" for n in app._notifications),
                         what="the word that nothing opened it")
        said = [str(n.message) for n in app._notifications]
    assert not any("Opened in the system viewer" in text for text in said)
    assert any("the file is at" in text for text in said)


async def test_agent_sees_the_names_a_path_may_still_become_when_tab_cannot_choose(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket = customer_sends_files(workday_server, [("photo.png", PNG)])
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in ("photo_id_card.png", "photo_id_card (1).png", "notes.txt"):
        (folder / name).write_bytes(PNG)
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(160, 50)) as pilot:
        await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachPrompt), what="the path prompt")
        prompt = app.screen
        await type_text(pilot, f"{folder}/ph")
        await pilot.press("tab")  # as far as the two names agree
        assert prompt.query_one(Input).value == f"{folder}/photo_id_card"
        choices = prompt.query_one("#attach-choices", Static)
        await pilot.press("tab")  # nothing more to add: the two names are shown
        await wait_until(pilot, lambda: "photo_id_card.png" in str(choices.render()), what="the choices")
        shown = str(choices.render())
        assert "photo_id_card (1).png" in shown and "notes.txt" not in shown
        await type_text(pilot, ".")
        await wait_until(pilot, lambda: not str(choices.render()).strip(), what="the choices gone")


async def test_agent_attaches_a_file_from_a_completed_path_and_it_lands_once(
    workday_server: Any, tmp_path: Path
) -> None:
    ticket = customer_sends_files(workday_server, [("photo.png", PNG)])
    folder = tmp_path / "my files"
    folder.mkdir()
    (folder / "screenshot-settings.png").write_bytes(PNG)
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        await type_text(pilot, "Here is where the setting is.")
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, AttachPrompt), what="the path prompt")
        await type_text(pilot, f"{folder}/scr")
        await pilot.press("tab")  # completes the name
        field = app.screen.query_one(Input)
        assert field.value == f"{folder}/screenshot-settings.png"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and screen.composer.files, what="the file attached")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(m["attachments"] and m["kind"] == "reply"
                                            for m in server_messages(workday_server, ticket["id"])),
                         what="the reply with its file on the server")
        await wait_until(pilot, lambda: not screen.composer.files, what="the composer emptied")
    replies = [m for m in server_messages(workday_server, ticket["id"]) if m["kind"] == "reply"]
    assert len(replies) == 1 and replies[0]["body"] == "Here is where the setting is."
    [sent] = replies[0]["attachments"]
    assert (sent["name"], sent["content_type"]) == ("screenshot-settings.png", "image/png")
    assert sent["size"] == len(PNG)
    with workday_server.client("anna") as anna:
        assert anna.get(f"/api/v1/attachments/{sent['id']}").content == PNG
    # The outbox kept a private copy while sending and let it go once the reply landed.
    assert not any(p.is_file() for p in (tmp_path / "data").rglob("files/*"))
