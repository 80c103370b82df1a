"""The run's target profile in the plugin: which one applies, and skipping unclaimed features.

Precedence (most specific first): ``--stripe-target-name`` / ``--stripe-version`` given on the
command line, then the ``--stripe-profile`` file or name, then the defaults (the ``reference``
profile when no target is given, a ``custom`` profile claiming everything otherwise).
"""

from __future__ import annotations

import pytest

from conformance.plugin.run_settings import run_settings
from conformance.targets.card_paths import CARD_PATHS, PATH_FEATURES
from conformance.targets.profile import TargetProfile, custom_profile, load_profile

FEATURE_MARKER = "needs_feature"

_PROFILE_KEY = pytest.StashKey[TargetProfile]()


def session_profile(config: pytest.Config) -> TargetProfile:
    """Return the profile of this run (loaded once; raises ``ProfileError`` if unusable)."""
    profile = config.stash.get(_PROFILE_KEY, None)
    if profile is None:
        settings = run_settings(config)
        if settings.profile:
            profile = load_profile(settings.profile)
        elif settings.target:
            profile = custom_profile(settings.target_name or "custom")
        else:
            profile = load_profile("reference")
        config.stash[_PROFILE_KEY] = profile
    return profile


def skip_unclaimed_features(items: list[pytest.Item], profile: TargetProfile) -> None:
    """Mark scenarios that need a feature ``profile`` does not claim as skipped, with the reason."""
    for item in items:
        features = tuple(f for marker in item.iter_markers(FEATURE_MARKER) for f in marker.args)
        reason = profile.skip_reason(features) if features else None
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def profile_card_paths(profile: TargetProfile) -> tuple[str, ...]:
    """The card-creation paths to try on this target, in order: those whose feature the profile claims."""
    return tuple(path for path in CARD_PATHS if path not in PATH_FEATURES or profile.claims(PATH_FEATURES[path]))
