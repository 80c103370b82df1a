"""Target profiles: what a known target is, how to reach it, what it claims, and how it deviates.

A profile is data (``conformance/targets/profiles/<name>.toml``, or any TOML file)::

    name = "localstripe"
    description = "one line"
    homepage = "https://..."
    url = "http://127.0.0.1:8420"      # where it listens when started the usual way (optional)
    stripe_version = "2023-08-16"      # the Stripe-Version runs against it pin (optional)
    builtin = false                    # true only for the built-in reference server
    hosted = false                     # true for Stripe itself: a remote service, never a test target

    [peer]                             # an installable fake (optional)
    registry = "pypi"                  # or "npm"
    package = "localstripe"
    version = "1.15.10"                # the pinned version its expectations were written against
    default_port = 8420
    start = ["localstripe", "--port", "{port}"]   # the peer's own start command

    [features]                         # unlisted features are claimed
    legacy_cards_path = false

    [expectations."card.delete.stub"]  # known deviations, as conformance.expectations entries
    expected = "fail"
    reason = "what was observed"
    link = "https://..."

Scenarios that need a feature the profile does not claim are skipped with the reason; known
deviations go through the expectations mechanism, like an ``--expect`` file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from conformance.expectations import Expectations, ExpectationsError, parse_expectations
from conformance.targets.config import ConfigError

FEATURES: Mapping[str, str] = {
    "test_tokens": "accepts Stripe's fixed test tokens (tok_visa, tok_mastercard, ...) as a card source",
    "tokens_api": "creates card tokens from test card numbers (POST /v1/tokens)",
    "list_sources": "lists a customer's sources (GET /v1/customers/{id}/sources)",
    "list_cards": "lists a customer's cards on the older path (GET /v1/customers/{id}/cards)",
    "update_source": "updates a customer's card (POST /v1/customers/{id}/sources/{card})",
    "delete_customer": "deletes customers (DELETE /v1/customers/{id})",
    "legacy_cards_path": "serves one card on the older path (GET /v1/customers/{id}/cards/{card})",
    "attach_cards_path": "attaches a card on the older path (POST /v1/customers/{id}/cards)",
    "webhook_endpoints": "manages webhook endpoints (/v1/webhook_endpoints: create, retrieve, update, list, delete)",
    "identity": "serves Identity verification reports (GET /v1/identity/verification_reports: retrieve, list, filters)",
    "crypto_onramp": "serves crypto onramp sessions (create, retrieve, list) and quotes (/v1/crypto/...)",
    "climate": "serves Climate products, suppliers and orders (order create/update/cancel too: /v1/climate/...)",
    "forwarding": "forwards requests with card details (POST, GET /v1/forwarding/requests)",
}
"""The feature vocabulary: name -> what a target claiming it does."""

_TOP_LEVEL = {
    "name",
    "description",
    "homepage",
    "url",
    "stripe_version",
    "builtin",
    "hosted",
    "peer",
    "features",
    "expectations",
}
_PEER_FIELDS = {"registry", "package", "version", "default_port", "start"}
_REGISTRIES = ("pypi", "npm")


class ProfileError(ConfigError):
    """A target profile is unknown, unreadable or malformed (exit code 2)."""


@dataclass(frozen=True, slots=True)
class PeerSpec:
    """An installable fake: which package, pinned at which version, and how it starts."""

    registry: str
    package: str
    version: str
    default_port: int
    start: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetProfile:
    """A known target: identity, how to reach it, claimed features and expected deviations."""

    name: str
    description: str = ""
    homepage: str | None = None
    url: str | None = None
    stripe_version: str | None = None
    builtin: bool = False
    hosted: bool = False
    peer: PeerSpec | None = None
    unclaimed: frozenset[str] = frozenset()
    expectations: Expectations = field(default_factory=Expectations)
    origin: str = "(default)"

    def claims(self, feature: str) -> bool:
        """Tell whether the target claims ``feature`` (every feature not listed as false)."""
        if feature not in FEATURES:
            raise ProfileError(f"unknown feature {feature!r}; known: {', '.join(FEATURES)}")
        return feature not in self.unclaimed

    def skip_reason(self, features: tuple[str, ...]) -> str | None:
        """Return why a scenario needing ``features`` is skipped here, or None when all are claimed."""
        missing = [f for f in features if not self.claims(f)]
        if not missing:
            return None
        described = "; ".join(f"{f}: {FEATURES[f]}" for f in missing)
        return f"target profile {self.name!r} does not claim {described}"


def custom_profile(name: str = "custom") -> TargetProfile:
    """Return the profile of an unknown target: every feature claimed, no expected deviations."""
    return TargetProfile(name=name)


def available_profiles() -> tuple[str, ...]:
    """Return the names of the shipped profiles, sorted."""
    folder = resources.files("conformance.targets").joinpath("profiles")
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


def load_profile(name_or_path: str) -> TargetProfile:
    """Load a shipped profile by name, or a profile file by path; raise ``ProfileError`` otherwise."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or "/" in name_or_path or candidate.is_file():
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"cannot read target profile {name_or_path} ({exc.__class__.__name__})") from None
        return parse_profile(text, origin=str(candidate))
    if name_or_path not in available_profiles():
        raise ProfileError(
            f"unknown target profile {name_or_path!r}; shipped: {', '.join(available_profiles())} "
            "(or give a path to a .toml profile)"
        )
    resource = resources.files("conformance.targets").joinpath("profiles", f"{name_or_path}.toml")
    return parse_profile(resource.read_text("utf-8"), origin=f"profiles/{name_or_path}.toml")


def parse_profile(text: str, *, origin: str = "profile") -> TargetProfile:
    """Parse and validate profile TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise ProfileError(f"{origin}: unknown key(s) {unknown}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{origin}: 'name' is required")
    for key in ("description", "homepage", "url", "stripe_version"):
        if key in data and not isinstance(data[key], str):
            raise ProfileError(f"{origin}: {key!r} must be a string")
    for key in ("builtin", "hosted"):
        if key in data and not isinstance(data[key], bool):
            raise ProfileError(f"{origin}: {key!r} must be true or false")
    try:
        expectations = parse_expectations(_table(data, "expectations", origin), origin=origin)
    except ExpectationsError as exc:
        raise ProfileError(str(exc)) from None
    return TargetProfile(
        name=name,
        description=data.get("description", ""),
        homepage=data.get("homepage"),
        url=data.get("url"),
        stripe_version=data.get("stripe_version"),
        builtin=data.get("builtin", False),
        hosted=data.get("hosted", False),
        peer=_peer(data, origin),
        unclaimed=_unclaimed(_table(data, "features", origin), origin),
        expectations=expectations,
        origin=origin,
    )


def _table(data: Mapping[str, object], key: str, origin: str) -> Mapping[str, object]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ProfileError(f"{origin}: [{key}] must be a table")
    return value


def _unclaimed(features: Mapping[str, object], origin: str) -> frozenset[str]:
    for feature, claimed in features.items():
        if feature not in FEATURES:
            raise ProfileError(f"{origin}: unknown feature {feature!r}; known: {', '.join(FEATURES)}")
        if not isinstance(claimed, bool):
            raise ProfileError(f"{origin}: feature {feature!r} must be true or false")
    return frozenset(f for f, claimed in features.items() if claimed is False)


def _peer(data: Mapping[str, object], origin: str) -> PeerSpec | None:
    if "peer" not in data:
        return None
    peer = _table(data, "peer", origin)
    unknown = sorted(set(peer) - _PEER_FIELDS)
    if unknown:
        raise ProfileError(f"{origin}: [peer] has unknown key(s) {unknown}")
    registry, package, version = peer.get("registry"), peer.get("package"), peer.get("version")
    if registry not in _REGISTRIES:
        raise ProfileError(f"{origin}: [peer] registry must be one of {_REGISTRIES}")
    if not isinstance(package, str) or not isinstance(version, str) or not package or not version:
        raise ProfileError(f"{origin}: [peer] needs 'package' and an exact 'version'")
    port = peer.get("default_port")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ProfileError(f"{origin}: [peer] default_port must be a port number")
    start = peer.get("start", [])
    if not isinstance(start, list) or not all(isinstance(part, str) for part in start):
        raise ProfileError(f"{origin}: [peer] start must be a list of strings")
    return PeerSpec(str(registry), package, version, port, tuple(start))
