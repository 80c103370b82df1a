"""In-memory state of the reference server and the rules that change it.

:class:`Store` holds customers, their cards and idempotency records behind one
lock.  Each rule is its own method so that a test can subclass :class:`Store`
and break exactly one rule (fault injection).  Endpoint methods (``create_*``,
``retrieve_*``, ``update_*``, ``delete_*``, ``list_*``) validate everything
before changing anything, hold the lock for their whole run and return the
JSON-ready response body.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Literal

from . import expansion
from .card_numbers import fingerprint_for_number
from .card_rules import CardRules
from .errors import (
    idempotency_error,
    invalid_parameter,
    invalid_request,
    parameter_invalid_empty,
    resource_missing,
)
from .idempotency import IdempotentRequest, StoredResponse
from .models import (
    ADDRESS_FIELDS,
    CARD_ADDRESS_FIELDS,
    Card,
    CardDetails,
    Customer,
    CustomerChanges,
)
from .params import (
    as_choice,
    as_hash,
    as_integer,
    as_nullable_string,
    as_string,
    as_string_list,
)
from .rendering import Rendering
from .rules import JsonObject, sort_key

__all__ = ["JsonObject", "SourceKind", "Store"]

SourceKind = Literal["source", "card"]
"""Which URL family a source request came through: ``/sources`` or legacy ``/cards``."""

CUSTOMER_FIELDS = ("email", "name", "description", "phone")
CUSTOMER_CREATE_PARAMS = frozenset(
    {*CUSTOMER_FIELDS, "address", "balance", "expand", "metadata", "preferred_locales", "source", "tax_exempt"}
)
CUSTOMER_UPDATE_PARAMS = CUSTOMER_CREATE_PARAMS | {"default_source"}
CUSTOMER_LIST_PARAMS = frozenset({"created", "email", "ending_before", "expand", "limit", "starting_after"})
SOURCE_CREATE_PARAMS = frozenset({"card", "expand", "metadata", "source"})
CARD_UPDATE_PARAMS = frozenset({*CARD_ADDRESS_FIELDS, "exp_month", "exp_year", "expand", "metadata", "name"})
SOURCE_LIST_PARAMS = frozenset({"ending_before", "expand", "limit", "object", "starting_after"})
CARD_LIST_PARAMS = SOURCE_LIST_PARAMS - {"object"}
RANGE_FILTERS = ("gt", "gte", "lt", "lte")
TAX_EXEMPT_VALUES = frozenset({"exempt", "none", "reverse"})
FIELD_MAX_LENGTHS: Mapping[str, int] = {"email": 512, "name": 256, "phone": 20}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

DEFAULT_MAX_OBJECTS = 20_000
"""Live objects (customers, cards, other objects) the reference server holds by default (~30 MB)."""
DEFAULT_MAX_IDEMPOTENCY_RECORDS = 10_000
"""Idempotency keys whose first answer is remembered for replay; older keys are forgotten."""


class Store(CardRules, Rendering):
    """Customers, their cards and idempotency records, guarded by one lock.

    Stateless rules come from :class:`~.rules.Rules`, card validation from
    :class:`~.card_rules.CardRules` and JSON shapes from
    :class:`~.rendering.Rendering`; all of them can be overridden here.
    """

    def __init__(
        self, *, max_objects: int = DEFAULT_MAX_OBJECTS, max_idempotency_records: int = DEFAULT_MAX_IDEMPOTENCY_RECORDS
    ) -> None:
        """Create an empty store holding at most ``max_objects`` live objects.

        Once full, a create is refused with a 400 that says so (nothing is evicted: a run never
        loses an object it made); deleting objects makes room. Idempotency records are kept for
        the ``max_idempotency_records`` most recent keys, the oldest forgotten first, as Stripe
        forgets keys after a day. Deleted customers' ids are remembered within the same bound.
        """
        self.lock = threading.RLock()
        self.max_objects = max_objects
        self.max_idempotency_records = max_idempotency_records
        self._live_objects = 0
        self._customers: dict[str, Customer] = {}
        self._deleted_customers: dict[str, None] = {}
        self._sequence = itertools.count(1)
        self._idempotent: dict[tuple[str, str], StoredResponse] = {}
        self._in_flight: set[tuple[str, str]] = set()

    def find_customer(self, customer_id: str) -> Customer | None:
        """Return a live customer, or ``None``."""
        return self._customers.get(customer_id)

    def next_sequence(self) -> int:
        """Return the next insertion number, the tie-break for equal ``created`` times.

        Every object takes one as it is created, so this is also where the store's bound holds:
        raise a 400 when ``max_objects`` objects are live.
        """
        with self.lock:
            if self._live_objects >= self.max_objects:
                raise invalid_request(
                    f"The reference server holds its maximum of {self.max_objects} objects; delete some "
                    "(stripe-conformance cleanup) or restart it with a larger --max-objects.",
                    replayable=False,
                )
            self._live_objects += 1
            return next(self._sequence)

    def release_objects(self, count: int) -> None:
        """Note that ``count`` live objects were deleted, making room for as many."""
        with self.lock:
            self._live_objects = max(0, self._live_objects - count)

    # -- lookups -------------------------------------------------------------------

    def get_customer(self, customer_id: str, param: str = "id") -> Customer:
        """Return a live customer, or raise a 404 ``resource_missing``."""
        customer = self.find_customer(customer_id)
        if customer is None:
            raise resource_missing(f"No such customer: '{customer_id}'", param)
        return customer

    def get_card(self, customer: Customer, card_id: str, kind: SourceKind) -> Card:
        """Return one of the customer's cards, or raise a 404 ``resource_missing``."""
        card = customer.sources.get(card_id)
        if card is None:
            if kind == "card":
                message = f"Customer {customer.id} does not have card with ID {card_id}"
            else:
                message = f"No such source: '{card_id}'"
            raise resource_missing(message, "id")
        return card

    def ordered_customers(self) -> list[Customer]:
        """Return all live customers newest first."""
        return sorted(self._customers.values(), key=sort_key, reverse=True)

    # -- customers: endpoints -----------------------------------------------------

    def create_customer(self, params: Mapping[str, object], *, version: str) -> JsonObject:
        """Create a customer, with a first card when ``source`` is given."""
        with self.lock:
            self.reject_unknown_params(params, CUSTOMER_CREATE_PARAMS)
            expand = self.parse_expand(params, "customer")
            changes = self.validate_customer_params(params, None)
            metadata = self.merge_metadata({}, changes.metadata) if changes.metadata else {}
            customer = Customer(
                id=self.new_customer_id(),
                created=self.now(),
                sequence=self.next_sequence(),
                invoice_prefix=self.new_invoice_prefix(),
            )
            self.apply_customer_fields(customer, changes.fields)
            customer.metadata = metadata
            self._customers[customer.id] = customer
            if changes.source is not None:
                self.attach_source(customer, self.build_card(customer, changes.source))
            return self.render_customer(customer, version=version, expand=expand)

    def retrieve_customer(self, customer_id: str, params: Mapping[str, object], *, version: str) -> JsonObject:
        """Return a customer, or the deleted stub of a deleted one."""
        with self.lock:
            self.reject_unknown_params(params, frozenset({"expand"}))
            expand = self.parse_expand(params, "customer")
            if customer_id in self._deleted_customers:
                return self.render_deleted_customer(customer_id)
            customer = self.get_customer(customer_id)
            return self.render_customer(customer, version=version, expand=expand)

    def update_customer(self, customer_id: str, params: Mapping[str, object], *, version: str) -> JsonObject:
        """Update a customer's fields, metadata, default source or add a new default card."""
        with self.lock:
            customer = self.get_customer(customer_id)
            self.reject_unknown_params(params, CUSTOMER_UPDATE_PARAMS)
            expand = self.parse_expand(params, "customer")
            changes = self.validate_customer_params(params, customer)
            metadata = self.merge_metadata(customer.metadata, changes.metadata) if changes.metadata else None
            self.apply_customer_fields(customer, changes.fields)
            if metadata is not None:
                customer.metadata = metadata
            if changes.source is not None:
                self.replace_default_source(customer, self.build_card(customer, changes.source))
            if changes.default_source is not None and changes.default_source in customer.sources:
                customer.default_source = changes.default_source
            return self.render_customer(customer, version=version, expand=expand)

    def delete_customer(self, customer_id: str, params: Mapping[str, object]) -> JsonObject:
        """Delete a customer together with its cards."""
        with self.lock:
            customer = self.get_customer(customer_id)
            self.reject_unknown_params(params, frozenset())
            del self._customers[customer.id]
            self.release_objects(1 + len(customer.sources))
            self._deleted_customers[customer.id] = None
            if len(self._deleted_customers) > self.max_objects:
                del self._deleted_customers[next(iter(self._deleted_customers))]
            return self.render_deleted_customer(customer.id)

    def list_customers(self, params: Mapping[str, object], *, version: str, url: str) -> JsonObject:
        """List customers newest first, optionally filtered by ``email`` and ``created``."""
        with self.lock:
            self.reject_unknown_params(params, CUSTOMER_LIST_PARAMS)
            expand = self.parse_expand(params, "customer_list")
            page = self.parse_page_request(params)
            candidates = self.filter_customers(self.ordered_customers(), params)
            cursor_key = None
            if page.cursor is not None:
                cursor = self.find_customer(page.cursor)
                if cursor is None:
                    raise resource_missing(f"No such customer: '{page.cursor}'", page.cursor_param, 400)
                cursor_key = sort_key(cursor)
            found, has_more = self.paginate(candidates, page, cursor_key)
            item_paths = expansion.group_paths(expand).get("data", [])
            data: list[object] = [
                self.render_customer(customer, version=version, expand=item_paths) for customer in found
            ]
            return self.render_list(data, has_more, url)

    # -- customers: rules ----------------------------------------------------------

    def validate_customer_params(self, params: Mapping[str, object], customer: Customer | None) -> CustomerChanges:
        """Validate customer parameters; ``customer`` is ``None`` on creation."""
        changes = CustomerChanges()
        for name in CUSTOMER_FIELDS:
            if name in params:
                max_length = FIELD_MAX_LENGTHS.get(name, 5000)
                changes.fields[name] = as_nullable_string(params[name], name, max_length)
        if changes.fields.get("email") is not None:
            self.validate_email(str(changes.fields["email"]))
        if "balance" in params:
            changes.fields["balance"] = as_integer(params["balance"], "balance")
        if "preferred_locales" in params:
            changes.fields["preferred_locales"] = as_string_list(params["preferred_locales"], "preferred_locales")
        if "tax_exempt" in params:
            value = params["tax_exempt"]
            changes.fields["tax_exempt"] = "none" if value == "" else as_choice(value, "tax_exempt", TAX_EXEMPT_VALUES)
        if "address" in params:
            changes.fields["address"] = self.validate_address(params["address"])
        if "metadata" in params:
            changes.metadata = self.validate_metadata(params["metadata"])
        if "source" in params:
            changes.source = self.card_details_from_source(params["source"], "source")
        if "default_source" in params and customer is not None:
            changes.default_source = self.validate_default_source(customer, params["default_source"])
        return changes

    def validate_email(self, email: str) -> None:
        """Reject a value that cannot be an email address."""
        if _EMAIL.fullmatch(email) is None:
            raise invalid_parameter(f"Invalid email address: {email}", "email", "email_invalid")

    def validate_address(self, value: object) -> dict[str, str | None] | None:
        """Validate a customer ``address`` hash; ``""`` unsets the address."""
        if value == "":
            return None
        data = as_hash(value, "address")
        self.reject_unknown_params(data, frozenset(ADDRESS_FIELDS), "address")
        return {
            key: as_nullable_string(data[key], f"address[{key}]") if key in data else None for key in ADDRESS_FIELDS
        }

    def validate_default_source(self, customer: Customer, value: object) -> str:
        """Require ``default_source`` to name one of the customer's own sources."""
        source_id = as_string(value, "default_source", 500)
        if not source_id:
            raise parameter_invalid_empty("default_source")
        if source_id not in customer.sources:
            raise resource_missing(f"No such source: '{source_id}'", "default_source", 400)
        return source_id

    def apply_customer_fields(self, customer: Customer, fields: Mapping[str, object]) -> None:
        """Copy validated plain fields onto a customer."""
        for name, value in fields.items():
            setattr(customer, name, value)

    def replace_default_source(self, customer: Customer, card: Card) -> None:
        """Make a card added through the customer's ``source`` parameter the new default.

        As in Stripe, the previous default source (if any) is deleted.
        """
        previous = customer.default_source
        if previous is not None:
            customer.sources.pop(previous, None)
        customer.sources[card.id] = card
        customer.default_source = card.id

    def filter_customers(self, customers: Sequence[Customer], params: Mapping[str, object]) -> list[Customer]:
        """Apply the ``email`` and ``created`` list filters."""
        found = list(customers)
        if "email" in params:
            email = as_string(params["email"], "email", 512)
            found = [customer for customer in found if customer.email == email]
        if "created" in params:
            bounds = self.parse_created_filter(params["created"])
            found = [customer for customer in found if _within(customer.created, bounds)]
        return found

    def parse_created_filter(self, value: object) -> dict[str, int]:
        """Parse ``created=<ts>`` or ``created[gt|gte|lt|lte]=<ts>``."""
        if isinstance(value, str):
            return {"eq": as_integer(value, "created")}
        data = as_hash(value, "created")
        self.reject_unknown_params(data, frozenset(RANGE_FILTERS), "created")
        return {key: as_integer(data[key], f"created[{key}]") for key in data}

    # -- sources: endpoints --------------------------------------------------------

    def addressed_card(
        self,
        customer_id: str,
        source_id: str,
        kind: SourceKind,
        params: Mapping[str, object],
        allowed: frozenset[str],
        shape: str,
    ) -> tuple[Customer, Card, list[str]]:
        """Resolve a card endpoint's customer, card, parameters and ``expand``, in the order errors win.

        A missing customer is reported before a missing card, and both before an unknown parameter
        or an ``expand`` the ``shape`` cannot have.
        """
        customer = self.get_customer(customer_id, "customer")
        card = self.get_card(customer, source_id, kind)
        self.reject_unknown_params(params, allowed)
        return customer, card, self.parse_expand(params, shape)

    def create_source(
        self,
        customer_id: str,
        params: Mapping[str, object],
        *,
        version: str,
        kind: SourceKind = "source",
    ) -> JsonObject:
        """Attach a card to a customer from a token or raw card details."""
        with self.lock:
            customer = self.get_customer(customer_id, "customer")
            self.reject_unknown_params(params, SOURCE_CREATE_PARAMS)
            expand = self.parse_expand(params, "card")
            details = self.source_details_from_params(params)
            update = self.validate_metadata(params["metadata"]) if "metadata" in params else None
            card = self.build_card(customer, details)
            if update is not None:
                card.metadata = self.merge_metadata(card.metadata, update)
            self.attach_source(customer, card)
            return self.render_card_expanded(card, version, expand)

    def retrieve_source(
        self,
        customer_id: str,
        source_id: str,
        params: Mapping[str, object],
        *,
        version: str,
        kind: SourceKind = "source",
    ) -> JsonObject:
        """Return one of a customer's cards."""
        with self.lock:
            _, card, expand = self.addressed_card(customer_id, source_id, kind, params, frozenset({"expand"}), "card")
            return self.render_card_expanded(card, version, expand)

    def update_source(
        self,
        customer_id: str,
        source_id: str,
        params: Mapping[str, object],
        *,
        version: str,
        kind: SourceKind = "source",
    ) -> JsonObject:
        """Update a card's billing details, expiry, name or metadata."""
        with self.lock:
            _, card, expand = self.addressed_card(customer_id, source_id, kind, params, CARD_UPDATE_PARAMS, "card")
            update = self.validate_card_update(params, card)
            metadata = self.merge_metadata(card.metadata, update.metadata) if update.metadata else None
            self.apply_card_update(card, update)
            if metadata is not None:
                card.metadata = metadata
            return self.render_card_expanded(card, version, expand)

    def delete_source(
        self,
        customer_id: str,
        source_id: str,
        params: Mapping[str, object],
        *,
        kind: SourceKind = "source",
    ) -> JsonObject:
        """Detach and delete a card, choosing a new default if it was the default."""
        with self.lock:
            customer, card, _ = self.addressed_card(customer_id, source_id, kind, params, frozenset({"expand"}), "leaf")
            self.remove_source(customer, card)
            return self.render_deleted_card(card)

    def list_sources(
        self,
        customer_id: str,
        params: Mapping[str, object],
        *,
        version: str,
        url: str,
        kind: SourceKind = "source",
    ) -> JsonObject:
        """List a customer's cards newest first."""
        with self.lock:
            customer = self.get_customer(customer_id, "customer")
            allowed = SOURCE_LIST_PARAMS if kind == "source" else CARD_LIST_PARAMS
            self.reject_unknown_params(params, allowed)
            expand = self.parse_expand(params, "card_list")
            page = self.parse_page_request(params)
            candidates = self.ordered_sources(customer)
            if "object" in params:
                wanted = as_string(params["object"], "object")
                if wanted != "card":  # cards are the only kind of source this store keeps
                    candidates = []
            cursor_key = None
            if page.cursor is not None:
                cursor = customer.sources.get(page.cursor)
                if cursor is None:
                    noun = "card" if kind == "card" else "source"
                    raise resource_missing(f"No such {noun}: '{page.cursor}'", page.cursor_param, 400)
                cursor_key = sort_key(cursor)
            found, has_more = self.paginate(candidates, page, cursor_key)
            item_paths = expansion.group_paths(expand).get("data", [])
            data: list[object] = [self.render_card_expanded(card, version, item_paths) for card in found]
            return self.render_list(data, has_more, url)

    # -- sources: rules --------------------------------------------------------------

    def build_card(self, customer: Customer, details: CardDetails) -> Card:
        """Create the card record for validated details (not yet attached)."""
        metadata = self.merge_metadata({}, details.metadata) if details.metadata.values else {}
        card = Card(
            id=self.new_card_id(),
            customer=customer.id,
            created=self.now(),
            sequence=self.next_sequence(),
            brand=details.brand,
            country=details.country,
            last4=details.number[-4:],
            fingerprint=fingerprint_for_number(details.number),
            funding=details.funding,
            exp_month=details.exp_month,
            exp_year=details.exp_year,
            cvc_check=details.cvc_check,
            name=details.name,
            metadata=metadata,
        )
        for field, value in details.address.items():
            setattr(card, field, value)
        card.address_line1_check = "pass" if card.address_line1 else None
        card.address_zip_check = "pass" if card.address_zip else None
        return card

    def attach_source(self, customer: Customer, card: Card) -> None:
        """Add a card to a customer and apply the default-source rule."""
        customer.sources[card.id] = card
        customer.default_source = self.default_after_attach(customer, card)

    def default_after_attach(self, customer: Customer, card: Card) -> str | None:
        """Return the default source after attaching ``card``: the first source becomes it."""
        if customer.default_source is None:
            return card.id
        return customer.default_source

    def remove_source(self, customer: Customer, card: Card) -> None:
        """Delete a card; if it was the default, pick a new one."""
        del customer.sources[card.id]
        self.release_objects(1)
        if customer.default_source == card.id:
            customer.default_source = self.choose_new_default(customer)

    def choose_new_default(self, customer: Customer) -> str | None:
        """Return the most recently added remaining source, or ``None`` if none is left."""
        remaining = self.ordered_sources(customer)
        return remaining[0].id if remaining else None

    # -- idempotency ---------------------------------------------------------------------

    def begin_idempotent(self, scope: tuple[str, str], request: IdempotentRequest) -> StoredResponse | None:
        """Return the stored response to replay, or claim the key for a first execution.

        Raises an ``idempotency_error`` when the key was used for a different
        request, or while another request with the same key is still running.
        """
        with self.lock:
            stored = self._idempotent.get(scope)
            if stored is not None:
                self.check_same_request(scope[1], stored.request, request)
                return stored
            if scope in self._in_flight:
                raise idempotency_error(
                    f"Another request with the idempotency key '{scope[1]}' is still being "
                    "processed; retry once it has finished.",
                    status=409,
                )
            self._in_flight.add(scope)
            return None

    def check_same_request(self, key: str, first: IdempotentRequest, retry: IdempotentRequest) -> None:
        """Reject reusing an idempotency key for a different endpoint or parameters."""
        if first.endpoint != retry.endpoint:
            raise idempotency_error(
                f"The idempotency key '{key}' was first used for {first.endpoint}; it cannot "
                f"be reused for {retry.endpoint}. Use a new key for a different request."
            )
        if first.params_digest != retry.params_digest:
            raise idempotency_error(
                f"The idempotency key '{key}' was first used with different parameters. "
                "Use a new key for a different request."
            )

    def finish_idempotent(self, scope: tuple[str, str], response: StoredResponse | None) -> None:
        """Release a claimed key, recording the response to replay unless it is ``None``."""
        with self.lock:
            self._in_flight.discard(scope)
            if response is not None:
                self._idempotent[scope] = response
                if len(self._idempotent) > self.max_idempotency_records:
                    del self._idempotent[next(iter(self._idempotent))]  # the oldest key is forgotten


def _within(created: int, bounds: Mapping[str, int]) -> bool:
    """Tell whether ``created`` satisfies every ``created`` filter bound."""
    checks = {
        "eq": created == bounds.get("eq", created),
        "gt": "gt" not in bounds or created > bounds["gt"],
        "gte": "gte" not in bounds or created >= bounds["gte"],
        "lt": "lt" not in bounds or created < bounds["lt"],
        "lte": "lte" not in bounds or created <= bounds["lte"],
    }
    return all(checks.values())
