"""FastAPI dependencies shared by the route modules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supportdesk_tui.contract.models import ErrorEnvelope
from supportdesk_tui.server.auth import remember_caller, remembered_caller
from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.records import AgentRecord
from supportdesk_tui.server.service import Service

bearer_scheme = HTTPBearer(auto_error=False, description="A token from `supportdesk token create`.")

_ERRORS: dict[int, str] = {
    400: "Unparsable JSON or a bad cursor.",
    401: "No or unknown token.",
    403: "The caller's role may not do this.",
    404: "Unknown object, or one in a queue the caller cannot see.",
    409: (
        "New activity, the same Idempotency-Key still being processed, or an account action "
        "refused (`verification_incomplete`, `cooling_off_over`)."
    ),
    412: "If-Match is stale; `details.current` is the current ticket.",
    413: "Request body over 256 KiB.",
    415: "A request body sent with a Content-Type other than `application/json`.",
    422: "Validation error, or an Idempotency-Key reused with a different body.",
    428: "PATCH without If-Match.",
    429: "Rate limited; see Retry-After.",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text} for status, text in _ERRORS.items()
}


# The dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in the
# thread pool, and three thread hops per request (each a GIL hand-off with the event loop) cost
# more than the work itself. The token lookup is one indexed SQLite read, fine on the loop.


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AgentRecord:
    service: Service = request.app.state.service
    token = None if credentials is None else credentials.credentials
    caller = None if token is None else remembered_caller(request.scope, token)
    if caller is None:
        caller = service.authenticate(token)
        if token is not None:
            remember_caller(request.scope, token, caller)  # the request log names the agent
    service.touch(caller)
    return caller


def _query_aliases(dependant: Any) -> set[str]:
    names = {str(param.alias) for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_aliases(sub)
    return names


async def reject_unknown_query(request: Request) -> None:
    """Unknown query parameters are errors: a typo such as `page_size` must not pass silently."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    unknown = sorted(set(request.query_params.keys()) - _query_aliases(dependant))
    if unknown:
        details = [{"loc": ["query", name], "msg": "unknown query parameter"} for name in unknown]
        raise ApiError(422, "validation_error", f"Unknown query parameter(s): {', '.join(unknown)}.", details)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


async def require_json_body(request: Request) -> None:
    """A route that reads a JSON body refuses another declared Content-Type with 415.

    Runs before the body is validated, so `text/plain` gets 415, not a 422 about its shape; a body
    without a Content-Type is still read as JSON.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    content_type = request.headers.get("content-type")
    if dependant is None or not dependant.body_params or content_type is None or _is_json(content_type):
        return
    raise ApiError(
        415,
        "unsupported_media_type",
        "The request body must be JSON, sent with Content-Type: application/json.",
        [{"loc": ["header", "Content-Type"], "msg": "must be application/json"}],
    )


def run_post_hook(request: Request) -> None:
    """Tests slow a POST down here to observe an Idempotency-Key while it is in flight."""
    hook = getattr(request.app.state, "post_hook", None)
    if hook is not None:
        hook(request.url.path)


ServiceDep = Annotated[Service, Depends(get_service)]
CallerDep = Annotated[AgentRecord, Depends(get_caller)]
