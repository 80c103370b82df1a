"""Rendering stored records as Stripe JSON objects, with ``expand[]`` applied."""

from __future__ import annotations

from collections.abc import Sequence

from . import expansion
from .models import Card, Customer
from .rules import JsonObject, Rules


class Rendering(Rules):
    """Overridable renderers for cards, customers, lists and deletion stubs."""

    embedded_source_limit = 10
    """How many sources a customer embeds in its ``sources`` list."""

    def find_customer(self, customer_id: str) -> Customer | None:
        """Return a live customer for expansions, or ``None`` (the store supplies this)."""
        return None

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
            owner = self.find_customer(card.customer)
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


def _ordered(data: JsonObject) -> JsonObject:
    """Order keys as Stripe does: ``id``, ``object``, then alphabetically."""
    head: JsonObject = {key: data[key] for key in ("id", "object") if key in data}
    rest = {key: data[key] for key in sorted(data) if key not in head}
    return {**head, **rest}
