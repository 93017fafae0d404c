"""Saved views: named filters the agent keeps in the config file, each counted by the server.

A view's filter is text in the filter bar's syntax (docs/query.md); the counts request carries it
as the same filters `GET /tickets` takes, so a view's count is the length of the list it opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from supportdesk_tui.contract.models import TicketFilter
from supportdesk_tui.domain.query import TicketQuery, parse_query

__all__ = ["MAX_VIEWS", "SavedView", "moved", "view_filter", "with_view", "without_view"]

MAX_VIEWS = 30  # what one counts request takes (contract.MAX_VIEWS_COUNTED)


@dataclass(frozen=True)
class SavedView:
    name: str
    query: str  # the filter bar's text

    def parsed(self) -> TicketQuery:
        """Raises `QueryError` for a filter the bar can't read (a hand-edited file)."""
        return parse_query(self.query)


def view_filter(query: TicketQuery) -> TicketFilter:
    """The filters the server counts: exactly the `GET /tickets` parameters the list would send."""
    params = query.to_params()
    return TicketFilter(
        queue=params.get("queue"),
        status=list(query.statuses),
        priority=list(query.priorities),
        language=query.language,
        assignee=params.get("assignee"),
        tag=params.get("tag"),
        q=params.get("q"),
    )


def with_view(views: Sequence[SavedView], view: SavedView) -> list[SavedView]:
    """`view` added at the end, or put in place of the view of the same name."""
    names = [v.name for v in views]
    if view.name in names:
        return [view if v.name == view.name else v for v in views]
    return [*views, view]


def without_view(views: Sequence[SavedView], name: str) -> list[SavedView]:
    return [v for v in views if v.name != name]


def moved(views: Sequence[SavedView], index: int, delta: int) -> list[SavedView]:
    """The view at `index` moved `delta` places (clamped at the ends)."""
    result = list(views)
    if not 0 <= index < len(result):
        return result
    target = max(0, min(len(result) - 1, index + delta))
    result.insert(target, result.pop(index))
    return result
