"""Sweep leftovers: delete the customers earlier runs tagged, without trusting anything else on the target.

Every customer the suite creates carries its run id in the metadata key ``conformance_run``.
The sweep lists all customers page by page, picks the tagged ones (optionally of one run, or
older than a cut-off) and deletes each whole customer, which removes its cards with it; it never
relies on deleting single cards, the behaviour most likely to be broken on a target under test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.checks.preconditions import route_missing
from conformance.http.client import StripeClient
from conformance.http.transport import TransportError

RUN_METADATA_KEY = "conformance_run"
PAGE_SIZE = 100


class SweepError(RuntimeError):
    """Listing the target's customers failed, so nothing can be swept safely."""


@dataclass(frozen=True, slots=True)
class Leftover:
    """A tagged customer found on the target."""

    id: str
    run_id: str
    created: int | None


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep found and did."""

    scanned: int
    matched: tuple[Leftover, ...]
    deleted: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    dry_run: bool = False

    @property
    def complete(self) -> bool:
        """True when every matched customer is gone (or would be, in a dry run)."""
        return not self.failed


def sweep(
    client: StripeClient,
    *,
    run_id: str | None = None,
    older_than: float = 0.0,
    now: float | None = None,
    dry_run: bool = False,
) -> SweepResult:
    """Delete customers tagged by a run; ``run_id`` limits it to one run, ``older_than`` (seconds) to old ones."""
    cutoff = (time.time() if now is None else now) - older_than
    scanned = 0
    matched: list[Leftover] = []
    for customer in iter_customers(client):
        scanned += 1
        found = _leftover(customer)
        if found is None or (run_id is not None and found.run_id != run_id):
            continue
        if older_than > 0 and (found.created is None or found.created > cutoff):
            continue
        matched.append(found)
    if dry_run:
        return SweepResult(scanned, tuple(matched), dry_run=True)
    deleted: list[str] = []
    failed: list[tuple[str, str]] = []
    for leftover in matched:
        problem = _delete(client, leftover.id)
        if problem is None:
            deleted.append(leftover.id)
        else:
            failed.append((leftover.id, problem))
    return SweepResult(scanned, tuple(matched), tuple(deleted), tuple(failed))


def iter_customers(client: StripeClient) -> Iterator[dict[str, Any]]:
    """Yield every customer on the target, following ``starting_after`` cursors to the last page."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        params: dict[str, object] = {"limit": PAGE_SIZE}
        if cursor is not None:
            params["starting_after"] = cursor
        try:
            response = client.get("/v1/customers", params)
        except TransportError as exc:
            raise SweepError(f"listing customers failed: {exc}") from None
        if route_missing(response):
            raise SweepError(
                "this target does not list customers (GET /v1/customers), so nothing can be swept by tag; "
                "runs delete what they create by id"
            )
        body = response.json()
        data = body.get("data") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(data, list):
            raise SweepError(f"listing customers failed: HTTP {response.status} {response.text[:160]!r}")
        page = [item for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)]
        fresh = [item for item in page if item["id"] not in seen]
        seen.update(item["id"] for item in fresh)
        yield from fresh
        if not body.get("has_more") or not fresh:
            return  # the last page, or a target whose cursor does not advance
        cursor = page[-1]["id"]


def _leftover(customer: dict[str, Any]) -> Leftover | None:
    metadata = customer.get("metadata")
    tag = metadata.get(RUN_METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(tag, str) or not tag:
        return None
    created = customer.get("created")
    return Leftover(customer["id"], tag, created if isinstance(created, int) else None)


def _delete(client: StripeClient, customer_id: str) -> str | None:
    """Delete one customer; return None when it is gone, else why not."""
    try:
        response = client.delete(f"/v1/customers/{customer_id}")
    except TransportError as exc:
        return str(exc)
    if response.status in (200, 404):  # 404: already gone, which is what a sweep wants
        return None
    return f"HTTP {response.status} {response.text[:160]!r}"
