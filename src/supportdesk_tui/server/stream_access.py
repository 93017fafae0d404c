"""What one open event stream may carry, kept in step with its token's current permissions."""

from __future__ import annotations

from collections.abc import Callable

from supportdesk_tui.contract.models import Role
from supportdesk_tui.server.records import StoredEvent
from supportdesk_tui.server.service import Service


class StreamAccess:
    """The stream's queue set and frame filter, derived from its token again whenever the store's
    auth epoch has moved past the one they were derived at (revocation, new role or queues)."""

    def __init__(self, service: Service, token_hash: str) -> None:
        self._service = service
        self._token_hash = token_hash
        self._epoch = -1  # derive on first use: the caller may have changed since it authenticated
        self.queues: frozenset[str] | None = frozenset()
        self.frame: Callable[[StoredEvent], bytes | None] = lambda _: None

    def refresh(self, epoch: int) -> bool:
        """Bring the permissions up to `epoch` (read before calling); False when the token may no
        longer listen at all (revoked, its agent gone, or now an intake role)."""
        if epoch <= self._epoch:
            return True
        # The lookup runs after `epoch` was read, so it sees at least that state of the tokens.
        caller = self._service.store.agent_by_token(self._token_hash)
        if caller is None or caller.role == Role.INTAKE:
            return False
        self._epoch = epoch
        visible = self._service.visible_queues(caller)
        self.queues = None if visible is None else frozenset(visible)
        self.frame = self._service.frame_filter(caller)
        return True
