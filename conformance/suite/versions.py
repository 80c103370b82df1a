"""API-version facts the scenarios follow: which versions embed a customer's sources list."""

from __future__ import annotations

from conformance.http import StripeClient

SOURCES_UNEMBEDDED_FROM = "2020-08-27"
"""First API version whose customers omit ``sources`` unless it is expanded."""


def embeds_sources(stripe_version: str | None) -> bool:
    """Tell whether customers of this API version embed their sources list by default."""
    return bool(stripe_version) and str(stripe_version)[:10] < SOURCES_UNEMBEDDED_FROM


def sources_params(client: StripeClient) -> dict[str, object]:
    """Return the query that makes a retrieved customer carry its sources list under the client's version."""
    return {} if embeds_sources(client.stripe_version) else {"expand": ["sources"]}
