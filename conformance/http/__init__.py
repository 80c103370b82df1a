"""HTTP layer: Stripe-style requests, form encoding, transports, redaction and curl lines."""

from conformance.http.client import DEFAULT_STRIPE_VERSION, StripeClient
from conformance.http.curl import curl_command
from conformance.http.exchange import Request, Response
from conformance.http.formencode import encode_form, encode_pairs
from conformance.http.transport import Transport, TransportError, Urllib3Transport

__all__ = [
    "DEFAULT_STRIPE_VERSION",
    "Request",
    "Response",
    "StripeClient",
    "Transport",
    "TransportError",
    "Urllib3Transport",
    "curl_command",
    "encode_form",
    "encode_pairs",
]
