"""The base of every working screen: the app seen as a `DeskContext`, toasts kept literal.

Screens reach the session, the settings and the live-message hub through `self.desk`, and ask
for other screens with the messages of `supportdesk_tui.navigation`; they never import the app
or one another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from supportdesk_tui.desk import DeskContext, desk_of
from supportdesk_tui.widgets.safe_notify import SafeNotify

if TYPE_CHECKING:
    from supportdesk_tui.widgets.composer import Composer


class DeskScreen(SafeNotify, Screen[None]):
    @property
    def desk(self) -> DeskContext:
        return desk_of(self.app)

    def composer_for(self, ticket_id: int) -> Composer | None:
        """The composer this screen holds for `ticket_id`, if any (the outbox hands text back to it)."""
        return None
