"""The demo's photo: a small PNG built byte by byte (zlib + struct), the same on every run.

The seed's customer writes "I've sent the photo you asked for"; this is that photo, a pale card
with a face-shaped blob and two text lines, 96×64, enough to see the preview work.
"""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 96, 64
PHOTO_NAME = "photo_id_card.png"

_BACKGROUND = (38, 70, 83)
_CARD = (233, 228, 215)
_FACE = (196, 140, 104)
_TEXT = (80, 80, 90)
_STRIPE = (42, 157, 143)


def _pixel(x: int, y: int) -> tuple[int, int, int]:
    if not (6 <= x < WIDTH - 6 and 8 <= y < HEIGHT - 8):
        return _BACKGROUND
    if 8 <= y < 14:
        return _STRIPE
    if (x - 26) ** 2 / 121 + (y - 34) ** 2 / 196 <= 1:
        return _FACE
    if 46 <= x < 84 and (24 <= y < 27 or 32 <= y < 35 or 40 <= y < 43) and (x // 3) % 4 != 3:
        return _TEXT
    return _CARD


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def demo_photo_png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(WIDTH)) for y in range(HEIGHT)
    )
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(
        b"IEND", b""
    )
