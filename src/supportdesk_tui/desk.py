"""What screens and palette commands may ask of the app: the signed-in session, the settings, and
the hub that hands live messages to the views subscribed to them.

The app imports every screen, so no screen imports the app: each sees it through `DeskContext`.
`SupportDeskApp` is the one implementation; mypy checks it against this protocol at the end of
app.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from supportdesk_tui.api.client import SupportDeskClient
    from supportdesk_tui.contract.models import Me, Queue
    from supportdesk_tui.session import Session
    from supportdesk_tui.settings import AppSettings


class DeskContext(Protocol):
    @property
    def settings(self) -> AppSettings: ...

    @property
    def signed_in(self) -> bool:
        """False while the connect screen is up: `session`, `api`, `me` and `queues` raise then."""

    @property
    def session(self) -> Session: ...

    @property
    def api(self) -> SupportDeskClient: ...

    @property
    def me(self) -> Me: ...

    @property
    def queues(self) -> list[Queue]: ...

    def subscribe(self, widget: Widget) -> None:
        """`widget` receives the live messages of `supportdesk_tui.messages` until it unsubscribes."""

    def unsubscribe(self, widget: Widget) -> None: ...

    def outbox_changed(self) -> None:
        """Tell every view the outbox's counts (after a send, a resend, an edit or a discard)."""

    def flush_outbox(self) -> object:
        """Retry the queued replies now (a worker; its result is not waited for)."""


def desk_of(app: App[Any]) -> DeskContext:
    """The running app as a `DeskContext` (see the module docstring for why this cast holds)."""
    return cast("DeskContext", app)
