"""A small Stripe-style API client: bracket forms, auth, a pinned version, idempotency keys."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from conformance.http.exchange import Request, Response
from conformance.http.formencode import FormValue, encode_form, encode_pairs
from conformance.http.stack import TransportSettings, build_transport
from conformance.http.transport import Transport

DEFAULT_STRIPE_VERSION = "2023-08-16"
USER_AGENT = "stripe-conformance"

IdempotencyKeys = Callable[[], str]


class StripeClient:
    """Send Stripe-style requests to one base URL with one key and one pinned API version."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        stripe_version: str | None = DEFAULT_STRIPE_VERSION,
        auth_scheme: str = "basic",
        transport: Transport | None = None,
        idempotency_keys: IdempotencyKeys | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Create a client; ``idempotency_keys`` supplies a fresh key for every POST (default: random)."""
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.stripe_version = stripe_version
        self.auth_scheme = auth_scheme
        self.transport = transport or build_transport(self.base_url, TransportSettings(timeout=timeout))
        self._idempotency_keys = idempotency_keys
        self._observers: list[Callable[[Response], None]] = []

    def observe(self, callback: Callable[[Response], None]) -> None:
        """Call ``callback`` with every response this client receives."""
        self._observers.append(callback)

    def with_key(self, api_key: str | None, *, auth_scheme: str | None = None) -> StripeClient:
        """Return a client identical to this one but authenticating with ``api_key``."""
        other = StripeClient(
            self.base_url,
            api_key,
            stripe_version=self.stripe_version,
            auth_scheme=auth_scheme or self.auth_scheme,
            transport=self.transport,
            idempotency_keys=self._idempotency_keys,
        )
        other._observers = self._observers
        return other

    def with_version(self, stripe_version: str | None) -> StripeClient:
        """Return a client identical to this one but pinning ``stripe_version``."""
        other = self.with_key(self.api_key)
        other.stripe_version = stripe_version
        return other

    def get(self, path: str, params: Mapping[str, FormValue] | None = None) -> Response:
        """Send a GET with ``params`` in the query string."""
        return self.request("GET", path, params=params)

    def post(
        self,
        path: str,
        data: Mapping[str, FormValue] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Response:
        """Send a form-encoded POST; a fresh idempotency key is added unless one is given."""
        return self.request("POST", path, data=data, idempotency_key=idempotency_key)

    def delete(self, path: str, params: Mapping[str, FormValue] | None = None) -> Response:
        """Send a DELETE."""
        return self.request("DELETE", path, params=params)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, FormValue] | None = None,
        data: Mapping[str, FormValue] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        raw_body: bytes | None = None,
    ) -> Response:
        """Build, send and return one request; HTTP error statuses are returned, not raised."""
        url = self.base_url + path
        if params:
            query = urlencode(encode_pairs(params), safe="[]")
            url += ("&" if "?" in url else "?") + query
        body = raw_body if raw_body is not None else b""
        all_headers = self._headers(method, idempotency_key)
        if data is not None and raw_body is None:
            body = encode_form(data).encode("utf-8")
        if method == "POST" and raw_body is None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        request = Request(method, url, tuple(all_headers.items()), body)
        response = self.transport.send(request)
        for callback in self._observers:
            callback(response)
        return response

    def fresh_idempotency_key(self) -> str:
        """Return a new key from this client's source, for a scenario that must send one key twice."""
        return (self._idempotency_keys() if self._idempotency_keys else None) or f"sc-{uuid.uuid4().hex}"

    def _headers(self, method: str, idempotency_key: str | None) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.api_key is not None:
            headers["Authorization"] = self._authorization(self.api_key)
        if self.stripe_version:
            headers["Stripe-Version"] = self.stripe_version
        if method == "POST":
            # Always keyed, so that a retried POST can never act twice on the target.
            headers["Idempotency-Key"] = idempotency_key or self.fresh_idempotency_key()
        return headers

    def _authorization(self, key: str) -> str:
        if self.auth_scheme == "bearer":
            return f"Bearer {key}"
        return "Basic " + base64.b64encode(f"{key}:".encode()).decode("ascii")

    def close(self) -> None:
        """Close the transport's connections."""
        self.transport.close()

