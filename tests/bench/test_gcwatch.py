"""The bench counts a collector pause against a key only for the part inside the key's window."""

from __future__ import annotations

import gc

from bench.gcwatch import GcWatch


def test_only_the_pauses_inside_a_keys_window_count() -> None:
    watch = GcWatch()
    try:
        watch._pauses[:] = [(1.0, 1.5), (2.9, 3.1), (3.5, 4.0)]
        # A key pressed at 2.0 whose frame came at 3.0: half of the second pause, none of the third
        # (the collection run right after the frame).
        assert abs(watch.paused_between(2.0, 3.0) - 0.1) < 1e-9
        assert watch.paused_between(4.0, 5.0) == 0.0
        assert abs(watch.paused_between(0.0, 5.0) - 1.2) < 1e-9
    finally:
        gc.callbacks.remove(watch._callback)


def test_a_real_collection_is_recorded_with_its_moment() -> None:
    import time

    watch = GcWatch()
    try:
        before = time.perf_counter()
        gc.collect(0)
        after = time.perf_counter()
        assert watch.paused_between(before, after) > 0.0
        assert watch.paused_between(after, after + 1.0) == 0.0
    finally:
        gc.callbacks.remove(watch._callback)
