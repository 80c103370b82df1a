"""Webhook endpoints (seeds/000 'Webhook Endpoints'): create, retrieve, update, list and delete.

The signing ``secret`` appears only in the answer to create. The other seed-000 APIs live in
their own modules (:mod:`.climate`, :mod:`.forwarding`, :mod:`.crypto_onramp`, :mod:`.identity`).

State lives on the :class:`Store` (one :class:`OtherObjects` per store, made on first use);
a fault-injecting store subclass can swap the class through ``Store.other_objects_class``.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import ids
from .account_state import state_of
from .errors import invalid_parameter, invalid_request, parameter_invalid_empty, parameter_missing, resource_missing
from .listing import list_objects, retrieve_one
from .metadata import apply_metadata, parse_metadata
from .params import as_nullable_string, as_string, as_string_list, reject_unknown

if TYPE_CHECKING:
    from .routes import Handler
    from .store import JsonObject, Store

MAX_TEST_WEBHOOK_ENDPOINTS = 16
"""Most webhook endpoints a test-mode account may have."""

WEBHOOK_EVENT_TYPES = frozenset(
    {
        "*",
        "account.updated",
        "balance.available",
        "charge.captured",
        "charge.failed",
        "charge.refunded",
        "charge.succeeded",
        "charge.updated",
        "checkout.session.completed",
        "customer.created",
        "customer.deleted",
        "customer.source.created",
        "customer.source.deleted",
        "customer.source.expiring",
        "customer.source.updated",
        "customer.subscription.created",
        "customer.subscription.deleted",
        "customer.subscription.updated",
        "customer.updated",
        "invoice.created",
        "invoice.paid",
        "invoice.payment_failed",
        "payment_intent.created",
        "payment_intent.payment_failed",
        "payment_intent.succeeded",
        "payment_method.attached",
        "payment_method.detached",
        "payout.paid",
        "price.created",
        "product.created",
        "setup_intent.succeeded",
    }
)
"""Event types an endpoint may subscribe to (a subset of Stripe's list; ``*`` means all)."""

WEBHOOK_CREATE_PARAMS = frozenset(
    {"api_version", "connect", "description", "enabled_events", "expand", "metadata", "url"}
)
WEBHOOK_UPDATE_PARAMS = frozenset({"description", "disabled", "enabled_events", "expand", "metadata", "url"})
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class WebhookEndpoint:
    """One webhook endpoint of the account."""

    id: str
    created: int
    sequence: int
    url: str
    enabled_events: list[str]
    secret: str
    description: str | None = None
    api_version: str | None = None
    application: str | None = None
    status: str = "enabled"
    metadata: dict[str, str] = field(default_factory=dict)


class OtherObjects:
    """The account's webhook endpoints and the rules for the other objects."""

    def __init__(self) -> None:
        """Start with no webhook endpoint."""
        self.lock = threading.RLock()
        self.webhook_endpoints: dict[str, WebhookEndpoint] = {}

    # -- webhook endpoints --------------------------------------------------------------

    def new_webhook_endpoint_id(self) -> str:
        """Return a fresh webhook endpoint id."""
        return ids.random_id("we", 24)

    def new_webhook_secret(self) -> str:
        """Return a fresh signing secret."""
        return "whsec_" + secrets.token_hex(16)

    def create_webhook_endpoint(self, store: Store, params: Mapping[str, object]) -> JsonObject:
        """Create an endpoint; the answer is the only one carrying its secret."""
        with self.lock:
            reject_unknown(params, WEBHOOK_CREATE_PARAMS)
            store.parse_expand(params, "leaf")
            for required in ("url", "enabled_events"):
                if required not in params:
                    raise parameter_missing(required)
            url = self.validate_url(params["url"])
            events = self.validate_events(params["enabled_events"])
            description = as_nullable_string(params["description"], "description") if "description" in params else None
            version = self.validate_api_version(params["api_version"]) if "api_version" in params else None
            if "connect" in params:
                self.validate_boolean(params["connect"], "connect")
            metadata = apply_metadata({}, parse_metadata(params["metadata"])) if "metadata" in params else {}
            if len(self.webhook_endpoints) >= MAX_TEST_WEBHOOK_ENDPOINTS:
                raise invalid_request(
                    f"This account already has {MAX_TEST_WEBHOOK_ENDPOINTS} test webhook endpoints, the most "
                    "allowed; delete one before creating another.",
                    param="url",
                )
            endpoint = WebhookEndpoint(
                id=self.new_webhook_endpoint_id(),
                created=store.now(),
                sequence=store.next_sequence(),
                url=url,
                enabled_events=events,
                secret=self.new_webhook_secret(),
                description=description,
                api_version=version,
                metadata=metadata,
            )
            self.webhook_endpoints[endpoint.id] = endpoint
            return self.render_webhook_endpoint(endpoint, with_secret=True)

    def retrieve_webhook_endpoint(self, store: Store, endpoint_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return an endpoint, without its secret."""
        with self.lock:
            return retrieve_one(
                store, self.webhook_endpoints, endpoint_id, params, noun="webhook endpoint",
                render=lambda endpoint: self.render_webhook_endpoint(endpoint, with_secret=False),
            )

    def update_webhook_endpoint(self, store: Store, endpoint_id: str, params: Mapping[str, object]) -> JsonObject:
        """Change an endpoint's URL, events, description, status or metadata."""
        with self.lock:
            endpoint = self.get_webhook_endpoint(endpoint_id)
            reject_unknown(params, WEBHOOK_UPDATE_PARAMS)
            store.parse_expand(params, "leaf")
            changes: dict[str, object] = {}
            if "url" in params:
                changes["url"] = self.validate_url(params["url"])
            if "enabled_events" in params:
                changes["enabled_events"] = self.validate_events(params["enabled_events"])
            if "description" in params:
                changes["description"] = as_nullable_string(params["description"], "description")
            if "disabled" in params:
                changes["status"] = "disabled" if self.validate_boolean(params["disabled"], "disabled") else "enabled"
            metadata = (
                apply_metadata(endpoint.metadata, parse_metadata(params["metadata"])) if "metadata" in params else None
            )
            for name, value in changes.items():
                setattr(endpoint, name, value)
            if metadata is not None:
                endpoint.metadata = metadata
            return self.render_webhook_endpoint(endpoint, with_secret=False)

    def delete_webhook_endpoint(self, store: Store, endpoint_id: str, params: Mapping[str, object]) -> JsonObject:
        """Delete an endpoint and answer its deleted stub."""
        with self.lock:
            endpoint = self.get_webhook_endpoint(endpoint_id)
            reject_unknown(params, frozenset())
            del self.webhook_endpoints[endpoint.id]
            return {"id": endpoint.id, "object": "webhook_endpoint", "deleted": True}

    def list_webhook_endpoints(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List endpoints newest first."""
        with self.lock:
            return list_objects(
                store, list(self.webhook_endpoints.values()), params, url=url, noun="webhook endpoint",
                render=lambda endpoint: self.render_webhook_endpoint(endpoint, with_secret=False),
            )

    def get_webhook_endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        """Return an endpoint or raise ``resource_missing``."""
        endpoint = self.webhook_endpoints.get(endpoint_id)
        if endpoint is None:
            raise resource_missing(f"No such webhook endpoint: '{endpoint_id}'", "id")
        return endpoint

    def validate_url(self, value: object) -> str:
        """Require an absolute http(s) URL."""
        url = as_string(value, "url")
        if not url:
            raise parameter_invalid_empty("url")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
            raise invalid_parameter(f"Invalid URL: {url[:100]}", "url", "url_invalid")
        return url

    def validate_events(self, value: object) -> list[str]:
        """Require a non-empty list of known event types."""
        events = as_string_list(value, "enabled_events")
        if not events:
            raise parameter_invalid_empty("enabled_events")
        for index, event in enumerate(events):
            if event not in WEBHOOK_EVENT_TYPES:
                raise invalid_parameter(f"Invalid event type: {event[:100]}", f"enabled_events[{index}]")
        return list(dict.fromkeys(events))

    def validate_api_version(self, value: object) -> str:
        """Require an API version date."""
        version = as_string(value, "api_version")
        if _API_VERSION.fullmatch(version) is None:
            raise invalid_parameter(f"Invalid API version: {version[:100]}", "api_version")
        return version

    def validate_boolean(self, value: object, param: str) -> bool:
        """Read ``true`` or ``false``."""
        if value not in ("true", "false"):
            raise invalid_parameter(f"Invalid boolean: {str(value)[:100]}", param)
        return value == "true"

    def render_webhook_endpoint(self, endpoint: WebhookEndpoint, *, with_secret: bool) -> JsonObject:
        """Render an endpoint; ``with_secret`` only for the answer to create."""
        data: JsonObject = {
            "id": endpoint.id,
            "object": "webhook_endpoint",
            "api_version": endpoint.api_version,
            "application": endpoint.application,
            "created": endpoint.created,
            "description": endpoint.description,
            "enabled_events": list(endpoint.enabled_events),
            "livemode": False,
            "metadata": dict(endpoint.metadata),
            "status": endpoint.status,
            "url": endpoint.url,
        }
        if with_secret:
            data["secret"] = endpoint.secret
        return data


def objects_of(store: Store) -> OtherObjects:
    """Return the store's :class:`OtherObjects` (``store.other_objects_class`` swaps the class)."""
    return state_of(store, "other_objects", OtherObjects)


OTHER_OBJECT_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    (
        "GET",
        "/v1/webhook_endpoints",
        lambda store, call: objects_of(store).list_webhook_endpoints(store, call.params, call.path),
    ),
    (
        "POST",
        "/v1/webhook_endpoints",
        lambda store, call: objects_of(store).create_webhook_endpoint(store, call.params),
    ),
    (
        "GET",
        "/v1/webhook_endpoints/{id}",
        lambda store, call: objects_of(store).retrieve_webhook_endpoint(store, call.args["id"], call.params),
    ),
    (
        "POST",
        "/v1/webhook_endpoints/{id}",
        lambda store, call: objects_of(store).update_webhook_endpoint(store, call.args["id"], call.params),
    ),
    (
        "DELETE",
        "/v1/webhook_endpoints/{id}",
        lambda store, call: objects_of(store).delete_webhook_endpoint(store, call.args["id"], call.params),
    ),
)
"""``(method, path template, handler)`` of every route this module serves."""
