"""A POST's effect and its Idempotency-Key record commit in one transaction.

`IdempotencyMiddleware` starts an attempt (an in-flight record holding a lease) and
publishes it in `CURRENT`; the route then runs its work through `effect_response`,
which opens the write transaction itself, lets the service's own `store.write()` join
it, and before committing stores the exact response bytes on the record, but only if
this attempt still holds the key. So after a crash at any point either nothing of the
request is in the database (the retry performs it) or both the effect and the answer
are (the retry replays it); and an attempt whose lease expired and was taken over by
a retry rolls back instead of writing a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from fastapi import Response
from pydantic import TypeAdapter

from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.jsonbody import MEDIA_TYPE
from supportdesk_tui.server.store import Store

T = TypeVar("T")


@dataclass
class Attempt:
    """The in-flight record this request holds; `sealed` once its effect committed with it."""

    caller_id: int
    key: str
    attempt: str
    sealed: bool = False


# Set by the middleware for a keyed POST; route threads see it (anyio copies the context).
CURRENT: ContextVar[Attempt | None] = ContextVar("idempotency_attempt", default=None)


def lease_lost() -> ApiError:
    return ApiError(
        409,
        "idempotency_in_flight",
        "A retry with this Idempotency-Key took over this request; ask again for its answer.",
    )


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def render(model: Any, value: Any) -> bytes:
    """The body FastAPI would send for `value` under `response_model=model` (only its fields)."""
    return _adapter(model).dump_json(value, by_alias=True)


def effect_response(
    store: Store,
    model: Any,
    status: int,
    work: Callable[[], T],
    headers: Callable[[T], Mapping[str, str]] | None = None,
) -> Response:
    """Run a POST's `work` (whose writes go through `store.write()`) and answer it.

    Call from the route's worker thread, after anything that may block (the test post hook):
    the write lock is held from here to the commit.
    """
    attempt = CURRENT.get()
    if attempt is None:
        value = work()
        body = render(model, value)
    else:
        with store.write() as tx:
            value = work()
            body = render(model, value)
            if not tx.idempotency_done(
                attempt.caller_id, attempt.key, attempt.attempt, status, body, MEDIA_TYPE
            ):
                raise lease_lost()  # rolls the effect back: the attempt that took over writes it
        attempt.sealed = True
    return Response(
        body, status_code=status, media_type=MEDIA_TYPE, headers=headers(value) if headers else None
    )
