"""The generation view of the surface: the document as Schemathesis should generate from it.

The document states only limits Stripe documents. Where random values would only earn 400s
(a test token, a future expiry year, an email address), a schema carries an
``x-stripe-generate`` hint; the view replaces those schemas by Stripe-aware ones, so positive
cases are values Stripe accepts. Because a hinted schema is stricter than Stripe, a negative
mutation of it may still be valid for Stripe: the view remembers every hinted field so that the
negative-data check ignores mutations there (see ``checks.trusted_negative``).

Response schemas are dropped from the view: responses are judged against the project's own
schema registry, not by Schemathesis.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import strategies as st

from conformance.fuzz.surface import HTTP_METHODS, load_surface

HINT_KEY = "x-stripe-generate"
COMPONENT_PREFIX = "#/components/schemas/"
DROP = "drop"

TEST_TOKENS = (
    "tok_amex",
    "tok_diners",
    "tok_discover",
    "tok_jcb",
    "tok_mastercard",
    "tok_mastercard_debit",
    "tok_mastercard_prepaid",
    "tok_unionpay",
    "tok_visa",
    "tok_visa_debit",
)
"""Stripe's reusable test-mode card tokens (Stripe testing docs); each can be used any number of times."""

LOCALES = ("de", "en", "es", "fr", "it", "ja", "nl")
EVENT_TYPES = (
    "charge.failed",
    "charge.succeeded",
    "customer.created",
    "customer.deleted",
    "customer.source.created",
    "customer.source.deleted",
    "customer.source.updated",
    "customer.updated",
    "payment_intent.succeeded",
)
PAYMENT_METHODS = ("pm_card_visa", "pm_card_mastercard")
"""Stripe's documented test PaymentMethods (Stripe testing docs), usable any number of times."""
ONRAMP_NETWORKS = ("bitcoin", "ethereum", "polygon", "solana")
ONRAMP_CURRENCIES = ("btc", "eth", "matic", "sol", "usdc")
"""Networks and cryptocurrencies the onramp quotes reference lists (newer ones exist: hinted, so
their negative mutations are not held against a target)."""
FIAT_CURRENCIES = ("usd",)
DECIMAL_AMOUNT_FORMAT = "stripe-decimal-amount"
METADATA_KEYS = (
    "order_id",
    "customer ref",
    "UPPER_case",
    "dots.and-dashes_",
    "with=equals&amp",
    "percent%20",
    "clé",
    "キー",
    "emoji 🙂",
    "k" * 40,
    *(f"k{index}" for index in range(10)),
)
"""Metadata keys of positive cases: a fixed pool of 20 (odd characters, the 40-character limit), so
updates merging into earlier metadata never pass Stripe's 50-key limit."""
METADATA_KEYS_PER_REQUEST = 8
EMAIL_FORMAT = "stripe-email"
WEBHOOK_URL_FORMAT = "stripe-webhook-url"
URL_STRING_LIMIT = 100
"""Longest generated string in a path or query parameter.

Stripe documents 5000 characters for most strings, but a URL carrying that many (percent-encoded)
characters exceeds what HTTP servers accept in a request line; such a request tests the web
server, not the API.
"""
EXP_YEARS_AHEAD = (1, 10)
"""Positive expiry years: from next year to ten years ahead (a year this year may already be past)."""


def _hints(today: datetime.date) -> dict[str, Callable[[dict[str, Any]], dict[str, Any] | str]]:
    first, last = (today.year + ahead for ahead in EXP_YEARS_AHEAD)
    return {
        "test-token": lambda _: {"type": "string", "enum": list(TEST_TOKENS)},
        "exp-year": lambda _: {"type": "integer", "minimum": first, "maximum": last},
        "email": lambda _: {"type": "string", "format": EMAIL_FORMAT},
        "webhook-url": lambda _: {"type": "string", "format": WEBHOOK_URL_FORMAT},
        "locale": lambda _: {"type": "string", "enum": list(LOCALES)},
        "event-type": lambda _: {"type": "string", "enum": list(EVENT_TYPES)},
        "amount": lambda _: {"type": "integer", "minimum": -99_999_999, "maximum": 99_999_999},
        "timestamp": lambda _: {"type": "integer", "minimum": 946_684_800, "maximum": 4_102_444_800},
        "source-object": lambda _: {"type": "string", "enum": ["card"]},
        "metadata": lambda _: {
            "type": "object",
            "maxProperties": METADATA_KEYS_PER_REQUEST,
            "propertyNames": {"type": "string", "enum": list(METADATA_KEYS)},
            "additionalProperties": {"type": "string", "maxLength": 500},
        },
        "test-payment-method": lambda _: {"type": "string", "enum": list(PAYMENT_METHODS)},
        "forwarding-url": lambda _: {"type": "string", "format": WEBHOOK_URL_FORMAT},
        "onramp-network": lambda _: {"type": "string", "enum": list(ONRAMP_NETWORKS)},
        "onramp-currency": lambda _: {"type": "string", "enum": list(ONRAMP_CURRENCIES)},
        "fiat-currency": lambda _: {"type": "string", "enum": list(FIAT_CURRENCIES)},
        "decimal-amount": lambda _: {"type": "string", "format": DECIMAL_AMOUNT_FORMAT},
        # Values Stripe accepts only when they name an existing object: never guessed.
        "cursor": lambda _: DROP,
        "existing-source": lambda _: DROP,
    }


@dataclass(frozen=True)
class GenerationView:
    """The document to load into Schemathesis, and the fields whose schema is a generation hint."""

    document: dict[str, Any]
    hinted: frozenset[tuple[str, str]]
    """``(location, field name)`` pairs, location being ``query``, ``path`` or ``body``."""
    today: datetime.date

    def is_hinted(self, location: str, name: str) -> bool:
        """Tell whether ``name`` in ``location`` has a Stripe-aware generation schema."""
        return (location, name) in self.hinted


def generation_view(document: dict[str, Any] | None = None, today: datetime.date | None = None) -> GenerationView:
    """Build the view of ``document`` (the shipped surface by default) for the day ``today``."""
    register_formats()
    day = today or datetime.date.today()
    doc = _drop_external_refs(load_surface() if document is None else document)
    hints = _hints(day)
    hinted: set[tuple[str, str]] = set()
    components = doc.setdefault("components", {})
    schemas = components.get("schemas", {})
    hinted_components = {f"{COMPONENT_PREFIX}{name}" for name, schema in schemas.items() if HINT_KEY in schema}
    for name, schema in list(schemas.items()):
        schemas[name] = _apply(schema, hints, hinted, "body", name, hinted_components)
    for parameter in components.get("parameters", {}).values():
        _apply_parameter(parameter, hints, hinted)
    for item in doc["paths"].values():
        item["parameters"] = _kept_parameters(item.get("parameters", []), components, hints, hinted)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operation["parameters"] = _kept_parameters(operation.get("parameters", []), components, hints, hinted)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                media["schema"] = _apply(media["schema"], hints, hinted, "body", "", hinted_components)
    parameters = components.get("parameters", {})
    for name in [name for name, parameter in parameters.items() if parameter.get("schema") == DROP]:
        del parameters[name]
    return GenerationView(doc, frozenset(hinted), day)


def _drop_external_refs(node: Any) -> Any:
    """Replace every ``$ref`` to a file outside the document by an empty (permissive) schema."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return {}
        return {key: _drop_external_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_drop_external_refs(item) for item in node]
    return node


def _apply(
    schema: Any,
    hints: dict[str, Callable[[dict[str, Any]], dict[str, Any] | str]],
    hinted: set[tuple[str, str]],
    location: str,
    name: str,
    hinted_components: frozenset[str] | set[str] = frozenset(),
) -> Any:
    """Return ``schema`` with hinted subschemas replaced (``DROP`` removes a property)."""
    if isinstance(schema, list):
        return [_apply(item, hints, hinted, location, name, hinted_components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    hint = schema.get(HINT_KEY)
    if isinstance(hint, str):
        hinted.add((location, name))
        return hints[hint](schema)
    if schema.get("$ref") in hinted_components:
        hinted.add((location, name))
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            properties = {}
            for prop, sub in value.items():
                replaced = _apply(sub, hints, hinted, location, prop, hinted_components)
                if replaced != DROP:
                    properties[prop] = replaced
            result[key] = properties
        elif key.startswith("x-stripe"):
            continue
        else:
            result[key] = _apply(value, hints, hinted, location, name, hinted_components)
    return result


def _apply_parameter(
    parameter: dict[str, Any],
    hints: dict[str, Callable[[dict[str, Any]], dict[str, Any] | str]],
    hinted: set[tuple[str, str]],
) -> None:
    if "schema" in parameter:
        schema = _apply(parameter["schema"], hints, hinted, parameter["in"], parameter["name"])
        parameter["schema"] = _cap_strings(schema)


def _cap_strings(schema: Any) -> Any:
    """Limit every string of a path or query parameter schema to :data:`URL_STRING_LIMIT`."""
    if isinstance(schema, list):
        return [_cap_strings(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    capped = {key: _cap_strings(value) for key, value in schema.items()}
    if capped.get("type") == "string" and "enum" not in capped:
        capped["maxLength"] = min(int(capped.get("maxLength", URL_STRING_LIMIT)), URL_STRING_LIMIT)
    return capped


def _kept_parameters(
    parameters: list[dict[str, Any]],
    components: dict[str, Any],
    hints: dict[str, Callable[[dict[str, Any]], dict[str, Any] | str]],
    hinted: set[tuple[str, str]],
) -> list[dict[str, Any]]:
    """Apply hints to inline parameters and drop those whose schema became ``DROP``."""
    kept = []
    for parameter in parameters:
        resolved = _resolve_parameter(parameter, components)
        if "$ref" not in parameter:
            _apply_parameter(parameter, hints, hinted)
        if resolved.get("schema") != DROP:
            kept.append(parameter)
    return kept


def _resolve_parameter(parameter: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = parameter.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
        resolved: dict[str, Any] = components["parameters"][ref.rsplit("/", 1)[1]]
        return resolved
    return parameter


def iter_hint_names(document: dict[str, Any]) -> Iterator[str]:
    """Yield every hint name the document uses (for validating the document)."""
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            hint = node.get(HINT_KEY)
            if isinstance(hint, str):
                yield hint
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def known_hints() -> frozenset[str]:
    """Return the names of every hint the view understands."""
    return frozenset(_hints(datetime.date(2000, 1, 1)))


def register_formats() -> None:
    """Register the string formats positive generation uses (idempotent; Schemathesis keeps a registry)."""
    schemathesis.openapi.format(
        EMAIL_FORMAT, st.from_regex(r"\A[a-z0-9]{1,16}@example\.(com|org)\Z", fullmatch=True)
    )
    schemathesis.openapi.format(
        DECIMAL_AMOUNT_FORMAT, st.from_regex(r"\A[1-9][0-9]{0,4}(\.[0-9]{2})?\Z", fullmatch=True)
    )
    schemathesis.openapi.format(
        WEBHOOK_URL_FORMAT, st.from_regex(r"\Ahttps://example\.com/hooks/[a-z0-9]{0,16}\Z", fullmatch=True)
    )
