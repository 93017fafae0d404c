"""When the cyclic garbage collector may pause the UI thread.

CPython's automatic full (generation 2) collection rescans every tracked object that has
survived a while — Textual's widgets, styles and line caches, the loaded tickets — and here
that took 50-100 ms, landing in the middle of ticket opens and key presses. The policy:
freeze what exists after sign-in (it lives until quit; the conversation screen is prepared
before, so it is frozen too), stop automatic full collections, and run them ourselves while
the agent is not touching the keyboard, right after the frame that shows every few tickets
opened, or after a ceiling, so memory stays bounded for somebody who never pauses. Young
generations still collect automatically: they are cheap and catch most short-lived cycles.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

# High enough that the automatic full collection never triggers in practice.
NO_AUTOMATIC_FULL_COLLECTION = 1_000_000


@dataclass
class IdleCollector:
    idle_seconds: float = 2.0
    """Quiet time after the last key or click before a full collection may run."""
    ceiling_seconds: float = 60.0
    """Collect at the next check after this long even without a quiet moment."""
    tickets_per_collection: int = 2
    """Collect once this many tickets were opened since the last collection, quiet or not: each
    one leaves ≈ 1–2 MB of cyclic garbage (removed cards and their lines), and left waiting for a
    pause it spreads over arenas that are never given back. It runs right after the frame that
    shows a ticket (`collect_after_ticket_shown`): the agent is reading then, not pressing keys,
    while a collection at the periodic check landed in whatever key came next (30-120 ms). Every
    second ticket: 200 back-to-back opens ended ≈ 4 MiB lower than with every fifth, and every
    ticket saved nothing more."""
    missed_shown_factor: int = 2
    """Tickets whose frame was never reported (a slow server: drawn loading) count too: the
    periodic check collects once `tickets_per_collection` times this many were opened."""
    tickets_opened: int = field(default=0, init=False)
    last_input: float = 0.0
    last_collection: float = 0.0
    collections: int = field(default=0, init=False)
    _previous_thresholds: tuple[int, int, int] | None = field(default=None, init=False)

    def take_over(self, now: float) -> None:
        """Freeze the long-lived objects and switch automatic full collections off."""
        gc.collect(1)
        gc.freeze()
        if self._previous_thresholds is None:
            self._previous_thresholds = gc.get_threshold()
            young, middle, _full = self._previous_thresholds
            gc.set_threshold(young, middle, NO_AUTOMATIC_FULL_COLLECTION)
        self.last_collection = now

    def release(self) -> None:
        """Give the collector back its own schedule (the app is closing)."""
        if self._previous_thresholds is not None:
            gc.set_threshold(*self._previous_thresholds)
            self._previous_thresholds = None

    @property
    def active(self) -> bool:
        return self._previous_thresholds is not None

    def note_input(self, now: float) -> None:
        self.last_input = now

    def note_ticket_opened(self) -> None:
        self.tickets_opened += 1

    def due(self, now: float) -> bool:
        if not self.active:
            return False
        quiet = now - self.last_input >= self.idle_seconds
        pending = now - self.last_collection
        return ((quiet and pending >= self.idle_seconds) or pending >= self.ceiling_seconds
                or self.tickets_opened >= self.tickets_per_collection * self.missed_shown_factor)

    def due_after_ticket_shown(self) -> bool:
        return self.active and self.tickets_opened >= self.tickets_per_collection

    def collect_if_due(self, now: float) -> bool:
        if not self.due(now):
            return False
        self._collect(now)
        return True

    def collect_after_ticket_shown(self, now: float) -> bool:
        """A ticket's first frame is on the terminal: collect now if enough tickets were opened."""
        if not self.due_after_ticket_shown():
            return False
        self._collect(now)
        return True

    def _collect(self, now: float) -> None:
        gc.collect(2)
        self.last_collection = now
        self.tickets_opened = 0
        self.collections += 1


def collect_young_if_half_due() -> bool:
    """Run the young generations' collection now, once it is half due: for a caller that has just
    drawn a frame and is idle until the next key (the thread, after painting lines ahead that live
    on, which makes the collection that next scans them take several milliseconds: better between
    keys than inside one). The next allocations would run it soon anyway. Whether it ran."""
    middle_threshold = gc.get_threshold()[1]
    if gc.get_count()[1] < middle_threshold // 2:
        return False
    gc.collect(1)
    return True
