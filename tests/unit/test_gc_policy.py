"""Full garbage collections wait for a quiet moment (or a ceiling), never land mid-keystroke."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from supportdesk_tui.domain.gc_policy import (
    NO_AUTOMATIC_FULL_COLLECTION,
    IdleCollector,
    collect_young_if_half_due,
)


@pytest.fixture
def collector() -> Iterator[IdleCollector]:
    before = gc.get_threshold()
    gc.unfreeze()  # what the test session froze after collection (conftest): the collector freezes on its own
    collector = IdleCollector(idle_seconds=2.0, ceiling_seconds=60.0)
    collector.take_over(now=100.0)
    yield collector
    collector.release()
    # Left frozen, like everything the session froze after collection: it lives until the worker exits.
    assert gc.get_threshold() == before


def test_taking_over_switches_automatic_full_collections_off(collector: IdleCollector) -> None:
    assert gc.get_threshold()[2] == NO_AUTOMATIC_FULL_COLLECTION
    assert gc.get_freeze_count() > 0


def test_no_collection_while_the_agent_keeps_typing(collector: IdleCollector) -> None:
    for second in range(101, 150):
        collector.note_input(float(second))
        assert not collector.collect_if_due(second + 0.5)
    assert collector.collections == 0


def test_collection_runs_once_the_agent_pauses(collector: IdleCollector) -> None:
    collector.note_input(101.0)
    assert not collector.collect_if_due(102.0)
    assert collector.collect_if_due(103.5)
    assert not collector.collect_if_due(104.0)  # just collected: nothing to do yet
    assert collector.collections == 1


def test_collection_runs_after_the_ceiling_even_without_a_pause(collector: IdleCollector) -> None:
    second = 100.0
    while second < 161.0:
        collector.note_input(second)
        collector.collect_if_due(second)
        second += 0.5
    assert collector.collections == 1


def test_an_agent_opening_ticket_after_ticket_without_a_pause_gets_a_collection_every_few_tickets(
        collector: IdleCollector) -> None:
    # Each ticket leaves its removed cards behind as cyclic garbage: waiting for a pause that never
    # comes let 200 back-to-back opens grow the app from 100 to 440 MiB.
    second = 101.0
    collected_at: list[int] = []
    for ticket in range(1, 4 * collector.tickets_per_collection + 1):
        collector.note_input(second)
        collector.note_ticket_opened()
        assert not collector.collect_if_due(second + 0.1), "the periodic check leaves them to the frame"
        if collector.collect_after_ticket_shown(second + 0.15):
            collected_at.append(ticket)
        second += 0.2
    n = collector.tickets_per_collection
    assert collected_at == [n, 2 * n, 3 * n, 4 * n]
    assert collector.collections == 4
    assert collector.tickets_opened == 0


def test_no_collection_after_a_ticket_shown_before_enough_were_opened(collector: IdleCollector) -> None:
    for _ticket in range(collector.tickets_per_collection - 1):
        collector.note_ticket_opened()
        assert not collector.collect_after_ticket_shown(101.0)
    assert collector.collections == 0


def test_tickets_whose_frame_never_came_are_collected_at_the_periodic_check(collector: IdleCollector) -> None:
    # A slow server: each ticket is drawn loading, so no frame with its messages reports it.
    second = 101.0
    opened = 0
    while not collector.collect_if_due(second):
        collector.note_input(second)
        collector.note_ticket_opened()
        opened += 1
        second += 0.2
        assert opened <= 100, "never collected"
    assert opened == collector.tickets_per_collection * collector.missed_shown_factor
    assert collector.tickets_opened == 0


def test_a_released_collector_does_not_collect_after_a_ticket_shown() -> None:
    collector = IdleCollector()
    for _ticket in range(10 * collector.tickets_per_collection):
        collector.note_ticket_opened()
    assert not collector.collect_after_ticket_shown(10_000.0)


def test_released_collector_never_collects() -> None:
    collector = IdleCollector()
    assert not collector.active
    assert not collector.collect_if_due(10_000.0)


def test_the_young_collection_runs_between_keys_only_once_it_is_half_due() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(1_000_000, 10, NO_AUTOMATIC_FULL_COLLECTION)  # nothing collects on its own
        gc.collect(1)
        assert gc.get_count()[1] == 0
        assert not collect_young_if_half_due()
        for _collection in range(5):
            gc.collect(0)  # each young collection counts one towards the middle generation's
        assert gc.get_count()[1] == 5
        assert collect_young_if_half_due()
        assert gc.get_count()[1] == 0
    finally:
        gc.set_threshold(*before)
