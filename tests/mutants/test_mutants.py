"""Mutation proof of the suite: every fault injected into the reference server is caught, in its area.

For each mutant a reference server with that one fault runs in this process, and the suite runs
against it through the CLI (``python -m conformance run --target URL``) in a subprocess. The run must
exit 1 with at least one failed requirement in the mutant's area, among them one it is expected to
fail. Each mutant run selects the scenario modules that cite a requirement of the mutant's area (read
from the scenarios' citations, so a new scenario joins automatically). The faithful server must pass
every requirement of the whole suite, under a current and a legacy API version. A surviving mutant
fails this test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutant_faults import (
    AcceptMonth13,
    AcceptUnknownToken,
    AnyDeleteMovesDefault,
    AnyKeyAccepted,
    ApplyNameBeforeValidating,
    BothCursorsAccepted,
    CardWithoutFingerprint,
    ClimateBothQuantities,
    ClimateCancelTwice,
    ClimateTotalWithoutFees,
    ClimateUpdateNotStored,
    CustomerWithoutLivemode,
    DefaultLimitTwenty,
    DeletedStubNotDeleted,
    DeleteKeepsTheCard,
    DeleteUnknownCardSucceeds,
    EmbedEverySource,
    ExplicitDefaultIgnored,
    FallbackToOldest,
    ForwardingIdempotencyIgnored,
    ForwardingReplacementsOptional,
    ForwardingStoresCardNumbers,
    HasMoreOffByOne,
    IdempotencyIgnored,
    IdempotencyParamsNotCompared,
    IdentityGteExclusive,
    IdentityOldestFirst,
    IdentityTypeFilterIgnored,
    IgnoreAddressLine2,
    IgnoreMetadataOnAttach,
    LastDeleteLeavesDanglingDefault,
    LegacyPathDropsFingerprint,
    LegacyVersionOmitsSources,
    LimitUnbounded,
    ListOldestFirst,
    ListUrlAlwaysSources,
    MetadataReplacesInsteadOfMerging,
    NewestCardBecomesDefault,
    OnrampQuotesBothAmounts,
    OnrampQuotesIgnoreNetworks,
    OnrampSessionWithoutSecret,
    ReadAnyCustomersCard,
    StartingAfterInclusive,
    UnknownCardIs400,
    UnknownParamsIgnored,
    UpdateIgnoresUnknownParams,
    UpdateWithoutMetadataClearsIt,
    WebhookDeleteKeepsEndpoint,
    WebhookDisabledIgnored,
    WebhookSecretOnRetrieve,
    add_key_when_missing,
    drop_request_id,
    flatten_error_envelope,
    plain_text,
    refuse_after_running,
    reject_bearer,
    run_then_refuse,
    wrapped,
)
from starlette.types import ASGIApp

import conformance
from conformance.reference import ReferenceServer, Store, create_app
from conformance.requirements import load_catalogue
from conformance.requirements.index import scan_scenarios

LEGACY_VERSION = "2019-12-03"


@dataclass(frozen=True)
class Mutant:
    """One injected fault: id, the area whose requirements must catch it, what is broken, how."""

    id: str
    area: str
    fault: str
    caught_by: tuple[str, ...]
    store: type[Store] | None = None
    app: Callable[[], ASGIApp] | None = None
    stripe_version: str | None = None

    def server(self) -> ReferenceServer:
        if self.app is not None:
            return ReferenceServer(app=self.app())
        assert self.store is not None
        return ReferenceServer(store=self.store())


# The mutant catalogue: (id, area, fault) plus the requirement(s) expected to catch it.
MUTANTS = (
    Mutant("create.metadata-dropped", "create", "metadata sent when attaching a card is not stored",
           ("card.create.metadata",), store=IgnoreMetadataOnAttach),
    Mutant("create.embeds-every-source", "create", "the customer's sources list is not cut at 10",
           ("card.create.embedded-ten-most-recent",), store=EmbedEverySource),
    Mutant("create.unknown-token-accepted", "create", "an unknown token attaches a Visa card",
           ("card.create.unknown-token",), store=AcceptUnknownToken),
    Mutant("create.legacy-version-unembedded", "create", "API versions before 2020-08-27 do not embed sources",
           ("card.version.sources-embedded-legacy",), store=LegacyVersionOmitsSources,
           stripe_version=LEGACY_VERSION),
    Mutant("retrieve.other-customers-card", "retrieve", "a card is readable under any customer",
           ("card.retrieve.other-customer",), store=ReadAnyCustomersCard),
    Mutant("retrieve.legacy-path-differs", "retrieve", "/cards/{id} omits the fingerprint that /sources/{id} has",
           ("card.retrieve.legacy-path",), store=LegacyPathDropsFingerprint),
    Mutant("retrieve.unknown-card-400", "retrieve", "an unknown card id is a 400 instead of a 404",
           ("card.retrieve.unknown-id",), store=UnknownCardIs400),
    Mutant("update.address-line2-ignored", "update", "address_line2 is accepted but not applied",
           ("card.update.address",), store=IgnoreAddressLine2),
    Mutant("update.metadata-replaced", "update", "a metadata update replaces the whole set instead of merging",
           ("card.update.metadata-merge",), store=MetadataReplacesInsteadOfMerging),
    Mutant("update.month-13-accepted", "update", "exp_month outside 1-12 is accepted",
           ("card.update.invalid-exp-month",), store=AcceptMonth13),
    Mutant("update.partial-apply", "update", "a refused update has already changed the name",
           ("card.update.rejected-changes-nothing",), store=ApplyNameBeforeValidating),
    Mutant("update.unknown-param-ignored", "update", "the card update endpoint ignores unknown parameters",
           ("card.update.unknown-param",), store=UpdateIgnoresUnknownParams),
    Mutant("update.clears-unsent-metadata", "update", "an update that sends no metadata wipes it",
           ("card.update.untouched-fields",), store=UpdateWithoutMetadataClearsIt),
    Mutant("delete.stub-not-deleted", "delete", "the delete answer says deleted: false",
           ("card.delete.stub",), store=DeletedStubNotDeleted),
    Mutant("delete.card-kept", "delete", "deleting a card answers the stub but keeps the card",
           ("card.delete.gone-from-list", "card.delete.second-delete"), store=DeleteKeepsTheCard),
    Mutant("delete.unknown-card-200", "delete", "deleting an unknown card id answers a deleted stub",
           ("card.delete.unknown-card",), store=DeleteUnknownCardSucceeds),
    Mutant("default.fallback-oldest", "default_source", "deleting the default picks the oldest remaining card",
           ("card.default.fallback-most-recent",), store=FallbackToOldest),
    Mutant("default.dangling-after-last", "default_source", "deleting the last card leaves default_source set",
           ("card.default.last-deleted-null",), store=LastDeleteLeavesDanglingDefault),
    Mutant("default.newest-becomes-default", "default_source", "every attached card becomes the default",
           ("card.default.later-cards-keep",), store=NewestCardBecomesDefault),
    Mutant("default.explicit-ignored", "default_source", "an explicit default_source update is ignored",
           ("card.default.explicit-update",), store=ExplicitDefaultIgnored),
    Mutant("default.any-delete-moves", "default_source", "deleting a non-default card moves the default",
           ("card.default.delete-non-default",), store=AnyDeleteMovesDefault),
    Mutant("pagination.has-more-off-by-one", "pagination", "has_more is true when the page is exactly full",
           ("card.list.has-more",), store=HasMoreOffByOne),
    Mutant("pagination.starting-after-inclusive", "pagination", "starting_after includes the cursor card",
           ("card.list.starting-after",), store=StartingAfterInclusive),
    Mutant("pagination.limit-unbounded", "pagination", "limit 0 and 101 fall back to the default",
           ("card.list.limit-out-of-range",), store=LimitUnbounded),
    Mutant("pagination.default-limit-20", "pagination", "a list without limit holds up to 20 objects",
           ("card.list.default-limit",), store=DefaultLimitTwenty),
    Mutant("pagination.wrong-url", "pagination", "a /cards list reports the /sources url",
           ("card.list.url",), store=ListUrlAlwaysSources),
    Mutant("pagination.oldest-first", "pagination", "card lists are ordered oldest first",
           ("card.list.newest-first",), store=ListOldestFirst),
    Mutant("pagination.both-cursors-accepted", "pagination", "starting_after with ending_before is accepted",
           ("card.list.cursors-exclusive",), store=BothCursorsAccepted),
    Mutant("errors.no-request-id", "errors", "responses carry no Request-Id header",
           ("errors.request-id",), app=wrapped(drop_request_id)),
    Mutant("errors.flat-envelope", "errors", "4xx bodies are {'error': '<message>'} without type",
           ("errors.envelope",), app=wrapped(flatten_error_envelope)),
    Mutant("errors.unknown-params-200", "errors", "unknown parameters are ignored and the request succeeds",
           ("errors.unknown-parameter",), store=UnknownParamsIgnored),
    Mutant("errors.text-plain", "errors", "JSON bodies are labelled text/plain",
           ("errors.json-body",), app=wrapped(plain_text)),
    Mutant("auth.no-key-accepted", "auth", "a request without a key is served",
           ("auth.missing-key",), app=wrapped(request=add_key_when_missing)),
    Mutant("auth.any-key-accepted", "auth", "any string is accepted as an API key",
           ("auth.malformed-key",), store=AnyKeyAccepted),
    Mutant("auth.bearer-refused", "auth", "the Bearer scheme is refused with 401",
           ("auth.bearer",), app=wrapped(reject_bearer)),
    Mutant("auth.refused-after-running", "auth", "an unauthenticated POST runs before it is answered 401",
           ("auth.refused-has-no-effect",), app=wrapped(refuse_after_running, run_then_refuse)),
    Mutant("idempotency.ignored", "idempotency", "Idempotency-Key is ignored: a retry attaches a second card",
           ("idempotency.replay", "idempotency.no-duplicate"), store=IdempotencyIgnored),
    Mutant("idempotency.params-not-compared", "idempotency", "a key reused with other parameters replays",
           ("idempotency.key-reuse-mismatch",), store=IdempotencyParamsNotCompared),
    # fingerprint is optional in the 2023-08-16 spec but in every official fixture: a SHOULD, caught with --strict.
    Mutant("schema.card-without-fingerprint", "schema", "card bodies lack the fingerprint Stripe always returns",
           ("schema.fixture-fields",), store=CardWithoutFingerprint),
    Mutant("schema.customer-without-livemode", "schema", "customer bodies lack the required livemode field",
           ("schema.customer",), store=CustomerWithoutLivemode),
    # seed 000: the other APIs, each caught in its own area
    Mutant("webhook_endpoints.secret-on-retrieve", "webhook_endpoints", "retrieving an endpoint shows its secret",
           ("webhook_endpoints.secret.create-only",), store=WebhookSecretOnRetrieve),
    Mutant("webhook_endpoints.disabled-ignored", "webhook_endpoints", "disabled=true leaves the endpoint enabled",
           ("webhook_endpoints.update.disabled-status",), store=WebhookDisabledIgnored),
    Mutant("webhook_endpoints.delete-keeps", "webhook_endpoints", "deleting answers the stub but keeps the endpoint",
           ("webhook_endpoints.delete.stub-then-404",), store=WebhookDeleteKeepsEndpoint),
    Mutant("climate.cancel-twice", "climate", "a canceled order can be canceled again",
           ("climate.order.cancel.twice-refused",), store=ClimateCancelTwice),
    Mutant("climate.both-quantities", "climate", "an order with both amount and metric_tons is accepted",
           ("climate.order.create.quantity-exclusive",), store=ClimateBothQuantities),
    Mutant("climate.total-without-fees", "climate", "amount_total leaves out the fees",
           ("climate.order.amount-total",), store=ClimateTotalWithoutFees),
    Mutant("climate.update-not-stored", "climate", "an order update answers the change but does not keep it",
           ("climate.order.update.read-back",), store=ClimateUpdateNotStored),
    Mutant("forwarding.stores-card-number", "forwarding", "the stored request keeps the full card number",
           ("forwarding.redaction",), store=ForwardingStoresCardNumbers),
    Mutant("forwarding.idempotency-ignored", "forwarding", "a retried key forwards the request again",
           ("forwarding.idempotency",), store=ForwardingIdempotencyIgnored),
    Mutant("forwarding.replacements-optional", "forwarding", "a request without replacements is forwarded",
           ("forwarding.create.required-params",), store=ForwardingReplacementsOptional),
    Mutant("crypto_onramp.quotes-ignore-networks", "crypto_onramp", "quotes cover every network whatever is asked",
           ("crypto_onramp.quote.network-filter",), store=OnrampQuotesIgnoreNetworks),
    Mutant("crypto_onramp.quotes-both-amounts", "crypto_onramp", "quotes accept source and destination amounts",
           ("crypto_onramp.quote.amounts-exclusive",), store=OnrampQuotesBothAmounts),
    Mutant("crypto_onramp.session-without-secret", "crypto_onramp", "a new session has no client_secret",
           ("crypto_onramp.session.create.read-back",), store=OnrampSessionWithoutSecret),
    Mutant("identity.type-filter-ignored", "identity", "the type filter is ignored",
           ("identity.report.filter-type",), store=IdentityTypeFilterIgnored),
    Mutant("identity.oldest-first", "identity", "reports are listed oldest first",
           ("identity.report.list-retrieve",), store=IdentityOldestFirst),
    Mutant("identity.gte-exclusive", "identity", "created[gte] leaves out the bound itself",
           ("identity.report.filter-created",), store=IdentityGteExclusive),
)

AREAS_COVERED = {m.area for m in MUTANTS}


def _registry_loads() -> bool:
    try:
        from conformance.schemas import default_registry

        default_registry()
    except (ImportError, OSError, ValueError):
        return False
    return True


NO_REGISTRY = pytest.mark.skipif(not _registry_loads(), reason="no schema registry: schema checks cannot run")
MUTANT_PARAMS = [
    pytest.param(m, id=m.id, marks=[NO_REGISTRY] if m.area == "schema" else []) for m in MUTANTS
]


def area_selection(area: str) -> str:
    """Return a ``-k`` expression selecting every scenario module that cites a requirement of ``area``."""
    catalogue = load_catalogue()
    modules = {
        scenario.test.split("::")[0].rsplit("/", 1)[-1]
        for scenario in scan_scenarios(Path(conformance.__file__).resolve().parent)
        if any(rid in catalogue and catalogue.get(rid).area == area for rid in scenario.cited)
    }
    assert modules, f"no scenario cites a requirement of area {area!r}"
    return " or ".join(sorted(modules))


def run_suite(
    url: str, report_dir: Path, stripe_version: str | None = None, keyword: str | None = None, *, strict: bool = False
) -> tuple[int, dict[str, object], str]:
    """Run the suite against ``url`` through the CLI; return exit code, report.json and output."""
    args = [sys.executable, "-m", "conformance", "run", "--target", url, "--report-dir", str(report_dir)]
    if strict:
        args.append("--strict")
    if stripe_version:
        args += ["--stripe-version", stripe_version]
    if keyword:
        args += ["-k", keyword]
    env = {**os.environ, "STRIPE_API_KEY": "sk_test_mutantsuite"}
    result = subprocess.run(args, capture_output=True, text=True, timeout=240, env=env)
    output = result.stdout[-3000:] + result.stderr[-2000:]
    path = report_dir / "report.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    return result.returncode, report, output


def failed_requirements(report: dict[str, object]) -> dict[str, str]:
    """Return failed requirement id → area."""
    rows = report.get("requirements", [])
    assert isinstance(rows, list)
    return {r["id"]: r["area"] for r in rows if r["status"] in ("failed", "error")}


def test_catalogue_spans_every_area_with_distinct_faults():
    assert len(MUTANTS) >= 20
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)
    assert {"create", "retrieve", "update", "delete", "default_source", "pagination", "errors", "auth",
            "idempotency", "schema"} <= AREAS_COVERED
    seed_000 = ("webhook_endpoints", "climate", "forwarding", "crypto_onramp", "identity")
    assert all(sum(m.area == area for m in MUTANTS) >= 3 for area in seed_000)
    assert all(m.id.split(".")[0] in m.area for m in MUTANTS)


@pytest.mark.parametrize("stripe_version", [None, LEGACY_VERSION], ids=["current", "legacy"])
def test_faithful_reference_passes_everything(stripe_version, tmp_path):
    with ReferenceServer(app=create_app(Store())) as server:
        code, report, output = run_suite(server.url, tmp_path, stripe_version)
    assert code == 0, output
    summary = report["summary"]
    assert summary["failed"] == 0 and summary["error"] == 0, output
    assert summary["passed"] >= 40, summary


@pytest.mark.parametrize("mutant", MUTANT_PARAMS)
def test_mutant_is_caught_in_its_area(mutant: Mutant, tmp_path):
    # A fault only a SHOULD catches fails the run under --strict (without it, it is a warning).
    catalogue = load_catalogue()
    strict = all(catalogue.get(rid).level == "SHOULD" for rid in mutant.caught_by)
    with mutant.server() as server:
        code, report, output = run_suite(
            server.url, tmp_path, mutant.stripe_version, area_selection(mutant.area), strict=strict
        )
    failed = failed_requirements(report)
    assert code == 1, f"mutant {mutant.id} survived (exit {code}): {output}"
    in_area = {rid for rid, area in failed.items() if area == mutant.area}
    assert in_area, f"mutant {mutant.id} was caught only outside {mutant.area}: {sorted(failed)}"
    assert set(mutant.caught_by) & in_area, (
        f"mutant {mutant.id}: expected {mutant.caught_by} to fail, failed in area: {sorted(in_area)}"
    )
