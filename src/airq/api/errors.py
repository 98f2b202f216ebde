"""One error shape for every failure: `{"error": {"code", "message", "fields"}}`.

- `ValidationError` (bad parameters or body) → 400 naming every bad field.
- Any werkzeug `HTTPException` (404, 405, 413, 415, ...) → its status, same shape, its headers kept
  (e.g. `Allow` on a 405).
- AWS unreachable, throttling, or resources missing → 503 with `Retry-After`: the client can retry;
  nothing it sent was wrong. Any other AWS error is our bug → 500 (logged), which tests look for.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from airq.store import StoreError
from airq.validation import ValidationError

log = logging.getLogger("airq.api")

RETRY_AFTER_SECONDS = 5
# AWS error codes that mean "not available now", not "you asked wrongly".
UNAVAILABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "InternalServerError",
    "InternalFailure",
    "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NoSuchBucket",
    "RequestTimeout",
    "SlowDown",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}
        self.extra = extra or {}


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: Any = None,
    extra: dict[str, Any] | None = None,
):
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **(extra or {})}}
    response = jsonify(body)
    response.status_code = status
    for name, value in dict(headers or {}).items():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _snake(name: str) -> str:
    return "_".join(name.lower().replace("-", " ").split())


def is_unavailable(exc: BaseException) -> bool:
    """Whether an AWS failure means "try again later" (503) rather than a bug (500)."""
    if isinstance(exc, BotoCoreError | StoreError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return exc.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES or status >= 500
    return False


def dependency_name(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return f"{exc.operation_name} failed: {exc.response.get('Error', {}).get('Code')}"
    return type(exc).__name__


def unavailable(message: str) -> ApiError:
    return ApiError(503, "service_unavailable", message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers, exc.extra)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        return error_response(400, "invalid_request", exc.message, exc.fields)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        return error_response(
            status, _snake(exc.name), exc.description or exc.name, headers=exc.get_headers()
        )

    @app.errorhandler(BotoCoreError)
    @app.errorhandler(ClientError)
    @app.errorhandler(StoreError)
    def _aws(exc: Exception):
        if not is_unavailable(exc):
            return _internal(exc)
        log.warning("dependency unavailable", extra={"error": str(exc), "kind": dependency_name(exc)})
        error = unavailable(
            f"a storage or queue service is unavailable ({dependency_name(exc)}); retry shortly"
        )
        return _api_error(error)

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "internal error; it has been logged")
