"""The HTTP layer: authentication, version, routing, parameter decoding, idempotency, JSON answers.

Business rules live in :class:`~conformance.reference.store.Store`; this module
only turns HTTP requests into store calls and store results (or errors) into
Stripe-shaped HTTP responses. :func:`create_app` serves it as a plain ASGI
application (:mod:`.asgi`), so that any ASGI middleware can wrap it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from .asgi import (
    MAX_BODY_BYTES,
    BodyRefused,
    ClientDisconnected,
    IncomingRequest,
    Receive,
    Reply,
    Scope,
    Send,
    run_lifespan,
    send_reply,
)
from .auth import api_key_from_header, mask_key
from .errors import ApiError, api_error, authentication_error, invalid_request
from .forms import FormDecodeError, decode_form
from .idempotency import MAX_KEY_LENGTH, StoredResponse, describe_request
from .json_body import render
from .routes import Call, RouteSpec, match_route
from .store import Store
from .versions import DEFAULT_VERSION, parse_version

logger = logging.getLogger(__name__)

MISSING_KEY_MESSAGE = (
    "No API key provided. Send your secret key in the Authorization header, either as "
    "'Authorization: Bearer sk_test_...' or as the username of HTTP Basic auth."
)

_JSON_CONTENT_TYPE = (b"content-type", b"application/json")
_HEADER_NAMES = {
    name: name.lower().encode("latin-1")
    for name in ("Request-Id", "Stripe-Version", "Idempotent-Replayed", "Original-Request", "Connection")
}
"""The names of the headers every answer carries, as sent (lower-cased once, not per answer)."""


class ReferenceApp:
    """The reference server as an ASGI application answering from one :class:`Store`.

    Every path reaches :func:`handle`, so that an unknown URL gets Stripe's error envelope.
    """

    def __init__(self, store: Store, max_body: int = MAX_BODY_BYTES) -> None:
        """Serve ``store``, reading request bodies of at most ``max_body`` bytes."""
        self.store = store
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer an HTTP request; acknowledge lifespan events; refuse websockets."""
        kind = scope["type"]
        if kind == "http":
            try:
                reply = await handle(self.store, IncomingRequest(scope, receive, self.max_body))
            except ClientDisconnected:
                return
            await send_reply(send, reply)
        elif kind == "lifespan":
            await run_lifespan(receive, send)
        else:
            await send({"type": "websocket.close", "code": 1000})

    def answer_whole(self, scope: Scope, body: bytes) -> Reply:
        """Answer an HTTP request whose whole body has arrived, without awaiting anything.

        The same answer as the ASGI call gives (:func:`handle_complete`); the HTTP layer uses it
        to serve such requests without a task (:mod:`.direct`).
        """
        return handle_complete(self.store, IncomingRequest(scope, None, self.max_body), body)


def create_app(store: Store | None = None, max_body: int = MAX_BODY_BYTES) -> ReferenceApp:
    """Build the ASGI application serving ``store`` (a fresh :class:`Store` by default)."""
    return ReferenceApp(store if store is not None else Store(), max_body)


async def handle(store: Store, request: IncomingRequest) -> Reply:
    """Run one request through version, auth, routing, decoding and idempotency."""
    routed = route(store, request)
    if isinstance(routed, Reply):
        return routed
    try:
        body = await request.body()
    except ClientDisconnected:
        raise
    except Exception as error:
        return routed.fail(error)
    return routed.finish(body)


def handle_complete(store: Store, request: IncomingRequest, body: bytes) -> Reply:
    """Answer a request whose whole body has already arrived: :func:`handle` without waiting.

    The HTTP layer calls it when a request's head and body came in together (most requests),
    so that no task is started for them; the answer is the one :func:`handle` gives.
    """
    routed = route(store, request)
    if isinstance(routed, Reply):
        return routed
    try:
        request.check_body_size(len(body))
    except BodyRefused as refused:
        return routed.fail(refused)
    return routed.finish(body)


def route(store: Store, request: IncomingRequest) -> Routed | Reply:
    """Check the version, the key, the route and the query string: what comes before reading the body.

    Return the routed request, or the error answer when one of them fails.
    """
    request_id = store.new_request_id()
    headers = {"Request-Id": request_id, "Stripe-Version": DEFAULT_VERSION}
    try:
        version = parse_version(request.stripe_version)
        headers["Stripe-Version"] = version
        api_key = authenticate(store, request.authorization)
        method, path = request.method.upper(), request.path
        routed = match_route(method, path)
        if routed is None:
            raise unrecognized_url(method, path)
        query = _utf8(request.query, "query string")
        return Routed(store, request, headers, version, api_key, method, routed[0], routed[1], query)
    except Exception as error:
        return error_reply(error, request, headers)


class Routed:
    """A request that passed the checks made before its body is read, waiting for its body."""

    __slots__ = ("api_key", "args", "headers", "method", "query", "request", "spec", "store", "version")

    def __init__(
        self,
        store: Store,
        request: IncomingRequest,
        headers: dict[str, str],
        version: str,
        api_key: str,
        method: str,
        spec: RouteSpec,
        args: dict[str, str],
        query: str,
    ) -> None:
        """Hold what :func:`route` found."""
        self.store, self.request, self.headers, self.version = store, request, headers, version
        self.api_key, self.method, self.spec, self.args, self.query = api_key, method, spec, args, query

    def finish(self, raw_body: bytes) -> Reply:
        """Decode the parameters, run the handler (once per idempotency key) and answer."""
        try:
            params = decode_params(self.query, _utf8(raw_body, "request body"))
            call = Call(path=self.request.path, params=params, version=self.version, args=self.args)
            idempotency_key = self.request.idempotency_key
            if self.method == "POST" and idempotency_key is not None:
                return run_idempotent(self.store, self.spec, call, (self.api_key, idempotency_key), self.headers)
            status, body = execute(self.store, self.spec, call)
            return json_reply(status, body, self.headers)
        except Exception as error:
            return error_reply(error, self.request, self.headers)

    def fail(self, error: Exception) -> Reply:
        """Answer a failure to read the body: a refused body (413, 408) or an unexpected error (500)."""
        return error_reply(error, self.request, self.headers)


def error_reply(error: Exception, request: IncomingRequest, headers: dict[str, str]) -> Reply:
    """Answer a failed request: its API error, a refused body (closing the connection), or a logged 500."""
    request_id = headers["Request-Id"]
    if isinstance(error, BodyRefused):
        # The rest of the body is never read: the connection closes after this answer.
        api = invalid_request(str(error), status=error.status, replayable=False)
        headers["Connection"] = "close"
        return json_reply(api.status, render(api.envelope(request_id)), headers)
    if isinstance(error, ApiError):
        headers.update(error.headers)
        return json_reply(error.status, render(error.envelope(request_id)), headers)
    logger.error("reference server failed on %s %s", request.method, request.path, exc_info=error)
    return json_reply(500, render(api_error().envelope(request_id)), headers)


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


def decode_params(query: str, body: str) -> dict[str, object]:
    """Decode the query string and the form body into one parameter tree."""
    if not query and not body:
        return {}
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


def execute(store: Store, spec: RouteSpec, call: Call) -> tuple[int, bytes]:
    """Run a handler and serialize its result.

    Handlers run on the event loop, not in a worker thread: they only touch the in-memory store
    under its lock, and a thread hop per request cost more than the work (benchmarks/RESULTS.md).
    """
    result = spec.handler(store, call)
    return 200, render(result)


def run_idempotent(
    store: Store,
    spec: RouteSpec,
    call: Call,
    scope: tuple[str, str],
    headers: dict[str, str],
) -> Reply:
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
        return json_reply(stored.status, stored.body, replay_headers)
    record: StoredResponse | None = None
    try:
        try:
            status, body = execute(store, spec, call)
        except ApiError as error:
            status, body = error.status, render(error.envelope(request_id))
            headers.update(error.headers)
            if not error.replayable:
                return json_reply(status, body, headers)
        except Exception:
            logger.exception("reference server failed on %s %s", spec.method, call.path)
            status, body = 500, render(api_error().envelope(request_id))
        record = StoredResponse(identity, status, body, request_id)
        return json_reply(status, body, headers)
    finally:
        store.finish_idempotent(scope, record)


def json_reply(status: int, body: bytes, headers: Mapping[str, str]) -> Reply:
    """Build a JSON answer: the given headers (names lower-cased), then length and content type."""
    raw = [
        (_HEADER_NAMES.get(name) or name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in headers.items()
    ]
    raw.append((b"content-length", str(len(body)).encode("latin-1")))
    raw.append(_JSON_CONTENT_TYPE)
    return Reply(status, raw, body)
