"""Forwarding requests (seeds/000 'Forwarding Request'), answered without any outbound network.

Creating a request injects the test card behind ``payment_method`` into the request body, "sends"
it to the destination and stores what went out and what came back, redacted. The destination is
:meth:`Forwarding.deliver`, a built-in echo: it answers 200 with the body it received. Nothing
leaves the process; a test that needs another destination subclasses :class:`Forwarding` (through
``Store.forwarding_class``) and overrides ``deliver``.

Card injection (the ``replacements`` listed): in a JSON object body, at any depth, a key named
``number`` / ``card_number`` / ``cardNumber`` / ``pan`` gets the card number, ``cvc`` / ``cvv`` the
CVC, ``expiryMonth`` / ``exp_month`` and ``expiryYear`` / ``exp_year`` the expiry, ``holderName`` /
``cardholder_name`` the holder's name. Redaction before storing: card numbers are masked to their
first six and last four digits (any other run of 13 to 19 digits as well), CVCs become ``***``, and
the values of credential-bearing headers (authorization, cookies, names with key, secret, token,
password or signature in them) become ``[REDACTED]``.

Sending the same ``Idempotency-Key`` twice replays the first answer (the app's idempotency layer),
so one key yields one outbound request.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import ids
from .account_state import state_of
from .errors import invalid_parameter, parameter_invalid_empty, parameter_missing, resource_missing
from .listing import LIST_PARAMS as BASE_LIST_PARAMS
from .listing import list_objects, retrieve_one
from .metadata import apply_metadata, parse_metadata
from .params import as_hash, as_string, as_string_list, reject_unknown
from .tokens import TEST_TOKENS, TestCard

if TYPE_CHECKING:
    from .routes import Handler
    from .store import JsonObject, Store

CREATE_PARAMS = frozenset({"expand", "metadata", "payment_method", "replacements", "request", "url"})
LIST_PARAMS = BASE_LIST_PARAMS | {"created"}
REPLACEMENTS = frozenset({"card_cvc", "card_expiry", "card_number", "cardholder_name", "request_signature"})
MAX_BODY_LENGTH = 5000
"""Longest ``request[body]`` accepted, in characters: the API reference's 5,000-character limit
(https://docs.stripe.com/api/forwarding/forwarding_requests/create)."""
MAX_HEADERS = 50
TEST_EXPIRY = ("12", "2034")
TEST_CVC = "123"
TEST_HOLDER = "Jenny Rosen"
REDACTED = "[REDACTED]"

_FIELD_KINDS: Mapping[str, str] = {
    "number": "card_number",
    "cardnumber": "card_number",
    "pan": "card_number",
    "cvc": "card_cvc",
    "cvv": "card_cvc",
    "expirymonth": "card_expiry",
    "expmonth": "card_expiry",
    "expiryyear": "card_expiry",
    "expyear": "card_expiry",
    "holdername": "cardholder_name",
    "cardholdername": "cardholder_name",
}
_SENSITIVE_HEADER = re.compile(r"authorization|cookie|key|secret|token|password|signature", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"(?<!\d)(\d{6})\d{3,9}(\d{4})(?!\d)")


@dataclass(frozen=True)
class Exchange:
    """One HTTP message to or from the destination: headers as ``(name, value)`` pairs and a text body."""

    headers: tuple[tuple[str, str], ...]
    body: str
    status: int = 0


@dataclass
class ForwardedRequest:
    """One stored forwarding request (already redacted)."""

    id: str
    created: int
    sequence: int
    payment_method: str
    url: str
    replacements: list[str]
    request: Exchange
    response: Exchange
    metadata: dict[str, str] = field(default_factory=dict)


class Forwarding:
    """The account's forwarding requests and the echo destination."""

    def __init__(self) -> None:
        """Start with no request."""
        self.lock = threading.RLock()
        self.requests: dict[str, ForwardedRequest] = {}
        self.deliveries = 0

    def create(self, store: Store, params: Mapping[str, object]) -> JsonObject:
        """Inject the card, deliver the request, and store both sides redacted."""
        with self.lock:
            reject_unknown(params, CREATE_PARAMS)
            store.parse_expand(params, "leaf")
            for required in ("payment_method", "url", "replacements"):
                if required not in params:
                    raise parameter_missing(required)
            payment_method = as_string(params["payment_method"], "payment_method")
            card = self.card_for(payment_method)
            url = self.validate_url(params["url"])
            replacements = self.validate_replacements(params["replacements"])
            headers, body = self.validate_request(params["request"]) if "request" in params else ((), "")
            metadata = apply_metadata({}, parse_metadata(params["metadata"])) if "metadata" in params else {}
            outbound = Exchange((*headers, ("Content-Type", "application/json")), inject(body, card, replacements))
            self.deliveries += 1
            answer = self.deliver(url, outbound)
            forwarded = ForwardedRequest(
                id=self.new_request_id(),
                created=store.now(),
                sequence=store.next_sequence(),
                payment_method=payment_method,
                url=url,
                replacements=replacements,
                request=redact(outbound),
                response=redact(answer),
                metadata=metadata,
            )
            self.requests[forwarded.id] = forwarded
            return self.render(forwarded)

    def new_request_id(self) -> str:
        """Return a fresh forwarding request id."""
        return ids.random_id("fwdreq", 24)

    def retrieve(self, store: Store, request_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return one stored request."""
        with self.lock:
            return retrieve_one(store, self.requests, request_id, params, noun="forwarding request", render=self.render)

    def list_requests(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List stored requests newest first, optionally within a ``created`` range."""
        with self.lock:
            return list_objects(
                store, list(self.requests.values()), params, url=url, noun="forwarding request", render=self.render,
                accepted=LIST_PARAMS,
            )

    # -- rules -------------------------------------------------------------------------

    def deliver(self, url: str, outbound: Exchange) -> Exchange:
        """Send ``outbound`` to the destination: here a built-in echo of the body, never the network."""
        return Exchange((("Content-Type", "application/json"),), outbound.body, 200)

    def card_for(self, payment_method: str) -> TestCard:
        """Return the test card behind a test PaymentMethod such as ``pm_card_visa``."""
        card = TEST_TOKENS.get("tok_" + payment_method.removeprefix("pm_card_")) if payment_method.startswith(
            "pm_card_"
        ) else None
        if card is None:
            raise resource_missing(f"No such PaymentMethod: '{payment_method[:100]}'", "payment_method", 400)
        return card

    def validate_url(self, value: object) -> str:
        """Require an absolute ``https`` URL."""
        url = as_string(value, "url")
        if not url:
            raise parameter_invalid_empty("url")
        if re.fullmatch(r"https://[^\s/?#]+[^\s]*", url) is None:
            raise invalid_parameter(f"Invalid destination URL: {url[:100]}", "url", "url_invalid")
        return url

    def validate_replacements(self, value: object) -> list[str]:
        """Require a non-empty list of known replacement kinds."""
        kinds = as_string_list(value, "replacements")
        if not kinds:
            raise parameter_invalid_empty("replacements")
        for index, kind in enumerate(kinds):
            if kind not in REPLACEMENTS:
                allowed = ", ".join(sorted(REPLACEMENTS))
                raise invalid_parameter(f"Invalid replacement: must be one of {allowed}", f"replacements[{index}]")
        return list(dict.fromkeys(kinds))

    def validate_request(self, value: object) -> tuple[tuple[tuple[str, str], ...], str]:
        """Read ``request[body]`` and ``request[headers][i][name|value]``; ``""`` means an empty request."""
        if value == "":
            return (), ""
        data = as_hash(value, "request")
        reject_unknown(data, frozenset({"body", "headers"}), "request")
        body = as_string(data["body"], "request[body]", MAX_BODY_LENGTH) if "body" in data else ""
        raw_headers = as_hash(data["headers"], "request[headers]") if data.get("headers", "") != "" else {}
        if len(raw_headers) > MAX_HEADERS:
            raise invalid_parameter(f"At most {MAX_HEADERS} headers may be forwarded.", "request[headers]")
        headers = []
        for index, item in raw_headers.items():
            where = f"request[headers][{index}]"
            header = as_hash(item, where)
            reject_unknown(header, frozenset({"name", "value"}), where)
            for part in ("name", "value"):
                if part not in header:
                    raise parameter_missing(f"{where}[{part}]")
            headers.append((as_string(header["name"], f"{where}[name]"),
                            as_string(header["value"], f"{where}[value]")))
        return tuple(headers), body

    def render(self, item: ForwardedRequest) -> JsonObject:
        """Render a ``forwarding.request`` object."""
        return {
            "id": item.id,
            "object": "forwarding.request",
            "created": item.created,
            "livemode": False,
            "metadata": dict(item.metadata),
            "payment_method": item.payment_method,
            "replacements": list(item.replacements),
            "request_context": {"destination_duration": 0, "destination_ip_address": "127.0.0.1"},
            "request_details": {
                "body": item.request.body,
                "headers": [{"name": name, "value": value} for name, value in item.request.headers],
                "http_method": "POST",
            },
            "response_details": {
                "body": item.response.body,
                "headers": [{"name": name, "value": value} for name, value in item.response.headers],
                "status": item.response.status,
            },
            "url": item.url,
        }


# -- card injection and redaction (pure) ---------------------------------------------------


def _field_kind(key: str) -> str | None:
    return _FIELD_KINDS.get(key.replace("_", "").replace("-", "").lower())


def inject(body: str, card: TestCard, replacements: list[str]) -> str:
    """Fill the card fields the ``replacements`` ask for into a JSON object body (other bodies as sent)."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body

    def fill(key: str, value: object) -> object:
        kind = _field_kind(key)
        if kind is None or kind not in replacements or isinstance(value, (dict, list)):
            return walk(value)
        normalized = key.replace("_", "").lower()
        if kind == "card_number":
            return card.number
        if kind == "card_cvc":
            return TEST_CVC
        if kind == "cardholder_name":
            return TEST_HOLDER
        return TEST_EXPIRY[0] if "month" in normalized else TEST_EXPIRY[1]

    def walk(value: object) -> object:
        if isinstance(value, dict):
            return {key: fill(key, item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return json.dumps(walk(document), separators=(",", ":"))


def mask_digits(text: str) -> str:
    """Mask every run of 13 to 19 digits to its first six and last four."""
    return _DIGIT_RUN.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(2), text)


def redact_body(body: str) -> str:
    """Mask card numbers and blank CVCs in a body; non-JSON bodies get the digit-run masking only."""
    try:
        document = json.loads(body)
    except ValueError:
        return mask_digits(body)

    def walk(value: object, key: str = "") -> object:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if _field_kind(key) == "card_cvc" and value not in ("", None):
            return "***"
        if isinstance(value, str):
            return mask_digits(value)
        if isinstance(value, int) and not isinstance(value, bool) and 13 <= len(str(abs(value))) <= 19:
            return mask_digits(str(value))
        return value

    return json.dumps(walk(document), separators=(",", ":"))


def redact(message: Exchange) -> Exchange:
    """Return ``message`` as it may be stored: card data masked, credential headers blanked."""
    headers = tuple(
        (name, REDACTED if _SENSITIVE_HEADER.search(name) else mask_digits(value)) for name, value in message.headers
    )
    return Exchange(headers, redact_body(message.body), message.status)


def forwarding_of(store: Store) -> Forwarding:
    """Return the store's forwarding state (``store.forwarding_class`` swaps the class)."""
    return state_of(store, "forwarding", Forwarding)


FORWARDING_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/v1/forwarding/requests", lambda s, c: forwarding_of(s).list_requests(s, c.params, c.path)),
    ("POST", "/v1/forwarding/requests", lambda s, c: forwarding_of(s).create(s, c.params)),
    ("GET", "/v1/forwarding/requests/{id}", lambda s, c: forwarding_of(s).retrieve(s, c.args["id"], c.params)),
)
"""``(method, path template, handler)`` of every forwarding route."""
