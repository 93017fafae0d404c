"""The session's garbage collection (tests/conftest.py): what collection left is frozen, and the end of
a session collects once, not five times. Garbage a test makes is still found, and so are the errors of
its finalizers."""

from __future__ import annotations

import gc
import sys
import weakref
from typing import Any


class Node:
    def __init__(self) -> None:
        self.itself = self  # a cycle: only the collector frees it


class FailingFinalizer(Node):
    def __del__(self) -> None:
        raise RuntimeError("finalized with an error")


def test_a_cycle_a_test_makes_after_the_freeze_is_still_collected() -> None:
    assert gc.get_freeze_count() > 0, "the session froze what collection left"
    node = Node()
    gone = weakref.ref(node)
    del node
    gc.collect()
    assert gone() is None


def test_one_collection_surfaces_the_error_of_a_finalizer_in_a_garbage_cycle() -> None:
    reported: list[Any] = []
    pytests_hook = sys.unraisablehook
    sys.unraisablehook = reported.append
    try:
        FailingFinalizer()
        gc.collect()
    finally:
        sys.unraisablehook = pytests_hook
    assert [type(report.exc_value) for report in reported] == [RuntimeError]
