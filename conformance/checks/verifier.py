"""The verifier: the one way scenarios assert, so every check is tied to a requirement."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

from conformance.checks.failures import (
    ConformanceError,
    EnvelopeViolation,
    Failure,
    SchemaViolation,
    StatusMismatch,
    ValueMismatch,
)
from conformance.checks.preconditions import route_missing, unsupported_route
from conformance.http.exchange import Response

SchemaValidator = Callable[[Any], list[tuple[str, str]]]
"""Returns ``(json_path, message)`` for every schema error of a body, empty when valid."""

_MISSING = object()


class Verifier:
    """Run checks for the requirements one scenario cites and remember each outcome.

    A failed check raises ``ConformanceError`` at once (the scenario cannot go on from a
    wrong state), except inside ``soft()``, where failures are collected and raised together
    when the block ends. A failed check of an ``advisory`` requirement (a SHOULD) is recorded and
    never raised: a warning must not stop the scenario before its MUST checks ran.
    """

    def __init__(
        self,
        cited: Collection[str],
        *,
        schema: SchemaValidator | None = None,
        presence: SchemaValidator | None = None,
        advisory: Collection[str] = (),
    ) -> None:
        """Verify on behalf of the ``cited`` requirement IDs; ``advisory`` ones only record their failures.

        ``schema`` checks a body against what the spec requires; ``presence`` lists the fields Stripe
        always returns that a body lacks.
        """
        self.cited = tuple(cited)
        self._presence = presence
        self.advisory = frozenset(advisory)
        self.passed: dict[str, int] = {}
        """Per requirement, how many of its checks held (each an observation of a real answer)."""
        self.unassessed: dict[str, str] = {}
        """Per cited requirement that no check observed, why (``not_assessed``)."""
        self.failures: list[Failure] = []
        self._schema = schema
        self._soft_depth = 0
        self._pending: list[Failure] = []

    @property
    def validates_schemas(self) -> bool:
        """Tell whether ``schema()`` checks anything (a schema validator was given)."""
        return self._schema is not None

    def _requirement(self, req: str | None) -> str:
        if req is not None:
            return req
        if len(self.cited) == 1:
            return self.cited[0]
        raise ValueError(f"scenario cites {self.cited}: name the requirement this check is for")

    def _record(
        self, ok: bool, failure: Callable[[str], Failure], req: str | None, response: Response | None = None
    ) -> None:
        requirement_id = self._requirement(req)
        if not ok and response is not None and route_missing(response):
            # The target lacks the route: nothing about the requirement was observed (not a failure).
            raise unsupported_route(response)
        if ok:
            self.passed[requirement_id] = self.passed.get(requirement_id, 0) + 1
            return
        found = failure(requirement_id)
        self.failures.append(found)
        if requirement_id in self.advisory:
            return
        if self._soft_depth:
            self._pending.append(found)
        else:
            raise ConformanceError([found])

    def record_pass(self, req: str, count: int = 1) -> None:
        """Record that ``req`` was checked ``count`` times and held, for checks made outside this verifier (fuzzing)."""
        self.passed[req] = self.passed.get(req, 0) + count

    def not_assessed(self, req: str, reason: str) -> None:
        """Record that no check of ``req`` could observe an answer, and why (one sentence)."""
        self.unassessed.setdefault(req, reason)

    @contextmanager
    def soft(self) -> Iterator[None]:
        """Collect failures inside the block and raise them all when it ends."""
        self._soft_depth += 1
        try:
            yield
        finally:
            self._soft_depth -= 1
        if not self._soft_depth and self._pending:
            pending, self._pending = self._pending, []
            raise ConformanceError(pending)

    def status(self, response: Response, expected: int | Collection[int], req: str | None = None) -> Any:
        """Check the HTTP status and return the JSON body."""
        allowed = {expected} if isinstance(expected, int) else set(expected)
        self._record(
            response.status in allowed,
            lambda rid: StatusMismatch.from_exchange(
                rid,
                f"expected HTTP {_either(allowed)}, got {response.status}: {_brief(response)}",
                response=response,
            ),
            req,
            response,
        )
        return response.json()

    def equal(
        self,
        response: Response,
        json_path: str,
        expected: Any,
        req: str | None = None,
        *,
        actual: Any = _MISSING,
    ) -> None:
        """Check that the body value at ``json_path`` (``$.a.b[0]``) equals ``expected``."""
        value = resolve_path(response.json(), json_path) if actual is _MISSING else actual
        self._record(
            value == expected,
            lambda rid: ValueMismatch.from_exchange(
                rid,
                f"expected {json_path} = {expected!r}, got {_show(value)}{_unreadable(response)}",
                response=response,
                json_path=json_path,
            ),
            req,
            response,
        )

    def that(
        self,
        condition: bool,
        message: str,
        response: Response | None = None,
        req: str | None = None,
        *,
        json_path: str | None = None,
    ) -> None:
        """Check a condition; ``message`` says expected vs observed in one line."""
        self._record(
            condition,
            lambda rid: ValueMismatch.from_exchange(
                rid, message, response=response, json_path=json_path
            ),
            req,
            response,
        )

    def error(
        self,
        response: Response,
        *,
        status: int | Collection[int],
        type: str | Collection[str] | None = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        req: str | None = None,
    ) -> dict[str, Any]:
        """Check an error answer: status, Stripe's envelope, and the type/code/param given."""
        allowed = {status} if isinstance(status, int) else set(status)
        body = response.json()
        problems = []
        if response.status not in allowed:
            problems.append(f"expected HTTP {_either(allowed)}, got {response.status}")
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            problems.append(f"expected an error envelope {{'error': {{type, message}}}}, got {_brief(response)}")
            error = {}
        types = {type} if isinstance(type, str) else set(type or ())
        if types and error and error.get("type") not in types:
            problems.append(f"expected error.type {_either(types)}, got {error.get('type')!r}")
        if code is not None and error and error.get("code") != code:
            problems.append(f"expected error.code {code!r}, got {error.get('code')!r}")
        if param is not None and error and error.get("param") != param:
            problems.append(f"expected error.param {param!r}, got {error.get('param')!r}")
        self._record(
            not problems,
            lambda rid: EnvelopeViolation.from_exchange(
                rid, "; ".join(problems), response=response, json_path="$.error"
            ),
            req,
            response,
        )
        return error

    def schema(self, response: Response, req: str | None = None) -> None:
        """Check the body against the JSON Schema of its ``object`` (without a validator: not assessed, said so)."""
        if self._schema is None:
            self.not_assessed(self._requirement(req), "no schema registry is available to validate bodies")
            return
        self._schema_findings(response, self._schema(response.json()), req)

    def present(self, response: Response, req: str | None = None) -> None:
        """Check that the body carries every field Stripe always returns (without presence rules: not assessed)."""
        if self._presence is None:
            self.not_assessed(self._requirement(req), "no presence rules are available to check bodies")
            return
        self._schema_findings(response, self._presence(response.json()), req)

    def _schema_findings(self, response: Response, errors: list[tuple[str, str]], req: str | None) -> None:
        self._record(
            not errors,
            lambda rid: SchemaViolation.from_exchange(
                rid,
                "; ".join(f"{path}: {message}" for path, message in errors[:5])
                + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""),
                response=response,
                json_path=errors[0][0] if errors else None,
            ),
            req,
            response,
        )


def resolve_path(document: Any, json_path: str) -> Any:
    """Return the value at a simple JSON path (``$``, ``.key``, ``[index]``), or a missing marker."""
    value = document
    token = ""
    tokens: list[str | int] = []
    path = json_path[1:] if json_path.startswith("$") else json_path
    index = 0
    while index < len(path):
        char = path[index]
        if char == ".":
            if token:
                tokens.append(token)
            token = ""
        elif char == "[":
            if token:
                tokens.append(token)
            token = ""
            end = path.index("]", index)
            tokens.append(int(path[index + 1 : end]))
            index = end
        else:
            token += char
        index += 1
    if token:
        tokens.append(token)
    for step in tokens:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return MissingValue()
    return value


class MissingValue:
    """Marks a JSON path that does not exist in a body."""

    def __eq__(self, other: object) -> bool:
        """Equal only to another missing value."""
        return isinstance(other, MissingValue)

    def __hash__(self) -> int:
        """Hash like every other missing value."""
        return 0

    def __repr__(self) -> str:
        """Show as <missing>."""
        return "<missing>"


def _either(values: Collection[Any]) -> str:
    ordered = sorted(values, key=str)
    return " or ".join(repr(v) if isinstance(v, str) else str(v) for v in ordered)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _unreadable(response: Response) -> str:
    """Say what arrived instead when the body is not JSON at all (empty for a JSON body)."""
    if response.json() is not None:
        return ""
    if response.json_problem():
        return f" (HTTP {response.status} body is {response.json_problem()}: not read)"
    if not response.body:
        return f" (HTTP {response.status} with an empty body)"
    kind = response.header("Content-Type") or "no content type"
    return f" (HTTP {response.status} body is not JSON, {kind}: {_brief(response)})"


def _brief(response: Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."
