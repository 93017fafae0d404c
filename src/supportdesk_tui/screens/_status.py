"""The connection/outbox line every working screen shows, kept in step with the session."""

from __future__ import annotations

from textual import events

from supportdesk_tui import messages
from supportdesk_tui.screens.base import DeskScreen
from supportdesk_tui.widgets.status_line import StatusLine


def show_connection(line: StatusLine, state: str, instance: str = "") -> None:
    if state == "connecting" and line.connection == "offline":
        return  # a reconnect attempt while offline: keep saying offline until it succeeds
    if state in ("live", "off"):
        line.set_online(instance if state == "live" else "")
    elif state == "reconnecting":
        line.set_reconnecting(instance)
    elif state == "connecting":
        line.set_connecting()
    else:
        line.set_offline()


class StatusLineScreen(DeskScreen):
    """A screen with a `StatusLine`; handles the session's connection and outbox messages."""

    _styled_at: int | None = None
    """The app's CSS generation (`App._css_update_count`) this screen was last shown with."""

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual re-applies every CSS rule to the whole screen on each resume (≈ 40 ms for a
        # conversation, paid again on the way back to the queue). A screen just composed was
        # styled while mounting, and CSS or theme changes already reach stacked screens
        # (`App.refresh_css`), so nothing is lost by skipping it.
        # A screen kept aside (installed, off the stack: the queue behind the dashboard, the reused
        # conversation) is the exception: a theme change while it was aside is applied now.
        current = self.app._css_update_count
        styled_at = self._styled_at  # None: composed just now, with the CSS of the moment
        event.refresh_styles = styled_at is not None and current not in (styled_at, self._css_update_count)
        self._styled_at = current
        super()._on_screen_resume(event)
        # Textual calls `_on_screen_resume` of every class in the MRO; this one already ran Screen's.
        event.prevent_default()

    def init_status_line(self) -> None:
        session = self.desk.session
        line = self.query_one(StatusLine)
        show_connection(line, session.stream_state, session.stream_instance)
        line.set_outbox(session.sender.waiting, session.sender.failed)

    def on_connection_changed(self, event: messages.ConnectionChanged) -> None:
        show_connection(self.query_one(StatusLine), event.state, event.instance)

    def on_outbox_changed(self, event: messages.OutboxChanged) -> None:
        self.query_one(StatusLine).set_outbox(event.waiting, event.failed)
