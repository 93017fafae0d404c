"""Typing into a Pilot-driven app as an agent does: one key event per character (every test dir)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot


async def type_text(pilot: Pilot[Any], text: str) -> None:
    # Textual names the keys of punctuation itself (" " is space, ":" colon). One `press` call
    # sends the keys in order, each handled before the next, and waits for the screen once.
    await pilot.press(*text)
