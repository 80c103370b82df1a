"""In-memory state of the reference server and every business rule applied to it.

Each rule is its own method so that a test can subclass :class:`Store` and
break exactly one rule (fault injection).  Endpoint methods (``create_*``,
``retrieve_*``, ``update_*``, ``delete_*``, ``list_*``) validate everything
before changing anything, hold the store lock for their whole run and return
the JSON-ready response body.
"""

from __future__ import annotations

import datetime
import itertools
import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Literal, TypeVar

from . import expansion, ids
from .card_numbers import (
    brand_for_number,
    fingerprint_for_number,
    is_plausible_number,
    luhn_valid,
    normalize_number,
)
from .errors import (
    ApiError,
    card_error,
    idempotency_error,
    invalid_parameter,
    invalid_request,
    parameter_invalid_empty,
    parameter_missing,
    resource_missing,
)
from .idempotency import IdempotentRequest, StoredResponse
from .metadata import MetadataUpdate, apply_metadata, parse_metadata
from .models import (
    ADDRESS_FIELDS,
    CARD_ADDRESS_FIELDS,
    Card,
    CardDetails,
    CardUpdate,
    Customer,
    CustomerChanges,
)
from .pagination import PageRequest, SortKey, paginate, parse_page_request
from .params import (
    as_choice,
    as_hash,
    as_integer,
    as_nullable_string,
    as_string,
    as_string_list,
    nested_name,
    reject_unknown,
)
from .tokens import TEST_NUMBERS, TEST_TOKENS
from .versions import CUSTOMER_LISTS_UNEMBEDDED, is_before

T = TypeVar("T", Card, Customer)

SourceKind = Literal["source", "card"]
"""Which URL family a source request came through: ``/sources`` or legacy ``/cards``."""

JsonObject = dict[str, object]

CUSTOMER_FIELDS = ("email", "name", "description", "phone")
CUSTOMER_CREATE_PARAMS = frozenset(
    {*CUSTOMER_FIELDS, "address", "balance", "expand", "metadata", "preferred_locales"} | {"source", "tax_exempt"}
)
CUSTOMER_UPDATE_PARAMS = CUSTOMER_CREATE_PARAMS | {"default_source"}
CUSTOMER_LIST_PARAMS = frozenset({"created", "email", "ending_before", "expand", "limit", "starting_after"})
SOURCE_CREATE_PARAMS = frozenset({"card", "expand", "metadata", "source"})
RAW_CARD_PARAMS = frozenset(
    {*CARD_ADDRESS_FIELDS, "cvc", "exp_month", "exp_year", "metadata", "name", "number"} | {"object"}
)
CARD_UPDATE_PARAMS = frozenset({*CARD_ADDRESS_FIELDS, "exp_month", "exp_year", "expand", "metadata", "name"})
SOURCE_LIST_PARAMS = frozenset({"ending_before", "expand", "limit", "object", "starting_after"})
CARD_LIST_PARAMS = SOURCE_LIST_PARAMS - {"object"}
RANGE_FILTERS = ("gt", "gte", "lt", "lte")
TAX_EXEMPT_VALUES = frozenset({"exempt", "none", "reverse"})
FIELD_MAX_LENGTHS: Mapping[str, int] = {"email": 512, "name": 256, "phone": 20}

_API_KEY = re.compile(r"(?:sk|rk)_test_[A-Za-z0-9]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class Store:
    """Customers, their cards and idempotency records, guarded by one lock."""

    embedded_source_limit = 10
    """How many sources a customer embeds in its ``sources`` list."""

    def __init__(self) -> None:
        """Create an empty store."""
        self.lock = threading.RLock()
        self._customers: dict[str, Customer] = {}
        self._deleted_customers: set[str] = set()
        self._sequence = itertools.count(1)
        self._idempotent: dict[tuple[str, str], StoredResponse] = {}
        self._in_flight: set[tuple[str, str]] = set()

    # -- identifiers and clock -------------------------------------------------

    def new_customer_id(self) -> str:
        """Return a fresh customer id."""
        return ids.random_id("cus", 14)

    def new_card_id(self) -> str:
        """Return a fresh card id (``card_`` and 24 alphanumerics)."""
        return ids.random_id("card", 24)

    def new_request_id(self) -> str:
        """Return a fresh ``Request-Id``."""
        return ids.random_id("req", 14)

    def new_invoice_prefix(self) -> str:
        """Return a fresh customer invoice prefix."""
        return ids.invoice_prefix()

    def next_sequence(self) -> int:
        """Return the next insertion number, the tie-break for equal ``created`` times."""
        return next(self._sequence)

    def now(self) -> int:
        """Return the current Unix time in whole seconds."""
        return int(time.time())

    def today(self) -> datetime.date:
        """Return today's date in UTC, the reference for card expiry."""
        return datetime.datetime.fromtimestamp(self.now(), datetime.UTC).date()

    # -- authentication, versions and generic parameter rules ---------------------

    def is_valid_api_key(self, key: str) -> bool:
        """Tell whether ``key`` is an acceptable test-mode secret or restricted key."""
        return _API_KEY.fullmatch(key) is not None

    def embeds_customer_lists(self, version: str) -> bool:
        """Tell whether customers embed ``sources`` by default in this API version."""
        return is_before(version, CUSTOMER_LISTS_UNEMBEDDED)

    def reject_unknown_params(self, params: Mapping[str, object], allowed: frozenset[str], prefix: str = "") -> None:
        """Reject any parameter the endpoint does not accept."""
        reject_unknown(params, allowed, prefix)

    def parse_expand(self, params: Mapping[str, object], shape: str) -> list[str]:
        """Validate ``expand`` against what the response shape can expand."""
        return expansion.parse_expand(params, shape)

    def validate_metadata(self, value: object, param: str = "metadata") -> MetadataUpdate:
        """Validate a ``metadata`` parameter (types and per-key limits)."""
        return parse_metadata(value, param)

    def merge_metadata(
        self, current: Mapping[str, str], update: MetadataUpdate, param: str = "metadata"
    ) -> dict[str, str]:
        """Merge a metadata update key by key; ``""`` unsets a key, ``metadata=`` unsets all."""
        return apply_metadata(current, update, param)

    def parse_page_request(self, params: Mapping[str, object]) -> PageRequest:
        """Validate ``limit``, ``starting_after`` and ``ending_before``."""
        return parse_page_request(params)

    def paginate(self, items: Sequence[T], page: PageRequest, cursor_key: SortKey | None) -> tuple[list[T], bool]:
        """Cut one page out of a newest-first list and tell whether more lie beyond."""
        return paginate(items, _sort_key, page, cursor_key)

    # -- lookups -------------------------------------------------------------------

    def get_customer(self, customer_id: str, param: str = "id") -> Customer:
        """Return a live customer, or raise a 404 ``resource_missing``."""
        customer = self._customers.get(customer_id)
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

    def ordered_sources(self, customer: Customer) -> list[Card]:
        """Return the customer's sources newest first."""
        return sorted(customer.sources.values(), key=_sort_key, reverse=True)

    def ordered_customers(self) -> list[Customer]:
        """Return all live customers newest first."""
        return sorted(self._customers.values(), key=_sort_key, reverse=True)

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
            self._deleted_customers.add(customer.id)
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
                cursor = self._customers.get(page.cursor)
                if cursor is None:
                    raise resource_missing(f"No such customer: '{page.cursor}'", page.cursor_param, 400)
                cursor_key = _sort_key(cursor)
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
            customer = self.get_customer(customer_id, "customer")
            card = self.get_card(customer, source_id, kind)
            self.reject_unknown_params(params, frozenset({"expand"}))
            expand = self.parse_expand(params, "card")
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
            customer = self.get_customer(customer_id, "customer")
            card = self.get_card(customer, source_id, kind)
            self.reject_unknown_params(params, CARD_UPDATE_PARAMS)
            expand = self.parse_expand(params, "card")
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
            customer = self.get_customer(customer_id, "customer")
            card = self.get_card(customer, source_id, kind)
            self.reject_unknown_params(params, frozenset({"expand"}))
            self.parse_expand(params, "leaf")
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
                candidates = [card for card in candidates if wanted == "card"]
            cursor_key = None
            if page.cursor is not None:
                cursor = customer.sources.get(page.cursor)
                if cursor is None:
                    noun = "card" if kind == "card" else "source"
                    raise resource_missing(f"No such {noun}: '{page.cursor}'", page.cursor_param, 400)
                cursor_key = _sort_key(cursor)
            found, has_more = self.paginate(candidates, page, cursor_key)
            item_paths = expansion.group_paths(expand).get("data", [])
            data: list[object] = [self.render_card_expanded(card, version, item_paths) for card in found]
            return self.render_list(data, has_more, url)

    # -- sources: rules --------------------------------------------------------------

    def source_details_from_params(self, params: Mapping[str, object]) -> CardDetails:
        """Read the card to attach from ``source`` (or the legacy ``card``)."""
        given = [name for name in ("source", "card") if name in params]
        if not given:
            raise parameter_missing("source")
        if len(given) > 1:
            raise invalid_request(
                "Send the card in either `source` or `card`, not both.",
                param="card",
                replayable=False,
            )
        return self.card_details_from_source(params[given[0]], given[0])

    def card_details_from_source(self, value: object, param: str) -> CardDetails:
        """Validate a ``source`` value: a token or a hash of raw card details."""
        if isinstance(value, str):
            if not value:
                raise parameter_invalid_empty(param)
            return self.card_details_from_token(value, param)
        return self.card_details_from_hash(as_hash(value, param), param)

    def card_details_from_token(self, token: str, param: str) -> CardDetails:
        """Resolve a test token such as ``tok_visa`` into card details."""
        test_card = TEST_TOKENS.get(token)
        if test_card is None:
            raise resource_missing(f"No such token: '{token}'", param, 400)
        today = self.today()
        return CardDetails(
            number=test_card.number,
            brand=test_card.brand,
            funding=test_card.funding,
            country=test_card.country,
            exp_month=today.month,
            exp_year=today.year + 1,
            cvc_check="pass",
        )

    def card_details_from_hash(self, data: Mapping[str, object], param: str) -> CardDetails:
        """Validate raw card details (number, expiry, cvc, name, address, metadata)."""
        self.reject_unknown_params(data, RAW_CARD_PARAMS, param)
        if "object" in data and data["object"] != "card":
            raise invalid_parameter(
                f"Invalid {param}[object]: only `card` sources are supported.",
                nested_name(param, "object"),
            )
        for required in ("number", "exp_month", "exp_year"):
            if required not in data:
                raise parameter_missing(nested_name(param, required))
        number = self.validate_card_number(as_string(data["number"], f"{param}[number]"))
        exp_month = self.card_integer(data["exp_month"], "exp_month")
        self.validate_exp_month(exp_month)
        exp_year = self.normalize_exp_year(self.card_integer(data["exp_year"], "exp_year"))
        self.validate_exp_year(exp_year)
        self.check_expiry_not_past(exp_month, exp_year)
        cvc = data.get("cvc", "")
        if cvc != "":
            self.validate_cvc(cvc)
        address = {
            field: as_nullable_string(data[field], nested_name(param, field))
            for field in CARD_ADDRESS_FIELDS
            if field in data
        }
        name = as_nullable_string(data["name"], nested_name(param, "name")) if "name" in data else None
        metadata = (
            self.validate_metadata(data["metadata"], nested_name(param, "metadata"))
            if "metadata" in data
            else MetadataUpdate()
        )
        known = TEST_NUMBERS.get(number)
        return CardDetails(
            number=number,
            brand=known.brand if known else brand_for_number(number),
            funding=known.funding if known else "unknown",
            country=known.country if known else "US",
            exp_month=exp_month,
            exp_year=exp_year,
            cvc_check="pass" if cvc != "" else None,
            name=name,
            address=address,
            metadata=metadata,
        )

    def validate_card_number(self, raw: str) -> str:
        """Return the digits of a card number that is well formed and passes Luhn."""
        number = normalize_number(raw)
        if not is_plausible_number(number):
            raise card_error("invalid_number", "The card number is not a valid credit card number.", "number")
        if not luhn_valid(number):
            raise card_error("incorrect_number", "Your card number is incorrect.", "number")
        return number

    def card_integer(self, value: object, param: str) -> int:
        """Read an expiry field of raw card details; a non-integer is a card error."""
        try:
            return as_integer(value, param)
        except ApiError:
            if param == "exp_month":
                raise self.expiry_month_error() from None
            raise self.expiry_year_error() from None

    def expiry_month_error(self) -> ApiError:
        """Build the card error for a bad expiry month."""
        return card_error("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")

    def expiry_year_error(self) -> ApiError:
        """Build the card error for a bad expiry year."""
        return card_error("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")

    def validate_exp_month(self, month: int) -> None:
        """Require a month from 1 to 12."""
        if not 1 <= month <= 12:
            raise self.expiry_month_error()

    def normalize_exp_year(self, year: int) -> int:
        """Read a two-digit year as 20xx."""
        return 2000 + year if 0 <= year < 100 else year

    def validate_exp_year(self, year: int) -> None:
        """Require a four-digit year that is not in the past."""
        if year < self.today().year or year > 9999:
            raise self.expiry_year_error()

    def check_expiry_not_past(self, month: int, year: int) -> None:
        """Reject an expiry month/year combination that has already passed."""
        today = self.today()
        if (year, month) < (today.year, today.month):
            raise card_error("invalid_expiry_month", "Your card's expiration date is in the past.", "exp_month")

    def validate_cvc(self, value: object) -> str:
        """Require a 3- or 4-digit security code."""
        if not (isinstance(value, str) and value.isascii() and value.isdigit()) or len(value) not in (3, 4):
            raise card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
        return value

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

    def validate_card_update(self, params: Mapping[str, object], card: Card) -> CardUpdate:
        """Validate every card update parameter without changing anything."""
        update = CardUpdate()
        for name in (*CARD_ADDRESS_FIELDS, "name"):
            if name in params:
                update.fields[name] = as_nullable_string(params[name], name)
        month, year = card.exp_month, card.exp_year
        if "exp_month" in params:
            month = as_integer(params["exp_month"], "exp_month")
            self.validate_exp_month(month)
            update.fields["exp_month"] = month
        if "exp_year" in params:
            year = self.normalize_exp_year(as_integer(params["exp_year"], "exp_year"))
            self.validate_exp_year(year)
            update.fields["exp_year"] = year
        if "exp_month" in params or "exp_year" in params:
            self.check_expiry_not_past(month, year)
        if "metadata" in params:
            update.metadata = self.validate_metadata(params["metadata"])
        return update

    def apply_card_update(self, card: Card, update: CardUpdate) -> None:
        """Apply validated field changes; a changed address line or zip is re-checked later."""
        for name, value in update.fields.items():
            if name == "address_line1" and value != card.address_line1:
                card.address_line1_check = "unchecked" if value else None
            if name == "address_zip" and value != card.address_zip:
                card.address_zip_check = "unchecked" if value else None
            setattr(card, name, value)

    def remove_source(self, customer: Customer, card: Card) -> None:
        """Delete a card; if it was the default, pick a new one."""
        del customer.sources[card.id]
        if customer.default_source == card.id:
            customer.default_source = self.choose_new_default(customer)

    def choose_new_default(self, customer: Customer) -> str | None:
        """Return the most recently added remaining source, or ``None`` if none is left."""
        remaining = self.ordered_sources(customer)
        return remaining[0].id if remaining else None

    # -- rendering ---------------------------------------------------------------------

    def render_card(self, card: Card) -> JsonObject:
        """Render a customer's card as the 2023-08-16 ``card`` object."""
        return {
            "id": card.id,
            "object": "card",
            "address_city": card.address_city,
            "address_country": card.address_country,
            "address_line1": card.address_line1,
            "address_line1_check": card.address_line1_check,
            "address_line2": card.address_line2,
            "address_state": card.address_state,
            "address_zip": card.address_zip,
            "address_zip_check": card.address_zip_check,
            "brand": card.brand,
            "country": card.country,
            "customer": card.customer,
            "cvc_check": card.cvc_check,
            "dynamic_last4": card.dynamic_last4,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
            "fingerprint": card.fingerprint,
            "funding": card.funding,
            "last4": card.last4,
            "metadata": dict(card.metadata),
            "name": card.name,
            "tokenization_method": card.tokenization_method,
        }

    def render_card_expanded(self, card: Card, version: str, expand: Sequence[str]) -> JsonObject:
        """Render a card and apply its expansions (``customer``)."""
        data = self.render_card(card)
        groups = expansion.group_paths(expand)
        if "customer" in groups:
            owner = self._customers.get(card.customer)
            if owner is not None:
                data["customer"] = self.render_customer(owner, version=version, expand=groups["customer"])
        return data

    def render_customer(self, customer: Customer, *, version: str, expand: Sequence[str] = ()) -> JsonObject:
        """Render a customer, embedding or expanding lists as the version and ``expand`` ask."""
        data: JsonObject = {
            "id": customer.id,
            "object": "customer",
            "address": dict(customer.address) if customer.address is not None else None,
            "balance": customer.balance,
            "created": customer.created,
            "currency": None,
            "default_source": customer.default_source,
            "delinquent": False,
            "description": customer.description,
            "discount": None,
            "email": customer.email,
            "invoice_prefix": customer.invoice_prefix,
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": dict(customer.metadata),
            "name": customer.name,
            "next_invoice_sequence": customer.next_invoice_sequence,
            "phone": customer.phone,
            "preferred_locales": list(customer.preferred_locales),
            "shipping": None,
            "tax_exempt": customer.tax_exempt,
            "test_clock": None,
        }
        groups = expansion.group_paths(expand)
        embed = self.embeds_customer_lists(version)
        if embed or "sources" in groups:
            data["sources"] = self.render_embedded_sources(customer, version, groups.get("sources", []))
        for name in ("subscriptions", "tax_ids"):
            if embed or name in groups:
                data[name] = self.render_list([], False, f"/v1/customers/{customer.id}/{name}")
        if "default_source" in groups and customer.default_source is not None:
            card = customer.sources.get(customer.default_source)
            if card is not None:
                data["default_source"] = self.render_card_expanded(card, version, groups["default_source"])
        return _ordered(data)

    def render_embedded_sources(self, customer: Customer, version: str, expand: Sequence[str]) -> JsonObject:
        """Render the customer's ``sources`` list: the most recent sources, newest first."""
        ordered = self.ordered_sources(customer)
        item_paths = expansion.group_paths(expand).get("data", [])
        shown = ordered[: self.embedded_source_limit]
        data: list[object] = [self.render_card_expanded(card, version, item_paths) for card in shown]
        return self.render_list(data, len(ordered) > len(shown), f"/v1/customers/{customer.id}/sources")

    def render_list(self, data: list[object], has_more: bool, url: str) -> JsonObject:
        """Render a list object."""
        return {"object": "list", "data": data, "has_more": has_more, "url": url}

    def render_deleted_card(self, card: Card) -> JsonObject:
        """Render the answer to deleting a card."""
        return {"id": card.id, "object": "card", "deleted": True}

    def render_deleted_customer(self, customer_id: str) -> JsonObject:
        """Render the answer to deleting (or retrieving a deleted) customer."""
        return {"id": customer_id, "object": "customer", "deleted": True}

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


def _sort_key(item: Card | Customer) -> SortKey:
    """Order by creation time, then by insertion order."""
    return (item.created, item.sequence)


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


def _ordered(data: JsonObject) -> JsonObject:
    """Order keys as Stripe does: ``id``, ``object``, then alphabetically."""
    head: JsonObject = {key: data[key] for key in ("id", "object") if key in data}
    rest = {key: data[key] for key in sorted(data) if key not in head}
    return {**head, **rest}
