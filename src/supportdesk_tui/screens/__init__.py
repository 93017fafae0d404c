"""One screen per module."""

from __future__ import annotations

from textual.dom import DOMNode


def screen_classes() -> list[type[DOMNode]]:
    """Every screen and widget class whose bindings a `[keymap]` may remap (imported on demand)."""
    # lazy: only a `[keymap]` (or the key reference) needs every screen; start-up imports few of them
    from supportdesk_tui.screens.attach_prompt import AttachPrompt
    from supportdesk_tui.screens.attachments import AttachmentsScreen
    from supportdesk_tui.screens.canned import CannedPicker
    from supportdesk_tui.screens.connect import ConnectScreen
    from supportdesk_tui.screens.conversation import ConversationScreen
    from supportdesk_tui.screens.dashboard import DashboardScreen
    from supportdesk_tui.screens.escalations import EscalationsScreen
    from supportdesk_tui.screens.help import HelpScreen
    from supportdesk_tui.screens.incident import IncidentScreen
    from supportdesk_tui.screens.outbox import OutboxScreen
    from supportdesk_tui.screens.queue import QueueScreen
    from supportdesk_tui.screens.sign_in import SignInScreen
    from supportdesk_tui.screens.wallboard import WallboardScreen
    from supportdesk_tui.widgets.composer import Composer
    from supportdesk_tui.widgets.playbook_panel import StepRow
    from supportdesk_tui.widgets.thread import Thread
    from supportdesk_tui.widgets.ticket_table import TicketTable

    return [ConnectScreen, QueueScreen, ConversationScreen, HelpScreen, EscalationsScreen, DashboardScreen,
            OutboxScreen, WallboardScreen, SignInScreen, CannedPicker, IncidentScreen, Composer, Thread,
            TicketTable, StepRow, AttachmentsScreen, AttachPrompt]
