"""Signing in from the app itself: the server's address and the agent's token.

Shown when no token is stored (the terminal) and for every browser session of `supportdesk web`,
where each person signs in with their own token. The token field is masked; the screen never
holds the token longer than it takes to post it to the app.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, LoadingIndicator, Static

from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.navigation import SignIn
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.relabel import Caption

SERVER_PLACEHOLDER = N_("https://support.example.com (several instances: URL1,URL2)")
TOKEN_PLACEHOLDER = N_("your token (ask your lead)")


class SignInScreen(Screen[None]):
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen #sign-in-box {
        width: 80; max-width: 100%; height: auto; padding: 1 2; border: round $primary; background: $surface;
    }
    SignInScreen.-error #sign-in-box { border: round $error; }
    SignInScreen #sign-in-title { text-style: bold; margin-bottom: 1; }
    SignInScreen .sign-in-label { margin-top: 1; }
    SignInScreen #sign-in-hint { color: $text-muted; margin-top: 1; }
    SignInScreen #sign-in-problem { color: $error; margin-top: 1; }
    SignInScreen #sign-in-problem.-empty { display: none; }
    SignInScreen LoadingIndicator { height: 1; display: none; }
    SignInScreen.-busy LoadingIndicator { display: block; }
    """
    # No keys of its own: both fields take text, Enter moves on and signs in (the hint says so),
    # and the app's ctrl+q quits.

    def __init__(self, server: str = "") -> None:
        """`server`: the address to offer (from --server, the config or the last sign-in)."""
        super().__init__()
        self._server = server
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in-box"):
            yield Caption(N_("Sign in to SupportDesk"), id="sign-in-title")
            yield Caption(N_("Server address"), classes="sign-in-label")
            yield Input(self._server, id="sign-in-server", placeholder=_(SERVER_PLACEHOLDER))
            yield Caption(N_("Token"), classes="sign-in-label")
            yield Input(id="sign-in-token", password=True, placeholder=_(TOKEN_PLACEHOLDER))
            yield Caption(N_("Enter signs in. The token is not shown as you type, and is sent only to "
                             "this server."), id="sign-in-hint")
            yield LoadingIndicator()
            yield Static(id="sign-in-problem", classes="-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        # With the address known, the token is all that is left to type.
        self.query_one("#sign-in-token" if self._server else "#sign-in-server", Input).focus()

    def relabel(self) -> None:
        self.query_one("#sign-in-server", Input).placeholder = _(SERVER_PLACEHOLDER)
        self.query_one("#sign-in-token", Input).placeholder = _(TOKEN_PLACEHOLDER)

    @on(Input.Submitted, "#sign-in-server")
    def _server_entered(self) -> None:
        self.query_one("#sign-in-token", Input).focus()

    @on(Input.Submitted, "#sign-in-token")
    def _submit(self) -> None:
        if self.busy:
            return
        server = self.query_one("#sign-in-server", Input).value.strip()
        token_field = self.query_one("#sign-in-token", Input)
        token = token_field.value.strip()
        if not server:
            self._problem(_("Type the server's address first."))
            self.query_one("#sign-in-server", Input).focus()
            return
        if not token:
            self._problem(_("Type your token."))
            token_field.focus()
            return
        self.show_progress()
        self.post_message(SignIn(server=server, token=token))

    def show_progress(self) -> None:
        self.busy = True
        self.add_class("-busy")
        self.remove_class("-error")
        self.query_one("#sign-in-problem", Static).add_class("-empty")

    def show_error(self, error: ApiError) -> None:
        """The attempt failed: say why, keep the address, and let the token be typed again."""
        self.busy = False
        self.remove_class("-busy")
        self._problem(f"{error.title}: {error.message}")
        token_field = self.query_one("#sign-in-token", Input)
        token_field.clear()
        token_field.focus()

    def show_problem(self, sentence: str) -> None:
        """A problem found before asking the server (e.g. an address that is not a URL)."""
        self.busy = False
        self.remove_class("-busy")
        self._problem(sentence)
        self.query_one("#sign-in-server", Input).focus()

    def _problem(self, sentence: str) -> None:
        self.add_class("-error")
        problem = self.query_one("#sign-in-problem", Static)
        # The server's message is untrusted text: shown literally, control characters neutralised.
        problem.update(safe_text(sentence) if sentence else Text(""))
        problem.remove_class("-empty")
