"""In-memory records for customers and their cards."""

from __future__ import annotations

from dataclasses import dataclass, field

from .metadata import MetadataUpdate

ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")
"""Keys of a customer's ``address`` hash."""

CARD_ADDRESS_FIELDS = (
    "address_city",
    "address_country",
    "address_line1",
    "address_line2",
    "address_state",
    "address_zip",
)
"""Billing address fields of a card, as sent and as rendered."""


@dataclass
class CardDetails:
    """A validated card that is about to be attached to a customer."""

    number: str
    brand: str
    funding: str
    country: str
    exp_month: int
    exp_year: int
    cvc_check: str | None
    name: str | None = None
    address: dict[str, str | None] = field(default_factory=dict)
    metadata: MetadataUpdate = field(default_factory=MetadataUpdate)


@dataclass
class Card:
    """A card attached to a customer."""

    id: str
    customer: str
    created: int
    sequence: int
    brand: str
    country: str
    last4: str
    fingerprint: str
    funding: str
    exp_month: int
    exp_year: int
    cvc_check: str | None
    name: str | None = None
    address_city: str | None = None
    address_country: str | None = None
    address_line1: str | None = None
    address_line1_check: str | None = None
    address_line2: str | None = None
    address_state: str | None = None
    address_zip: str | None = None
    address_zip_check: str | None = None
    dynamic_last4: str | None = None
    tokenization_method: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class CardUpdate:
    """A validated card update: field changes plus an optional metadata change."""

    fields: dict[str, str | int | None] = field(default_factory=dict)
    metadata: MetadataUpdate | None = None


@dataclass
class Customer:
    """A customer and the cards (sources) attached to it."""

    id: str
    created: int
    sequence: int
    invoice_prefix: str
    email: str | None = None
    name: str | None = None
    description: str | None = None
    phone: str | None = None
    balance: int = 0
    address: dict[str, str | None] | None = None
    preferred_locales: list[str] = field(default_factory=list)
    tax_exempt: str = "none"
    metadata: dict[str, str] = field(default_factory=dict)
    default_source: str | None = None
    next_invoice_sequence: int = 1
    sources: dict[str, Card] = field(default_factory=dict)


@dataclass
class CustomerChanges:
    """Validated customer parameters, applied only once everything is valid."""

    fields: dict[str, object] = field(default_factory=dict)
    metadata: MetadataUpdate | None = None
    source: CardDetails | None = None
    default_source: str | None = None
