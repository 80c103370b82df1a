"""Fixtures the scenarios use: the target, a client, the verifier."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from conformance.checks import Verifier
from conformance.checks.verifier import SchemaValidator
from conformance.http import StripeClient, Urllib3Transport
from conformance.plugin.state import STATE_KEY, VERIFIER_KEY
from conformance.targets import TargetConfig, generated_test_key


@pytest.fixture(scope="session")
def stripe_target(request: pytest.FixtureRequest) -> Iterator[TargetConfig]:
    """The target under test; without ``--stripe-target``, a reference server on loopback."""
    state = request.config.stash[STATE_KEY]
    if state.target is not None:
        yield state.target
        return
    from conformance.reference import ReferenceServer  # imported only when no target was given

    with ReferenceServer() as server:
        option = request.config.getoption
        state.target = TargetConfig.build(
            server.url,
            option("stripe_api_key") or generated_test_key(),
            stripe_version=option("stripe_version"),
            name="reference",
        )
        yield state.target


@pytest.fixture(scope="session")
def stripe_transport(stripe_target: TargetConfig) -> Iterator[Urllib3Transport]:
    """One keep-alive transport shared by every client of the session."""
    transport = Urllib3Transport()
    yield transport
    transport.close()


@pytest.fixture(scope="session")
def stripe_run_id(request: pytest.FixtureRequest) -> str:
    """The run id tagged on every object the suite creates (for cleanup sweeps)."""
    return request.config.stash[STATE_KEY].run_id


@pytest.fixture(scope="session")
def _idempotency_counter() -> itertools.count[int]:
    return itertools.count(1)


@pytest.fixture
def stripe_client(
    stripe_target: TargetConfig,
    stripe_transport: Urllib3Transport,
    stripe_run_id: str,
    _idempotency_counter: itertools.count[int],
) -> StripeClient:
    """A client for the target; every POST carries a fresh idempotency key derived from the run."""
    return StripeClient(
        stripe_target.base_url,
        stripe_target.api_key,
        stripe_version=stripe_target.stripe_version,
        transport=stripe_transport,
        idempotency_keys=lambda: f"sc-{stripe_run_id}-{next(_idempotency_counter)}",
    )


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Verifier:
    """The verifier for this scenario, bound to the requirement IDs it cites."""
    marker = request.node.get_closest_marker("requirement")
    cited = tuple(marker.args) if marker else ()
    verifier = Verifier(cited, schema=_schema_validator())
    request.node.stash[VERIFIER_KEY] = verifier
    return verifier


def _schema_validator() -> SchemaValidator | None:
    """Validate bodies against the shipped schema registry (errors only, not unknown-field warnings).

    None when no registry can be loaded: schema scenarios then skip instead of passing vacuously.
    """
    try:
        from conformance.schemas import UnknownObjectError, default_registry

        registry = default_registry()
    except (ImportError, OSError, ValueError):
        return None

    def validate(body: object) -> list[tuple[str, str]]:
        try:
            found = registry.validate(body)
        except UnknownObjectError as exc:
            return [(exc.json_path, str(exc))]
        return [(error.json_path, error.message) for error in found if error.severity != "warning"]

    return validate
