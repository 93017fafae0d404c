"""How much a message may hold: read from the API contract, never written down a second time.

The server validates `MessageCreate.body` against the model's `max_length`; the composer warns
and refuses against the very same number, so the two can't drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotated_types import MaxLen
from pydantic import BaseModel

from supportdesk_tui.contract.models import MessageCreate

__all__ = ["MESSAGE_BODY_MAX", "NEAR_LIMIT_SHARE", "Room", "max_length_of", "room_for"]


def max_length_of(model: type[BaseModel], field: str) -> int:
    """The `max_length` a pydantic model declares for `field` (LookupError if it has none)."""
    for constraint in model.model_fields[field].metadata:
        if isinstance(constraint, MaxLen):
            return int(constraint.max_length)
    raise LookupError(f"{model.__name__}.{field} declares no max_length")


MESSAGE_BODY_MAX = max_length_of(MessageCreate, "body")
# The counter appears for the last tenth of the room: early enough to trim, quiet before that.
NEAR_LIMIT_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Room:
    """Characters used against the limit (pydantic counts code points, as `len` does)."""

    used: int
    limit: int

    @property
    def left(self) -> int:
        return self.limit - self.used

    @property
    def over(self) -> bool:
        return self.used > self.limit

    @property
    def near(self) -> bool:
        """Close enough to the limit (or past it) that the agent should see the count."""
        return self.left <= self.limit * NEAR_LIMIT_SHARE


def room_for(text: str, limit: int = MESSAGE_BODY_MAX) -> Room:
    return Room(len(text), limit)
