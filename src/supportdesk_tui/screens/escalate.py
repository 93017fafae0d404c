"""Escalation to engineering (being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportdesk_tui.screens.conversation import ConversationScreen


def start_escalation(screen: ConversationScreen) -> None:
    screen.notify("Escalation is not available yet.", severity="warning")
