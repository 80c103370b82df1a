"""Fixtures the scenarios use: the target, a client, the verifier, the run's seed, randomness and clock."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.checks import Verifier
from conformance.checks.verifier import SchemaValidator
from conformance.http import StripeClient, build_transport
from conformance.http.ratelimit import SharedRateLimiter
from conformance.http.retry import RetryingTransport
from conformance.http.transport import Transport
from conformance.plugin.expect import session_expectations
from conformance.plugin.network import transport_settings, worker_count, worker_id
from conformance.plugin.profiles import profile_card_paths, session_profile
from conformance.plugin.recording import RECORDING_KEY, replay_transport
from conformance.plugin.run_end import request_checkpoint, session_ledger
from conformance.plugin.run_settings import run_settings
from conformance.plugin.state import CARD_PATHS_KEY, STATE_KEY, VERIFIER_KEY
from conformance.recording import random_for
from conformance.recording.naming import test_identity
from conformance.reference_target import serve_reference
from conformance.requirements import load_catalogue
from conformance.targets import TargetConfig
from conformance.targets.card_paths import CardPaths, CardSourceTransport
from conformance.targets.cleanup import RUN_METADATA_KEY
from conformance.targets.ledger import LedgerTransport
from conformance.targets.profile import TargetProfile

if TYPE_CHECKING:
    from conformance.schemas import SchemaRegistry


@pytest.fixture(scope="session")
def stripe_target(request: pytest.FixtureRequest) -> Iterator[TargetConfig]:
    """The target under test; without ``--stripe-target``, a reference server on loopback."""
    state = request.config.stash[STATE_KEY]
    if state.target is not None:
        yield state.target
        return
    settings = run_settings(request.config)
    profile = session_profile(request.config)
    version = settings.stripe_version or profile.stripe_version
    with serve_reference(settings.api_key, version, name=profile.name) as target:
        state.target = target
        yield target


@pytest.fixture(scope="session")
def stripe_profile(request: pytest.FixtureRequest) -> TargetProfile:
    """The target's profile: claimed features and known deviations (``--stripe-profile``)."""
    return session_profile(request.config)


@pytest.fixture(scope="session")
def stripe_known_deviations(request: pytest.FixtureRequest) -> frozenset[str]:
    """The requirement IDs this run expects to fail on the target (profile and ``--stripe-expect`` files).

    Fuzzing notes these findings as evidence and goes on instead of stopping at the first one, so a
    known deviation does not hide the rest of what the target does.
    """
    return session_expectations(request.config).failing_ids()


def _shared_rate(config: pytest.Config) -> dict[str, Any]:
    """How this process takes its share of the run's rate: the controller's shared limiter, or rate / workers."""
    slots = config.stash[STATE_KEY].rate_slots
    if slots is None:
        return {"share": worker_count(config)}
    return {"limiter": lambda rate: SharedRateLimiter(rate, Path(slots))}


@pytest.fixture(scope="session")
def stripe_transport(
    request: pytest.FixtureRequest, stripe_target: TargetConfig, stripe_profile: TargetProfile
) -> Iterator[Transport]:
    """One keep-alive transport shared by every client of the session.

    A fixed test token sent as ``source`` goes through the card-creation path the target accepts
    (``conformance.targets.card_paths``): as is, as raw test card details, or as a token minted
    from its test card number. A replay answers from its cassettes at the bottom of this stack.
    """
    config = request.config
    base: Transport = build_transport(
        stripe_target.base_url, transport_settings(config), inner=replay_transport(config), **_shared_rate(config)
    )
    prober = StripeClient(
        stripe_target.base_url, stripe_target.api_key, stripe_version=stripe_target.stripe_version, transport=base
    )
    state = config.stash[STATE_KEY]
    paths = CardPaths(
        prober, paths=profile_card_paths(stripe_profile), metadata={RUN_METADATA_KEY: state.run_id}
    )
    if state.setup is not None:
        paths.restore(state.setup)  # probed before the first scenario (by the xdist controller)
    else:
        paths.assume()  # a target started inside the run, or a replay: no probe outside a cassette
        state.setup = paths.record()
    config.stash[CARD_PATHS_KEY] = paths
    plain = base.inner if isinstance(base, RetryingTransport) else base
    transport: Transport = CardSourceTransport(base, paths)
    transport = LedgerTransport(transport, session_ledger(config), plain=plain, checkpoint=request_checkpoint(config))
    yield transport
    transport.close()


@pytest.fixture(scope="session")
def stripe_card_paths(request: pytest.FixtureRequest, stripe_transport: Transport) -> CardPaths:
    """How this run attaches test cards: the card-creation path the target accepts, or the root cause."""
    return request.config.stash[CARD_PATHS_KEY]


@pytest.fixture(scope="session")
def stripe_run_id(request: pytest.FixtureRequest) -> str:
    """The run id tagged on every object the suite creates (for cleanup sweeps)."""
    return request.config.stash[STATE_KEY].run_id


@pytest.fixture(scope="session")
def _idempotency_counter() -> itertools.count[int]:
    return itertools.count(1)


@pytest.fixture
def stripe_client(
    request: pytest.FixtureRequest,
    stripe_target: TargetConfig,
    stripe_transport: Transport,
    stripe_run_id: str,
    _idempotency_counter: itertools.count[int],
) -> StripeClient:
    """A client for the target; every POST carries a fresh idempotency key derived from the run."""
    # xdist workers share the run id and nonce; the nonce keeps a rerun with the same seed from replaying keys.
    nonce = request.config.stash[STATE_KEY].key_nonce
    prefix = f"sc-{stripe_run_id}{nonce}-{worker_id(request.config)}"
    return StripeClient(
        stripe_target.base_url,
        stripe_target.api_key,
        stripe_version=stripe_target.stripe_version,
        transport=stripe_transport,
        idempotency_keys=lambda: f"{prefix}{next(_idempotency_counter)}",
    )


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Verifier:
    """The verifier for this scenario, bound to the requirement IDs it cites."""
    marker = request.node.get_closest_marker("requirement")
    cited = tuple(marker.args) if marker else ()
    catalogue = load_catalogue()
    advisory = [rid for rid in cited if rid in catalogue and catalogue.get(rid).level == "SHOULD"]
    verifier = Verifier(cited, schema=_schema_validator(), presence=_presence_validator(), advisory=advisory)
    request.node.stash[VERIFIER_KEY] = verifier
    return verifier


def _shipped_registry() -> SchemaRegistry | None:
    """The shipped schema registry, or None when it cannot be loaded."""
    try:
        from conformance.schemas import default_registry

        return default_registry()
    except (ImportError, OSError, ValueError):
        return None


def _schema_validator() -> SchemaValidator | None:
    """Validate bodies against the shipped schema registry (errors only, not unknown-field warnings).

    None when no registry can be loaded: schema scenarios then skip instead of passing vacuously.
    """
    registry = _shipped_registry()
    if registry is None:
        return None
    from conformance.schemas import UnknownObjectError  # loaded with the registry

    def validate(body: object) -> list[tuple[str, str]]:
        try:
            found = registry.validate(body)
        except UnknownObjectError as exc:
            return [(exc.json_path, str(exc))]
        return [(error.json_path, error.message) for error in found if error.severity != "warning"]

    return validate


@pytest.fixture(scope="session")
def stripe_seed(request: pytest.FixtureRequest) -> str:
    """The run's seed: derive anything a scenario generates from it (``conformance.recording.derive``)."""
    return request.config.stash[RECORDING_KEY].seed


@pytest.fixture
def stripe_random(request: pytest.FixtureRequest, stripe_seed: str) -> random.Random:
    """A ``random.Random`` for this test, seeded from the run's seed and the test's module and name."""
    return random_for(stripe_seed, "test", *test_identity(request.node.nodeid))


@pytest.fixture(scope="session")
def stripe_now(request: pytest.FixtureRequest) -> datetime:
    """The run's clock (UTC, whole seconds): the recording's start time when recording or replaying.

    Use it instead of ``datetime.now()``/``date.today()`` for values sent to the target (such as a
    future ``exp_year``), so a replay in another year still sends what was recorded.
    """
    return request.config.stash[RECORDING_KEY].now


def _presence_validator() -> SchemaValidator | None:
    """List the fields Stripe always returns (official fixtures) that a body lacks; None without a registry."""
    registry = _shipped_registry()
    if registry is None:
        return None
    from conformance.schemas import UnknownObjectError  # loaded with the registry

    def missing(body: object) -> list[tuple[str, str]]:
        try:
            found = registry.missing_present(body)
        except UnknownObjectError as exc:
            return [(exc.json_path, str(exc))]
        if isinstance(body, dict) and body.get("object") == "list" and isinstance(body.get("data"), list):
            for index, item in enumerate(body["data"]):
                try:
                    found += registry.missing_present(item, prefix=("data", index))
                except UnknownObjectError as exc:
                    return [(exc.json_path, str(exc))]
        return [(error.json_path, error.message) for error in found]

    return missing
