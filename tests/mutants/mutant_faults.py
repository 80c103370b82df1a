"""Faults injected into the reference server: Store subclasses (business rules) and ASGI wrappers (HTTP).

Each fault breaks exactly one documented behaviour and leaves the rest of the server faithful, so
the suite catching it shows that the check behind the behaviour can fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.reference import Store, create_app
from conformance.reference.climate import Climate
from conformance.reference.crypto_onramp import CryptoOnramp
from conformance.reference.errors import ApiError
from conformance.reference.forwarding import Exchange, Forwarding
from conformance.reference.identity import Identity
from conformance.reference.other_objects import OtherObjects
from conformance.reference.store import CARD_UPDATE_PARAMS

Headers = list[tuple[bytes, bytes]]
Edit = Callable[[Scope, int, Headers, bytes], tuple[int, Headers, bytes]]

VALID_KEY = "sk_test_mutantinjectedkey"


# ---------------------------------------------------------------- ASGI wrappers


class Rewrite:
    """ASGI middleware that may alter the request scope and rewrite the buffered response."""

    def __init__(self, app: ASGIApp, edit: Edit | None = None, request: Callable[[Scope], Scope] | None = None):
        self.app, self.edit, self.request = app, edit, request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self.request(scope) if self.request else scope
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        status, headers, body = start["status"], list(start.get("headers", [])), b"".join(chunks)
        if self.edit is not None:
            status, headers, body = self.edit(scope, status, headers, body)
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k.lower() == name), None)


def _with_header(scope: Scope, name: bytes, value: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != name] + [(name, value)]
    return {**scope, "headers": headers}


def _refusal(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()


def wrapped(edit: Edit | None = None, request: Callable[[Scope], Scope] | None = None) -> Callable[[], ASGIApp]:
    """Return a factory of a faithful app behind a ``Rewrite`` wrapper."""
    return lambda: Rewrite(create_app(Store()), edit, request)


def drop_request_id(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
    """Answer without the Request-Id header."""
    return status, [(k, v) for k, v in headers if k.lower() != b"request-id"], body


def flatten_error_envelope(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
    """Answer 4xx errors as ``{"error": "<message>"}`` instead of the error object."""
    if status < 400:
        return status, headers, body
    message = json.loads(body)["error"]["message"]
    return status, headers, json.dumps({"error": message}).encode()


def plain_text(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
    """Label every body text/plain."""
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    return status, [*kept, (b"content-type", b"text/plain; charset=utf-8")], body


def add_key_when_missing(scope: Scope) -> Scope:
    """Authenticate requests that carry no key at all."""
    if _header(scope, b"authorization"):
        return scope
    return _with_header(scope, b"authorization", f"Bearer {VALID_KEY}".encode())


def reject_bearer(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
    """Refuse the Bearer scheme with a 401 (the request has already run: harmless for GETs)."""
    if (_header(scope, b"authorization") or b"").lower().startswith(b"bearer "):
        return 401, headers, _refusal("Bearer authentication is not supported.")
    return status, headers, body


def run_then_refuse(scope: Scope) -> Scope:
    """Run requests with a missing or malformed key anyway (the answer is turned into a 401 later)."""
    header = (_header(scope, b"authorization") or b"").decode("latin-1")
    if "Basic " in header or "sk_test_" in header:
        return scope
    return {**_with_header(scope, b"authorization", f"Bearer {VALID_KEY}".encode()), "mutant.refuse": True}


def refuse_after_running(scope: Scope, status: int, headers: Headers, body: bytes) -> tuple[int, Headers, bytes]:
    """Answer 401 to a request that has already been executed."""
    if scope.get("mutant.refuse"):
        return 401, headers, _refusal("Invalid API Key provided.")
    return status, headers, body


# ---------------------------------------------------------------- create


class IgnoreMetadataOnAttach(Store):
    def create_source(self, customer_id: str, params: Mapping[str, object], **kwargs: Any) -> dict[str, object]:
        return super().create_source(customer_id, {k: v for k, v in params.items() if k != "metadata"}, **kwargs)


class EmbedEverySource(Store):
    embedded_source_limit = 1000


class AcceptUnknownToken(Store):
    def card_details_from_token(self, token: str, param: str) -> Any:
        return super().card_details_from_token(token if token.startswith("tok_visa") else "tok_visa", param)


class LegacyVersionOmitsSources(Store):
    def embeds_customer_lists(self, version: str) -> bool:
        return False


# ---------------------------------------------------------------- retrieve


class ReadAnyCustomersCard(Store):
    def get_card(self, customer: Any, card_id: str, kind: Any) -> Any:
        for other in self._customers.values():
            if card_id in other.sources:
                return other.sources[card_id]
        return super().get_card(customer, card_id, kind)


class LegacyPathDropsFingerprint(Store):
    def retrieve_source(self, customer_id: str, source_id: str, params: Any, **kwargs: Any) -> dict[str, object]:
        data = super().retrieve_source(customer_id, source_id, params, **kwargs)
        if kwargs.get("kind") == "card":
            data.pop("fingerprint", None)
        return data


class UnknownCardIs400(Store):
    def get_card(self, customer: Any, card_id: str, kind: Any) -> Any:
        try:
            return super().get_card(customer, card_id, kind)
        except ApiError as error:
            error.status = 400
            raise


# ---------------------------------------------------------------- update


class IgnoreAddressLine2(Store):
    def validate_card_update(self, params: Mapping[str, object], card: Any) -> Any:
        update = super().validate_card_update(params, card)
        update.fields.pop("address_line2", None)
        return update


class MetadataReplacesInsteadOfMerging(Store):
    def merge_metadata(self, current: Mapping[str, str], update: Any, param: str = "metadata") -> dict[str, str]:
        return super().merge_metadata({}, update, param)


class AcceptMonth13(Store):
    def validate_exp_month(self, month: int) -> None:
        return None

    def check_expiry_not_past(self, month: int, year: int) -> None:
        return None


class ApplyNameBeforeValidating(Store):
    def update_source(self, customer_id: str, source_id: str, params: Mapping[str, object], **kwargs: Any) -> Any:
        if isinstance(params.get("name"), str):
            customer = self._customers.get(customer_id)
            if customer is not None and source_id in customer.sources:
                customer.sources[source_id].name = str(params["name"])
        return super().update_source(customer_id, source_id, params, **kwargs)


class UpdateIgnoresUnknownParams(Store):
    def reject_unknown_params(self, params: Mapping[str, object], allowed: frozenset[str], prefix: str = "") -> None:
        if allowed is not CARD_UPDATE_PARAMS:
            super().reject_unknown_params(params, allowed, prefix)


class UpdateWithoutMetadataClearsIt(Store):
    def validate_card_update(self, params: Mapping[str, object], card: Any) -> Any:
        update = super().validate_card_update(params, card)
        if "metadata" not in params:
            update.metadata = self.validate_metadata("")
        return update


# ---------------------------------------------------------------- delete


class DeletedStubNotDeleted(Store):
    def render_deleted_card(self, card: Any) -> dict[str, object]:
        return {**super().render_deleted_card(card), "deleted": False}


class DeleteKeepsTheCard(Store):
    def remove_source(self, customer: Any, card: Any) -> None:
        if customer.default_source == card.id:
            others = [c for c in self.ordered_sources(customer) if c.id != card.id]
            customer.default_source = others[0].id if others else None


class DeleteUnknownCardSucceeds(Store):
    def delete_source(self, customer_id: str, source_id: str, params: Any, **kwargs: Any) -> dict[str, object]:
        try:
            return super().delete_source(customer_id, source_id, params, **kwargs)
        except ApiError as error:
            if error.status != 404 or not source_id.startswith("card_"):
                raise
            return {"id": source_id, "object": "card", "deleted": True}


# ---------------------------------------------------------------- default_source


class FallbackToOldest(Store):
    def choose_new_default(self, customer: Any) -> str | None:
        remaining = self.ordered_sources(customer)
        return remaining[-1].id if remaining else None


class LastDeleteLeavesDanglingDefault(Store):
    def choose_new_default(self, customer: Any) -> str | None:
        return super().choose_new_default(customer) or customer.default_source


class NewestCardBecomesDefault(Store):
    def default_after_attach(self, customer: Any, card: Any) -> str | None:
        return str(card.id)


class ExplicitDefaultIgnored(Store):
    def validate_default_source(self, customer: Any, value: object) -> str | None:
        super().validate_default_source(customer, value)
        return None


class AnyDeleteMovesDefault(Store):
    def remove_source(self, customer: Any, card: Any) -> None:
        super().remove_source(customer, card)
        customer.default_source = self.choose_new_default(customer)


# ---------------------------------------------------------------- pagination


class HasMoreOffByOne(Store):
    def paginate(self, items: Sequence[Any], page: Any, cursor_key: Any) -> tuple[list[Any], bool]:
        found, _ = super().paginate(items, page, cursor_key)
        return found, len(found) == page.limit


class StartingAfterInclusive(Store):
    def paginate(self, items: Sequence[Any], page: Any, cursor_key: Any) -> tuple[list[Any], bool]:
        if page.starting_after and cursor_key is not None:
            older = [item for item in items if (item.created, item.sequence) <= cursor_key]
            return older[: page.limit], len(older) > page.limit
        return super().paginate(items, page, cursor_key)


class LimitUnbounded(Store):
    def parse_page_request(self, params: Mapping[str, object]) -> Any:
        limit = params.get("limit")
        if isinstance(limit, str) and limit.isdigit() and not 1 <= int(limit) <= 100:
            params = {k: v for k, v in params.items() if k != "limit"}
        return super().parse_page_request(params)


class DefaultLimitTwenty(Store):
    def parse_page_request(self, params: Mapping[str, object]) -> Any:
        if "limit" not in params:
            params = {**params, "limit": "20"}
        return super().parse_page_request(params)


class ListUrlAlwaysSources(Store):
    def list_sources(self, customer_id: str, params: Any, *, url: str, **kwargs: Any) -> dict[str, object]:
        return super().list_sources(customer_id, params, url=f"/v1/customers/{customer_id}/sources", **kwargs)


class ListOldestFirst(Store):
    def list_sources(self, customer_id: str, params: Any, **kwargs: Any) -> dict[str, object]:
        body = super().list_sources(customer_id, params, **kwargs)
        return {**body, "data": list(reversed(body["data"]))}  # type: ignore[call-overload]


class BothCursorsAccepted(Store):
    def parse_page_request(self, params: Mapping[str, object]) -> Any:
        if "starting_after" in params:
            params = {k: v for k, v in params.items() if k != "ending_before"}
        return super().parse_page_request(params)


# ---------------------------------------------------------------- errors


class UnknownParamsIgnored(Store):
    def reject_unknown_params(self, params: Mapping[str, object], allowed: frozenset[str], prefix: str = "") -> None:
        return None


# ---------------------------------------------------------------- auth


class AnyKeyAccepted(Store):
    def is_valid_api_key(self, key: str) -> bool:
        return True


# ---------------------------------------------------------------- idempotency


class IdempotencyIgnored(Store):
    def begin_idempotent(self, scope: Any, request: Any) -> Any:
        return None

    def finish_idempotent(self, scope: Any, response: Any) -> None:
        return None


class IdempotencyParamsNotCompared(Store):
    def check_same_request(self, key: str, first: Any, retry: Any) -> None:
        return None


# ---------------------------------------------------------------- schema


class CardWithoutFingerprint(Store):
    def render_card(self, card: Any) -> dict[str, object]:
        data = super().render_card(card)
        data.pop("fingerprint")
        return data


class CustomerWithoutLivemode(Store):
    def render_customer(self, customer: Any, **kwargs: Any) -> dict[str, object]:
        data = super().render_customer(customer, **kwargs)
        data.pop("livemode")
        return data


# ---------------------------------------------------------------- seed 000: webhook endpoints


class _SecretOnRetrieve(OtherObjects):
    def retrieve_webhook_endpoint(self, store: Any, endpoint_id: str, params: Any) -> dict[str, object]:
        data = super().retrieve_webhook_endpoint(store, endpoint_id, params)
        return {**data, "secret": self.get_webhook_endpoint(endpoint_id).secret}


class WebhookSecretOnRetrieve(Store):
    other_objects_class = _SecretOnRetrieve


class _DisabledIgnored(OtherObjects):
    def validate_boolean(self, value: object, param: str) -> bool:
        result = super().validate_boolean(value, param)
        return False if param == "disabled" else result


class WebhookDisabledIgnored(Store):
    other_objects_class = _DisabledIgnored


class _DeleteKeepsEndpoint(OtherObjects):
    def delete_webhook_endpoint(self, store: Any, endpoint_id: str, params: Any) -> dict[str, object]:
        endpoint = self.get_webhook_endpoint(endpoint_id)
        return {"id": endpoint.id, "object": "webhook_endpoint", "deleted": True}


class WebhookDeleteKeepsEndpoint(Store):
    other_objects_class = _DeleteKeepsEndpoint


# ---------------------------------------------------------------- seed 000: climate


class _CancelTwice(Climate):
    def can_cancel(self, order: Any) -> bool:
        return True


class ClimateCancelTwice(Store):
    climate_class = _CancelTwice


class _BothQuantities(Climate):
    def quantity(self, product: Any, params: Mapping[str, object]) -> Any:
        if "metric_tons" in params and "amount" in params:
            params = {k: v for k, v in params.items() if k != "amount"}
        return super().quantity(product, params)


class ClimateBothQuantities(Store):
    climate_class = _BothQuantities


class _TotalWithoutFees(Climate):
    def render_order(self, order: Any) -> dict[str, object]:
        return {**super().render_order(order), "amount_total": order.amount_subtotal}


class ClimateTotalWithoutFees(Store):
    climate_class = _TotalWithoutFees


class _UpdateNotStored(Climate):
    def update_order(self, store: Any, order_id: str, params: Mapping[str, object]) -> dict[str, object]:
        order = self.get_order(order_id)
        kept = (order.metadata, order.beneficiary)
        answer = super().update_order(store, order_id, params)
        order.metadata, order.beneficiary = kept
        return answer


class ClimateUpdateNotStored(Store):
    climate_class = _UpdateNotStored


# ---------------------------------------------------------------- seed 000: forwarding


class _StoresCardNumbers(Forwarding):
    def create(self, store: Any, params: Mapping[str, object]) -> dict[str, object]:
        answer = super().create(store, params)
        stored = self.requests[str(answer["id"])]
        card = self.card_for(stored.payment_method)
        body = stored.request.body.replace(card.number[:6] + "******" + card.number[-4:], card.number)
        stored.request = Exchange(stored.request.headers, body, stored.request.status)
        return self.render(stored)


class ForwardingStoresCardNumbers(Store):
    forwarding_class = _StoresCardNumbers


class ForwardingIdempotencyIgnored(Store):
    def begin_idempotent(self, scope: Any, request: Any) -> Any:
        if request.path.startswith("/v1/forwarding/"):
            return None
        return super().begin_idempotent(scope, request)

    def finish_idempotent(self, scope: Any, response: Any) -> None:
        if response is not None and response.request.path.startswith("/v1/forwarding/"):
            return None
        return super().finish_idempotent(scope, response)


class _ReplacementsOptional(Forwarding):
    def create(self, store: Any, params: Mapping[str, object]) -> dict[str, object]:
        if "replacements" not in params and "payment_method" in params and "url" in params:
            params = {**params, "replacements": ["card_number"]}
        return super().create(store, params)


class ForwardingReplacementsOptional(Store):
    forwarding_class = _ReplacementsOptional


# ---------------------------------------------------------------- seed 000: crypto onramp


class _QuotesIgnoreNetworks(CryptoOnramp):
    def quotes(self, store: Any, params: Mapping[str, object]) -> dict[str, object]:
        return super().quotes(store, {k: v for k, v in params.items() if k != "destination_networks"})


class OnrampQuotesIgnoreNetworks(Store):
    crypto_onramp_class = _QuotesIgnoreNetworks


class _QuotesBothAmounts(CryptoOnramp):
    def quotes(self, store: Any, params: Mapping[str, object]) -> dict[str, object]:
        if "source_amount" in params:
            params = {k: v for k, v in params.items() if k != "destination_amount"}
        return super().quotes(store, params)


class OnrampQuotesBothAmounts(Store):
    crypto_onramp_class = _QuotesBothAmounts


class _SessionWithoutSecret(CryptoOnramp):
    def render_session(self, session: Any) -> dict[str, object]:
        data = super().render_session(session)
        data.pop("client_secret")
        return data


class OnrampSessionWithoutSecret(Store):
    crypto_onramp_class = _SessionWithoutSecret


# ---------------------------------------------------------------- seed 000: identity


class _TypeFilterIgnored(Identity):
    def filter(self, store: Any, reports: list[Any], params: Mapping[str, object]) -> list[Any]:
        return super().filter(store, reports, {k: v for k, v in params.items() if k != "type"})


class IdentityTypeFilterIgnored(Store):
    identity_class = _TypeFilterIgnored


class _OldestFirst(Identity):
    def list_reports(self, store: Any, params: Mapping[str, object], url: str) -> dict[str, object]:
        body = super().list_reports(store, params, url)
        return {**body, "data": list(reversed(body["data"]))}  # type: ignore[call-overload]


class IdentityOldestFirst(Store):
    identity_class = _OldestFirst


class _GteExclusive(Identity):
    def filter(self, store: Any, reports: list[Any], params: Mapping[str, object]) -> list[Any]:
        created = params.get("created")
        if isinstance(created, dict) and "gte" in created:
            params = {**params, "created": {("gt" if k == "gte" else k): v for k, v in created.items()}}
        return super().filter(store, reports, params)


class IdentityGteExclusive(Store):
    identity_class = _GteExclusive
