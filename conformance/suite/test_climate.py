"""Climate products, suppliers and orders (seeds/000 'Climate Order', 'Climate Product', 'Climate Supplier')."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest

from conformance.checks import Blocked, Verifier
from conformance.http import Response, StripeClient
from conformance.suite.api_checks import (
    SCENARIO_TAG,
    added_ids,
    check_list_holds,
    check_not_found,
    check_paging_reaches,
    listed_ids,
    require_route,
    setup_object,
    tagged,
    undone_at_exit,
    walk_pages,
)
from conformance.suite.cite import requires

pytestmark = pytest.mark.needs_feature("climate")

FEATURE = "climate"
PRODUCTS, SUPPLIERS, ORDERS = "/v1/climate/products", "/v1/climate/suppliers", "/v1/climate/orders"
TONS = "0.5"
FINAL_STATUSES = ("canceled", "delivered")

MakeOrder = Callable[..., dict[str, Any]]


def _as_decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if isinstance(value, (str, int, float)) else None
    except InvalidOperation:
        return None


@pytest.fixture
def product_id(stripe_client: StripeClient) -> str:
    """The id of the first product the target lists (setup: the catalogue is the target's)."""
    listed = stripe_client.get(PRODUCTS, {"limit": 1})
    require_route(listed, FEATURE)
    ids = listed_ids(listed)
    if listed.status != 200 or not ids or not isinstance(ids[0], str):
        raise Blocked("precondition.climate-product", f"GET {PRODUCTS} gave no product to order (HTTP {listed.status})")
    return ids[0]


@pytest.fixture
def order_params(product_id: str, stripe_run_id: str) -> dict[str, Any]:
    """Parameters of a small, run-tagged order of the first listed product."""
    return {"product": product_id, "metric_tons": TONS, "metadata": {"conformance_run": stripe_run_id}}


@pytest.fixture
def cleanup(stripe_client: StripeClient) -> Iterator[list[str]]:
    """Ids of orders a scenario made; each is canceled at teardown (orders cannot be deleted)."""
    with undone_at_exit(lambda order_id: stripe_client.post(f"{ORDERS}/{order_id}/cancel")) as made:
        yield made


@pytest.fixture
def make_order(stripe_client: StripeClient, order_params: dict[str, Any], cleanup: list[str]) -> MakeOrder:
    """Create orders as setup (canceled at teardown)."""

    def make() -> dict[str, Any]:
        body = setup_object(
            stripe_client, ORDERS, order_params, feature=FEATURE, precondition="precondition.climate-order"
        )
        cleanup.append(body["id"])
        return body

    return make


@requires("climate.product.list-retrieve", "climate.product.suppliers-retrievable", "climate.supplier.list-retrieve",
          "climate.catalogue.pagination", "climate.unknown-id")
def test_catalogue_list_retrieve_pages_and_unknown_ids(stripe_client: StripeClient, check: Verifier) -> None:
    # The catalogue is only read: each supplier is retrieved once, for the products that name it and
    # for the supplier list alike.
    listed = stripe_client.get(PRODUCTS, {"limit": 3})
    require_route(listed, FEATURE)
    suppliers: dict[object, Response] = {}

    def supplier(supplier_id: object) -> Response:
        if supplier_id not in suppliers:
            suppliers[supplier_id] = stripe_client.get(f"{SUPPLIERS}/{supplier_id}")
        return suppliers[supplier_id]

    req = "climate.product.list-retrieve"
    check.status(listed, 200, req)
    products = [p for p in listed.json().get("data", []) if isinstance(p, dict)]
    check.that(bool(products), "expected at least one climate product in the list", listed, req, json_path="$.data")
    with check.soft():
        for product in products:
            retrieved = stripe_client.get(f"{PRODUCTS}/{product.get('id')}")
            check.status(retrieved, 200, req)
            check.equal(retrieved, "$.object", "climate.product", req)
            for name in ("id", "name", "delivery_year", "current_prices_per_metric_ton"):
                check.equal(retrieved, f"$.{name}", product.get(name), req)
            for named in product.get("suppliers") or []:
                answer = supplier(named.get("id"))
                check.status(answer, 200, "climate.product.suppliers-retrievable")
                check.equal(answer, "$.name", named.get("name"), "climate.product.suppliers-retrievable")

        req = "climate.supplier.list-retrieve"
        listed = stripe_client.get(SUPPLIERS, {"limit": 3})
        check.status(listed, 200, req)
        found = [s for s in listed.json().get("data", []) if isinstance(s, dict)]
        check.that(bool(found), "expected at least one climate supplier in the list", listed, req, json_path="$.data")
        for item in found:
            retrieved = supplier(item.get("id"))
            check.status(retrieved, 200, req)
            check.equal(retrieved, "$.object", "climate.supplier", req)
            for name in ("id", "name", "removal_pathway"):
                check.equal(retrieved, f"$.{name}", item.get(name), req)

        for path in (PRODUCTS, SUPPLIERS):
            walked = walk_pages(stripe_client, check, path, "climate.catalogue.pagination")
            check.that(bool(walked), f"expected paging {path} to reach at least one object", None,
                       "climate.catalogue.pagination")

        # The product list above showed the API is served: these 404s are about the ids.
        req = "climate.unknown-id"
        check_not_found(check, stripe_client.get(f"{PRODUCTS}/climsku_doesnotexist0042"), req)
        check_not_found(check, stripe_client.get(f"{SUPPLIERS}/climsup_doesnotexist0042"), req)
        order = f"{ORDERS}/climorder_doesnotexist0042"
        check_not_found(check, stripe_client.get(order), req)
        check_not_found(check, stripe_client.post(order, {"metadata": {"k": "v"}}), req)
        check_not_found(check, stripe_client.post(f"{order}/cancel"), req)


@requires("climate.order.create.product-required", "climate.order.create.quantity-required",
          "climate.order.create.quantity-exclusive")
def test_create_order_validation(
    stripe_client: StripeClient, product_id: str, stripe_run_id: str, scenario_tag: str, check: Verifier
) -> None:
    before = stripe_client.get(ORDERS, {"limit": 100})
    # Others may order meanwhile: only orders carrying this scenario's tag count, and only they are canceled.
    mark = {"metadata": {"conformance_run": stripe_run_id, SCENARIO_TAG: scenario_tag}}
    with check.soft():
        missing = stripe_client.post(ORDERS, {"metric_tons": TONS, **mark})
        check.error(missing, status=400, param="product", req="climate.order.create.product-required")
        neither = stripe_client.post(ORDERS, {"product": product_id, **mark})
        check.error(neither, status=400, req="climate.order.create.quantity-required")
        both = stripe_client.post(ORDERS, {"product": product_id, "metric_tons": TONS, "amount": 1000, **mark})
        check.error(both, status=400, req="climate.order.create.quantity-exclusive")
        after = stripe_client.get(ORDERS, {"limit": 100})
        new = added_ids(before, after, tagged(scenario_tag))
        for order_id in new:
            stripe_client.post(f"{ORDERS}/{order_id}/cancel")
        check.that(not new, f"expected refused orders to create nothing, the list gained {new}", after,
                   "climate.order.create.quantity-exclusive")


@requires("climate.order.create.read-back", "climate.order.amount-total", "climate.order.list",
          "climate.order.update.read-back", "climate.order.cancel", "climate.order.cancel.twice-refused",
          "climate.order.update-after-cancel")
def test_order_lifecycle(
    stripe_client: StripeClient,
    product_id: str,
    order_params: dict[str, Any],
    cleanup: list[str],
    make_order: MakeOrder,
    check: Verifier,
) -> None:
    # One order is made, read back, listed with a second one, updated, canceled, and refused what a
    # canceled order refuses.
    answer = stripe_client.post(ORDERS, order_params)
    require_route(answer, FEATURE)
    req = "climate.order.create.read-back"
    order = check.status(answer, 200, req)
    cleanup.append(str(order.get("id")))
    path = f"{ORDERS}/{order.get('id')}"
    made = [order.get("id"), make_order()["id"]]
    with check.soft():
        check_list_holds(stripe_client, check, ORDERS, made, "climate.order.list")
        check_paging_reaches(stripe_client, check, ORDERS, made, "climate.order.list")
    retrieved = stripe_client.get(path)
    with check.soft():
        check.equal(answer, "$.object", "climate.order", req)
        check.equal(answer, "$.product", product_id, req)
        check.that(_as_decimal(order.get("metric_tons")) == Decimal(TONS),
                   f"expected metric_tons {TONS}, got {order.get('metric_tons')!r}", answer, req,
                   json_path="$.metric_tons")
        check.that(order.get("status") in ("open", "awaiting_funds", "confirmed"),
                   f"expected a new order open, awaiting_funds or confirmed, got {order.get('status')!r}", answer, req,
                   json_path="$.status")
        check.status(retrieved, 200, req)
        for name in ("id", "product", "metric_tons", "amount_total", "currency", "created"):
            check.equal(retrieved, f"$.{name}", order.get(name), req)
        subtotal, fees, total = (order.get(k) for k in ("amount_subtotal", "amount_fees", "amount_total"))
        consistent = all(isinstance(v, int) for v in (subtotal, fees, total)) and total == subtotal + fees
        check.that(
            consistent,
            f"expected amount_total = amount_subtotal + amount_fees, got {total!r} vs {subtotal!r} + {fees!r}",
            answer, "climate.order.amount-total", json_path="$.amount_total",
        )

    req = "climate.order.update.read-back"
    updated = stripe_client.post(path, {"metadata": {"purpose": "conformance"},
                                        "beneficiary": {"public_name": "Conformance Suite"}})
    check.status(updated, 200, req)
    with check.soft():
        check.equal(updated, "$.metadata.purpose", "conformance", req)
        check.equal(updated, "$.beneficiary.public_name", "Conformance Suite", req)
        after = stripe_client.get(path)
        check.equal(after, "$.metadata.purpose", "conformance", req)
        check.equal(after, "$.beneficiary.public_name", "Conformance Suite", req)

    canceled = stripe_client.post(f"{path}/cancel")
    req = "climate.order.cancel"
    check.status(canceled, 200, req)
    cleanup.remove(str(order.get("id")))  # canceled: nothing left to undo
    with check.soft():
        check.equal(canceled, "$.status", "canceled", req)
        stamp = canceled.json().get("canceled_at")
        check.that(isinstance(stamp, int), f"expected canceled_at set, got {stamp!r}", canceled, req,
                   json_path="$.canceled_at")
        check.equal(stripe_client.get(path), "$.status", "canceled", req)
        again = stripe_client.post(f"{path}/cancel")
        check.error(again, status=400, req="climate.order.cancel.twice-refused")
        check.equal(stripe_client.get(path), "$.status", "canceled", "climate.order.cancel.twice-refused")
        stripe_client.post(path, {"metadata": {"after_cancel": "yes"}})
        check.equal(stripe_client.get(path), "$.status", "canceled", "climate.order.update-after-cancel")
