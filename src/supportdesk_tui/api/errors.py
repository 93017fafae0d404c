"""Every way a call to the backend can fail, each with a title and a message a person can act on.

Messages never include the token or request headers: they are shown on screen,
logged and may end up in screenshots.
"""

from __future__ import annotations

from typing import Any, ClassVar

from supportdesk_tui.contract.models import Message, Ticket
from supportdesk_tui.i18n import N_, _


class ApiError(Exception):
    """Base of all client errors. `retryable` says whether sending again later is safe and useful."""

    title_msgid: ClassVar[str] = N_("Request failed")
    retryable = False
    # Set by the client when this answer came after resending a request whose first attempt
    # may have landed on an instance that died (a 412 may then be our own write).
    resent = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details

    @property
    def title(self) -> str:
        """The kind of failure in the agent's language, read when shown (the language can change
        while an error is on screen); `message` says what to do."""
        return _(self.title_msgid)

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"


class NetworkError(ApiError):
    """No usable answer. `sent`: the request may have reached the server (a reset or a read
    timeout after sending), so resending is only safe for requests built to be replayed;
    False when it never left (connection refused). `instance`: the base URL that failed."""

    title_msgid: ClassVar[str] = N_("Server unreachable")
    retryable = True

    def __init__(self, message: str, *, sent: bool = True, instance: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent
        self.instance = instance


class RequestTimeout(NetworkError):
    title_msgid: ClassVar[str] = N_("Server too slow")


class AuthError(ApiError):
    title_msgid: ClassVar[str] = N_("Not signed in")


class ForbiddenError(ApiError):
    title_msgid: ClassVar[str] = N_("Not allowed")


class NotFoundError(ApiError):
    title_msgid: ClassVar[str] = N_("Not found")


class ValidationFailed(ApiError):
    title_msgid: ClassVar[str] = N_("Invalid input")

    def field_errors(self) -> dict[str, str]:
        """Map of dotted field path → message, from the server's `details` list."""
        out: dict[str, str] = {}
        if isinstance(self.details, list):
            for item in self.details:
                if isinstance(item, dict):
                    loc = item.get("loc", [])
                    parts = loc if isinstance(loc, list) else []
                    path = ".".join(str(p) for p in parts if p != "body")
                    out[path or "_"] = str(item.get("msg", ""))
        return out


class PayloadTooLarge(ApiError):
    title_msgid: ClassVar[str] = N_("Too large")


class VersionConflict(ApiError):
    """The ticket changed since it was loaded (HTTP 412); `current` is the server's version."""

    title_msgid: ClassVar[str] = N_("Changed by someone else")

    def __init__(self, message: str, *, current: Ticket | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.current = current


class NewActivity(ApiError):
    """A customer message or another agent's reply arrived after the draft was started (409)."""

    title_msgid: ClassVar[str] = N_("New activity on this ticket")

    def __init__(self, message: str, *, messages: list[Message], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.messages = messages


class VerificationIncomplete(ApiError):
    """An account action was refused (409) until the playbook's verification steps are recorded."""

    title_msgid: ClassVar[str] = N_("Verification not complete")

    def __init__(self, message: str, *, missing_steps: list[str], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.missing_steps = missing_steps


class IdempotencyInFlight(ApiError):
    """The same key is still being processed (perhaps by a server that died holding it):
    ask again with the same key after `retry_after` seconds, when its lease ends."""

    title_msgid: ClassVar[str] = N_("Still sending")
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class IdempotencyMismatch(ApiError):
    title_msgid: ClassVar[str] = N_("Duplicate request key")


class RateLimited(ApiError):
    title_msgid: ClassVar[str] = N_("Slow down")
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    title_msgid: ClassVar[str] = N_("Server error")
    retryable = True


class MalformedResponse(ApiError):
    """The server answered something that is not the contract. Retrying may help (a proxy hiccup)."""

    title_msgid: ClassVar[str] = N_("Unexpected reply from the server")
    retryable = True


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ApiError) and exc.retryable


def retry_after_of(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, RateLimited | IdempotencyInFlight) else None
