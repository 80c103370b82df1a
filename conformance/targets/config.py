"""What a run targets: base URL, API key, API version, and the guard against live keys."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from conformance.http.client import DEFAULT_STRIPE_VERSION
from conformance.http.redaction import register_secret

_LIVE_KEY = re.compile(r"^(sk|rk)_live_", re.IGNORECASE)
_SCHEME = re.compile(r"^(bearer|basic)\s+", re.IGNORECASE)
# Whitespace (Unicode included) and control characters: never part of a key, and a sign of a paste gone wrong.
_BAD_KEY_CHARACTER = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")


class ConfigError(ValueError):
    """The run's configuration is unusable (exit code 2)."""


@dataclass(frozen=True, slots=True)
class TargetConfig:
    """A validated target: base URL without credentials, key, pinned API version."""

    base_url: str
    api_key: str
    stripe_version: str = DEFAULT_STRIPE_VERSION
    name: str = "custom"

    @classmethod
    def build(
        cls,
        base_url: str,
        api_key: str | None,
        *,
        stripe_version: str | None = None,
        name: str | None = None,
    ) -> TargetConfig:
        """Validate the pieces and return a config, or raise ``ConfigError`` with one clear line.

        Without a ``name`` (no profile names the target) the target is called by its host and port.
        """
        url = normalise_url(base_url)
        if not api_key:
            raise ConfigError("no API key: pass --api-key or set STRIPE_API_KEY")
        api_key = normalise_key(api_key)
        check_key_is_safe(api_key)
        version = stripe_version or DEFAULT_STRIPE_VERSION
        if not _VERSION.match(version):
            raise ConfigError(f"--stripe-version {version!r} is not a Stripe API version (YYYY-MM-DD)")
        return cls(url, api_key, version, name or host_name(url))

    def __post_init__(self) -> None:
        """From here on, no output of this process may show the key, nor a piece of it (xdist workers too)."""
        register_secret(self.api_key)

    @property
    def display_url(self) -> str:
        """The base URL as it may appear in reports (never with credentials)."""
        return self.base_url


def normalise_url(base_url: str) -> str:
    """Return ``base_url`` without credentials or trailing slash, or raise ``ConfigError``."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--target {base_url!r} is not an http(s) URL such as http://127.0.0.1:12111")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"--target {base_url!r} has an invalid port") from None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def normalise_key(api_key: str) -> str:
    """Return the key as it will be sent: surrounding whitespace and a ``Bearer`` scheme stripped.

    Raise ``ConfigError`` (never quoting the key) when what is left cannot be a key: a ``Basic``
    credential, whitespace or a control character inside it, or nothing at all. A live key is
    judged afterwards, on this normalised form, so no spelling of one slips past the guard.
    """
    key = api_key.strip()
    scheme = _SCHEME.match(key)
    if scheme and scheme.group(1).lower() == "basic":
        raise ConfigError("the API key is a Basic Authorization value: pass the key itself (sk_test_...)")
    if scheme:
        key = key[scheme.end() :]
    if not key:
        raise ConfigError("the API key is empty")
    if _BAD_KEY_CHARACTER.search(key):
        raise ConfigError("the API key holds whitespace or a control character: pass the key alone, on one line")
    return key


def host_name(url: str) -> str:
    """Return how a report names a target known only by its URL: host, and port when one is given."""
    return urlsplit(url).netloc or url


def check_key_is_safe(api_key: str) -> None:
    """Refuse live-mode keys, however they are spelled: there is no override.

    The suite creates and deletes objects and sends malformed requests on purpose; none of that
    belongs in live mode, and the run's pacing assumes test mode's documented rate limit.
    """
    if _LIVE_KEY.match(normalise_key(api_key)):
        raise ConfigError(
            "refusing a live-mode key (sk_live_/rk_live_): this suite creates and deletes objects; "
            "use a test-mode key (sk_test_/rk_test_)"
        )


def generated_test_key() -> str:
    """Return a fresh test-mode-shaped key for the built-in reference server."""
    return "sk_test_" + secrets.token_hex(12)
