"""Targets: where a run points, the live-key guard, and the preflight probe."""

from conformance.targets.config import (
    ConfigError,
    TargetConfig,
    check_key_is_safe,
    generated_test_key,
)
from conformance.targets.preflight import PreflightError, preflight

__all__ = [
    "ConfigError",
    "PreflightError",
    "TargetConfig",
    "check_key_is_safe",
    "generated_test_key",
    "preflight",
]
