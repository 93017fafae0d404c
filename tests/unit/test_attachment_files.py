"""File names, saved files and image previews: the untrusted parts of an attachment, offline."""

from __future__ import annotations

import io
import stat
import struct
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from supportdesk_tui.contract.file_names import FALLBACK_NAME, safe_file_name
from supportdesk_tui.domain.downloads import private_copy, save_new_file, viewable
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.image_decode import PREVIEW_BOX, decode_preview
from supportdesk_tui.domain.outbox import Outbox, OutboxFile, OutboxItem

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "clean"), [
    ("photo.png", "photo.png"),
    ("C:\\Users\\olga\\Desktop\\скан паспорта.jpg", "скан паспорта.jpg"),
    ("../../etc/passwd", "passwd"),
    ("..", FALLBACK_NAME),
    ("", FALLBACK_NAME),
    (".bashrc", "bashrc"),
    ("evil\x1b[31mred\x07.txt", "evil [31mred .txt"),
    ("invoice\u202egpj.exe", "invoice gpj.exe"),
    ('what?<is>:this|"*.txt', "what__is__this___.txt"),
    ("zero\u200bwidth.png", "zero width.png"),
])
def test_a_file_name_keeps_only_what_is_safe_to_show_and_save(raw: str, clean: str) -> None:
    assert safe_file_name(raw) == clean


def test_a_long_name_is_cut_with_its_extension_kept() -> None:
    name = safe_file_name("x" * 500 + ".jpeg")
    assert len(name) == 120 and name.endswith("x.jpeg")


def test_saving_twice_gives_two_files_readable_by_the_agent_alone(tmp_path: Path) -> None:
    first = save_new_file(tmp_path, "scan.pdf", b"one")
    second = save_new_file(tmp_path, "scan.pdf", b"two")
    third = save_new_file(tmp_path, "../scan.pdf", b"three")
    assert [first.name, second.name, third.name] == ["scan.pdf", "scan (1).pdf", "scan (2).pdf"]
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert {p.parent for p in (first, second, third)} == {tmp_path}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (first, second, third))


def test_a_link_planted_under_the_name_is_never_written_through(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"keep")
    (tmp_path / "photo.png").symlink_to(target)
    saved = save_new_file(tmp_path, "photo.png", b"new")
    assert saved.name == "photo (1).png" and target.read_bytes() == b"keep"


def test_only_types_a_viewer_shows_are_opened_and_from_a_copy_named_by_the_type() -> None:
    assert viewable("image/png") and viewable("application/pdf")
    assert not viewable("application/x-sh") and not viewable("application/octet-stream")
    copy = private_copy(7, "image/png", b"\x89PNG")
    assert copy.name == "attachment-7.png" and stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _bomb_header(side: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))


def test_a_large_image_is_scaled_down_for_the_preview() -> None:
    decoded = decode_preview(_png(3000, 1500))
    assert decoded.image is not None and decoded.problem == ""
    assert decoded.image.size == (PREVIEW_BOX[0], PREVIEW_BOX[0] // 2)
    assert (decoded.width, decoded.height) == (3000, 1500)


@pytest.mark.parametrize(("data", "problem"), [
    (_bomb_header(50_000), "too_large"),
    (_png(64, 64)[:80], "broken"),
    (b"%PDF-1.7 not an image", "not_image"),
    (b"", "not_image"),
])
def test_a_hostile_or_broken_image_gives_a_reason_never_an_exception(data: bytes, problem: str) -> None:
    decoded = decode_preview(data)
    assert decoded.image is None and decoded.problem == problem


def test_an_outbox_item_keeps_its_files_across_restarts_and_lets_them_go_when_removed(tmp_path: Path) -> None:
    copy = tmp_path / "copy-0"
    copy.write_bytes(b"png")
    outbox = Outbox(tmp_path / "outbox.json")
    item = OutboxItem.new(7, DraftKind.REPLY, "with a file", now=NOW)
    item = outbox.add(replace(item, files=(OutboxFile.new(copy, "scan.png"),)))
    outbox.set_uploaded(item.id, 0, 41)
    again = Outbox(tmp_path / "outbox.json")
    [file] = again.get(item.id).files  # type: ignore[union-attr]
    assert (file.name, file.upload_id, file.path) == ("scan.png", 41, str(copy))
    again.remove(item.id)
    assert not copy.exists()


def test_a_fresh_key_after_a_replayed_refusal_uploads_the_files_again(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.json")
    item = OutboxItem.new(7, DraftKind.REPLY, "x", now=NOW)
    item = outbox.add(replace(item, files=(OutboxFile.new(tmp_path / "c", "a.txt"),)))
    outbox.set_uploaded(item.id, 0, 5)
    outbox.mark_rejected(item.id, "no unclaimed upload", status=422)
    fresh = outbox.resend(item.id, NOW)
    assert fresh.id != item.id
    assert fresh.files[0].upload_id is None and fresh.files[0].upload_key != item.files[0].upload_key
