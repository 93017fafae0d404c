"""The one error type the service raises; the app turns it into the contract's envelope."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def not_found(what: str = "ticket") -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def invalid(loc: list[str | int], msg: str) -> ApiError:
    return ApiError(422, "validation_error", msg, [{"loc": loc, "msg": msg}])
