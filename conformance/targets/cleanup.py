"""Sweep leftovers: delete the objects earlier runs tagged, without trusting anything else on the target.

Every customer and webhook endpoint the suite creates carries its run id in the metadata key
``conformance_run`` (or, where the metadata had no room, a description naming the run; see
``conformance.targets.ledger``). The sweep lists them page by page, picks the tagged ones
(optionally of one run, or older than a cut-off) and deletes each whole customer, which removes
its cards with it; it never relies on deleting single cards, the behaviour most likely to be
broken on a target under test. A target without webhook endpoints is swept for customers only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.checks.preconditions import route_missing
from conformance.http.client import StripeClient
from conformance.http.redaction import redact_text
from conformance.http.transport import TransportError

RUN_METADATA_KEY = "conformance_run"
PAGE_SIZE = 100
DESCRIPTION_PREFIX = "stripe-conformance run "
"""A description of this prefix and the run id tags objects whose metadata had no room for the tag."""
DESCRIPTION_TAG = re.compile("^" + re.escape(DESCRIPTION_PREFIX) + r"(?P<run>[0-9A-Za-z_-]+)$")
SWEPT_COLLECTIONS = ("/v1/customers", "/v1/webhook_endpoints")


class SweepError(RuntimeError):
    """Listing the target's customers failed, so nothing can be swept safely."""


@dataclass(frozen=True, slots=True)
class Leftover:
    """A tagged object found on the target (a customer unless ``path`` says otherwise)."""

    id: str
    run_id: str
    created: int | None
    path: str = ""

    @property
    def delete_path(self) -> str:
        """The path that deletes it."""
        return self.path or f"/v1/customers/{self.id}"


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
    for collection, item in _iter_swept(client):
        scanned += collection == "/v1/customers"
        found = _leftover(item, collection)
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
        problem = delete_object(client, leftover.delete_path)
        if problem is None:
            deleted.append(leftover.id)
        else:
            failed.append((leftover.id, problem))
    return SweepResult(scanned, tuple(matched), tuple(deleted), tuple(failed))


def _iter_swept(client: StripeClient) -> Iterator[tuple[str, dict[str, Any]]]:
    for collection in SWEPT_COLLECTIONS:
        try:
            for item in iter_objects(client, collection):
                yield collection, item
        except _MissingCollection:
            continue  # a target without webhook endpoints


class _MissingCollection(SweepError):
    """The target answers 404 to the list (it does not have this kind of object)."""


def iter_customers(client: StripeClient) -> Iterator[dict[str, Any]]:
    """Yield every customer on the target, following ``starting_after`` cursors to the last page."""
    return iter_objects(client, "/v1/customers")


def iter_objects(client: StripeClient, collection: str) -> Iterator[dict[str, Any]]:
    """Yield every object of a list endpoint, following ``starting_after`` cursors to the last page."""
    cursor: str | None = None
    seen: set[str] = set()
    what = collection.rsplit("/", 1)[-1].replace("_", " ")
    while True:
        params: dict[str, object] = {"limit": PAGE_SIZE}
        if cursor is not None:
            params["starting_after"] = cursor
        try:
            response = client.get(collection, params)
        except TransportError as exc:
            raise SweepError(f"listing {what} failed: {exc}") from None
        if collection != "/v1/customers" and (response.status == 404 or route_missing(response)):
            raise _MissingCollection(f"listing {what}: HTTP {response.status}")
        if route_missing(response):
            raise SweepError(
                "this target does not list customers (GET /v1/customers), so nothing can be swept by tag; "
                "runs delete what they create by id (`cleanup --ledger` deletes what a run's ledger lists)"
            )
        body = response.json()
        data = body.get("data") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(data, list):
            raise SweepError(f"listing {what} failed: HTTP {response.status} {redact_text(response.text[:160])!r}")
        page = [item for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)]
        fresh = [item for item in page if item["id"] not in seen]
        seen.update(item["id"] for item in fresh)
        yield from fresh
        if not body.get("has_more") or not fresh:
            return  # the last page, or a target whose cursor does not advance
        cursor = page[-1]["id"]


def _leftover(item: dict[str, Any], collection: str = "/v1/customers") -> Leftover | None:
    metadata = item.get("metadata")
    tag = metadata.get(RUN_METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(tag, str) or not tag:
        described = DESCRIPTION_TAG.match(str(item.get("description") or ""))
        if described is None:
            return None
        tag = described.group("run")
    created = item.get("created")
    path = "" if collection == "/v1/customers" else f"{collection}/{item['id']}"
    return Leftover(item["id"], tag, created if isinstance(created, int) else None, path)


def delete_object(client: StripeClient, path: str) -> str | None:
    """Delete one object; return None when it is gone, else why not."""
    try:
        response = client.delete(path)
    except TransportError as exc:
        return str(exc)
    if response.status in (200, 404):  # 404: already gone, which is what a sweep wants
        return None
    return f"HTTP {response.status} {redact_text(response.text[:160])!r}"
