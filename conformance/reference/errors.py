"""Stripe-style API errors and their JSON envelope."""

from __future__ import annotations

DOC_URL = "https://stripe.com/docs/error-codes/{slug}"
REQUEST_LOG_URL = "https://dashboard.stripe.com/test/logs/{request_id}"


class ApiError(Exception):
    """An error answered as ``{"error": {...}}`` with an HTTP status.

    ``replayable`` tells whether an idempotent request that failed this way
    records its result: Stripe does not record failures of parameter
    validation, because the endpoint never started executing.
    """

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        replayable: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Build an error; see the class docstring for ``replayable``."""
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.code = code
        self.param = param
        self.replayable = replayable
        self.headers = dict(headers or {})

    def envelope(self, request_id: str) -> dict[str, object]:
        """Render the ``{"error": {...}}`` body for a request."""
        error: dict[str, object] = {}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = DOC_URL.format(slug=self.code.replace("_", "-"))
        error["message"] = self.message
        if self.param is not None:
            error["param"] = self.param
        error["request_log_url"] = REQUEST_LOG_URL.format(request_id=request_id)
        error["type"] = self.error_type
        return {"error": error}


def invalid_request(
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    status: int = 400,
    replayable: bool = True,
) -> ApiError:
    """Build an ``invalid_request_error``."""
    return ApiError(status, "invalid_request_error", message, code=code, param=param, replayable=replayable)


def invalid_parameter(message: str, param: str, code: str | None = None) -> ApiError:
    """Build a 400 for a parameter that failed validation (never replayed)."""
    return invalid_request(message, param=param, code=code, replayable=False)


def resource_missing(message: str, param: str, status: int = 404) -> ApiError:
    """Build a ``resource_missing`` error (404 for path ids, 400 for parameters)."""
    return invalid_request(message, param=param, code="resource_missing", status=status)


def parameter_unknown(param: str) -> ApiError:
    """Build the error for a parameter the endpoint does not know."""
    return invalid_parameter(f"Received unknown parameter: {param}", param, "parameter_unknown")


def parameter_missing(param: str) -> ApiError:
    """Build the error for a required parameter that was not sent."""
    return invalid_parameter(f"Missing required param: {param}.", param, "parameter_missing")


def parameter_invalid_integer(param: str, value: object) -> ApiError:
    """Build the error for a value that is not an integer."""
    return invalid_parameter(f"Invalid integer: {_shown(value)}", param, "parameter_invalid_integer")


def parameter_invalid_empty(param: str) -> ApiError:
    """Build the error for an empty string sent for a parameter that cannot be unset."""
    return invalid_parameter(
        f"You passed an empty string for '{param}'. Empty values unset a parameter, but "
        f"'{param}' cannot be unset: remove it from the request or send a non-empty value.",
        param,
        "parameter_invalid_empty",
    )


def card_error(code: str, message: str, param: str) -> ApiError:
    """Build a 402 ``card_error``."""
    return ApiError(402, "card_error", message, code=code, param=param)


def idempotency_error(message: str, status: int = 400) -> ApiError:
    """Build an ``idempotency_error``."""
    return ApiError(status, "idempotency_error", message, replayable=False)


def authentication_error(message: str) -> ApiError:
    """Build a 401 for a missing or invalid API key."""
    return ApiError(
        401,
        "invalid_request_error",
        message,
        replayable=False,
        headers={"WWW-Authenticate": 'Basic realm="Stripe"'},
    )


def api_error() -> ApiError:
    """Build the 500 answered when the server itself fails."""
    return ApiError(
        500,
        "api_error",
        "An unexpected error occurred in the reference server while handling the request.",
    )


def _shown(value: object) -> str:
    """Render a bad value for an error message, truncated."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:100] + "..."
