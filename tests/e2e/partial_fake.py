"""A partial target: only seed 004's customer and card endpoints, every other route a Stripe 404.

It is the reference server's store behind a route filter, so what it serves it serves
faithfully; what it does not serve (list customers, webhook endpoints, tokens, every other
object) answers like Stripe answers an unknown URL: HTTP 404 with the error envelope and
``Unrecognized request URL``. That is the in-house fake most users have: the surface their
application uses, nothing more.

    python tests/e2e/partial_fake.py        # serve on a free loopback port, print the URL
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import time

from conformance.reference import ReferenceServer
from conformance.reference.app import create_app
from conformance.reference.asgi import Receive, Scope, Send
from conformance.reference.auth import api_key_from_header
from conformance.reference.store import Store

_ID = r"[^/]+"
SERVED = (
    ("POST", r"/v1/customers"),
    ("GET|POST|DELETE", rf"/v1/customers/{_ID}"),
    ("GET|POST", rf"/v1/customers/{_ID}/(?:sources|cards)"),
    ("GET|POST|DELETE", rf"/v1/customers/{_ID}/(?:sources|cards)/{_ID}"),
)
"""Seed 004's surface: customers (create, retrieve, update for ``default_source``, delete) and their cards."""

_ROUTES = [(re.compile(rf"^(?:{methods})$"), re.compile(rf"^{path}/?$")) for methods, path in SERVED]


def served(method: str, path: str) -> bool:
    """Tell whether the partial target serves ``method path``."""
    return any(m.match(method.upper()) and p.match(path) for m, p in _ROUTES)


class PartialApp:
    """An ASGI app passing the served routes to the reference app and answering every other one with Stripe's 404.

    Like Stripe, it checks the key before the route: a request without a valid key is a 401 anywhere.
    """

    def __init__(self, store: Store) -> None:
        """Serve ``store`` through the reference app, filtered."""
        self._store = store
        self._inner = create_app(store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a route of the surface, or refuse it as an unknown URL."""
        if scope["type"] != "http" or served(scope["method"], scope["path"]) or not self._authenticated(scope):
            await self._inner(scope, receive, send)
            return
        message = (
            f"Unrecognized request URL ({scope['method']}: {scope['path']}). "
            "Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
        )
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"request-id", f"req_{secrets.token_hex(7)}".encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": body})


    def _authenticated(self, scope: Scope) -> bool:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        key = api_key_from_header(headers.get("authorization"))
        return key is not None and self._store.is_valid_api_key(key)


def partial_server(store: Store | None = None) -> ReferenceServer:
    """A (not yet started) loopback server of the partial target (on ``store``, a fresh one by default)."""
    return ReferenceServer(app=PartialApp(store if store is not None else Store()))


if __name__ == "__main__":
    with partial_server() as server:
        print(server.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sys.exit(0)
