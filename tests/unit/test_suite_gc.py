"""The session freezes what collection left (tests/conftest.py): garbage a test makes is still collected."""

from __future__ import annotations

import gc
import weakref


class Node:
    def __init__(self) -> None:
        self.itself = self  # a cycle: only the collector frees it


def test_a_cycle_a_test_makes_after_the_freeze_is_still_collected() -> None:
    assert gc.get_freeze_count() > 0, "the session froze what collection left"
    node = Node()
    gone = weakref.ref(node)
    del node
    gc.collect()
    assert gone() is None
