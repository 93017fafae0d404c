"""Reading the server's answers: the error a failed one is, the model or page a good one holds.

Everything that turns an HTTP response into a typed value or an `ApiError` lives here; the client
(`api/client.py`) sends requests and decides what to do with the results.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from supportdesk_tui.api import errors
from supportdesk_tui.contract.models import Message, Ticket
from supportdesk_tui.i18n import _

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@functools.cache
def list_validator(item: type[BaseModel]) -> TypeAdapter[list[Any]]:
    """One validator per item type: building a `TypeAdapter` generates its schema, several ms each
    time, and every list answer (the messages of a ticket being opened) needed one."""
    return TypeAdapter(list[item])  # type: ignore[valid-type]


@dataclass(frozen=True, slots=True)
class PageResult(Generic[T]):
    items: list[T]
    next_cursor: str | None
    has_more: bool
    prev_cursor: str | None = None
    """Message lists read from a cursor: the way back past the first item, in the other `order`."""


def error_from_response(response: httpx.Response) -> errors.ApiError:
    status = response.status_code
    code: str | None = None
    message = _("The server answered HTTP {status}.").format(status=status)
    details: Any = None
    try:
        payload = response.json()
        body = payload["error"]
        code = str(body.get("code")) if body.get("code") is not None else None
        message = str(body.get("message") or message)
        details = body.get("details")
    except (ValueError, KeyError, TypeError, AttributeError):
        if status < 500:
            return errors.MalformedResponse(
                _("HTTP {status} without the error shape the contract promises.").format(status=status),
                status=status
            )
    common: dict[str, Any] = {"status": status, "code": code, "details": details}
    if status == 401:
        return errors.AuthError(
            _("The server did not accept the token. Sign in again with `supportdesk login` "
              "or set SUPPORTDESK_TOKEN."), **common)
    if status == 403:
        return errors.ForbiddenError(message, **common)
    if status == 404:
        return errors.NotFoundError(message, **common)
    if status == 409 and code == "new_activity":
        msgs: list[Message] = []
        raw = details.get("messages", []) if isinstance(details, dict) else []
        try:
            msgs = list_validator(Message).validate_python(raw)
        except PydanticValidationError:
            msgs = []
        return errors.NewActivity(message, messages=msgs, **common)
    if status == 409 and code == "verification_incomplete":
        raw_steps = details.get("missing_steps", []) if isinstance(details, dict) else []
        steps = [str(s) for s in raw_steps] if isinstance(raw_steps, list) else []
        return errors.VerificationIncomplete(message, missing_steps=steps, **common)
    if status == 409 and code is not None and code != "idempotency_in_flight":
        return errors.ApiError(message, **common)
    if status == 409:
        return errors.IdempotencyInFlight(message, retry_after=retry_after_from(response), **common)
    if status == 412:
        current: Ticket | None = None
        if isinstance(details, dict) and "current" in details:
            try:
                current = Ticket.model_validate(details["current"])
            except PydanticValidationError:
                current = None
        return errors.VersionConflict(message, current=current, **common)
    if status == 413:
        return errors.PayloadTooLarge(message, **common)
    if status == 422 and code == "idempotency_mismatch":
        return errors.IdempotencyMismatch(message, **common)
    if status in (400, 422, 428):
        return errors.ValidationFailed(message, **common)
    if status == 429:
        return errors.RateLimited(message, retry_after=retry_after_from(response), **common)
    if status >= 500:
        return errors.ServerError(
            _("The server failed (HTTP {status}). Try again in a moment.").format(status=status), **common)
    return errors.ApiError(message, **common)


def loggable_code(code: str | None) -> str:
    """A server's error code for our log: the contract's codes are short snake_case words; anything
    else (a hostile or broken server's text) is not written."""
    if code is None:
        return "-"
    return code if re.fullmatch(r"[a-z_]{1,40}", code) else "?"


def host_of(url: str) -> str:
    """An instance as our log names it: host and port, never credentials or a path."""
    parts = urlsplit(url)
    return f"{parts.hostname or '?'}:{parts.port or ('443' if parts.scheme == 'https' else '80')}"


def retry_after_from(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def cursor_from_next_link(link: str | None) -> str | None:
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("page[after]")
    return values[0] if values else None


def parse_model(response: httpx.Response, model: type[M]) -> M:
    try:
        return model.model_validate_json(response.content)
    except PydanticValidationError as exc:
        raise errors.MalformedResponse(
            _("{method} {path} returned data that does not match the contract ({count} problems).")
            .format(method=response.request.method, path=response.request.url.path,
                    count=exc.error_count()), status=response.status_code
        ) from None

def parse_list(response: httpx.Response, item: type[M]) -> list[M]:
    try:
        payload = json.loads(response.content)
        items: list[M] = list_validator(item).validate_python(payload["data"])
        return items
    except (ValueError, KeyError, TypeError, PydanticValidationError):
        raise errors.MalformedResponse(
            _("{path} returned a list that does not match the contract.").format(
                path=response.request.url.path),
            status=response.status_code,
        ) from None

def parse_page(response: httpx.Response, item: type[M]) -> PageResult[M]:
    items = parse_list(response, item)
    try:
        payload = json.loads(response.content)
        has_more = bool(payload["meta"]["has_more"])
        next_link = payload.get("links", {}).get("next")
        prev_link = payload.get("links", {}).get("prev")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise errors.MalformedResponse(
            _("{path} returned a page without meta/links.").format(path=response.request.url.path),
            status=response.status_code,
        ) from None
    cursor = cursor_from_next_link(next_link) if has_more else None
    if has_more and cursor is None:
        raise errors.MalformedResponse(_("The server said there is more but gave no next link."))
    back = cursor_from_next_link(prev_link) if isinstance(prev_link, str) else None
    return PageResult(items=items, next_cursor=cursor, has_more=has_more, prev_cursor=back)
