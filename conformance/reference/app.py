"""The HTTP layer: route table, authentication, parameter decoding, idempotency, JSON answers.

Business rules live in :class:`~conformance.reference.store.Store`; this module
only turns HTTP requests into store calls and store results (or errors) into
Stripe-shaped HTTP responses.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .auth import api_key_from_header, mask_key
from .errors import ApiError, api_error, authentication_error, invalid_request
from .forms import FormDecodeError, decode_form
from .idempotency import MAX_KEY_LENGTH, StoredResponse, describe_request
from .other_objects import OTHER_OBJECT_ROUTES
from .store import JsonObject, SourceKind, Store
from .versions import DEFAULT_VERSION, parse_version

logger = logging.getLogger(__name__)

MISSING_KEY_MESSAGE = (
    "No API key provided. Send your secret key in the Authorization header, either as "
    "'Authorization: Bearer sk_test_...' or as the username of HTTP Basic auth."
)


@dataclass(frozen=True)
class Call:
    """One routed request, as handed to a route handler."""

    path: str
    params: Mapping[str, object]
    version: str
    args: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Store, Call], JsonObject]


@dataclass(frozen=True)
class RouteSpec:
    """A method and path pattern served by a handler."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler


def _route(method: str, template: str, handler: Handler) -> RouteSpec:
    """Build a route from a template such as ``/v1/customers/{customer}``."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return RouteSpec(method, re.compile(regex), handler)


def _customer_routes(family: str, kind: SourceKind) -> tuple[RouteSpec, ...]:
    """Build the source routes under ``/sources`` or the legacy ``/cards``."""
    base = f"/v1/customers/{{customer}}/{family}"
    return (
        _route(
            "GET",
            base,
            lambda store, call: store.list_sources(
                call.args["customer"], call.params, version=call.version, url=call.path, kind=kind
            ),
        ),
        _route(
            "POST",
            base,
            lambda store, call: store.create_source(
                call.args["customer"], call.params, version=call.version, kind=kind
            ),
        ),
        _route(
            "GET",
            base + "/{id}",
            lambda store, call: store.retrieve_source(
                call.args["customer"], call.args["id"], call.params, version=call.version, kind=kind
            ),
        ),
        _route(
            "POST",
            base + "/{id}",
            lambda store, call: store.update_source(
                call.args["customer"], call.args["id"], call.params, version=call.version, kind=kind
            ),
        ),
        _route(
            "DELETE",
            base + "/{id}",
            lambda store, call: store.delete_source(call.args["customer"], call.args["id"], call.params, kind=kind),
        ),
    )


ROUTES: tuple[RouteSpec, ...] = (
    _route(
        "GET",
        "/v1/customers",
        lambda store, call: store.list_customers(call.params, version=call.version, url=call.path),
    ),
    _route(
        "POST",
        "/v1/customers",
        lambda store, call: store.create_customer(call.params, version=call.version),
    ),
    _route(
        "GET",
        "/v1/customers/{customer}",
        lambda store, call: store.retrieve_customer(call.args["customer"], call.params, version=call.version),
    ),
    _route(
        "POST",
        "/v1/customers/{customer}",
        lambda store, call: store.update_customer(call.args["customer"], call.params, version=call.version),
    ),
    _route(
        "DELETE",
        "/v1/customers/{customer}",
        lambda store, call: store.delete_customer(call.args["customer"], call.params),
    ),
    *_customer_routes("sources", "source"),
    *_customer_routes("cards", "card"),
    *(_route(method, template, handler) for method, template, handler in OTHER_OBJECT_ROUTES),
)
"""Every endpoint the reference server answers."""


def match_route(method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
    """Find the route for a request, with its path arguments."""
    for spec in ROUTES:
        found = spec.pattern.fullmatch(path)
        if found is not None and spec.method == method:
            return spec, found.groupdict()
    return None


def create_app(store: Store | None = None) -> Starlette:
    """Build the ASGI application serving ``store`` (a fresh :class:`Store` by default)."""
    backing = store if store is not None else Store()

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        """Answer any request with a Stripe-shaped JSON response."""
        request = Request(scope, receive)
        response = await handle(backing, request)
        await response(scope, receive, send)

    app = Starlette()
    # Every path reaches the endpoint untouched: a Mount would not match a path holding a
    # newline (``%0A``) and would answer a plain-text 404 instead of Stripe's envelope.
    app.router.default = endpoint
    app.state.store = backing
    return app


async def handle(store: Store, request: Request) -> Response:
    """Run one request through version, auth, routing, decoding and idempotency."""
    request_id = store.new_request_id()
    headers = {"Request-Id": request_id, "Stripe-Version": DEFAULT_VERSION}
    try:
        version = parse_version(request.headers.get("stripe-version"))
        headers["Stripe-Version"] = version
        api_key = authenticate(store, request.headers.get("authorization"))
        method, path = request.method.upper(), request.url.path
        routed = match_route(method, path)
        if routed is None:
            raise unrecognized_url(method, path)
        spec, args = routed
        params = await read_params(request)
        call = Call(path=path, params=params, version=version, args=args)
        idempotency_key = request.headers.get("idempotency-key")
        if method == "POST" and idempotency_key is not None:
            return await run_idempotent(store, spec, call, (api_key, idempotency_key), headers)
        status, body = await execute(store, spec, call)
        return json_response(status, body, headers)
    except ApiError as error:
        headers.update(error.headers)
        return json_response(error.status, render(error.envelope(request_id)), headers)
    except Exception:
        logger.exception("reference server failed on %s %s", request.method, request.url.path)
        return json_response(500, render(api_error().envelope(request_id)), headers)


def authenticate(store: Store, header: str | None) -> str:
    """Return the request's API key, or raise a 401."""
    key = api_key_from_header(header)
    if key is None:
        raise authentication_error(MISSING_KEY_MESSAGE)
    if not store.is_valid_api_key(key):
        raise authentication_error(f"Invalid API Key provided: {mask_key(key)}")
    return key


def unrecognized_url(method: str, path: str) -> ApiError:
    """Build the 404 for a method and path no route serves."""
    return invalid_request(
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        status=404,
        replayable=False,
    )


async def read_params(request: Request) -> dict[str, object]:
    """Decode the query string and the form body into one parameter tree."""
    query = _utf8(request.scope.get("query_string", b""), "query string")
    body = _utf8(await request.body(), "request body")
    try:
        return decode_form("&".join(part for part in (query, body) if part))
    except FormDecodeError as error:
        raise invalid_request(f"Invalid request parameters: {error}", replayable=False) from None


def _utf8(raw: bytes, what: str) -> str:
    """Decode request bytes as UTF-8, answering a 400 when they are not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_request(f"The {what} is not valid UTF-8.", replayable=False) from None


async def execute(store: Store, spec: RouteSpec, call: Call) -> tuple[int, bytes]:
    """Run a handler and serialize its result.

    Handlers run on the event loop, not in a worker thread: they only touch the in-memory store
    under its lock, and a thread hop per request cost more than the work (benchmarks/RESULTS.md).
    """
    result = spec.handler(store, call)
    return 200, render(result)


async def run_idempotent(
    store: Store,
    spec: RouteSpec,
    call: Call,
    scope: tuple[str, str],
    headers: dict[str, str],
) -> Response:
    """Execute a POST once per idempotency key and replay its first response afterwards."""
    request_id = headers["Request-Id"]
    if len(scope[1]) > MAX_KEY_LENGTH:
        raise invalid_request(
            f"Idempotency-Key is too long: at most {MAX_KEY_LENGTH} characters are allowed.",
            param="Idempotency-Key",
            replayable=False,
        )
    identity = describe_request(spec.method, call.path, call.params)
    stored = store.begin_idempotent(scope, identity)
    if stored is not None:
        replay_headers = {
            **headers,
            "Idempotent-Replayed": "true",
            "Original-Request": stored.request_id,
        }
        return json_response(stored.status, stored.body, replay_headers)
    record: StoredResponse | None = None
    try:
        try:
            status, body = await execute(store, spec, call)
        except ApiError as error:
            status, body = error.status, render(error.envelope(request_id))
            headers.update(error.headers)
            if not error.replayable:
                return json_response(status, body, headers)
        except Exception:
            logger.exception("reference server failed on %s %s", spec.method, call.path)
            status, body = 500, render(api_error().envelope(request_id))
        record = StoredResponse(identity, status, body, request_id)
        return json_response(status, body, headers)
    finally:
        store.finish_idempotent(scope, record)


def render(payload: JsonObject) -> bytes:
    """Serialize a response body the way Stripe does (indented JSON)."""
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def json_response(status: int, body: bytes, headers: Mapping[str, str]) -> Response:
    """Build a JSON response with the given status, body and headers."""
    return Response(content=body, status_code=status, headers=dict(headers), media_type="application/json")
