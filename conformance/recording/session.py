"""Open a cassette set for a run: pick the seed, clear or reuse the directory, write the manifest."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from conformance.recording.manifest import (
    PLACEHOLDER_BASE_URL,
    CassetteSet,
    CassetteSetError,
    clear_cassette_set,
    manifest_path,
    read_cassette_set,
    utc_timestamp,
    write_cassette_set,
)
from conformance.recording.modes import RecordingPlan
from conformance.recording.seeds import new_seed
from conformance.targets.config import TargetConfig

REPLAY_API_KEY = "sk_test_replayedfromcassettes"
"""The key a replay runs with: it is never sent anywhere, and cassettes hold no key to compare it with."""

_LIBRARIES = ("hypothesis", "schemathesis", "vcrpy")


def open_cassette_set(
    plan: RecordingPlan,
    *,
    seed: str | None,
    stripe_version: str,
    target_name: str,
    base_url: str | None,
    tool_version: str,
    profile: str | None = None,
    options: dict[str, Any] | None = None,
    selection: dict[str, Any] | None = None,
) -> CassetteSet:
    """Return the manifest a run records or replays with, preparing the directory as the mode says.

    Replaying (mode ``none``) needs an existing set and keeps its seed. ``rewrite`` deletes the set
    and starts a new one. Other modes add to an existing set with its seed (a different ``seed`` is
    an error, since the cassettes would no longer match), or start a new one. ``selection`` is
    the run's ``-k``/``-m``/shard; added to a set recorded with another one, the set keeps none
    (a replay then runs everything, and reports what was never recorded as not run).
    """
    directory = plan.directory
    existing: CassetteSet | None
    if not plan.records:
        replayed = read_cassette_set(directory)
        _same_seed(replayed, seed, directory)
        return replayed
    if plan.mode == "rewrite":
        clear_cassette_set(directory)
        existing = None
    elif manifest_path(directory).is_file():
        existing = read_cassette_set(directory)
        _same_seed(existing, seed, directory)
    else:
        existing = None
    cassette_set = CassetteSet(
        seed=existing.seed if existing else seed or new_seed(),
        base_url=base_url or (existing.base_url if existing else PLACEHOLDER_BASE_URL),
        stripe_version=stripe_version,
        target_name=target_name,
        tool_version=tool_version,
        recorded_at=existing.recorded_at if existing else utc_timestamp(),
        record_mode=plan.mode,
        profile=profile,
        options=dict(options or {}),
        libraries=library_versions(),
        results=existing.results if existing else {},
        selection=_merged_selection(existing, {k: v for k, v in (selection or {}).items() if v}),
    )
    write_cassette_set(directory, cassette_set)
    return cassette_set


def replay_target(cassette_set: CassetteSet) -> TargetConfig:
    """Return the target a replay pretends to talk to: the recorded URL and API version, a dummy key."""
    return TargetConfig(
        base_url=cassette_set.base_url,
        api_key=REPLAY_API_KEY,
        stripe_version=cassette_set.stripe_version,
        name=cassette_set.target_name,
    )


def library_versions() -> dict[str, str]:
    """Return the versions of the libraries whose generated data cassettes depend on."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _same_seed(existing: CassetteSet, seed: str | None, directory: Path) -> None:
    if seed is not None and seed != existing.seed:
        raise CassetteSetError(
            f"{directory} was recorded with seed {existing.seed}, not {seed}: "
            "drop the seed option, or re-record the set with record mode 'rewrite'"
        )


def _merged_selection(existing: CassetteSet | None, selection: dict[str, Any]) -> dict[str, Any]:
    if existing is None or existing.selection == selection:
        return selection
    return {}
