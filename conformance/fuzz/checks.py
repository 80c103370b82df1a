"""Judging one generated call: Schemathesis' checks adapted to Stripe, and the suite's own.

Every finding becomes a typed :class:`~conformance.checks.Failure` on a ``fuzz.*``
requirement of the catalogue, with the redacted exchange and a ``curl`` line as evidence.

Built-in checks kept, with their Stripe adaptations:

- ``not_a_server_error``: no generated call, valid or not, may get a 5xx.
- ``negative_data_rejection``: counted only when the request, as Stripe reads the form, still
  breaks a limit the surface documents (:mod:`conformance.fuzz.reading`); 402 counts as a
  rejection (``card_error``).
- ``positive_data_acceptance``: 404 is allowed (a generated id that does not exist).
- ``use_after_free``: a retrieve answering the deleted stub (``"deleted": true``, Stripe's
  answer for a deleted customer) is not a use after free.
- ``ensure_resource_availability``: skipped for an object the state machine knows was removed
  by another call (a customer update with ``source`` replaces the default card).

Built-in checks left out: ``unsupported_method`` (Stripe answers 404), ``ignored_auth``
(traffic; authentication has its own scenarios), ``response_schema_conformance`` and the other
conformance checks (the suite's registry and envelope checks below judge responses).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup, ServerError
from schemathesis.core.failures import Failure as SchemathesisFailure
from schemathesis.openapi.checks import EnsureResourceAvailability, RejectedPositiveData, UseAfterFree
from schemathesis.specs.openapi.checks import (
    ensure_resource_availability,
    negative_data_rejection,
    positive_data_acceptance,
    use_after_free,
)

from conformance.checks import EnvelopeViolation, Failure, SchemaViolation, StatusMismatch, ValueMismatch
from conformance.fuzz.expiry import EXPIRY_FIELDS
from conformance.fuzz.injections import Injection
from conformance.fuzz.observations import Observations
from conformance.fuzz.reading import DocumentedSchemas
from conformance.fuzz.requirement_ids import (
    ERROR_ENVELOPE,
    ERROR_PARAM_CARD_FIELDS,
    JSON_BODY,
    LIST_CONTRACT,
    NEGATIVE_REJECTED,
    NO_SERVER_ERROR,
    POSITIVE_ACCEPTED,
    REQUEST_ID,
    REQUEST_ID_ALWAYS,
    RESOURCE_AVAILABLE,
    RESPONSE_SCHEMA,
    USE_AFTER_FREE,
)
from conformance.http.exchange import Response
from conformance.schemas import UnknownObjectError, default_registry

PARAMETER_CODES = frozenset(
    {
        "parameter_unknown",
        "parameter_missing",
        "parameter_invalid_integer",
        "parameter_invalid_empty",
        "parameter_invalid_string_empty",
    }
)
"""Error codes that are about one request parameter by definition (Stripe's error-codes docs): a MUST
that ``error.param`` names it (``fuzz.error-envelope``)."""
FIELD_CODES = frozenset(
    {"email_invalid", "invalid_expiry_month", "invalid_expiry_year", "invalid_number", "incorrect_number",
     "invalid_cvc"}
)
"""Error codes about a card or customer field: Stripe is seen to name the field, but the docs do not
say these errors are parameter-specific, so a missing ``error.param`` is a SHOULD finding
(``fuzz.error-param-card-fields``), as is an injected bad value the error does not name."""

_REQUIREMENT_OF = (
    (ServerError, NO_SERVER_ERROR),
    (AcceptedNegativeData, NEGATIVE_REJECTED),
    (RejectedPositiveData, POSITIVE_ACCEPTED),
    (UseAfterFree, USE_AFTER_FREE),
    (EnsureResourceAvailability, RESOURCE_AVAILABLE),
)

CheckFunction = Callable[[Any, schemathesis.Response, schemathesis.Case[Any]], bool | None]
Removed = Callable[[schemathesis.Case[Any]], bool]


@dataclass(frozen=True)
class Judge:
    """Apply every check to one generated call and return the failures found.

    Each check that judges the answer counts an observation of its requirement in ``observations``.
    """

    documented: DocumentedSchemas
    removed: Removed | None = None
    observations: Observations = field(default_factory=Observations)

    def failures(
        self,
        case: schemathesis.Case[Any],
        response: Response,
        st_response: schemathesis.Response,
        *,
        recorder: Any = None,
        injection: tuple[Injection, Any] | None = None,
        refusal_documented: bool = False,
    ) -> list[Failure]:
        """Return the failures of ``response`` to ``case`` (empty when it conforms).

        A case carrying an ``injection`` is known invalid: it is judged by the injection's rule
        instead of Schemathesis' positive/negative checks. With ``refusal_documented`` the card
        update asks for an expiry in the past (given the card's state), which Stripe refuses: a
        refusal is then no failure of ``fuzz.positive-accepted``, and may name the expiry fields
        rather than an injected one.
        """
        seen = self.observations
        seen.saw(NO_SERVER_ERROR)
        seen.saw(REQUEST_ID)
        seen.saw(JSON_BODY)
        if 400 <= response.status < 500:
            seen.saw(ERROR_ENVELOPE)
        if 200 <= response.status < 300 or 400 <= response.status < 500:
            seen.saw(RESPONSE_SCHEMA)
        if _is_list(response):
            seen.saw(LIST_CONTRACT)
        if injection is None:
            checks = self.checks(judge_positive=not refusal_documented)
            found = self._builtin(case, response, st_response, recorder, checks)
            found += envelope_failures(response)
            blamed: Collection[str] = ()
        else:
            seen.saw(NEGATIVE_REJECTED)
            found = self._builtin(case, response, st_response, recorder, [not_a_server_error])
            also = EXPIRY_FIELDS if refusal_documented else ()
            found += injection_failures(*injection, response, also_blamed=also)
            blamed = (*injection[0].blamed_for(injection[1]), *also) if response.status in (400, 402) else ()
        if names_a_field(response, blamed):
            seen.saw(ERROR_PARAM_CARD_FIELDS)
        found += schema_failures(response)
        found += header_failures(response)
        found += list_url_failures(response)
        return found

    def _builtin(
        self,
        case: schemathesis.Case[Any],
        response: Response,
        st_response: schemathesis.Response,
        recorder: Any,
        checks: list[CheckFunction],
    ) -> list[Failure]:
        try:
            case.validate_response(st_response, checks=checks, recorder=recorder)
        except FailureGroup as group:
            return [self._typed(failure, response) for failure in group.exceptions]
        return []

    def checks(self, *, judge_positive: bool = True) -> list[CheckFunction]:
        """Return the Schemathesis checks, adapted to Stripe (``judge_positive``: valid data must be accepted)."""
        documented, removed, seen = self.documented, self.removed, self.observations

        def stripe_negative_data_rejection(
            ctx: Any, response: schemathesis.Response, case: schemathesis.Case[Any]
        ) -> None:
            meta = case.meta
            if meta is None or not meta.generation.mode.is_negative or not documented.violated(case):
                return None
            seen.saw(NEGATIVE_REJECTED)
            negative_data_rejection(ctx, response, case)
            return None

        def stripe_positive_data_acceptance(
            ctx: Any, response: schemathesis.Response, case: schemathesis.Case[Any]
        ) -> None:
            if case.meta is None or case.meta.generation.mode.is_positive:
                seen.saw(POSITIVE_ACCEPTED)
            positive_data_acceptance(ctx, response, case)
            return None

        def stripe_use_after_free(ctx: Any, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
            if _is_deleted_stub(response):
                return None
            use_after_free(ctx, response, case)
            return None

        def stripe_resource_availability(
            ctx: Any, response: schemathesis.Response, case: schemathesis.Case[Any]
        ) -> None:
            if removed is not None and removed(case):
                return None
            ensure_resource_availability(ctx, response, case)
            return None

        return [
            not_a_server_error,
            stripe_negative_data_rejection,
            *([stripe_positive_data_acceptance] if judge_positive else []),
            stripe_use_after_free,
            stripe_resource_availability,
        ]

    @staticmethod
    def _typed(failure: SchemathesisFailure, response: Response) -> Failure:
        requirement = next((rid for kind, rid in _REQUIREMENT_OF if isinstance(failure, kind)), NO_SERVER_ERROR)
        message = _one_line(f"{failure.title}: {failure.message}")
        return StatusMismatch.from_exchange(requirement, message, response=response)


def injection_failures(
    injection: Injection, value: Any, response: Response, *, also_blamed: Collection[str] = ()
) -> list[Failure]:
    """Judge the answer to a request carrying one injected invalid ``value`` (``also_blamed``: fields it breaks too)."""
    if 200 <= response.status < 300:
        message = f"accepted a request breaking the rule '{injection.rule}' ({injection.name}): HTTP {response.status}"
        return [StatusMismatch.from_exchange(NEGATIVE_REJECTED, message, response=response)]
    blamed = (*injection.blamed_for(value), *also_blamed) if response.status in (400, 402) else ()
    return envelope_failures(response, blamed=blamed)


def envelope_failures(response: Response, *, blamed: Collection[str] = ()) -> list[Failure]:
    """Check that a 4xx body is Stripe's error envelope, naming the parameter it blames.

    ``blamed`` (optional) lists the parameter names the request is known to get wrong; the
    error must then name one of them.
    """
    if not 400 <= response.status < 500:
        return []
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    problems: list[str] = []
    advisory: list[str] = []
    if not isinstance(error, dict) or not isinstance(error.get("type"), str) or not isinstance(
        error.get("message"), str
    ):
        problems.append(f"HTTP {response.status} body is not an error envelope {{'error': {{type, message}}}}")
    else:
        param = error.get("param")
        named = isinstance(param, str) and bool(param)
        if error.get("code") in PARAMETER_CODES and not named:
            problems.append(f"error code {error.get('code')!r} is about one parameter but error.param is {param!r}")
        elif error.get("code") in FIELD_CODES and not named:
            advisory.append(f"error code {error.get('code')!r} is about one field but error.param is {param!r}")
        if blamed and not (named and _root(str(param)) in {_root(name) for name in blamed}):
            advisory.append(f"expected error.param naming one of {sorted(blamed)}, got {param!r}")
    return [
        EnvelopeViolation.from_exchange(requirement, "; ".join(found), response=response, json_path="$.error")
        for requirement, found in ((ERROR_ENVELOPE, problems), (ERROR_PARAM_CARD_FIELDS, advisory))
        if found
    ]


def names_a_field(response: Response, blamed: Collection[str] = ()) -> bool:
    """Tell whether ``envelope_failures`` judges this answer's ``error.param`` against one field.

    That is a 4xx error envelope whose code is about one card or customer field, or the answer
    to a request known to get ``blamed`` parameters wrong.
    """
    body = response.json() if 400 <= response.status < 500 else None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("type"), str) or not isinstance(
        error.get("message"), str
    ):
        return False
    return bool(blamed) or (error.get("code") in FIELD_CODES and error.get("code") not in PARAMETER_CODES)


def header_failures(response: Response) -> list[Failure]:
    """Every answer carries a ``Request-Id`` header and a JSON ``Content-Type``.

    A 401 refusal without one is a SHOULD finding (``errors.request-id-always``): the docs give an id
    to API requests, and Stripe is merely seen to send one before authentication too.
    """
    found: list[Failure] = []
    if not response.header("Request-Id"):
        requirement = REQUEST_ID_ALWAYS if response.status == 401 else REQUEST_ID
        found.append(ValueMismatch.from_exchange(requirement, "the answer has no Request-Id header", response=response))
    content_type = (response.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if content_type != "application/json":
        message = f"the answer's Content-Type is {content_type or 'missing'!r}, not application/json"
        found.append(ValueMismatch.from_exchange(JSON_BODY, message, response=response))
    return found


def _is_list(response: Response) -> bool:
    body = response.json()
    return response.status == 200 and isinstance(body, dict) and body.get("object") == "list"


def list_url_failures(response: Response) -> list[Failure]:
    """A list's ``url`` is the path that was listed."""
    body = response.json()
    if not _is_list(response):
        return []
    listed = urlsplit(response.request.url).path
    if body.get("url") == listed:
        return []
    message = f"the list answered url {body.get('url')!r} for {listed!r}"
    return [ValueMismatch.from_exchange(LIST_CONTRACT, message, response=response, json_path="$.url")]


def schema_failures(response: Response) -> list[Failure]:
    """Validate a 2xx or 4xx JSON body against the object schemas of the suite's registry."""
    if not (200 <= response.status < 300 or 400 <= response.status < 500):
        return []
    body = response.json()
    try:
        errors = [error for error in default_registry().validate(body) if error.severity == "error"]
    except UnknownObjectError as exc:
        return [SchemaViolation.from_exchange(RESPONSE_SCHEMA, str(exc), response=response, json_path=exc.json_path)]
    if not errors:
        return []
    message = "; ".join(f"{error.json_path}: {error.message}" for error in errors[:5])
    if len(errors) > 5:
        message += f" (+{len(errors) - 5} more)"
    return [SchemaViolation.from_exchange(RESPONSE_SCHEMA, message, response=response, json_path=errors[0].json_path)]


def merge(failures: Iterable[Failure]) -> list[Failure]:
    """Drop repeated findings (same requirement and message), keeping the first."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for failure in failures:
        key = (failure.requirement_id, failure.message)
        if key not in seen:
            seen.add(key)
            kept.append(failure)
    return kept


def _is_deleted_stub(response: schemathesis.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("deleted") is True


def _root(param: str) -> str:
    return param.split("[", 1)[0]


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return line if len(line) <= limit else line[: limit - 3] + "..."
