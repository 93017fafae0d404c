"""The sign-in screen an agent sees with no stored token (and in every browser session)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from keyboard import type_text
from snapshots.snapshot_support import UNREACHABLE_URL, WIDE, snapshot_app
from supportdesk_tui.screens.sign_in import SignInScreen
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


def test_agent_without_a_token_sees_the_sign_in_screen_with_the_token_masked(
    tmp_path: Path, snap_compare: SnapCompare
) -> None:
    app = snapshot_app(UNREACHABLE_URL, None, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen), what="the sign-in screen")
        await type_text(pilot, "sdt_secret")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
