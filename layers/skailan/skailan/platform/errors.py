"""Domain errors and their one JSON shape.

Every error a caller can cause is a `SkailanError` subclass carrying a stable machine code, a
human message and an HTTP status. The API layer turns them into
`{"error": {"code", "message", "details"}}` in one place (`skailan.platform.api`).
"""

from __future__ import annotations

from typing import Any


class SkailanError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(SkailanError):
    status, code = 400, "bad_request"


class Unauthorized(SkailanError):
    status, code = 401, "unauthorized"


class Forbidden(SkailanError):
    status, code = 403, "forbidden"


class NotFound(SkailanError):
    status, code = 404, "not_found"


class Conflict(SkailanError):
    status, code = 409, "conflict"


class Unprocessable(SkailanError):
    status, code = 422, "validation_error"


class TooManyRequests(SkailanError):
    status, code = 429, "too_many_requests"


class Retryable(Exception):
    """A transient failure (throttling, 5xx, timeout): the message should be retried later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
