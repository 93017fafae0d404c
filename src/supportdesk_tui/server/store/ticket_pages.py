"""One page of a ticket list: filters, sort order and keyset cursors, merged across queues.

Each queue is read by one ordered index walk and the walks are merged here: SQLite can't
merge an IN list in index order itself and would sort every matching row instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from supportdesk_tui.contract.models import TicketSort
from supportdesk_tui.server.records import TicketQuery
from supportdesk_tui.server.storage.engine import Engine
from supportdesk_tui.server.store.connections import read_tuples
from supportdesk_tui.server.store.rows import TICKET_SELECT

# (column, descending) pairs; the last column is always the id so keys are unique.
SORT_COLUMNS: dict[TicketSort, tuple[tuple[str, bool], ...]] = {
    TicketSort.SLA_DUE: (("sla_due", False), ("id", False)),
    TicketSort.CREATED: (("created_at", False), ("id", False)),
    TicketSort.CREATED_DESC: (("created_at", True), ("id", True)),
    TicketSort.UPDATED_DESC: (("updated_at", True), ("id", True)),
    TicketSort.PRIORITY: (("priority_rank", False), ("created_at", False), ("id", False)),
    TicketSort.WAITING: (("waiting_key", False), ("id", False)),
}

# Each row of a page with its sort key (a cursor resumes after the key), and column positions.
PageRows = tuple[list[tuple[list[int], tuple[Any, ...]]], dict[str, int]]


def page_rows(
    engine: Engine,
    queues: Sequence[str],
    query: TicketQuery,
    sort: TicketSort,
    after: Sequence[int] | None,
    limit: int,
) -> PageRows:
    """Up to `limit` ticket rows of `queues` matching `query`, in `sort` order after the key `after`."""
    if not queues:
        return [], {}
    columns = SORT_COLUMNS[sort]
    if query.reverse:  # every column flips, so keyset comparisons stay one row-value compare
        columns = tuple((column, not descending) for column, descending in columns)
    merged: list[tuple[tuple[int, ...], tuple[Any, ...]]] = []
    names: dict[str, int] = {}
    for queue in dict.fromkeys(queues):
        rows, names = _one_queue(engine, queue, query, columns, after, limit)
        key_of = itemgetter(*(names[c] for c, _ in columns))  # every sort has two columns or more
        merged.extend((key_of(row), row) for row in rows)
    if len(queues) > 1:
        merged.sort(key=lambda item: item[0], reverse=columns[0][1])
    return [(list(key), row) for key, row in merged[:limit]], names


def _one_queue(
    engine: Engine,
    queue: str,
    query: TicketQuery,
    columns: tuple[tuple[str, bool], ...],
    after: Sequence[int] | None,
    limit: int,
) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    where: list[str] = ["t.queue = ?"]
    params: list[Any] = [queue]
    filters, values = filter_conditions(engine, query)
    where += filters
    params += values
    if after is not None:
        if len(after) != len(columns):
            raise ValueError("cursor does not match the sort order")
        op = "<" if columns[0][1] else ">"
        where.append(
            f"({', '.join('t.' + c for c, _ in columns)}) {op} ({', '.join('?' for _ in columns)})"
        )
        params.extend(after)
    order = ", ".join(f"t.{c} {'DESC' if desc else 'ASC'}" for c, desc in columns)
    sql = f"{TICKET_SELECT} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
    return read_tuples(engine, sql, (*params, limit))


def filter_conditions(engine: Engine, query: TicketQuery) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (on `t`, the tickets) and their parameters of `query`'s filters."""
    where: list[str] = []
    params: list[Any] = []
    if query.statuses:
        where.append(f"t.status IN ({', '.join('?' for _ in query.statuses)})")
        params.extend(s.value for s in query.statuses)
    if query.priorities:
        where.append(f"t.priority IN ({', '.join('?' for _ in query.priorities)})")
        params.extend(p.value for p in query.priorities)
    if query.language is not None:
        where.append("t.language = ?")
        params.append(query.language.value)
    if query.unassigned:
        where.append("t.assignee_id IS NULL")
    elif query.assignee_id is not None:
        where.append("t.assignee_id = ?")
        params.append(query.assignee_id)
    if query.tag is not None:
        where.append(engine.tag_match)
        params.append(query.tag)
    if query.ticket_id is not None:
        where.append("t.id = ?")
        params.append(query.ticket_id)
    if query.text:
        condition, values = engine.text_search(query.text)
        where.append(condition)
        params.extend(values)
    if query.requester is not None:
        where.append("t.requester_account_id = ?")
        params.append(query.requester)
    return where, params


def count_matching(engine: Engine, queues: Sequence[str], query: TicketQuery) -> int:
    """How many tickets of `queues` match `query` (a saved view's count): one COUNT, no rows."""
    if not queues:
        return 0
    where, params = filter_conditions(engine, query)
    where.insert(0, f"t.queue IN ({', '.join('?' for _ in queues)})")
    rows, _names = read_tuples(engine, f"SELECT COUNT(*) FROM tickets t WHERE {' AND '.join(where)}",
                               (*queues, *params))
    return int(rows[0][0])
