"""The official Python client (stripe-python) wired to the target through the suite's transport.

``sdk_client`` returns a ``stripe.StripeClient`` whose every base address is the target's URL and
whose HTTP client is ``TransportHTTPClient``: the SDK's requests go through the session's
transport (so they reach only the target, with the suite's timeouts) and the last exchange is
kept as evidence for failures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from conformance.http import Response, TransportError
from conformance.http.exchange import Request
from conformance.http.transport import Transport
from conformance.targets import TargetConfig


class TransportHTTPClient(stripe.HTTPClient):
    """A stripe-python HTTP client that sends through a conformance ``Transport``."""

    name = "stripe-conformance"

    def __init__(self, transport: Transport) -> None:
        """Send through ``transport`` (not closed here: the session owns it)."""
        super().__init__()
        self._transport = transport
        self.exchanges: list[Response] = []

    @property
    def last(self) -> Response | None:
        """The last response the SDK received, for evidence."""
        return self.exchanges[-1] if self.exchanges else None

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None, **_: Any
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Send one request for the SDK and hand back body, status and lower-cased headers."""
        body = post_data.encode("utf-8") if isinstance(post_data, str) else (post_data or b"")
        request = Request(method.upper(), url, tuple((headers or {}).items()), body)
        try:
            response = self._transport.send(request)
        except TransportError as exc:
            raise stripe.APIConnectionError(f"conformance transport: {exc}") from None
        self.exchanges.append(response)
        return response.body, response.status, {k.lower(): v for k, v in response.headers}

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        """Streaming is not used by the card lifecycle."""
        raise NotImplementedError("streaming responses are not used by the conformance scenarios")

    def close(self) -> None:
        """Nothing to close: the session owns the transport."""


def sdk_client(target: TargetConfig, http: TransportHTTPClient) -> stripe.StripeClient:
    """Return a stripe-python client bound to ``target`` only, pinning the target's API version."""
    url = target.base_url
    return stripe.StripeClient(
        target.api_key,
        stripe_version=target.stripe_version,
        base_addresses={"api": url, "connect": url, "files": url, "meter_events": url},
        http_client=http,
        max_network_retries=0,
    )
