"""Climate orders, products and suppliers (seeds/000 'Climate Order', 'Climate Product', 'Climate Supplier').

Products and suppliers are the fixed catalogue of :mod:`.climate_catalogue`. An order buys a product
either by ``metric_tons`` or by ``amount`` (the subtotal in cents; tons are derived from the
product's price), never both. A new order is ``open``; it can be canceled while ``open``,
``awaiting_funds`` or ``confirmed`` (the reference has no clock that moves an order further), and
a canceled order is final: canceling it again or updating it is refused with a 400.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from . import ids
from .account_state import state_of
from .climate_catalogue import PRODUCTS, SUPPLIERS, Product, Supplier
from .errors import invalid_parameter, invalid_request, parameter_missing, resource_missing
from .listing import list_objects, retrieve_one
from .metadata import apply_metadata, parse_metadata
from .params import as_hash, as_integer, as_string, reject_unknown

if TYPE_CHECKING:
    from .routes import Handler
    from .store import JsonObject, Store

ORDER_CREATE_PARAMS = frozenset({"amount", "beneficiary", "currency", "expand", "metadata", "metric_tons", "product"})
ORDER_UPDATE_PARAMS = frozenset({"beneficiary", "expand", "metadata"})
CANCELLABLE = frozenset({"open", "awaiting_funds", "confirmed"})
"""Order statuses from which a cancel is accepted."""
CURRENCIES = frozenset({"usd"})
"""Currencies the catalogue is priced in."""
_TON_PLACES = Decimal("0.001")


@dataclass
class Order:
    """One climate order."""

    id: str
    created: int
    sequence: int
    product: str
    metric_tons: Decimal
    amount_subtotal: int
    amount_fees: int
    currency: str
    expected_delivery_year: int
    beneficiary: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    status: str = "open"
    canceled_at: int | None = None
    cancellation_reason: str | None = None


class Climate:
    """The account's climate orders and the rules that change them."""

    def __init__(self) -> None:
        """Start with no order."""
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}

    # -- catalogue ---------------------------------------------------------------------

    def list_products(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List the catalogue's products newest first."""
        return list_objects(store, list(PRODUCTS.values()), params, url=url, noun="product", render=Product.render)

    def retrieve_product(self, store: Store, product_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return one product."""
        return retrieve_one(store, PRODUCTS, product_id, params, noun="product", render=Product.render)

    def list_suppliers(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List the catalogue's suppliers, in catalogue order reversed (newest first)."""
        return list_objects(store, list(SUPPLIERS.values()), params, url=url, noun="supplier", render=Supplier.render)

    def retrieve_supplier(self, store: Store, supplier_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return one supplier."""
        return retrieve_one(store, SUPPLIERS, supplier_id, params, noun="supplier", render=Supplier.render)

    # -- orders ------------------------------------------------------------------------

    def create_order(self, store: Store, params: Mapping[str, object]) -> JsonObject:
        """Create an ``open`` order for a product, by metric tons or by amount."""
        with self.lock:
            reject_unknown(params, ORDER_CREATE_PARAMS)
            store.parse_expand(params, "leaf")
            if "product" not in params:
                raise parameter_missing("product")
            product = self.find_product(as_string(params["product"], "product"))
            tons, subtotal = self.quantity(product, params)
            currency = self.validate_currency(params["currency"]) if "currency" in params else "usd"
            beneficiary = self.validate_beneficiary(params["beneficiary"]) if "beneficiary" in params else None
            metadata = apply_metadata({}, parse_metadata(params["metadata"])) if "metadata" in params else {}
            order = Order(
                id=self.new_order_id(),
                created=store.now(),
                sequence=store.next_sequence(),
                product=product.id,
                metric_tons=tons,
                amount_subtotal=subtotal,
                amount_fees=self.fees(product, tons),
                currency=currency,
                expected_delivery_year=product.delivery_year,
                beneficiary=beneficiary,
                metadata=metadata,
            )
            self.orders[order.id] = order
            return self.render_order(order)

    def new_order_id(self) -> str:
        """Return a fresh order id."""
        return ids.random_id("climorder", 24)

    def retrieve_order(self, store: Store, order_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return one order."""
        with self.lock:
            return retrieve_one(store, self.orders, order_id, params, noun="order", render=self.render_order)

    def update_order(self, store: Store, order_id: str, params: Mapping[str, object]) -> JsonObject:
        """Change an order's beneficiary or metadata; a canceled or delivered order is final."""
        with self.lock:
            order = self.get_order(order_id)
            reject_unknown(params, ORDER_UPDATE_PARAMS)
            store.parse_expand(params, "leaf")
            beneficiary = self.validate_beneficiary(params["beneficiary"]) if "beneficiary" in params else None
            metadata = None
            if "metadata" in params:
                metadata = apply_metadata(order.metadata, parse_metadata(params["metadata"]))
            self.require_open_for_changes(order, "updated")
            if "beneficiary" in params:
                order.beneficiary = beneficiary
            if metadata is not None:
                order.metadata = metadata
            return self.render_order(order)

    def cancel_order(self, store: Store, order_id: str, params: Mapping[str, object]) -> JsonObject:
        """Cancel an order that is still cancellable."""
        with self.lock:
            order = self.get_order(order_id)
            reject_unknown(params, frozenset({"expand"}))
            store.parse_expand(params, "leaf")
            if not self.can_cancel(order):
                raise invalid_request(
                    f"This order is {order.status} and can no longer be canceled.", param="id"
                )
            order.status = "canceled"
            order.canceled_at = store.now()
            order.cancellation_reason = "requested"
            return self.render_order(order)

    def list_orders(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List orders newest first."""
        with self.lock:
            orders = list(self.orders.values())
            return list_objects(store, orders, params, url=url, noun="order", render=self.render_order)

    # -- rules -------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order:
        """Return an order or raise a 404 ``resource_missing``."""
        order = self.orders.get(order_id)
        if order is None:
            raise resource_missing(f"No such order: '{order_id}'", "id")
        return order

    def find_product(self, product_id: str) -> Product:
        """Return the product an order names, or a 400 ``resource_missing`` on ``product``."""
        product = PRODUCTS.get(product_id)
        if product is None:
            raise resource_missing(f"No such product: '{product_id}'", "product", 400)
        return product

    def quantity(self, product: Product, params: Mapping[str, object]) -> tuple[Decimal, int]:
        """Return the order's metric tons and subtotal from exactly one of ``metric_tons`` / ``amount``."""
        has_tons, has_amount = "metric_tons" in params, "amount" in params
        if has_tons and has_amount:
            raise invalid_request(
                "You may only specify one of these parameters: amount, metric_tons.",
                code="parameters_exclusive",
                param="amount",
                replayable=False,
            )
        if not has_tons and not has_amount:
            raise invalid_parameter(
                "You must specify either amount or metric_tons.", "metric_tons", "parameter_missing"
            )
        if has_tons:
            tons = self.validate_tons(params["metric_tons"])
            subtotal = int((tons * product.subtotal_per_ton).to_integral_value(ROUND_HALF_UP))
        else:
            subtotal = as_integer(params["amount"], "amount")
            if subtotal < 1:
                raise invalid_parameter("amount must be a positive integer.", "amount")
            tons = (Decimal(subtotal) / product.subtotal_per_ton).quantize(_TON_PLACES, ROUND_HALF_UP)
            if tons <= 0:
                raise invalid_parameter("amount buys less than the smallest quantity on sale.", "amount")
        if tons > product.metric_tons_available:
            raise invalid_parameter(
                f"Only {product.metric_tons_available} metric tons of {product.id} are available.", "metric_tons"
            )
        return tons, subtotal

    def validate_tons(self, value: object) -> Decimal:
        """Require a positive decimal string of at most three decimal places."""
        text = as_string(value, "metric_tons", 40)
        try:
            tons = Decimal(text)
        except InvalidOperation:
            tons = Decimal(-1)
        if not tons.is_finite() or tons <= 0 or tons != tons.quantize(_TON_PLACES) or "e" in text.lower():
            raise invalid_parameter(f"Invalid decimal: {text[:40]}", "metric_tons")
        return tons

    def fees(self, product: Product, tons: Decimal) -> int:
        """Return the service fees for ``tons`` of ``product``."""
        return int((tons * product.fees_per_ton).to_integral_value(ROUND_HALF_UP))

    def validate_currency(self, value: object) -> str:
        """Require a currency the catalogue is priced in."""
        currency = as_string(value, "currency")
        if currency not in CURRENCIES:
            raise invalid_parameter(f"Invalid currency: {currency[:20]}; the catalogue is priced in usd.", "currency")
        return currency

    def validate_beneficiary(self, value: object) -> str | None:
        """Read ``beneficiary[public_name]``; ``""`` unsets the beneficiary."""
        if value == "":
            return None
        data = as_hash(value, "beneficiary")
        reject_unknown(data, frozenset({"public_name"}), "beneficiary")
        if "public_name" not in data:
            raise parameter_missing("beneficiary[public_name]")
        name = as_string(data["public_name"], "beneficiary[public_name]")
        if not name:
            raise invalid_parameter("beneficiary[public_name] cannot be empty.", "beneficiary[public_name]")
        return name

    def can_cancel(self, order: Order) -> bool:
        """Tell whether the order's status still allows a cancel."""
        return order.status in CANCELLABLE

    def require_open_for_changes(self, order: Order, verb: str) -> None:
        """Refuse to change a canceled or delivered order."""
        if order.status in ("canceled", "delivered"):
            raise invalid_request(f"This order is {order.status} and can no longer be {verb}.", param="id")

    def render_order(self, order: Order) -> JsonObject:
        """Render a ``climate.order`` object."""
        return {
            "id": order.id,
            "object": "climate.order",
            "amount_fees": order.amount_fees,
            "amount_subtotal": order.amount_subtotal,
            "amount_total": order.amount_subtotal + order.amount_fees,
            "beneficiary": {"public_name": order.beneficiary} if order.beneficiary is not None else None,
            "canceled_at": order.canceled_at,
            "cancellation_reason": order.cancellation_reason,
            "certificate": None,
            "confirmed_at": None,
            "created": order.created,
            "currency": order.currency,
            "delayed_at": None,
            "delivered_at": None,
            "delivery_details": [],
            "expected_delivery_year": order.expected_delivery_year,
            "livemode": False,
            "metadata": dict(order.metadata),
            "metric_tons": format(order.metric_tons.normalize(), "f"),
            "product": order.product,
            "product_substituted_at": None,
            "status": order.status,
        }


def climate_of(store: Store) -> Climate:
    """Return the store's climate state (``store.climate_class`` swaps the class)."""
    return state_of(store, "climate", Climate)


CLIMATE_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/v1/climate/products", lambda s, c: climate_of(s).list_products(s, c.params, c.path)),
    ("GET", "/v1/climate/products/{id}", lambda s, c: climate_of(s).retrieve_product(s, c.args["id"], c.params)),
    ("GET", "/v1/climate/suppliers", lambda s, c: climate_of(s).list_suppliers(s, c.params, c.path)),
    ("GET", "/v1/climate/suppliers/{id}", lambda s, c: climate_of(s).retrieve_supplier(s, c.args["id"], c.params)),
    ("GET", "/v1/climate/orders", lambda s, c: climate_of(s).list_orders(s, c.params, c.path)),
    ("POST", "/v1/climate/orders", lambda s, c: climate_of(s).create_order(s, c.params)),
    ("GET", "/v1/climate/orders/{id}", lambda s, c: climate_of(s).retrieve_order(s, c.args["id"], c.params)),
    ("POST", "/v1/climate/orders/{id}", lambda s, c: climate_of(s).update_order(s, c.args["id"], c.params)),
    ("POST", "/v1/climate/orders/{id}/cancel", lambda s, c: climate_of(s).cancel_order(s, c.args["id"], c.params)),
)
"""``(method, path template, handler)`` of every Climate route."""
