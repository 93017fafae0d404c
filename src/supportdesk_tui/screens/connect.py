"""First screen: connecting to the backend, and what to do when that fails."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

from supportdesk_tui.api import errors
from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.first_frame import CachedPage
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import Reconnect
from supportdesk_tui.widgets.cached_page import CachedPageView
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.log_hint import log_hint


def advice_for(error: ApiError) -> str:
    """What the person should do next, by kind of failure."""
    if isinstance(error, errors.AuthError):
        return _("Sign in again: `supportdesk login --server URL`, or set SUPPORTDESK_TOKEN.")
    if isinstance(error, errors.ForbiddenError):
        return _("This token cannot use the agent workspace. Ask your lead for an agent or lead token.")
    if isinstance(error, errors.RequestTimeout):
        return _("The server is slow to answer. Press r to try again.")
    if isinstance(error, errors.NetworkError):
        return _("Check the address (--server or SUPPORTDESK_SERVER) and that the server is running, "
                 "then press r to try again.")
    # Sign-in only asks for endpoints every SupportDesk server has: "not found" means another address.
    if isinstance(error, errors.MalformedResponse | errors.NotFoundError):
        return _("The address answers, but not like a SupportDesk server. Check the URL "
                 "(it should be the server's base URL, without /api/v1).")
    return _("Press r to try again, or q to quit.")


class ConnectScreen(Screen[None]):
    DEFAULT_CSS = """
    ConnectScreen { align: center middle; }
    ConnectScreen #connect-box {
        width: 80; height: auto; padding: 1 2; border: round $primary; background: $surface;
    }
    ConnectScreen #connect-title { text-style: bold; margin-bottom: 1; }
    ConnectScreen.-error #connect-box { border: round $error; }
    ConnectScreen #connect-advice { color: $text-muted; margin-top: 1; }
    ConnectScreen #connect-log { color: $text-muted; height: auto; }
    ConnectScreen LoadingIndicator { height: 1; }
    ConnectScreen.-cached { align: left top; }
    ConnectScreen.-cached #connect-box { width: 100%; padding: 0 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("r", "retry", N_("Retry"), id="connect.retry"),
        Binding("q", "app.quit", N_("Quit"), id="connect.quit"),
    ])

    def __init__(self, server_url: str, *, cached: CachedPage | None = None) -> None:
        """`cached`: the last session's first page, shown (marked as cached) until the queue is live."""
        super().__init__()
        self.server_url = server_url
        self.cached = cached
        self.failed = False
        self._error: ApiError | None = None

    def compose(self) -> ComposeResult:
        if self.cached is not None:
            self.add_class("-cached")
            yield CachedPageView(self.cached, id="connect-cached")
        with Vertical(id="connect-box"):
            yield Static(id="connect-title")
            yield Static(id="connect-detail")
            yield LoadingIndicator()
            yield Static(id="connect-advice")
            yield Static(id="connect-log")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_progress()

    def show_progress(self) -> None:
        self.failed = False
        self._error = None
        self.remove_class("-error")
        self.query_one("#connect-title", Static).update(Text(_("Connecting…")))
        self.query_one("#connect-detail", Static).update(safe_text(self.server_url))
        self.query_one("#connect-advice", Static).update("")
        self._show_log_hint(None)
        self.query_one(LoadingIndicator).display = True
        self.refresh_bindings()

    def relabel(self) -> None:
        if self._error is None:
            self.query_one("#connect-title", Static).update(Text(_("Connecting…")))
        else:
            self.query_one("#connect-title", Static).update(safe_text(self._error.title))
            self.query_one("#connect-advice", Static).update(safe_text(advice_for(self._error)))
            self._show_log_hint(log_hint())

    def show_error(self, error: ApiError) -> None:
        self.failed = True
        self._error = error
        self.add_class("-error")
        self.query_one(LoadingIndicator).display = False
        self.query_one("#connect-title", Static).update(safe_text(error.title))
        self.query_one("#connect-detail", Static).update(safe_text(error.message))
        self.query_one("#connect-advice", Static).update(safe_text(advice_for(error)))
        self._show_log_hint(log_hint())
        self.refresh_bindings()

    def _show_log_hint(self, hint: Text | None) -> None:
        line = self.query_one("#connect-log", Static)
        line.update(hint or "")
        line.display = hint is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.failed
        return True

    def action_retry(self) -> None:
        self.post_message(Reconnect())
