"""The tickets an agent marked in the queue, each with the version it was marked at.

The queue shows a window of the list, so a selection is ids and versions, not tickets: "select
all that match" fills it from one `GET /ticket-ids` answer without loading a ticket. The
version is what each bulk request sends as `If-Match`: a ticket someone else changed after it
was marked is reported, not overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from supportdesk_tui.contract.models import TicketStamp


class Selection:
    """Marked tickets in the order they were marked."""

    def __init__(self, stamps: Iterable[TicketStamp] = ()) -> None:
        self._versions: dict[int, int] = {}
        for stamp in stamps:
            self.add(stamp)

    def __len__(self) -> int:
        return len(self._versions)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._versions

    def __iter__(self) -> Iterator[TicketStamp]:
        return iter(self.stamps())

    def add(self, stamp: TicketStamp) -> None:
        """Mark (a ticket already marked keeps the version it was first marked at)."""
        self._versions.setdefault(stamp.id, stamp.version)

    def toggle(self, stamp: TicketStamp) -> bool:
        """Mark or unmark; True when it is marked now."""
        if stamp.id in self._versions:
            del self._versions[stamp.id]
            return False
        self._versions[stamp.id] = stamp.version
        return True

    def add_all(self, stamps: Iterable[TicketStamp]) -> int:
        """Mark every one; returns how many were not marked before."""
        before = len(self._versions)
        for stamp in stamps:
            self.add(stamp)
        return len(self._versions) - before

    def clear(self) -> None:
        self._versions.clear()

    def version_of(self, ticket_id: int) -> int:
        return self._versions[ticket_id]

    def ids(self) -> frozenset[int]:
        return frozenset(self._versions)

    def stamps(self) -> list[TicketStamp]:
        return [TicketStamp(id=ticket_id, version=version) for ticket_id, version in self._versions.items()]
