"""Metadata rules: validation limits and key-by-key merging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ApiError, invalid_parameter

MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500


@dataclass(frozen=True)
class MetadataUpdate:
    """A validated metadata parameter.

    ``clear`` means ``metadata=`` was sent (drop every key); ``values`` maps
    keys to new values, where ``""`` unsets that key.
    """

    clear: bool = False
    values: Mapping[str, str] = field(default_factory=dict)


def parse_metadata(value: object, param: str = "metadata") -> MetadataUpdate:
    """Validate a decoded ``metadata`` parameter."""
    if value == "":
        return MetadataUpdate(clear=True)
    if isinstance(value, list):
        value = {str(index): item for index, item in enumerate(value)}
    if not isinstance(value, dict):
        raise invalid_parameter(
            "Invalid metadata: send a hash of key-value pairs, or an empty string to unset all keys.",
            param,
        )
    values: dict[str, str] = {}
    for key, item in value.items():
        key_param = f"{param}[{key}]"
        if not isinstance(item, str):
            raise invalid_parameter(
                f"Invalid value for metadata key '{key}': metadata values must be strings.",
                key_param,
            )
        if len(key) > MAX_KEY_LENGTH:
            raise invalid_parameter(
                f"Metadata keys can be at most {MAX_KEY_LENGTH} characters long; "
                f"'{key[:MAX_KEY_LENGTH]}...' is {len(key)} characters.",
                key_param,
            )
        if len(item) > MAX_VALUE_LENGTH:
            raise invalid_parameter(
                f"Metadata values can be at most {MAX_VALUE_LENGTH} characters long; the "
                f"value for '{key}' is {len(item)} characters.",
                key_param,
            )
        values[key] = item
    return MetadataUpdate(values=values)


def apply_metadata(current: Mapping[str, str], update: MetadataUpdate, param: str = "metadata") -> dict[str, str]:
    """Return ``current`` with ``update`` merged in, enforcing the key-count limit."""
    merged = {} if update.clear else dict(current)
    for key, value in update.values.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    check_key_count(merged, param)
    return merged


def check_key_count(metadata: Mapping[str, str], param: str = "metadata") -> None:
    """Reject metadata with more than :data:`MAX_KEYS` keys."""
    if len(metadata) > MAX_KEYS:
        raise too_many_keys(param)


def too_many_keys(param: str) -> ApiError:
    """Build the error for metadata over the key-count limit."""
    return invalid_parameter(
        f"Metadata can have at most {MAX_KEYS} keys.",
        param,
    )
