"""Which target features each operation of the surface needs (names from ``conformance.targets.profile.FEATURES``).

A target whose profile does not claim a feature is not fuzzed on the operations that need it:
their stateless tests are skipped with the reason, and the stateful machine leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from conformance.targets.profile import TargetProfile

OPERATION_FEATURES: Mapping[str, tuple[str, ...]] = {
    "DeleteCustomersCustomer": ("delete_customer",),
    "GetCustomersCustomerSources": ("list_sources",),
    "PostCustomersCustomerSourcesId": ("update_source",),
    "GetCustomersCustomerCards": ("list_cards",),
    "PostCustomersCustomerCards": ("attach_cards_path",),
    "GetCustomersCustomerCardsId": ("legacy_cards_path",),
    "PostCustomersCustomerCardsId": ("legacy_cards_path", "update_source"),
    "DeleteCustomersCustomerCardsId": ("legacy_cards_path",),
    "GetIdentityVerificationReports": ("identity",),
    "GetIdentityVerificationReportsReport": ("identity",),
    "GetCryptoOnrampSessions": ("crypto_onramp",),
    "PostCryptoOnrampSessions": ("crypto_onramp",),
    "GetCryptoOnrampSessionsSession": ("crypto_onramp",),
    "GetCryptoOnrampQuotes": ("crypto_onramp",),
    "GetClimateOrders": ("climate",),
    "GetClimateOrdersOrder": ("climate",),
    "GetClimateProducts": ("climate",),
    "GetClimateProductsProduct": ("climate",),
    "GetClimateSuppliers": ("climate",),
    "GetClimateSuppliersSupplier": ("climate",),
    "GetForwardingRequests": ("forwarding",),
    "PostForwardingRequests": ("forwarding",),
    "GetForwardingRequestsId": ("forwarding",),
    "GetWebhookEndpoints": ("webhook_endpoints",),
    "PostWebhookEndpoints": ("webhook_endpoints",),
    "GetWebhookEndpointsWebhookEndpoint": ("webhook_endpoints",),
    "PostWebhookEndpointsWebhookEndpoint": ("webhook_endpoints",),
    "DeleteWebhookEndpointsWebhookEndpoint": ("webhook_endpoints",),
}
"""operationId -> the features a target must claim for the operation to be fuzzed (none listed: always)."""


def features_of(operation_id: str) -> tuple[str, ...]:
    """Return the features ``operation_id`` needs."""
    return OPERATION_FEATURES.get(operation_id, ())


def unclaimed_operations(operation_ids: Iterable[str], profile: TargetProfile) -> list[str]:
    """Return the operations of ``operation_ids`` that need a feature ``profile`` does not claim."""
    return [op for op in operation_ids if any(not profile.claims(f) for f in features_of(op))]
