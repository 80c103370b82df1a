"""HTTP layer: Stripe-style requests, form encoding, transports, redaction and curl lines."""

from conformance.http.client import DEFAULT_STRIPE_VERSION, StripeClient
from conformance.http.curl import curl_command
from conformance.http.exchange import Request, Response
from conformance.http.formencode import encode_form, encode_pairs
from conformance.http.ratelimit import RateLimitedTransport, RateLimiter
from conformance.http.retry import RateLimitedError, RetryingTransport, RetryPolicy
from conformance.http.stack import TransportSettings, build_transport
from conformance.http.transport import Transport, TransportError, Urllib3Transport

__all__ = [
    "DEFAULT_STRIPE_VERSION",
    "RateLimitedError",
    "RateLimitedTransport",
    "RateLimiter",
    "Request",
    "Response",
    "RetryPolicy",
    "RetryingTransport",
    "StripeClient",
    "Transport",
    "TransportError",
    "TransportSettings",
    "Urllib3Transport",
    "build_transport",
    "curl_command",
    "encode_form",
    "encode_pairs",
]
